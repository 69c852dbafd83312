"""Credit commitments (信用承诺) use cases: signing online, fulfilment recorded by the accepting unit, a
broken commitment filed as dishonest information, and what the public may see of a subject's commitments.

Commitments are credit records of the catalogue class ``credit_commitment`` (national 20-field template);
files and API pushes go through the collection pipeline like any class. 公开类型 sets each record's
openness, so the publication rules show only "可向社会公开" commitments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.commitments import (
    COMMITMENT_TYPES,
    Fulfilment,
    commitment_code,
    fulfilment_problems,
    openness_of,
)
from xinyong.domain.publication import Decision, add_months
from xinyong.domain.records import CreditRecord, RecordStatus
from xinyong.errors import FieldProblem, InvalidInput, NotFound, PermissionDenied
from xinyong.services import publication, records
from xinyong.services.objections import record_values
from xinyong.services.repairs import Rules, repository
from xinyong.services.unit_of_work import UnitOfWork

COMMITMENT = "credit_commitment"
BREACH = "commitment_breach"
FULFILMENT_ITEMS = ("cn_lxzt", "cn_wlxnr", "cn_zjnr", "cn_rdrq", "cn_rddw", "cn_rddwdm")


def _apply_openness(uow: UnitOfWork, record: CreditRecord) -> None:
    wanted = openness_of(record.extra.get("cn_gklx"))
    if record.openness is not wanted:
        record.openness = wanted
        repository(uow).set_openness(record)


def sign(uow: UnitOfWork, rules: Rules, values: dict[str, Any]) -> CreditRecord:
    """A subject signs a commitment online for an accepting unit registered on the platform (受理单位代码);
    the platform gives it its 承诺编码. Fulfilment is for the accepting unit to record later."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items() if v not in (None, "")}
    problems = [FieldProblem(code, "commitment.fulfilment_on_signing", "签署承诺时不填写履行情况",
                             f"{code}: fulfilment is recorded by the accepting unit, not when signing")
                for code in FULFILMENT_ITEMS if code in values]
    if not values.get("cn_crdm"):
        problems.append(FieldProblem("cn_crdm", "item.required", "承诺人代码：在线签署须填写统一社会信用代码",
                                     "cn_crdm: required when signing online"))
    if values.get("cn_lx") and values["cn_lx"] not in COMMITMENT_TYPES and values["cn_lx"] not in \
            COMMITMENT_TYPES.values():
        problems.append(FieldProblem("cn_lx", "item.code", "承诺类型：不在七种类型之中", "cn_lx: unknown type"))
    department = uow.accounts.department_by_uscc(str(values.get("cn_sldwdm") or "").upper())
    if department is None:
        problems.append(FieldProblem("cn_sldwdm", "commitment.unknown_unit", "受理单位代码：不是本平台登记的信源部门",
                                     "cn_sldwdm: not a department of this platform"))
    if problems:
        raise InvalidInput.from_problems(problems)
    assert department is not None
    today = uow.clock.today()
    values.setdefault("cn_zcrq", today.isoformat())
    values.setdefault("cn_sldw", department.name)
    values["cn_bm"] = commitment_code(department.division_code or str(values["cn_crdm"])[2:8], today,
                                      repository(uow).next_commitment_serial())
    stored = records.store(uow, rules.catalogue, COMMITMENT, department.id, values, "web")
    _apply_openness(uow, stored.record)
    uow.audit(AuditEvent("commitment.sign", "record", stored.record.id,
                         detail={"code": values["cn_bm"], "subject_id": stored.record.subject_id}))
    uow.commit()
    return stored.record


@dataclass
class FulfilmentOutcome:
    commitment: CreditRecord
    breach: CreditRecord | None


def record_fulfilment(uow: UnitOfWork, rules: Rules, record_id: int, fulfilment: Fulfilment, *,
                      unfulfilled: str = "", liability: str = "", determined_on: date | None = None,
                      public_until: date | None = None) -> FulfilmentOutcome:
    """The accepting unit records whether the commitment was kept (a new version of the commitment); a
    broken one is also filed as a ``commitment_breach`` warning record under the subject."""
    uow.actor.require(Permission.RIGHTS_VERIFY)
    record = uow.records.get(record_id)
    if record is None or record.info_class != COMMITMENT:
        raise NotFound("信用承诺", "commitment", record_id)
    if uow.actor.via != "cli" and uow.actor.department_id != record.department_id:
        raise PermissionDenied("只有受理单位可以认定承诺履行情况", "only the accepting unit records fulfilment",
                               code="permission.department")
    if record.status is not RecordStatus.ACTIVE:
        raise InvalidInput("该承诺已不是有效记录，请对最新版本操作", "this commitment version is not current",
                           code="commitment.not_current")
    problems = fulfilment_problems(fulfilment, unfulfilled, liability)
    if problems:
        raise InvalidInput.from_problems(problems)
    department = uow.accounts.department(record.department_id)
    assert department is not None
    day = determined_on or uow.clock.today()
    values = record_values(rules.catalogue, record)
    values.update({"cn_lxzt": fulfilment.value, "cn_rdrq": day.isoformat(), "cn_rddw": department.name,
                   "cn_rddwdm": department.uscc})
    if fulfilment.broken:
        values.update({"cn_wlxnr": unfulfilled.strip(), "cn_zjnr": liability.strip()})
    else:
        values.pop("cn_wlxnr", None)
        values.pop("cn_zjnr", None)
    stored = records.store(uow, rules.catalogue, COMMITMENT, record.department_id, values, "web",
                           record.provenance.source_key)
    _apply_openness(uow, stored.record)
    uow.audit(AuditEvent("commitment.fulfilment", "record", stored.record.id,
                         detail={"fulfilment": fulfilment.value, "code": values.get("cn_bm")}))
    breach = None
    if fulfilment.broken:
        breach_values = _breach_values(values, fulfilment, day, department.name, department.uscc,
                                       rules.rights.breach_publication_months, public_until)
        breach = records.store(uow, rules.catalogue, BREACH, record.department_id, breach_values, "web").record
        uow.audit(AuditEvent("commitment.breach", "record", breach.id,
                             detail={"commitment_record_id": stored.record.id, "subject_id": breach.subject_id}))
    uow.commit()
    return FulfilmentOutcome(stored.record, breach)


