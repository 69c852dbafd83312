"""Credit repair (信用修复): which procedure governs an application, whether and when a record can be
repaired and why not, which materials are required, and the case workflow with its deadlines.

Two rule sources meet here. *Whether and when* a record may be repaired comes from the publication rules
(``domain/publication.decide`` by the record's decision date: severity, ``repairable``, ``repair_from``).
*How* an application is handled (deadlines in working days, materials) comes from the procedure in force
on the *application* date (``rules/repair.yaml``). Both are data; nothing here is a constant of a decree.

A case moves ``submitted → accepted | refused`` (credit office) ``→ verified`` (source department)
``→ approved | rejected`` (decision) ``→ executed`` (the record becomes repaired). Objections use the same
statuses with their own flow (``domain/objections.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from xinyong.domain.calendar import add_working_days
from xinyong.domain.dated import check_distinct_dates, in_force
from xinyong.domain.publication import Decision, PublicationKind, Reason, Severity, Visibility, add_months
from xinyong.domain.records import RecordStatus
from xinyong.errors import Conflict


class Material(StrEnum):
    """Materials a repair application may need (申请材料)."""

    COMMITMENT = "commitment"
    FULFILMENT_PROOF = "fulfilment_proof"
    TRAINING_CERTIFICATE = "training_certificate"
    CREDIT_REPORT = "credit_report"

    @property
    def label(self) -> str:
        return {"commitment": "信用修复承诺书（向社会公开）",
                "fulfilment_proof": "履行法定义务、纠正失信行为的证明材料",
                "training_certificate": "信用修复专题培训证明", "credit_report": "信用报告"}[self.value]


class CaseKind(StrEnum):
    REPAIR = "repair"
    OBJECTION = "objection"

    @property
    def label(self) -> str:
        return {"repair": "信用修复", "objection": "异议处理"}[self.value]


class CaseStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    VERIFIED = "verified"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXECUTED = "executed"
    CORRECTED = "corrected"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        return CASE_STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


CASE_STATUS_LABELS = {
    CaseStatus.SUBMITTED: "已提交，待受理",
    CaseStatus.ACCEPTED: "已受理，待信源部门核实",
    CaseStatus.REFUSED: "不予受理",
    CaseStatus.VERIFIED: "部门已核实，待作出决定",
    CaseStatus.APPROVED: "准予修复，待执行",
    CaseStatus.REJECTED: "不予修复（驳回）",
    CaseStatus.EXECUTED: "已修复，停止公示",
    CaseStatus.CORRECTED: "已更正",
    CaseStatus.REMOVED: "已撤下",
}
# What each case event (a step, a reminder, an escalation) is called on pages.
STEP_LABELS = {**{s.value: label for s, label in CASE_STATUS_LABELS.items()},
               "reminded": "到期提醒", "escalated": "逾期督办"}
OPEN_STATUSES = frozenset({CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.VERIFIED, CaseStatus.APPROVED})

REPAIR_FLOW: dict[CaseStatus, frozenset[CaseStatus]] = {
    CaseStatus.SUBMITTED: frozenset({CaseStatus.ACCEPTED, CaseStatus.REFUSED}),
    CaseStatus.ACCEPTED: frozenset({CaseStatus.VERIFIED}),
    CaseStatus.VERIFIED: frozenset({CaseStatus.APPROVED, CaseStatus.REJECTED}),
    CaseStatus.APPROVED: frozenset({CaseStatus.EXECUTED}),
}


def check_step(flow: dict[CaseStatus, frozenset[CaseStatus]], current: CaseStatus, new: CaseStatus) -> None:
    if new not in flow.get(current, frozenset()):
        raise Conflict(f"案件当前为“{current.label}”，不能变为“{new.label}”",
                       f"a case cannot go from {current.value} to {new.value}", code="case.step")


@dataclass(frozen=True)
class RepairSteps:
    accept_working_days: int
    verify_working_days: int
    decide_working_days: int
    execute_working_days: int
    total_working_days: int
    list_min_months: int
    materials: dict[Severity, tuple[Material, ...]]

    def materials_for(self, severity: Severity | None) -> tuple[Material, ...]:
        if severity in (Severity.SERIOUS, Severity.SPECIFIC_SERIOUS) and Severity.SERIOUS in self.materials:
            return self.materials[Severity.SERIOUS]
        return self.materials[Severity.GENERAL]


@dataclass(frozen=True)
class ObjectionSteps:
    accept_working_days: int
    verify_working_days: int


@dataclass(frozen=True)
class Procedure:
    """One decree's handling rules for repair applications and objections."""

    code: str
    name: str
    source: str
    effective_from: date
    repair: RepairSteps
    objection: ObjectionSteps
    remind_before_working_days: int = 1

    def due(self, kind: CaseKind, status: CaseStatus, since: date) -> date | None:
        """The last day for the step that follows ``status`` (reached on ``since``); ``None`` when closed."""
        if kind is CaseKind.REPAIR:
            days = {CaseStatus.SUBMITTED: self.repair.accept_working_days,
                    CaseStatus.ACCEPTED: self.repair.verify_working_days,
                    CaseStatus.VERIFIED: self.repair.decide_working_days,
                    CaseStatus.APPROVED: self.repair.execute_working_days}.get(status)
        else:
            days = {CaseStatus.SUBMITTED: self.objection.accept_working_days,
                    CaseStatus.ACCEPTED: self.objection.verify_working_days}.get(status)
        return None if days is None else add_working_days(since, days)

    def total_due(self, kind: CaseKind, submitted_on: date) -> date | None:
        if kind is CaseKind.REPAIR:
            return add_working_days(submitted_on, self.repair.total_working_days)
        return add_working_days(submitted_on, self.objection.accept_working_days + self.objection.verify_working_days)


