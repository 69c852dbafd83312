"""Credit repair (信用修复) use cases, and what repair and objection cases share: case numbers and query
codes, steps with deadlines, the applicant's view, reminders and overdue escalation.

Who does what (least privilege): anyone may check eligibility and apply; the credit office
(``rights:handle``) accepts or refuses, decides and executes; the record's source department
(``rights:verify``, its own records only) verifies. Every step is audited and leaves a case event.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from xinyong.adapters.notifier import Notice, Notifier
from xinyong.adapters.repositories.rights import RightsRepository
from xinyong.bootstrap import Platform
from xinyong.clock import CHINA
from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.calendar import add_working_days, working_days_between
from xinyong.domain.catalogue import Catalogue
from xinyong.domain.identifiers import normalize
from xinyong.domain.publication import Decision, PublicationKind, PublicationPolicy, Visibility
from xinyong.domain.records import Classification, CreditRecord, RecordStatus
from xinyong.domain.repair import (
    REPAIR_FLOW,
    Case,
    CaseKind,
    CaseStatus,
    Eligibility,
    Material,
    RepairTarget,
    RightsPolicy,
    check_step,
    eligibility,
    missing_materials,
)
from xinyong.domain.subjects import Subject
from xinyong.errors import Conflict, FieldProblem, InvalidInput, NotFound, PermissionDenied
from xinyong.rules.repair_files import default_rights
from xinyong.services import publication
from xinyong.services.records import apply_status, info_class_or_error
from xinyong.services.unit_of_work import UnitOfWork

CASE_PREFIX = {CaseKind.REPAIR: "XF", CaseKind.OBJECTION: "YY"}


@dataclass(frozen=True)
class Rules:
    """The rule data a rights use case needs: catalogue, publication windows, procedures."""

    catalogue: Catalogue
    publication: PublicationPolicy
    rights: RightsPolicy


def rules_of(platform: Platform, uow: UnitOfWork) -> Rules:
    """The rules in force on this platform (the catalogue as saved, publication windows, procedures)."""
    return Rules(platform.catalogue(uow), platform.publication, default_rights())


def repository(uow: UnitOfWork) -> RightsRepository:
    return RightsRepository(uow.connection)


# -- shared by repairs and objections ---------------------------------------------------------------

def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def record_and_subject(uow: UnitOfWork, record_id: int) -> tuple[CreditRecord, Subject]:
    record = uow.records.get(record_id)
    subject = uow.subjects.get(record.subject_id) if record else None
    if record is None or subject is None:
        raise NotFound("信用记录", "record", record_id)
    return record, subject


def decision_of(uow: UnitOfWork, rules: Rules, record: CreditRecord, subject: Subject) -> Decision:
    return publication.decisions(rules.catalogue, rules.publication, [record], subject.is_person,
                                 uow.clock.today())[0][1]


def check_public_reach(uow: UnitOfWork, subject: Subject, decision: Decision, record_id: int) -> None:
    """What the public may ask about: organisations' records that are or were published, never a person's
    record nor one shared with departments only (saying "forbidden" would disclose it)."""
    if uow.actor.can(Permission.RIGHTS_HANDLE) or uow.actor.can(Permission.RECORDS_READ_ALL):
        return
    if subject.is_person or decision.visibility is Visibility.RESTRICTED:
        raise NotFound("信用记录", "record", record_id)


def check_applicant(subject: Subject, applicant_code: str) -> None:
    """A repair is applied for by the subject: the applicant names the subject's code."""
    code = normalize(applicant_code or "")
    if not code or code not in {i.value for i in subject.identifiers} | {subject.canonical.value}:
        raise InvalidInput("申请人提供的统一社会信用代码与该记录的信用主体不一致",
                           "the code given does not belong to the record's subject", code="repair.applicant",
                           field="subject_code")


def require_text(value: str | None, field: str, label: str, maximum: int = 2000) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"{label}不能为空", f"{field} is required", code="request.required", field=field)
    if len(text) > maximum:
        raise InvalidInput(f"{label}过长（最多{maximum}字）", f"{field} is longer than {maximum}",
                           code="request.too_long", field=field)
    return text


