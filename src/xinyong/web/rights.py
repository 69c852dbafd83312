"""Public pages of subjects' rights (``/rights/…``): credit repair (check, then apply), objections, case
status by case number and query code, and signing a credit commitment online.

Everything here is public; the services decide what a record may reveal (never a person's record). Every
form carries the session's CSRF token; the query code is shown once and travels only in POST bodies.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from xinyong.api.deps import ActorDep, PlatformDep, UowDep
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Actor
from xinyong.domain.commitments import COMMITMENT_TYPES
from xinyong.domain.objections import ObjectionReason
from xinyong.domain.repair import STEP_LABELS, CaseKind, Material
from xinyong.errors import InvalidInput, XinyongError
from xinyong.services import commitments, objections, repairs
from xinyong.services.repairs import rules_of
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web import forms  # noqa: F401  (registers the template filters)
from xinyong.web.templating import check_csrf, render

router = APIRouter(prefix="/rights", include_in_schema=False)

Text = Annotated[str, Form()]
OPENNESS_CHOICES = [("可向社会公开", "可向社会公开"), ("特定范围内公开", "特定范围内公开"), ("不可公开", "不可公开")]
SUBJECT_CATEGORIES = ["法人及非法人组织", "个体工商户", "事业单位", "社会组织"]


def _page(request: Request, uow: UnitOfWork, template: str, context: dict[str, Any],
          error: XinyongError | None = None) -> HTMLResponse:
    request.state.actor = uow.actor
    return render(request, template, {"nav": "rights", "error": error, **context},
                  status_code=error.status if error else 200)


def _required_record(record_id: int | None) -> int:
    if record_id is None:
        raise InvalidInput("请填写信用记录编号（数字）", "record_id is required", code="request.required",
                           field="record_id")
    return record_id


def _record_id(value: str | int | None) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


@router.get("", response_class=HTMLResponse)
def index(request: Request, uow: UowDep) -> HTMLResponse:
    return _page(request, uow, "rights/index.html", {})


# -- repair -----------------------------------------------------------------------------------------

def _repair_page(request: Request, uow: UnitOfWork, platform: Platform, record_id: int | None,
                 form: dict[str, str] | None = None, error: XinyongError | None = None) -> HTMLResponse:
    result = None
    if record_id is not None:
        try:
            result = repairs.check_eligibility(uow, rules_of(platform, uow), record_id)
        except XinyongError as exc:
            error = error or exc
    return _page(request, uow, "rights/repair.html", {
        "record_id": record_id or "", "result": result, "form": form or {}, "materials": list(Material),
    }, error)


@router.get("/repair", response_class=HTMLResponse)
def repair_form(request: Request, uow: UowDep, platform: PlatformDep, record_id: str = "") -> HTMLResponse:
    """Enter a record number: the rules say whether and when it can be repaired, then the form."""
    return _repair_page(request, uow, platform, _record_id(record_id))


@router.post("/repair", response_class=HTMLResponse)
def apply_repair(request: Request, uow: UowDep, platform: PlatformDep, record_id: Text = "", subject_code: Text = "",
                 applicant_name: Text = "", applicant_contact: Text = "", commitment: Text = "",
                 fulfilment_proof: Text = "", training_certificate: Text = "", credit_report: Text = "",
                 csrf_token: Text = "") -> HTMLResponse:
    check_csrf(request, csrf_token)
    form = {"subject_code": subject_code, "applicant_name": applicant_name, "applicant_contact": applicant_contact,
            "commitment": commitment, "fulfilment_proof": fulfilment_proof,
            "training_certificate": training_certificate, "credit_report": credit_report}
    number = _record_id(record_id)
    try:
        case, code = repairs.apply(
            uow, rules_of(platform, uow), _required_record(number), subject_code=subject_code,
            applicant_name=applicant_name, applicant_contact=applicant_contact, commitment=commitment,
            materials={"fulfilment_proof": fulfilment_proof, "training_certificate": training_certificate,
                       "credit_report": credit_report})
    except XinyongError as exc:
        return _repair_page(request, uow, platform, number, form, exc)
    return _page(request, uow, "rights/created.html", {"case": case, "query_code": code})


# -- objections -------------------------------------------------------------------------------------

def _objection_page(request: Request, uow: UnitOfWork, record_id: int | None, form: dict[str, str] | None = None,
                    error: XinyongError | None = None) -> HTMLResponse:
    return _page(request, uow, "rights/objection.html", {
        "record_id": record_id or "", "reasons": list(ObjectionReason), "form": form or {}}, error)


@router.get("/objection", response_class=HTMLResponse)
def objection_form(request: Request, uow: UowDep, record_id: str = "") -> HTMLResponse:
    return _objection_page(request, uow, _record_id(record_id))


@router.post("/objection", response_class=HTMLResponse)
def file_objection(request: Request, uow: UowDep, platform: PlatformDep, record_id: Text = "", reason_type: Text = "",
                   reason: Text = "", applicant_name: Text = "", applicant_contact: Text = "", is_subject: Text = "",
                   csrf_token: Text = "") -> HTMLResponse:
    check_csrf(request, csrf_token)
    form = {"reason_type": reason_type, "reason": reason, "applicant_name": applicant_name,
            "applicant_contact": applicant_contact, "is_subject": is_subject}
    number = _record_id(record_id)
    try:
        case, code = objections.file(
            uow, rules_of(platform, uow), _required_record(number), reason_type=reason_type, reason=reason,
            applicant_name=applicant_name, applicant_contact=applicant_contact, is_subject=is_subject == "yes")
    except XinyongError as exc:
        return _objection_page(request, uow, number, form, exc)
    return _page(request, uow, "rights/created.html", {"case": case, "query_code": code})


# -- case status ------------------------------------------------------------------------------------

@router.get("/case", response_class=HTMLResponse)
def case_form(request: Request, uow: UowDep) -> HTMLResponse:
    return _page(request, uow, "rights/case.html", {"view": None, "form": {}})


@router.post("/case", response_class=HTMLResponse)
def case_status(request: Request, uow: UowDep, case_no: Text = "", query_code: Text = "",
                csrf_token: Text = "") -> HTMLResponse:
    check_csrf(request, csrf_token)
    try:
        view = repairs.status_for_applicant(uow, case_no, query_code)
    except XinyongError as exc:
        return _page(request, uow, "rights/case.html", {"view": None, "form": {"case_no": case_no}}, exc)
    return _page(request, uow, "rights/case.html", {"view": view, "form": {"case_no": case_no},
                                                    "kinds": {k.value: k.label for k in CaseKind},
                                                    "steps": STEP_LABELS,
                                                    "reasons": {r.value: r.label for r in ObjectionReason}})


# -- commitments ------------------------------------------------------------------------------------

def _commitment_page(request: Request, uow: UnitOfWork, form: dict[str, str] | None = None,
                     error: XinyongError | None = None, signed: Any = None) -> HTMLResponse:
    problems = {p.field: p.message for p in (error.problems if error else [])}
    return _page(request, uow, "rights/commitment.html", {
        "form": form or {}, "types": list(COMMITMENT_TYPES.values()), "openness": OPENNESS_CHOICES,
        "categories": SUBJECT_CATEGORIES, "units": [d for d in uow.accounts.departments() if d.active],
        "problems": problems, "signed": signed}, error)


@router.get("/commitment", response_class=HTMLResponse)
def commitment_form(request: Request, uow: UowDep) -> HTMLResponse:
    return _commitment_page(request, uow)


@router.post("/commitment", response_class=HTMLResponse)
async def sign_commitment(request: Request, actor: ActorDep, platform: PlatformDep) -> HTMLResponse:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    check_csrf(request, form.get("csrf_token"))
    return await run_in_threadpool(_sign, request, platform, actor, form)


def _sign(request: Request, platform: Platform, actor: Actor, form: dict[str, str]) -> HTMLResponse:
    values = {k: v for k, v in form.items() if k.startswith("cn_") or k == "bz"}
    with platform.uow(actor) as uow:
        try:
            record = commitments.sign(uow, rules_of(platform, uow), values)
        except XinyongError as exc:
            return _commitment_page(request, uow, form, exc)
        return _commitment_page(request, uow, signed=record)