@dataclass(frozen=True)
class RightsPolicy:
    procedures: tuple[Procedure, ...]
    breach_publication_months: int = 12

    def __post_init__(self) -> None:
        check_distinct_dates(self.procedures, "信用修复程序规则", "repair procedure")

    def procedure_for(self, application_day: date) -> Procedure:
        """The procedure in force on the application day (the earliest one before any took effect)."""
        return in_force(self.procedures, application_day)

    def procedure(self, code: str) -> Procedure:
        for procedure in self.procedures:
            if procedure.code == code:
                return procedure
        return self.procedures[-1]


@dataclass(frozen=True)
class RepairTarget:
    """What eligibility looks at about one record: its kind, status and the publication rules' decision."""

    kind: PublicationKind
    status: RecordStatus
    decision: Decision
    subject_is_person: bool
    decision_date: date | None = None
    pending_case: str | None = None
    dishonest: bool = True  # warning or hint information; good and basic information has nothing to repair


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[Reason, ...]
    procedure: Procedure
    severity: Severity | None = None
    repair_from: date | None = None  # the first day an application can succeed
    materials: tuple[Material, ...] = ()

    @property
    def message(self) -> str:
        return "；".join(r.message for r in self.reasons)

    @property
    def message_en(self) -> str:
        return "; ".join(r.message_en for r in self.reasons)


def _no(procedure: Procedure, code: str, message: str, message_en: str, **extra: object) -> Eligibility:
    return Eligibility(False, (Reason(f"repair.{code}", message, message_en),), procedure, **extra)  # type: ignore[arg-type]