def new_case(uow: UnitOfWork, rules: Rules, kind: CaseKind, record: CreditRecord, applicant: dict[str, Any],
             **details: Any) -> tuple[Case, str]:
    """Store a new case on ``record``; returns it and its query code (shown once, stored hashed)."""
    today = uow.clock.today()
    procedure = rules.rights.procedure_for(today)
    repo = repository(uow)
    query_code = secrets.token_urlsafe(6)
    case = Case(
        id=0, case_no=f"{CASE_PREFIX[kind]}{today:%Y%m%d}{secrets.randbelow(10**6):06d}", kind=kind,
        status=CaseStatus.SUBMITTED, subject_id=record.subject_id, record_id=record.id,
        department_id=record.department_id, procedure=procedure.code,
        applicant_name=require_text(applicant.get("name"), "applicant_name", "申请人姓名或名称", 100),
        applicant_contact=require_text(applicant.get("contact"), "applicant_contact", "联系方式", 100),
        applicant_is_subject=bool(applicant.get("is_subject")), submitted_on=today, step_since=today,
        due_on=procedure.due(kind, CaseStatus.SUBMITTED, today), total_due_on=procedure.total_due(kind, today),
        **details,
    )
    while repo.get(case.case_no) is not None:
        case.case_no = f"{CASE_PREFIX[kind]}{today:%Y%m%d}{secrets.randbelow(10**6):06d}"
    repo.add(case, _hash(query_code), uow.clock.now())
    repo.add_event(case.id, uow.clock.now(), CaseStatus.SUBMITTED.value, uow.actor.name,
                   f"适用{procedure.name}（{procedure.source}）")
    uow.audit(AuditEvent(f"{kind.value}.submit", "rights_case", case.case_no,
                         detail={"record_id": record.id, "subject_id": record.subject_id,
                                 "procedure": procedure.code, "due_on": str(case.due_on)}))
    return case, query_code


def case_for_handling(uow: UnitOfWork, case_no: str, kind: CaseKind) -> Case:
    case = repository(uow).get(case_no.strip())
    if case is None or case.kind is not kind:
        raise NotFound("案件", "case", case_no)
    return case


def require_department(uow: UnitOfWork, case: Case) -> None:
    """Verification is the source department's: its own records only (the server console excepted)."""
    uow.actor.require(Permission.RIGHTS_VERIFY)
    if uow.actor.via != "cli" and uow.actor.department_id != case.department_id:
        raise PermissionDenied("只能核实本部门提供的信用信息", "you may only verify your own department's records",
                               code="permission.department")


def advance(uow: UnitOfWork, rules: Rules, case: Case, flow: dict[CaseStatus, frozenset[CaseStatus]],
            new: CaseStatus, note: str | None) -> None:
    """Move a case to its next step: the next deadline, an event, an audit entry (not committed)."""
    check_step(flow, case.status, new)
    today = uow.clock.today()
    before = case.status
    case.status = new
    case.step_since = today
    case.due_on = rules.rights.procedure(case.procedure).due(case.kind, new, today)
    case.escalated_on = None
    if not new.is_open:
        case.closed_on = today
        case.due_on = None
    if note:
        case.outcome_note = note
    repo = repository(uow)
    repo.save_state(case)
    repo.add_event(case.id, uow.clock.now(), new.value, uow.actor.name, note)
    uow.audit(AuditEvent(f"{case.kind.value}.{new.value}", "rights_case", case.case_no,
                         detail={"before": before.value, "after": new.value, "note": note,
                                 "due_on": str(case.due_on) if case.due_on else None}))


@dataclass
class CaseView:
    case: Case
    events: list[dict[str, Any]]
    overdue: bool
    handling_days: int


def status_for_applicant(uow: UnitOfWork, case_no: str, query_code: str) -> CaseView:
    """An applicant's view of a case: by case number and query code (both must match)."""
    repo = repository(uow)
    stored = repo.query_code_hash(case_no.strip())
    if stored is None or not hmac.compare_digest(stored, _hash(query_code.strip())):
        raise NotFound("案件（请核对受理编号和查询码）", "case (check the case number and query code)", case_no)
    case = repo.get(case_no.strip())
    assert case is not None
    return _view(uow, case, include_internal=False)


def case_detail(uow: UnitOfWork, case_no: str) -> CaseView:
    """The full case for the credit office or the record's source department."""
    case = repository(uow).get(case_no.strip())
    if case is None:
        raise NotFound("案件", "case", case_no)
    if not uow.actor.can(Permission.RIGHTS_HANDLE):
        require_department(uow, case)
    # The applicant's name and contact are personal data: staff reads are audited.
    uow.audit(AuditEvent("rights.case_read", "rights_case", case.case_no, personal=True))
    uow.commit()
    return _view(uow, case, include_internal=True)


def _view(uow: UnitOfWork, case: Case, include_internal: bool) -> CaseView:
    today = uow.clock.today()
    return CaseView(case, repository(uow).events(case.id, include_internal), case.overdue(today),
                    working_days_between(case.submitted_on, case.closed_on or today))


