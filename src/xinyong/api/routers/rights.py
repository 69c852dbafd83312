"""Subjects' rights over JSON: credit repair (``/repairs``), objections (``/objections``), credit commitments
(``/commitments``) and their statistics (``/rights/statistics``).

Applying, filing, signing and following one's case (case number + query code) are open to the public;
handling steps need ``rights:handle`` (credit office) or ``rights:verify`` (the record's department).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from xinyong.adapters.notifier import notifier_of
from xinyong.api.deps import PlatformDep, UowDep
from xinyong.api.schemas import ERRORS, RecordOut
from xinyong.domain.commitments import Fulfilment
from xinyong.domain.objections import ObjectionOutcome
from xinyong.domain.records import CreditRecord
from xinyong.domain.repair import Case, CaseKind, CaseStatus, Eligibility
from xinyong.errors import InvalidInput
from xinyong.services import commitments, objections, repairs, rights_stats
from xinyong.services.repairs import CaseView, rules_of

router = APIRouter(tags=["rights"], responses=ERRORS)


class ReasonOut(BaseModel):
    code: str
    message: str
    message_en: str


class EligibilityOut(BaseModel):
    record_id: int
    eligible: bool
    reasons: list[ReasonOut]
    procedure: str
    procedure_source: str
    severity: str | None
    repair_from: date | None
    materials: list[str]

    @classmethod
    def of(cls, record_id: int, e: Eligibility) -> EligibilityOut:
        return cls(record_id=record_id, eligible=e.eligible,
                   reasons=[ReasonOut(code=r.code, message=r.message, message_en=r.message_en) for r in e.reasons],
                   procedure=e.procedure.code, procedure_source=e.procedure.source,
                   severity=e.severity.value if e.severity else None, repair_from=e.repair_from,
                   materials=[m.value for m in e.materials])


class CaseOut(BaseModel):
    case_no: str
    kind: str
    status: str
    status_label: str
    record_id: int
    procedure: str
    submitted_on: date
    due_on: date | None
    total_due_on: date | None
    closed_on: date | None
    outcome_note: str | None
    result_record_id: int | None
    reason_type: str | None
    overdue: bool = False
    handling_working_days: int | None = None
    events: list[dict[str, Any]] = []

    @classmethod
    def of(cls, case: Case, view: CaseView | None = None) -> CaseOut:
        out = cls(case_no=case.case_no, kind=case.kind.value, status=case.status.value,
                  status_label=case.status.label, record_id=case.record_id, procedure=case.procedure,
                  submitted_on=case.submitted_on, due_on=case.due_on, total_due_on=case.total_due_on,
                  closed_on=case.closed_on, outcome_note=case.outcome_note, result_record_id=case.result_record_id,
                  reason_type=case.reason_type)
        if view is not None:
            out.overdue, out.handling_working_days = view.overdue, view.handling_days
            out.events = [{"at": e["at"], "step": e["step"], "note": e["note"]} for e in view.events]
        return out


class CreatedCaseOut(CaseOut):
    query_code: str = Field(description="shown once: with the case number it lets the applicant follow the case")


class PublicRecordOut(BaseModel):
    """What the public sees of a commitment or a broken commitment (no provenance, no internal ids)."""

    id: int
    info_class: str
    status: str
    doc_number: str | None = None
    decision_date: date | None = None
    valid_to: date | None = None
    category: str | None = None
    content: str | None = None
    authority_name: str | None = None
    extra: dict[str, Any]

    @classmethod
    def of(cls, r: CreditRecord) -> PublicRecordOut:
        return cls(id=r.id, info_class=r.info_class, status=r.status.value, extra=r.extra,
                   **{k: r.core.get(k) for k in ("doc_number", "decision_date", "valid_to", "category", "content",
                                                  "authority_name")})


class RepairIn(BaseModel):
    record_id: int
    subject_code: str = Field(description="the subject's unified social credit code")
    applicant_name: str
    applicant_contact: str
    commitment: str = Field(description="the public repair commitment (信用修复承诺)")
    materials: dict[str, str] = Field(default_factory=dict,
                                      description="fulfilment_proof / training_certificate / credit_report")


class StepIn(BaseModel):
    yes: bool = Field(description="accept / confirm / approve")
    note: str = ""


class ObjectionIn(BaseModel):
    record_id: int
    reason_type: str = Field(description="content_error / wrong_subject / revoked_still_published / other")
    reason: str
    applicant_name: str
    applicant_contact: str
    is_subject: bool = False


class ResolveIn(BaseModel):
    outcome: ObjectionOutcome
    note: str
    values: dict[str, Any] | None = None


class FulfilmentIn(BaseModel):
    fulfilment: Fulfilment
    unfulfilled: str = ""
    liability: str = ""
    determined_on: date | None = None
    public_until: date | None = None


# -- repairs ----------------------------------------------------------------------------------------

@router.get("/repairs/eligibility/{record_id}")
def repair_eligibility(record_id: int, uow: UowDep, platform: PlatformDep) -> EligibilityOut:
    """Before applying: can this record be repaired today, from when, with which materials, and why not."""
    return EligibilityOut.of(record_id, repairs.check_eligibility(uow, rules_of(platform, uow), record_id))


@router.post("/repairs", status_code=201)
def apply_repair(body: RepairIn, uow: UowDep, platform: PlatformDep) -> CreatedCaseOut:
    case, code = repairs.apply(uow, rules_of(platform, uow), body.record_id, subject_code=body.subject_code,
                               applicant_name=body.applicant_name, applicant_contact=body.applicant_contact,
                               commitment=body.commitment, materials=body.materials)
    return CreatedCaseOut(**CaseOut.of(case).model_dump(), query_code=code)


def _listing(uow: UowDep, kind: CaseKind, status: str | None, overdue: bool, limit: int,
             offset: int) -> list[CaseOut]:
    try:
        wanted = CaseStatus(status) if status else None
    except ValueError:
        raise InvalidInput(f"未知的案件状态：{status}", f"unknown case status: {status}", code="case.status",
                           field="status") from None
    return [CaseOut.of(c) for c in repairs.cases(uow, kind=kind, status=wanted, overdue=overdue, limit=limit,
                                                 offset=offset)]


@router.get("/repairs")
def list_repairs(uow: UowDep, status: str | None = None, overdue: bool = False,
                 limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)) -> list[CaseOut]:
    return _listing(uow, CaseKind.REPAIR, status, overdue, limit, offset)


def _case(uow: UowDep, case_no: str, query_code: str | None) -> CaseOut:
    view = (repairs.status_for_applicant(uow, case_no, query_code) if query_code
            else repairs.case_detail(uow, case_no))
    return CaseOut.of(view.case, view)


@router.get("/repairs/{case_no}")
def get_repair(case_no: str, uow: UowDep, query_code: str | None = None) -> CaseOut:
    """With ``query_code``: the applicant's view; without: staff only."""
    return _case(uow, case_no, query_code)


