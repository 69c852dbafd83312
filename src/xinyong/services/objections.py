"""Objections (异议处理) use cases: anyone files one, the credit office accepts it, the source department
resolves it by correcting the record (a new version), removing it (revoked) or rejecting the objection
with reasons; the applicant follows the case with its number and query code.

While an objection is open its record carries the flag "异议处理中": the portal reads it with a subject's
public records (``PublicationRepository.public_of_subject``), the rights API asks
``pending_objection_record_ids``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from xinyong.domain.catalogue import Catalogue
from xinyong.domain.objections import OBJECTION_FLOW, ObjectionOutcome, ObjectionReason
from xinyong.domain.records import CreditRecord, RecordStatus
from xinyong.domain.repair import Case, CaseKind
from xinyong.errors import Conflict, InvalidInput
from xinyong.services import records
from xinyong.services.repairs import (
    Rules,
    accept_case,
    advance,
    case_for_handling,
    check_public_reach,
    decision_of,
    new_case,
    record_and_subject,
    repository,
    require_department,
    require_text,
)
from xinyong.services.unit_of_work import UnitOfWork


def pending_objection_record_ids(uow: UnitOfWork, record_ids: Iterable[int]) -> set[int]:
    """Which of ``record_ids`` have an objection being handled (the portal shows "异议处理中")."""
    return set(repository(uow).open_for_records(CaseKind.OBJECTION, record_ids))


def file(uow: UnitOfWork, rules: Rules, record_id: int, *, reason_type: str, reason: str, applicant_name: str,
         applicant_contact: str, is_subject: bool) -> tuple[Case, str]:
    """Anyone (the subject or a member of the public) reports that a record is wrong."""
    try:
        kind = ObjectionReason(reason_type)
    except ValueError:
        raise InvalidInput(f"未知的异议类型：{reason_type}", f"unknown objection type: {reason_type}",
                           code="objection.reason_type", field="reason_type") from None
    record, subject = record_and_subject(uow, record_id)
    check_public_reach(uow, subject, decision_of(uow, rules, record, subject), record_id)
    if record.status is RecordStatus.CORRECTED:
        raise Conflict("该记录已被更正，请对最新版本提出异议", "this version was superseded: object to the current one",
                       code="objection.superseded")
    case, query_code = new_case(
        uow, rules, CaseKind.OBJECTION, record,
        {"name": applicant_name, "contact": applicant_contact, "is_subject": is_subject},
        reason_type=kind.value, reason=require_text(reason, "reason", "异议理由", 2000))
    uow.commit()
    return case, query_code


def accept(uow: UnitOfWork, rules: Rules, case_no: str, accepted: bool, note: str = "") -> Case:
    """The credit office accepts the objection (it goes to the source department) or refuses it."""
    return accept_case(uow, rules, case_no, CaseKind.OBJECTION, OBJECTION_FLOW, accepted, note)


def record_values(catalogue: Catalogue, record: CreditRecord) -> dict[str, str]:
    """A record's items as a department would send them (the starting point of a correction)."""
    info = records.info_class_or_error(catalogue, record.info_class)
    values: dict[str, str] = {}
    for item in info.items:
        value: Any = record.core.get(item.column) if item.column else record.extra.get(item.code)
        if value is None:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = format(value.normalize(), "f")
        values[item.code] = str(value)
    return values


def resolve(uow: UnitOfWork, rules: Rules, case_no: str, outcome: ObjectionOutcome, note: str,
            corrected_values: dict[str, Any] | None = None) -> Case:
    """The source department's answer. Correction stores the corrected values as a new version (or, when
    the subject or document number was wrong, a new record and the wrong one revoked); removal revokes
    the record; rejection keeps it. Every outcome needs its reasons."""
    case = case_for_handling(uow, case_no, CaseKind.OBJECTION)
    require_department(uow, case)
    note = require_text(note, "note", "处理意见")
    advance(uow, rules, case, OBJECTION_FLOW, outcome.status, note)
    record = uow.records.get(case.record_id)
    if outcome is ObjectionOutcome.REMOVED:
        if record is None or record.status is not RecordStatus.ACTIVE:
            raise Conflict("该记录已不是有效状态，无需撤下", "the record is no longer active",
                           code="objection.record_state")
        records.apply_status(uow, record, RecordStatus.REVOKED, f"异议成立，撤下信息（{case.case_no}）：{note}")
        case.result_record_id = record.id
    elif outcome is ObjectionOutcome.CORRECTED:
        if record is None or not corrected_values:
            raise InvalidInput("更正信息时须提供更正后的内容", "a correction needs the corrected values",
                               code="objection.values", field="values")
        stored = records.submit(uow, rules.catalogue, record.info_class, record.department_id, corrected_values,
                                "web", record.provenance.source_key)
        if stored.outcome == "unchanged":
            raise InvalidInput("更正后的内容与原记录相同", "the corrected values equal the record",
                               code="objection.unchanged", field="values")
        if stored.record.root_id != record.root_id:
            # The subject or the document number was wrong: the new record stands, the wrong one goes.
            current = uow.records.get(record.id)
            if current is not None and current.status is RecordStatus.ACTIVE:
                records.apply_status(uow, current, RecordStatus.REVOKED, f"异议成立，已另行更正（{case.case_no}）")
        case.result_record_id = stored.record.id
    repository(uow).save_state(case)
    uow.commit()
    return case