def _breach_values(values: dict[str, str], fulfilment: Fulfilment, day: date, unit_name: str, unit_uscc: str,
                   months: int, public_until: date | None = None) -> dict[str, str | None]:
    return {
        "wn_cn_bm": values.get("cn_bm"), "wn_crmc": values.get("cn_crmc"), "wn_crlb": values.get("cn_crlb"),
        "wn_crdm": values.get("cn_crdm"), "wn_lx": values.get("cn_lx"), "wn_lxzt": fulfilment.value,
        "wn_wlxnr": values.get("cn_wlxnr"), "wn_zjnr": values.get("cn_zjnr"), "wn_rdrq": day.isoformat(),
        "wn_gsjzrq": (public_until or add_months(day, months)).isoformat(),
        "wn_rddw": unit_name, "wn_rddwdm": unit_uscc,
    }


@dataclass
class SyncOutcome:
    checked: int = 0
    openness_set: int = 0
    breaches_filed: int = 0
    incomplete: list[int] = field(default_factory=list)  # broken commitments that cannot be filed as they are


def sync_imported(uow: UnitOfWork, rules: Rules, subjects_per_page: int = 10_000) -> SyncOutcome:
    """Commitments that arrived by file or API: give each record the openness its 公开类型 says, and file a
    ``commitment_breach`` for every one reported broken that has none yet. Idempotent: run it after imports
    (``xinyong rights sync-commitments`` or the console) as often as wanted."""
    uow.actor.require(Permission.RIGHTS_HANDLE)
    outcome = SyncOutcome()
    last = uow.subjects.last_id()
    for start in range(0, last, subjects_per_page):
        for record in uow.records.of_class_for_subjects(COMMITMENT, start, start + subjects_per_page):
            if record.status is not RecordStatus.ACTIVE:
                continue
            outcome.checked += 1
            wanted = openness_of(record.extra.get("cn_gklx"))
            if record.openness is not wanted:
                record.openness = wanted
                repository(uow).set_openness(record)
                outcome.openness_set += 1
            try:
                fulfilment = Fulfilment(record.extra.get("cn_lxzt") or "")
            except ValueError:
                continue
            code = record.doc_number or ""
            if not fulfilment.broken or uow.records.current_by_doc_number(BREACH, code, record.subject_id):
                continue
            values = record_values(rules.catalogue, record)
            day = date.fromisoformat(values["cn_rdrq"]) if values.get("cn_rdrq") else record.decision_date
            department = uow.accounts.department(record.department_id)
            if not code or day is None or department is None or \
                    fulfilment_problems(fulfilment, values.get("cn_wlxnr", ""), values.get("cn_zjnr", "")):
                outcome.incomplete.append(record.id)
                continue
            try:
                breach = records.store(uow, rules.catalogue, BREACH, record.department_id, _breach_values(
                    values, fulfilment, day, values.get("cn_rddw") or department.name,
                    values.get("cn_rddwdm") or department.uscc, rules.rights.breach_publication_months), "web")
            except InvalidInput:
                outcome.incomplete.append(record.id)
                continue
            uow.audit(AuditEvent("commitment.breach", "record", breach.record.id,
                                 detail={"commitment_record_id": record.id, "subject_id": record.subject_id}))
            outcome.breaches_filed += 1
    uow.audit(AuditEvent("commitment.sync", detail={"checked": outcome.checked, "openness_set": outcome.openness_set,
                                                    "breaches_filed": outcome.breaches_filed,
                                                    "incomplete": len(outcome.incomplete)}))
    uow.commit()
    return outcome


def public_commitments(uow: UnitOfWork, rules: Rules, subject_id: int) -> list[tuple[CreditRecord, Decision]]:
    """A subject's commitments and broken commitments that the public may see today."""
    subject = uow.subjects.get(subject_id)
    if subject is None or subject.is_person:
        raise NotFound("信用主体", "subject", subject_id)
    mine = [r for r in uow.records.for_subject(subject_id) if r.info_class in (COMMITMENT, BREACH)]
    return publication.public_records(rules.catalogue, rules.publication, mine, False, uow.clock.today())