@router.post("/repairs/{case_no}/accept")
def accept_repair(case_no: str, body: StepIn, uow: UowDep, platform: PlatformDep) -> CaseOut:
    return CaseOut.of(repairs.accept(uow, rules_of(platform, uow), case_no, body.yes, body.note))


@router.post("/repairs/{case_no}/verify")
def verify_repair(case_no: str, body: StepIn, uow: UowDep, platform: PlatformDep) -> CaseOut:
    return CaseOut.of(repairs.verify(uow, rules_of(platform, uow), case_no, body.yes, body.note))


@router.post("/repairs/{case_no}/decide")
def decide_repair(case_no: str, body: StepIn, uow: UowDep, platform: PlatformDep) -> CaseOut:
    return CaseOut.of(repairs.decide(uow, rules_of(platform, uow), case_no, body.yes, body.note))


@router.post("/repairs/{case_no}/execute")
def execute_repair(case_no: str, uow: UowDep, platform: PlatformDep) -> CaseOut:
    return CaseOut.of(repairs.execute(uow, rules_of(platform, uow), case_no, notifier_of(platform)))


# -- objections -------------------------------------------------------------------------------------

@router.post("/objections", status_code=201)
def file_objection(body: ObjectionIn, uow: UowDep, platform: PlatformDep) -> CreatedCaseOut:
    case, code = objections.file(uow, rules_of(platform, uow), body.record_id, reason_type=body.reason_type,
                                 reason=body.reason, applicant_name=body.applicant_name,
                                 applicant_contact=body.applicant_contact, is_subject=body.is_subject)
    return CreatedCaseOut(**CaseOut.of(case).model_dump(), query_code=code)


