"""Public report pages: apply for one's own report (self-service), follow the application and download
the report, and verify any report by its code (from the QR code) or by its PDF file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.domain.reports import Document, ReportKind, normalise_code
from xinyong.errors import InvalidInput, XinyongError
from xinyong.services import reports
from xinyong.web.templating import check_csrf, render

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Form()]
MAX_PDF_BYTES = 20 * 2**20
KINDS = {ReportKind.PUBLIC.value: ReportKind.PUBLIC.label, ReportKind.HEALTH.value: ReportKind.HEALTH.label}


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.get("/reports/apply", response_class=HTMLResponse)
def apply_form(request: Request, uow: UowDep) -> HTMLResponse:
    request.state.actor = uow.actor
    return render(request, "reports/apply.html", {"kinds": KINDS, "channels": reports.CHANNELS, "form": {}})


@router.post("/reports/apply", response_class=HTMLResponse)
def apply(request: Request, uow: UowDep, platform: PlatformDep, uscc: Text = "", rep_name: Text = "",
          rep_id: Text = "", channel: Text = "email", contact: Text = "", kind: Text = "public", purpose: Text = "",
          csrf_token: Text = "") -> Response:
    request.state.actor = uow.actor
    check_csrf(request, csrf_token)
    form = {"uscc": uscc, "rep_name": rep_name, "channel": channel, "contact": contact, "kind": kind,
            "purpose": purpose}  # the ID number is never echoed back into the page
    try:
        chosen = ReportKind(kind) if kind in KINDS else ReportKind.PUBLIC
        _, token = reports.apply(uow, platform, request.app.state.notifier, uscc=uscc, rep_name=rep_name,
                                 rep_id=rep_id, channel=channel, contact=contact, kind=chosen, purpose=purpose,
                                 base_url=base_url(request))
    except XinyongError as error:
        return render(request, "reports/apply.html", {"kinds": KINDS, "channels": reports.CHANNELS, "form": form,
                                                      "error": error}, status_code=error.status)
    return RedirectResponse(f"/reports/applications/{token}", status_code=303)


@router.get("/reports/applications/{token}", response_class=HTMLResponse)
def application_page(request: Request, token: str, uow: UowDep) -> HTMLResponse:
    request.state.actor = uow.actor
    application, report = reports.application_by_token(uow, token)
    document = Document.from_json(report["snapshot"]["document"]) if report else None
    response = render(request, "reports/application.html", {
        "application": application, "report": report, "document": document, "token": token,
        "kind_label": ReportKind(application["kind"]).label})
    response.headers["cache-control"] = "no-store"
    response.headers["referrer-policy"] = "no-referrer"  # the token is in the address
    return response


@router.get("/reports/applications/{token}/report.pdf")
def application_pdf(token: str, uow: UowDep) -> Response:
    _, report = reports.application_by_token(uow, token)
    if report is None:
        raise InvalidInput("报告尚未出具", "the report has not been issued yet", code="report.pending")
    return Response(report["pdf"], media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="{report["number"]}.pdf"', "cache-control": "no-store"})


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, uow: UowDep, code: str = "") -> Response:
    request.state.actor = uow.actor
    if code.strip():
        return RedirectResponse(f"/verify/{normalise_code(code)[:32]}", status_code=303)
    return render(request, "reports/verify.html", {"result": None})


@router.post("/verify", response_class=HTMLResponse)
def verify_upload(request: Request, uow: UowDep, platform: PlatformDep, code: Text = "",
                        csrf_token: Text = "", file: Annotated[UploadFile | None, File()] = None) -> HTMLResponse:
    request.state.actor = uow.actor
    check_csrf(request, csrf_token)
    if file is None or not file.filename:
        error = InvalidInput("请选择要核验的 PDF 报告文件", "choose the PDF file to verify", code="file.missing")
        return render(request, "reports/verify.html", {"result": None, "error": error}, status_code=422)
    pdf = file.file.read(MAX_PDF_BYTES + 1)
    if len(pdf) > MAX_PDF_BYTES:
        error = InvalidInput("文件过大，不是本平台出具的报告", "the file is too large to be a report",
                             code="file.too_large")
        return render(request, "reports/verify.html", {"result": None, "error": error}, status_code=422)
    result = reports.verify(uow, platform, code, pdf) if code.strip() else reports.verify_file(uow, pdf)
    return render(request, "reports/verify.html", {"result": result, "checked_file": True})


@router.get("/verify/{code}", response_class=HTMLResponse)
def verify_code(request: Request, code: str, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    request.state.actor = uow.actor
    result = reports.verify(uow, platform, code[:64])
    return render(request, "reports/verify.html", {"result": result, "code": normalise_code(code)[:32]},
                  status_code=404 if result.report is None else 200)
