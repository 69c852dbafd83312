"""Credit records: submitting one (validated against the catalogue and linked to its subject), reading
records within the actor's reach, and lifecycle changes that never overwrite content."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong.domain.accounts import Actor, Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.catalogue import Catalogue, InfoClass, validate_values
from xinyong.domain.linking import claim_subject
from xinyong.domain.publication import PublicationKind
from xinyong.domain.records import CreditRecord, Provenance, RecordStatus, check_transition, filled
from xinyong.errors import InvalidInput, NotFound, PermissionDenied
from xinyong.services import lists, publication, subjects
from xinyong.services.unit_of_work import UnitOfWork


@dataclass
class SubmitOutcome:
    record: CreditRecord
    outcome: str  # "created", "updated" (a new version) or "unchanged"
    subject_created: bool


def info_class_or_error(catalogue: Catalogue, code: str) -> InfoClass:
    info = catalogue.info_class(code)
    if info is None:
        raise InvalidInput(f"目录中没有信息类“{code}”", f"no info class {code} in the catalogue",
                           code="catalog.unknown_class", field="info_class")
    return info


def check_submitter(actor: Actor, department_id: int) -> None:
    """Submitting needs the permission and, except at the server's console, one's own department."""
    actor.require(Permission.RECORDS_SUBMIT)
    if actor.via != "cli" and actor.department_id != department_id:
        raise PermissionDenied("只能报送本部门的数据", "you may only submit your own department's data",
                               code="permission.department")


def _check_department(uow: UnitOfWork, department_id: int) -> None:
    check_submitter(uow.actor, department_id)
    if uow.accounts.department(department_id) is None:
        raise NotFound("信源部门", "department", department_id)


def submit(uow: UnitOfWork, catalogue: Catalogue, info_class: str, department_id: int, raw: dict[str, Any],
           channel: str, source_key: str | None = None) -> SubmitOutcome:
    """Validate one record, link it to its subject, and store it; the same document number for the
    same subject makes a new version of the existing record instead of a second record."""
    _check_department(uow, department_id)
    return store(uow, catalogue, info_class, department_id, raw, channel, source_key)


def store(uow: UnitOfWork, catalogue: Catalogue, info_class: str, department_id: int, raw: dict[str, Any],
          channel: str, source_key: str | None = None) -> SubmitOutcome:
    """``submit`` without the submitter check, for services that authorise on their own terms (a credit
    commitment signed online is filed for its accepting unit by the public)."""
    info = info_class_or_error(catalogue, info_class)
    checked = validate_values(info, raw, catalogue, uow.clock.today())
    claim, problem = claim_subject(info, checked.values)
    if problem is not None:
        checked.problems.append(problem)
    if not checked.ok or claim is None:
        raise InvalidInput.from_problems(checked.problems)
    core, extra = checked.split(info)
    since = core.get("decision_date") or uow.clock.today()
    subject_id, created = subjects.link(uow, claim, since, f"{info_class}:{channel}")
    provenance = Provenance(received_at=uow.clock.now(), channel=channel, source_key=source_key,
                            submitter_id=uow.actor.user_id)
    doc_number = core.get("doc_number")
    previous = uow.records.current_by_doc_number(info_class, doc_number, subject_id) if doc_number else None
    if previous is not None and previous.core == core and filled(previous.extra) == extra:
        uow.commit()
        return SubmitOutcome(previous, "unchanged", created)
    new_id = uow.records.new_ids(1)
    if previous is not None:
        record = previous.corrected(new_id, core, extra, provenance)
        uow.records.save_state(previous)
        uow.records.add_event(previous, "corrected", f"superseded by version {record.version}", uow.actor.name,
                              provenance.received_at)
    else:
        record = CreditRecord(
            id=new_id, subject_id=subject_id, info_class=info.code, classification=info.classification,
            department_id=department_id, sharing=info.default_sharing, openness=info.default_openness,
            provenance=provenance, core=core, extra=extra,
        )
    uow.records.add([record])
    publication.refresh_publication(uow, catalogue, subject_ids=[subject_id])
    if info.publication_rule == PublicationKind.LIST:
        lists.sync_records(uow, subject_id=subject_id)
    personal = claim.subject_type.is_person
    if previous is not None:
        uow.audit(AuditEvent("record.correct", "record", record.id, personal=personal, detail={
            "before": _snapshot(previous), "after": _snapshot(record)}))
    else:
        uow.audit(AuditEvent("record.submit", "record", record.id, personal=personal,
                             detail={"info_class": info_class, "subject_id": subject_id}))
    uow.commit()
    return SubmitOutcome(record, "updated" if previous is not None else "created", created)


def _snapshot(record: CreditRecord) -> dict[str, Any]:
    return {"id": record.id, "version": record.version, "status": record.status.value,
            "core": {k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in record.core.items()},
            "extra": record.extra}


def _readable(uow: UnitOfWork, record: CreditRecord | None, record_id: int) -> CreditRecord:
    # A record outside the actor's reach is reported as missing: its existence is not disclosed.
    if record is None or not uow.actor.can_read_department(record.department_id):
        raise NotFound("信用记录", "record", record_id)
    return record


def _audit_personal_read(uow: UnitOfWork, subject_id: int, action: str, object_id: int) -> None:
    subject = uow.subjects.get(subject_id)
    if subject is not None and subject.is_person:
        uow.audit(AuditEvent(action, "record", object_id, personal=True, detail={"subject_id": subject_id}))
        uow.commit()


@dataclass
class RecordView:
    record: CreditRecord
    versions: list[CreditRecord]
    events: list[dict[str, Any]]


def get_record(uow: UnitOfWork, record_id: int) -> RecordView:
    """A record with all its versions and lifecycle events (its lineage)."""
    record = _readable(uow, uow.records.get(record_id), record_id)
    _audit_personal_read(uow, record.subject_id, "record.read", record_id)
    assert record.root_id is not None
    return RecordView(record, uow.records.versions(record.subject_id, record.root_id),
                      uow.records.events(record.subject_id, record.root_id))


def records_of_subject(uow: UnitOfWork, subject_id: int) -> list[CreditRecord]:
    """The current version of each record under a subject that the actor may see."""
    if not (uow.actor.can(Permission.RECORDS_READ_ALL) or uow.actor.can(Permission.RECORDS_READ_OWN)):
        uow.actor.require(Permission.RECORDS_READ_ALL)
    department = None if uow.actor.can(Permission.RECORDS_READ_ALL) else uow.actor.department_id
    found = uow.records.for_subject(subject_id, department)
    if found:
        _audit_personal_read(uow, subject_id, "record.list", subject_id)
    return found


def browse(uow: UnitOfWork, *, department_id: int | None = None, info_class: str | None = None,
           date_from: date | None = None, date_to: date | None = None, limit: int = 50,
           offset: int = 0) -> list[CreditRecord]:
    """Records by filter; a department's submitter sees only that department's records."""
    if not uow.actor.can(Permission.RECORDS_READ_ALL):
        uow.actor.require(Permission.RECORDS_READ_OWN)
        if department_id is not None and department_id != uow.actor.department_id:
            raise PermissionDenied("只能查看本部门报送的数据", "you may only read your own department's data",
                                   code="permission.department")
        department_id = uow.actor.department_id
    return uow.records.browse(department_id=department_id, info_class=info_class, date_from=date_from,
                              date_to=date_to, limit=min(max(limit, 1), 500), offset=max(offset, 0))


def change_status(uow: UnitOfWork, record_id: int, status: RecordStatus, reason: str) -> CreditRecord:
    """Revoke (or otherwise end) a record: the content stays, the status and an event say what happened."""
    record = _readable(uow, uow.records.get(record_id), record_id)
    _check_department(uow, record.department_id)
    if not reason.strip():
        raise InvalidInput("必须说明原因", "a reason is required", code="record.reason", field="reason")
    apply_status(uow, record, status, reason)
    uow.commit()
    return record


def apply_status(uow: UnitOfWork, record: CreditRecord, status: RecordStatus, reason: str) -> None:
    """The status change itself (event and audit, not committed); callers check who may make it (a repair
    decided by the credit office, an objection upheld by the source department)."""
    check_transition(record.status, status)
    before = record.status
    record.status = status
    uow.records.save_state(record)
    uow.records.add_event(record, status.value, reason.strip(), uow.actor.name, uow.clock.now())
    publication.withdraw_if_hidden(uow, record)
    lists.follow_record(uow, record)
    uow.audit(AuditEvent(f"record.{status.value}", "record", record.id,
                         detail={"before": before.value, "after": status.value, "reason": reason.strip()}))