@router.get("/objections/pending")
def pending_objections(uow: UowDep, record_ids: str = Query(..., max_length=5000)) -> list[int]:
    """Which of the comma-separated record ids carry "异议处理中"."""
    try:
        ids = [int(part) for part in record_ids.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput("record_ids 应为逗号分隔的数字", "record_ids must be comma-separated numbers",
                           code="request.int", field="record_ids") from None
    return sorted(objections.pending_objection_record_ids(uow, ids[:500]))


@router.get("/objections")
def list_objections(uow: UowDep, status: str | None = None, overdue: bool = False,
                    limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)) -> list[CaseOut]:
    return _listing(uow, CaseKind.OBJECTION, status, overdue, limit, offset)


@router.get("/objections/{case_no}")
def get_objection(case_no: str, uow: UowDep, query_code: str | None = None) -> CaseOut:
    return _case(uow, case_no, query_code)


@router.post("/objections/{case_no}/accept")
def accept_objection(case_no: str, body: StepIn, uow: UowDep, platform: PlatformDep) -> CaseOut:
    return CaseOut.of(objections.accept(uow, rules_of(platform, uow), case_no, body.yes, body.note))


@router.post("/objections/{case_no}/resolve")
def resolve_objection(case_no: str, body: ResolveIn, uow: UowDep, platform: PlatformDep) -> CaseOut:
    return CaseOut.of(objections.resolve(uow, rules_of(platform, uow), case_no, body.outcome, body.note,
                                         body.values))


# -- commitments ------------------------------------------------------------------------------------

@router.post("/commitments", status_code=201)
def sign_commitment(values: dict[str, Any], uow: UowDep, platform: PlatformDep) -> PublicRecordOut:
    """Sign a commitment online: the national template's item codes (cn_*) as keys."""
    return PublicRecordOut.of(commitments.sign(uow, rules_of(platform, uow), values))


@router.get("/commitments")
def public_commitments(subject_id: int, uow: UowDep, platform: PlatformDep) -> list[PublicRecordOut]:
    """An organisation's commitments and broken commitments that the public may see today."""
    return [PublicRecordOut.of(r)
            for r, _ in commitments.public_commitments(uow, rules_of(platform, uow), subject_id)]


@router.post("/commitments/{record_id}/fulfilment")
def record_fulfilment(record_id: int, body: FulfilmentIn, uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    outcome = commitments.record_fulfilment(uow, rules_of(platform, uow), record_id, body.fulfilment,
                                            unfulfilled=body.unfulfilled, liability=body.liability,
                                            determined_on=body.determined_on, public_until=body.public_until)
    return {"commitment": RecordOut.of(outcome.commitment),
            "breach": RecordOut.of(outcome.breach) if outcome.breach else None}


@router.get("/rights/statistics")
def statistics(uow: UowDep, start: date, end: date) -> dict[str, Any]:
    report = rights_stats.report(uow, start, end)

    def row(r: rights_stats.Row) -> dict[str, Any]:
        return {"name": r.name, "repair_applications": r.repair_applications, "repaired": r.repaired,
                "not_repaired": r.not_repaired, "repair_rate": r.repair_rate, "objections": r.objections,
                "objections_upheld": r.objections_upheld, "objections_rejected": r.objections_rejected,
                "open": r.open, "overdue": r.overdue, "average_handling_working_days": r.average_handling_days}

    return {"start": report.start, "end": report.end, "as_of": report.as_of, "total": row(report.total),
            "departments": [row(r) for r in report.departments]}