def eligibility(target: RepairTarget, procedure: Procedure, today: date) -> Eligibility:
    """Whether the record can be repaired by an application made ``today``, when, and why not."""
    if target.pending_case:
        return _no(procedure, "pending", f"该记录已有在办的修复申请（{target.pending_case}）",
                   f"a repair application is already open for this record ({target.pending_case})")
    if target.status is not RecordStatus.ACTIVE:
        return _no(procedure, "not_active", f"记录状态为“{target.status.label}”，无需修复",
                   f"the record is {target.status.value}: nothing to repair")
    if not target.dishonest:
        return _no(procedure, "not_covered", "该类信息不是失信信息，不适用信用修复",
                   "this class of information is not dishonesty information: repair does not apply")
    if target.kind is PublicationKind.LIST:
        return _list_eligibility(target, procedure, today)
    if target.kind is not PublicationKind.PENALTY:
        return _no(procedure, "not_covered", "该类信息不是失信信息，不适用信用修复",
                   "this class of information is not dishonesty information: repair does not apply")
    decision = target.decision
    severity = decision.severity
    if target.subject_is_person:
        return _no(procedure, "person", "自然人行政处罚信息不向社会公示，无需申请修复",
                   "penalties of natural persons are not published: nothing to repair", severity=severity)
    if decision.repairable is False or severity is Severity.SPECIFIC_SERIOUS:
        return _no(procedure, "not_repairable",
                   f"属于{(severity or Severity.SPECIFIC_SERIOUS).label}行为，按最长公示期公示，公示期内不予修复"
                   f"（{decision.rule_set.source if decision.rule_set else ''}）",
                   "specific serious dishonesty: shown for the maximum period and cannot be repaired",
                   severity=severity)
    if decision.visibility is not Visibility.PUBLIC:
        return _no(procedure, "not_published", "该记录当前未向社会公示，无需修复："
                   + "；".join(r.message for r in decision.reasons),
                   "the record is not published now: nothing to repair", severity=severity)
    materials = procedure.repair.materials_for(severity)
    if decision.repair_from is not None and today < decision.repair_from:
        return _no(procedure, "too_early",
                   f"最短公示期尚未届满，自{decision.repair_from:%Y年%m月%d日}起可申请修复",
                   f"the minimum publication period is not over: repair possible from {decision.repair_from}",
                   severity=severity, repair_from=decision.repair_from, materials=materials)
    reason = Reason("repair.eligible",
                    f"{severity.label if severity else ''}行政处罚信息，最短公示期已满，可以申请信用修复",
                    "the minimum publication period is over: repair may be applied for")
    return Eligibility(True, (reason,), procedure, severity, decision.repair_from, materials)


def _list_eligibility(target: RepairTarget, procedure: Procedure, today: date) -> Eligibility:
    if target.decision.visibility is not Visibility.PUBLIC:
        return _no(procedure, "not_published", "该名单信息当前未向社会公示，无需修复",
                   "the list entry is not published now: nothing to repair")
    materials = procedure.repair.materials_for(Severity.SERIOUS)
    if target.decision_date is None:
        return _no(procedure, "no_date", "缺少列入日期，无法确定可申请修复的时间",
                   "no entry date: the earliest repair date cannot be set")
    repair_from = add_months(target.decision_date, procedure.repair.list_min_months)
    if today < repair_from:
        return _no(procedure, "too_early", f"列入名单未满{procedure.repair.list_min_months}个月，"
                   f"自{repair_from:%Y年%m月%d日}起可申请提前移出（信用修复）",
                   f"listed less than {procedure.repair.list_min_months} months: repair possible from {repair_from}",
                   severity=Severity.SERIOUS, repair_from=repair_from, materials=materials)
    reason = Reason("repair.eligible", "名单信息已满最短期限，可以申请信用修复（提前移出）",
                    "the list entry has passed its minimum period: repair may be applied for")
    return Eligibility(True, (reason,), procedure, Severity.SERIOUS, repair_from, materials)


def missing_materials(required: tuple[Material, ...], provided: dict[Material, str]) -> list[Material]:
    return [m for m in required if not (provided.get(m) or "").strip()]


@dataclass
class Case:
    """A repair application or an objection, as stored."""

    id: int
    case_no: str
    kind: CaseKind
    status: CaseStatus
    subject_id: int
    record_id: int
    department_id: int
    procedure: str
    applicant_name: str
    applicant_contact: str
    applicant_is_subject: bool
    submitted_on: date
    step_since: date
    due_on: date | None
    total_due_on: date | None
    severity: str | None = None
    reason_type: str | None = None
    reason: str | None = None
    commitment: str | None = None
    materials: dict[str, str] | None = None
    closed_on: date | None = None
    outcome_note: str | None = None
    verified_ok: bool | None = None
    result_record_id: int | None = None
    escalated_on: date | None = None

    def overdue(self, today: date) -> bool:
        return self.status.is_open and self.due_on is not None and today > self.due_on