def cases(uow: UnitOfWork, *, kind: CaseKind | None = None, status: CaseStatus | None = None,
          overdue: bool = False, limit: int = 200, offset: int = 0) -> list[Case]:
    """Cases within the actor's reach: all for the credit office, its own for a source department."""
    department_id = None
    if not uow.actor.can(Permission.RIGHTS_HANDLE):
        uow.actor.require(Permission.RIGHTS_VERIFY)
        department_id = uow.actor.department_id
    return repository(uow).listing(kind=kind, status=status, department_id=department_id,
                                   overdue_on=uow.clock.today() if overdue else None, limit=limit, offset=offset)


@dataclass
class ReminderRun:
    reminded: list[Case]
    escalated: list[Case]


def remind(uow: UnitOfWork, rules: Rules, notifier: Notifier) -> ReminderRun:
    """Remind departments of steps due soon and escalate overdue ones to the credit office — computed from
    the dates alone, so running it twice a day (or forgetting a day) changes nothing: each case is
    reminded at most once a day and escalated once per step."""
    uow.actor.require(Permission.RIGHTS_HANDLE)
    today = uow.clock.today()
    repo = repository(uow)
    start_of_day = datetime.combine(today, time(), CHINA)
    horizon = max((p.remind_before_working_days for p in rules.rights.procedures), default=1)
    reminded, escalated = [], []
    for case in repo.due_by(add_working_days(today, horizon)):
        procedure = rules.rights.procedure(case.procedure)
        assert case.due_on is not None
        if case.overdue(today):
            if case.escalated_on is None:
                case.escalated_on = today
                repo.save_state(case)
                note = f"逾期：{case.status.label}，期限 {case.due_on}"
                repo.add_event(case.id, uow.clock.now(), "escalated", uow.actor.name, note, internal=True)
                notifier.notify(Notice("case.escalated", f"{case.kind.label}案件 {case.case_no} 已逾期",
                                       "credit_office", {"case_no": case.case_no, "due_on": str(case.due_on)}))
                uow.audit(AuditEvent(f"{case.kind.value}.escalated", "rights_case", case.case_no,
                                     detail={"due_on": str(case.due_on)}))
                escalated.append(case)
            continue
        if working_days_between(today, case.due_on) <= procedure.remind_before_working_days and not \
                repo.reminded_on(case.id, "reminded", start_of_day):
            recipient = f"department:{case.department_id}" if case.status is CaseStatus.ACCEPTED else "credit_office"
            note = f"{case.status.label}，请于 {case.due_on} 前办理"
            repo.add_event(case.id, uow.clock.now(), "reminded", uow.actor.name, note, internal=True)
            notifier.notify(Notice("case.reminder", f"{case.kind.label}案件 {case.case_no} 即将到期", recipient,
                                   {"case_no": case.case_no, "due_on": str(case.due_on)}))
            reminded.append(case)
    uow.audit(AuditEvent("rights.remind", detail={"reminded": len(reminded), "escalated": len(escalated)}))
    uow.commit()
    return ReminderRun(reminded, escalated)


# -- repair ------------------------------------------------------------------------------------------

def _target(uow: UnitOfWork, rules: Rules, record: CreditRecord, subject: Subject) -> RepairTarget:
    info = info_class_or_error(rules.catalogue, record.info_class)
    pending = repository(uow).open_for_records(CaseKind.REPAIR, [record.id]).get(record.id)
    return RepairTarget(PublicationKind(info.publication_rule), record.status,
                        decision_of(uow, rules, record, subject), subject.is_person, record.decision_date, pending,
                        dishonest=info.classification in (Classification.WARNING, Classification.HINT))


def check_eligibility(uow: UnitOfWork, rules: Rules, record_id: int) -> Eligibility:
    """Before applying: whether the record can be repaired today, from when, which materials, and why not."""
    record, subject = record_and_subject(uow, record_id)
    target = _target(uow, rules, record, subject)
    check_public_reach(uow, subject, target.decision, record_id)
    return eligibility(target, rules.rights.procedure_for(uow.clock.today()), uow.clock.today())


