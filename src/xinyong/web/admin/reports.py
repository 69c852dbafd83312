"""Console pages for reports (出具、撤销, the self-service queue and message log) and batch reviews."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.domain.accounts import Permission
from xinyong.domain.reports import Document, ReportKind
from xinyong.domain.review import MatchStatus
from xinyong.errors import InvalidInput, XinyongError
from xinyong.services import reports, reviews
from xinyong.web.admin.common import ConsoleActor, console_router, done, page
from xinyong.web.forms import optional_int
from xinyong.web.templating import check_csrf

router = console_router()

Text = Annotated[str, Form()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
APPLICATION_STATUS = {"pending": "待审核", "approved": "已批准", "rejected": "已驳回", "issued": "已出具"}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, actor: ConsoleActor, uow: UowDep, status: str = "pending") -> HTMLResponse:
    status = status if status in (*APPLICATION_STATUS, "") else "pending"
    return page(request, "admin/reports.html", {
        "applications": reports.pending_applications(uow, status), "status": status,
        "statuses": APPLICATION_STATUS, "issued": reports.list_reports(uow),
        "messages": reports.application_messages(uow),
        "kinds": [k for k in ReportKind if k is not ReportKind.FULL or actor.can(Permission.REPORTS_FULL)],
    })


@router.post("/reports/issue")
def issue(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep, subject_id: Text = "",
          kind: Text = "public", csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    number = optional_int(subject_id, "subject_id", "主体编号")
    if number is None:
        raise InvalidInput("请填写主体编号", "subject_id is required", code="request.subject_id", field="subject_id")
    chosen = ReportKind(kind) if kind in ReportKind._value2member_map_ else ReportKind.PUBLIC
    row = reports.issue(uow, platform, number, chosen, _base(request))
    return done(request, f"已出具报告 {row['number']}", f"/admin/reports/{row['id']}")


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: int, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    row = reports.get_report(uow, report_id)
    return page(request, "admin/report.html", {
        "report": row, "document": Document.from_json(row["snapshot"]["document"])})


@router.get("/reports/{report_id}/pdf")
def report_pdf(report_id: int, actor: ConsoleActor, uow: UowDep) -> Response:
    row = reports.get_report(uow, report_id)
    return Response(row["pdf"], media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="{row["number"]}.pdf"', "cache-control": "no-store"})


@router.post("/reports/{report_id}/revoke")
def revoke(request: Request, report_id: int, actor: ConsoleActor, uow: UowDep, reason: Text = "",
           csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    reports.revoke(uow, report_id, reason)
    return done(request, "报告已撤销，核验时将显示为已撤销", f"/admin/reports/{report_id}")


@router.post("/reports/applications/{application_id}")
def decide(request: Request, application_id: int, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
           decision: Text = "", reason: Text = "", csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    row = reports.decide(uow, platform, request.app.state.notifier, application_id, decision == "approve", reason,
                         _base(request))
    message = "已批准并出具报告" if row["status"] == "issued" else "已驳回申请"
    return done(request, f"申请 {application_id}：{message}，已通知申请人", "/admin/reports")


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(request: Request, actor: ConsoleActor, uow: UowDep, error: XinyongError | None = None) -> HTMLResponse:
    return page(request, "admin/reviews.html", {
        "reviews": reviews.list_reviews(uow), "matters": reports.review_rules().matters.values(), "error": error},
        status_code=error.status if error else 200)


@router.post("/reviews", response_class=HTMLResponse)
def run_review(request: Request, actor: ConsoleActor, platform: PlatformDep, matter: Text = "", title: Text = "",
               csrf_token: Text = "", file: Annotated[UploadFile | None, File()] = None) -> Response:
    check_csrf(request, csrf_token)
    try:
        if file is None or not file.filename:
            raise InvalidInput("请选择名单文件", "choose the list file", code="file.missing", field="file")
        with tempfile.TemporaryDirectory(prefix="xinyong-review-") as directory:
            path = Path(directory) / "list"
            with path.open("wb") as target:
                shutil.copyfileobj(file.file, target, 1 << 20)
            with platform.uow(actor) as uow:
                row = reviews.review_file(uow, platform, matter, path, file.filename, title)
    except XinyongError as error:
        with platform.uow(actor) as uow:
            return reviews_page(request, actor, uow, error)
    return done(request, f"审查完成：{row['summary']['rows']} 行，{row['summary']['with_negative']} 个主体有失信记录",
                f"/admin/reviews/{row['id']}")


@router.get("/reviews/{review_id}", response_class=HTMLResponse)
def review_page(request: Request, review_id: int, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    row = reviews.get_review(uow, review_id)
    return page(request, "admin/review.html", {
        "review": row, "labels": {s.value: s.label for s in MatchStatus},
        "with_hits": [r for r in row["results"] if r["hits"]],
        "open": [r for r in row["results"] if r["status"] != MatchStatus.MATCHED]})


@router.get("/reviews/{review_id}/pdf")
def review_pdf(review_id: int, actor: ConsoleActor, uow: UowDep) -> Response:
    return Response(reviews.review_pdf(reviews.get_review(uow, review_id)), media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="review-{review_id}.pdf"',
                             "cache-control": "no-store"})


@router.get("/reviews/{review_id}/xlsx")
def review_xlsx(review_id: int, actor: ConsoleActor, uow: UowDep) -> Response:
    return Response(reviews.review_xlsx(reviews.get_review(uow, review_id)), media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="review-{review_id}.xlsx"',
                             "cache-control": "no-store"})
