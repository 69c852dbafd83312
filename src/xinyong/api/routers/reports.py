"""Reports, self-service applications, verification and batch reviews over JSON (``/api/v1``)."""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.api.schemas import ERRORS
from xinyong.domain.reports import ReportKind
from xinyong.errors import InvalidInput
from xinyong.services import reports, reviews

router = APIRouter(tags=["reports"], responses=ERRORS)

MAX_PDF_BYTES = 20 * 2**20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class IssueIn(BaseModel):
    subject_id: int
    kind: ReportKind = ReportKind.PUBLIC


class ApplyIn(BaseModel):
    uscc: str = Field(max_length=40)
    rep_name: str = Field(max_length=50)
    rep_id: str = Field(max_length=30)
    channel: str = Field(pattern="^(email|sms)$")
    contact: str = Field(max_length=200)
    kind: ReportKind = ReportKind.PUBLIC
    purpose: str = Field("", max_length=200)


class RevokeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _meta(row: dict[str, Any], with_code: bool = False) -> dict[str, Any]:
    hidden = {"pdf", "snapshot"} | (set() if with_code else {"code"})
    return {k: _plain(v) for k, v in row.items() if k not in hidden}


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.post("/reports", status_code=201)
def issue_report(body: IssueIn, request: Request, uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    """Issue a report of a subject now (``reports:issue``; the full report needs ``reports:full``)."""
    row = reports.issue(uow, platform, body.subject_id, body.kind, _base(request))
    return _meta(row, with_code=True) | {"pdf_url": f"/api/v1/reports/{row['id']}/pdf"}


@router.get("/reports/{report_id}")
def report_meta(report_id: int, uow: UowDep) -> dict[str, Any]:
    return _meta(reports.get_report(uow, report_id), with_code=True)


@router.get("/reports/{report_id}/pdf")
def report_pdf(report_id: int, uow: UowDep) -> Response:
    row = reports.get_report(uow, report_id)
    return Response(row["pdf"], media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="{row["number"]}.pdf"'})


@router.post("/reports/{report_id}/revoke")
def revoke_report(report_id: int, body: RevokeIn, uow: UowDep) -> dict[str, Any]:
    reports.revoke(uow, report_id, body.reason)
    return {"id": report_id, "status": "revoked"}


@router.post("/reports/applications", status_code=201)
def apply(body: ApplyIn, request: Request, uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    """A subject applies for its own report (public; identity: USCC and the legal representative)."""
    application, token = reports.apply(uow, platform, request.app.state.notifier, uscc=body.uscc,
                                       rep_name=body.rep_name, rep_id=body.rep_id, channel=body.channel,
                                       contact=body.contact, kind=body.kind, purpose=body.purpose,
                                       base_url=_base(request))
    return {"id": application["id"], "status": application["status"], "access_token": token,
            "status_url": f"/reports/applications/{token}"}


@router.get("/reports/applications/{token}")
def application_status(token: str, uow: UowDep) -> dict[str, Any]:
    """The applicant's view (the secret token is the key): status and, once issued, the report."""
    application, report = reports.application_by_token(uow, token[:64])
    return {"id": application["id"], "status": application["status"], "kind": application["kind"],
            "decision_reason": application["decision_reason"],
            "report": _meta(report, with_code=True) if report else None,
            "pdf_url": f"/reports/applications/{token}/report.pdf" if report else None}


def _verification(result: reports.Verification) -> dict[str, Any]:
    return {"verdict": result.verdict.value, "message": result.verdict.label, "authentic": result.authentic,
            "checked_pdf_sha256": result.pdf_sha256, "report": _meta(result.report) if result.report else None}


@router.get("/verify/{code}")
def verify(code: str, uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    """Anyone may check a report's code: authentic, expired, revoked, superseded or not found."""
    return _verification(reports.verify(uow, platform, code[:64]))


@router.post("/verify")
async def verify_pdf_only(request: Request, uow: UowDep) -> dict[str, Any]:
    """Check a PDF file alone (the request body): its SHA-256 must be one published for a report."""
    return _verification(reports.verify_file(uow, await _pdf_body(request)))


async def _pdf_body(request: Request) -> bytes:
    pdf = await request.body()
    if not pdf or len(pdf) > MAX_PDF_BYTES:
        raise InvalidInput("请求体应为报告 PDF 文件", "the body must be the report's PDF", code="verify.body")
    return pdf


@router.post("/verify/{code}")
async def verify_with_pdf(code: str, request: Request, uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    """Check a report's code and the PDF file one was handed (the request body): altered bytes show."""
    return _verification(reports.verify(uow, platform, code[:64], await _pdf_body(request)))


@router.post("/reviews", status_code=201)
def run_review(uow: UowDep, platform: PlatformDep, file: UploadFile = File(...),  # noqa: B008
               matter: str = Form(...), title: str = Form("")) -> dict[str, Any]:
    """Upload a list (XLSX/CSV with a name and/or USCC column) for a matter; answers the summary."""
    with tempfile.TemporaryDirectory(prefix="xinyong-review-") as directory:
        path = Path(directory) / "list"
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target, 1 << 20)
        row = reviews.review_file(uow, platform, matter, path, file.filename, title)
    return {"id": row["id"], "matter": row["matter"], "summary": row["summary"],
            "pdf_url": f"/api/v1/reviews/{row['id']}/pdf", "xlsx_url": f"/api/v1/reviews/{row['id']}/xlsx"}


@router.get("/reviews/{review_id}")
def get_review(review_id: int, uow: UowDep) -> dict[str, Any]:
    return {k: _plain(v) for k, v in reviews.get_review(uow, review_id).items()}


@router.get("/reviews/{review_id}/pdf")
def review_pdf(review_id: int, uow: UowDep) -> Response:
    return Response(reviews.review_pdf(reviews.get_review(uow, review_id)), media_type="application/pdf",
                    headers={"content-disposition": f'attachment; filename="review-{review_id}.pdf"'})


@router.get("/reviews/{review_id}/xlsx")
def review_xlsx(review_id: int, uow: UowDep) -> Response:
    return Response(reviews.review_xlsx(reviews.get_review(uow, review_id)), media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="review-{review_id}.xlsx"'})