def apply(uow: UnitOfWork, rules: Rules, record_id: int, *, subject_code: str, applicant_name: str,
          applicant_contact: str, commitment: str, materials: dict[str, str]) -> tuple[Case, str]:
    """A subject applies to repair one record; refused with the rules' reasons when not eligible."""
    record, subject = record_and_subject(uow, record_id)
    target = _target(uow, rules, record, subject)
    check_public_reach(uow, subject, target.decision, record_id)
    check_applicant(subject, subject_code)
    result = eligibility(target, rules.rights.procedure_for(uow.clock.today()), uow.clock.today())
    if not result.eligible:
        code = result.reasons[0].code
        raise Conflict(result.message, result.message_en, code=code)
    provided: dict[Material, str] = {}
    for key, value in materials.items():
        try:
            provided[Material(key)] = (value or "").strip()[:500]
        except ValueError:
            raise InvalidInput(f"未知的申请材料类型：{key}", f"unknown material: {key}", code="repair.material",
                               field="materials") from None
    provided[Material.COMMITMENT] = require_text(commitment, "commitment", "信用修复承诺", 4000)
    missing = missing_materials(result.materials, provided)
    if missing:
        raise InvalidInput.from_problems([FieldProblem(
            f"materials.{m.value}", "repair.material_missing", f"缺少申请材料：{m.label}",
            f"missing material: {m.value}") for m in missing])
    case, query_code = new_case(
        uow, rules, CaseKind.REPAIR, record,
        {"name": applicant_name, "contact": applicant_contact, "is_subject": True},
        severity=result.severity.value if result.severity else None, commitment=provided[Material.COMMITMENT],
        materials={m.value: v for m, v in provided.items() if m is not Material.COMMITMENT and v},
    )
    uow.commit()
    return case, query_code


def accept_case(uow: UnitOfWork, rules: Rules, case_no: str, kind: CaseKind,
                flow: dict[CaseStatus, frozenset[CaseStatus]], accepted: bool,
                note: str) -> Case:
    """The credit office accepts a case (it goes to the source department) or refuses it, with reasons."""
    uow.actor.require(Permission.RIGHTS_HANDLE)
    case = case_for_handling(uow, case_no, kind)
    if not accepted:
        note = require_text(note, "note", "不予受理的理由")
    advance(uow, rules, case, flow, CaseStatus.ACCEPTED if accepted else CaseStatus.REFUSED, note or None)
    uow.commit()
    return case


def accept(uow: UnitOfWork, rules: Rules, case_no: str, accepted: bool, note: str = "") -> Case:
    """The credit office accepts the repair application or refuses it."""
    return accept_case(uow, rules, case_no, CaseKind.REPAIR, REPAIR_FLOW, accepted, note)


def verify(uow: UnitOfWork, rules: Rules, case_no: str, confirmed: bool, note: str = "") -> Case:
    """The source department confirms (or not) that the obligations are fulfilled and the conduct corrected."""
    case = case_for_handling(uow, case_no, CaseKind.REPAIR)
    require_department(uow, case)
    if not confirmed:
        note = require_text(note, "note", "核实不通过的理由")
    case.verified_ok = confirmed
    advance(uow, rules, case, REPAIR_FLOW, CaseStatus.VERIFIED, note or ("核实通过" if confirmed else None))
    uow.commit()
    return case


def decide(uow: UnitOfWork, rules: Rules, case_no: str, approved: bool, note: str = "") -> Case:
    """The decision: approve (only after the department confirmed) or reject with reasons."""
    uow.actor.require(Permission.RIGHTS_HANDLE)
    case = case_for_handling(uow, case_no, CaseKind.REPAIR)
    if approved and case.verified_ok is not True:
        raise Conflict("信源部门核实未通过，不能准予修复", "the source department did not confirm: cannot approve",
                       code="repair.not_verified")
    if not approved:
        note = require_text(note, "note", "不予修复的理由")
    advance(uow, rules, case, REPAIR_FLOW, CaseStatus.APPROVED if approved else CaseStatus.REJECTED,
            note or "准予信用修复")
    uow.commit()
    return case


def execute(uow: UnitOfWork, rules: Rules, case_no: str, notifier: Notifier) -> Case:
    """Carry out an approved repair: the record becomes repaired (kept, marked, no longer published or
    shared from this moment) and subscribers are told."""
    uow.actor.require(Permission.RIGHTS_HANDLE)
    case = case_for_handling(uow, case_no, CaseKind.REPAIR)
    check_step(REPAIR_FLOW, case.status, CaseStatus.EXECUTED)
    record = uow.records.get(case.record_id)
    if record is None or record.status is not RecordStatus.ACTIVE:
        raise Conflict("该记录已不是有效状态（可能已被更正或撤销），请重新核对", "the record is no longer active",
                       code="repair.record_changed")
    apply_status(uow, record, RecordStatus.REPAIRED, f"信用修复 {case.case_no}")
    case.result_record_id = record.id
    advance(uow, rules, case, REPAIR_FLOW, CaseStatus.EXECUTED, "已停止公示和共享")
    uow.commit()
    notifier.notify(Notice("record.repaired", f"信用记录 {record.id} 已完成信用修复", "subscribers",
                           {"record_id": record.id, "subject_id": record.subject_id, "case_no": case.case_no,
                            "info_class": record.info_class, "on": str(uow.clock.today())}))
    return case
