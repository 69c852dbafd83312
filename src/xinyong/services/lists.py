"""Lists: defining them, putting subjects on them, taking subjects off, proposals from derivation rules,
entries taken from collected records, and the public pages' view of them.

Exit and revocation are events of their own (reason, date, authority, document). Expiry is not an event
anyone has to trigger: an entry is in force only while ``entry_date <= day < valid_to`` (see
``domain/lists.ListEntry.in_force``), so a check on the day after the validity ends finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from xinyong.adapters.repositories.lists import ListRepository
from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.identifiers import PERSONAL_ID_TYPES, IdType
from xinyong.domain.lists import (
    DerivationRule,
    EntryStatus,
    ListDef,
    ListEntry,
    ListKind,
    MeasureBook,
    check_can_end,
    check_entry_dates,
    entry_from_record,
)
from xinyong.domain.masking import mask_identifier, mask_name
from xinyong.domain.records import CreditRecord, RecordStatus
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.rules.lists_files import default_measure_book
from xinyong.services import records, webhooks
from xinyong.services.unit_of_work import UnitOfWork


def repo(uow: UnitOfWork) -> ListRepository:
    return ListRepository(uow.connection)


def book(uow: UnitOfWork) -> MeasureBook:
    """The rule files' lists, matters and measures, with the lists and rules administrators added."""
    base = default_measure_book()
    lists = repo(uow)
    combined = base.with_lists(lists.custom_lists())
    combined.rules = [*base.rules, *lists.custom_rules()]
    return combined


def define_list(uow: UnitOfWork, code: str, name: str, kind: str, description: str = "",
                validity_days: int | None = None) -> ListDef:
    """An administrator's own list (e.g. an industry's red/yellow/black list)."""
    uow.actor.require(Permission.LISTS_MANAGE)
    code = code.strip()
    if not code.isascii() or not code.replace("_", "").isalnum() or not (2 <= len(code) <= 40) or not code[0].isalpha():
        raise InvalidInput("名单代码须为2至40位字母、数字或下划线，以字母开头", "list code: 2-40 letters, digits or _",
                           code="list.code", field="code")
    if not name.strip():
        raise InvalidInput("请填写名单名称", "the list needs a name", code="list.name", field="name")
    try:
        list_kind = ListKind(kind)
    except ValueError:
        raise InvalidInput(f"未知的名单类别：{kind}", f"unknown list kind: {kind}", code="list.kind",
                           field="kind") from None
    if validity_days is not None and validity_days <= 0:
        raise InvalidInput("有效期天数须为正数", "validity_days must be positive", code="list.validity",
                           field="validity_days")
    if code.lower() in book(uow).lists:
        raise Conflict(f"名单代码已存在：{code}", f"list code already exists: {code}", code="list.exists")
    repo(uow).add_list(code.lower(), name.strip(), list_kind, description.strip(), validity_days, uow.clock.now(),
                       uow.actor.name)
    uow.audit(AuditEvent("list.define", "list", code.lower(), detail={"name": name, "kind": kind}))
    uow.commit()
    return book(uow).lists[code.lower()]


def add_rule(uow: UnitOfWork, code: str, name: str, list_code: str, info_class: str, min_records: int,
             window_days: int, effective_from: date | None = None) -> DerivationRule:
    """A derivation rule: so many current records of a class within a window propose an entry."""
    uow.actor.require(Permission.LISTS_MANAGE)
    code, name, info_class = code.strip(), name.strip(), info_class.strip()
    if not code.isascii() or not code.replace("_", "").isalnum() or not (2 <= len(code) <= 64) or not code[0].isalpha():
        raise InvalidInput("规则代码须为2至64位字母、数字或下划线，以字母开头", "rule code: 2-64 letters, digits or _",
                           code="list.rule_code", field="code")
    if not name or len(name) > 200:
        raise InvalidInput("请填写规则名称（不超过200字）", "the rule needs a name of at most 200 characters",
                           code="list.rule_name", field="name")
    current = book(uow)
    current.list_def(list_code)
    if info_class not in uow.catalogue.revisions():
        raise InvalidInput(f"目录中没有该信息类：{info_class}", f"no such info class in the catalogue: {info_class}",
                           code="list.rule_class", field="info_class")
    if min_records < 1:
        raise InvalidInput("记录数须为正数", "min_records must be positive", code="list.rule", field="min_records")
    if window_days < 1:
        raise InvalidInput("时间窗口天数须为正数", "window_days must be positive", code="list.rule",
                           field="window_days")
    if any(r.code == code for r in current.rules):
        raise Conflict(f"规则代码已存在：{code}", f"rule code already exists: {code}", code="list.rule_exists")
    rule = DerivationRule(code, name, list_code, info_class, min_records, window_days,
                          effective_from or uow.clock.today(), builtin=False)
    repo(uow).add_rule(rule, uow.clock.now(), uow.actor.name)
    uow.audit(AuditEvent("list.rule_add", "list_rule", code, detail={"list": list_code, "info_class": info_class}))
    uow.commit()
    return rule


@dataclass
class EntryView:
    entry: ListEntry
    list_def: ListDef
    subject: dict[str, Any]
    events: list[dict[str, Any]]
    records: list[dict[str, Any]]


def _subject_or_error(uow: UnitOfWork, subject_id: int) -> dict[str, Any]:
    found = repo(uow).subject_brief(subject_id)
    if found is None:
        raise NotFound("信用主体", "subject", subject_id)
    return found


def add_entry(uow: UnitOfWork, list_code: str, subject_id: int, reason: str, entry_date: date,
              valid_to: date | None = None, legal_basis: str | None = None, authority_name: str | None = None,
              authority_uscc: str | None = None, doc_number: str | None = None) -> ListEntry:
    """Put a subject on a list (a department's decision, entered by hand or through the API)."""
    uow.actor.require(Permission.LISTS_MANAGE)
    list_def = book(uow).list_def(list_code)
    _subject_or_error(uow, subject_id)
    if not reason.strip():
        raise InvalidInput("请填写列入原因", "the entry needs a reason", code="list.reason", field="reason")
    today = uow.clock.today()
    check_entry_dates(entry_date, valid_to, today)
    lists = repo(uow)
    if lists.open_entry(list_code, subject_id, today) is not None:
        raise Conflict("该主体已在此名单中（或已有待确认的建议）", "the subject is already on this list or proposed",
                       code="list.already_listed")
    values = {
        "list_code": list_code, "subject_id": subject_id, "status": EntryStatus.LISTED.value,
        "entry_date": entry_date, "valid_to": list_def.planned_end(entry_date, valid_to), "reason": reason.strip(),
        "legal_basis": legal_basis, "authority_name": authority_name, "authority_uscc": authority_uscc,
        "doc_number": doc_number, "source": "manual", "department_id": uow.actor.department_id,
        "expiry_notified": False, "created_at": uow.clock.now(), "created_by": uow.actor.name,
    }
    entry_id = lists.add_entry(values)
    lists.add_event(entry_id, "listed", entry_date, reason, authority_name, doc_number, uow.clock.now(), uow.actor.name)
    entry = lists.entry(entry_id)
    assert entry is not None
    webhooks.enqueue(uow, entry, "entered")
    uow.audit(AuditEvent("list.enter", "list_entry", entry_id, detail={"list": list_code, "subject_id": subject_id}))
    uow.commit()
    return entry


def _end(uow: UnitOfWork, entry_id: int, kind: str, on: date | None, reason: str, authority_name: str | None,
         doc_number: str | None) -> ListEntry:
    """Exit or revoke an entry. An entry taken from a collected record takes its record along: the record
    is revoked with a revocation, ends (``expired``) with an exit, so the portal stops showing it at once
    (after removal from a list public display must stop within 3 working days) and a recomputation of the
    publication windows cannot bring it back. Such an exit therefore takes effect today or earlier; a
    planned exit comes from the deciding department, as a new version of its record."""
    uow.actor.require(Permission.LISTS_MANAGE)
    lists = repo(uow)
    entry = lists.entry(entry_id)
    if entry is None:
        raise NotFound("名单条目", "list entry", entry_id)
    if not reason.strip():
        raise InvalidInput("请填写原因", "a reason is required", code="list.reason", field="reason")
    day = on or uow.clock.today()
    check_can_end(entry, kind, day)
    record = _record_behind(uow, entry)
    if record is not None and day > uow.clock.today():
        raise InvalidInput("该条目来自认定部门报送的记录，移出日期不能晚于今天；"
                           "计划中的移出请由认定部门报送该记录的新版本",
                           "an entry taken from a collected record exits today or earlier; a planned exit comes "
                           "from its department, as a new version of the record", code="list.exit_date", field="date")
    ended = _close(uow, lists, entry, kind, day, reason.strip(), authority_name, doc_number)
    if record is not None:
        status, why = (RecordStatus.REVOKED, "撤销列入名单") if kind == "revoke" else (RecordStatus.EXPIRED, "移出名单")
        records.apply_status(uow, record, status, f"{why}：{reason.strip()}")
    uow.commit()
    return ended


def _close(uow: UnitOfWork, lists: ListRepository, entry: ListEntry, kind: str, day: date, reason: str,
           authority_name: str | None, doc_number: str | None) -> ListEntry:
    """The entry's end itself: status, event, subscribers' notice and audit (not committed)."""
    status = EntryStatus.EXITED if kind == "exit" else EntryStatus.REVOKED
    lists.update_entry(entry.id, status=status.value, ended_on=day)
    event = "exited" if kind == "exit" else "revoked"
    lists.add_event(entry.id, event, day, reason, authority_name, doc_number, uow.clock.now(), uow.actor.name)
    ended = lists.entry(entry.id)
    assert ended is not None
    webhooks.enqueue(uow, ended, event)
    uow.audit(AuditEvent(f"list.{kind}", "list_entry", entry.id, detail={
        "list": entry.list_code, "subject_id": entry.subject_id, "on": day.isoformat(), "reason": reason}))
    return ended


def _record_behind(uow: UnitOfWork, entry: ListEntry) -> CreditRecord | None:
    """The active record an entry was taken from (its current version), if any."""
    found = uow.records.of_subject(entry.subject_id, entry.record_id) if entry.record_id is not None else None
    return found if found is not None and found.superseded_by is None and found.status is RecordStatus.ACTIVE else None


def follow_record(uow: UnitOfWork, record: CreditRecord) -> None:
    """A record that stops being in force (revoked, e.g. an objection upheld; repaired; expired) ends the
    list entry it made, in the caller's transaction: a revoked record revokes the listing, a repaired or
    expired one takes the subject off the list today. No permission of its own: the entry follows the
    record, which the caller may change."""
    if record.status not in (RecordStatus.REVOKED, RecordStatus.REPAIRED, RecordStatus.EXPIRED):
        return
    lists = repo(uow)
    entry = lists.entry_of_record_root(record.root_id)
    if entry is None or entry.record_id != record.id or entry.status is not EntryStatus.LISTED:
        return
    today = uow.clock.today()
    kind = "revoke" if record.status is RecordStatus.REVOKED else "exit"
    if kind == "exit" and not (entry.in_force(today) or entry.entry_date > today):
        return  # already past its validity: nothing left to end
    _close(uow, lists, entry, kind, today, f"列入依据的信用记录（第 {record.id} 号）{record.status.label}", None, None)


def exit_entry(uow: UnitOfWork, entry_id: int, reason: str, on: date | None = None,
               authority_name: str | None = None, doc_number: str | None = None) -> ListEntry:
    """Take a subject off a list from ``on`` (today by default): e.g. early removal, or credit repair."""
    return _end(uow, entry_id, "exit", on, reason, authority_name, doc_number)


def revoke_entry(uow: UnitOfWork, entry_id: int, reason: str, on: date | None = None,
                 authority_name: str | None = None, doc_number: str | None = None) -> ListEntry:
    """Undo a listing that should not have been made (e.g. an objection upheld): never in force."""
    return _end(uow, entry_id, "revoke", on, reason, authority_name, doc_number)


def _proposal(uow: UnitOfWork, entry_id: int, verb: str, verb_en: str) -> tuple[ListRepository, ListEntry]:
    """The proposal ``entry_id`` for a list manager to confirm or reject; anything else is refused."""
    uow.actor.require(Permission.LISTS_MANAGE)
    lists = repo(uow)
    entry = lists.entry(entry_id)
    if entry is None:
        raise NotFound("名单条目", "list entry", entry_id)
    if entry.status is not EntryStatus.PROPOSED:
        raise Conflict(f"只有待确认的建议可以{verb}", f"only a proposal can be {verb_en}", code="list.entry_state")
    return lists, entry


def confirm_proposal(uow: UnitOfWork, entry_id: int, valid_to: date | None = None, doc_number: str | None = None,
                     authority_name: str | None = None) -> ListEntry:
    """A person confirms what a derivation rule proposed: the subject is listed from today."""
    lists, entry = _proposal(uow, entry_id, "确认", "confirmed")
    today = uow.clock.today()
    check_entry_dates(today, valid_to, today)
    list_def = book(uow).list_def(entry.list_code)
    lists.update_entry(entry_id, status=EntryStatus.LISTED.value, entry_date=today,
                       valid_to=list_def.planned_end(today, valid_to), doc_number=doc_number,
                       authority_name=authority_name, department_id=uow.actor.department_id)
    lists.add_event(entry_id, "listed", today, "确认派生规则建议", authority_name, doc_number, uow.clock.now(),
                    uow.actor.name)
    confirmed = lists.entry(entry_id)
    assert confirmed is not None
    webhooks.enqueue(uow, confirmed, "entered")
    uow.audit(AuditEvent("list.confirm", "list_entry", entry_id, detail={"list": entry.list_code}))
    uow.commit()
    return confirmed


def reject_proposal(uow: UnitOfWork, entry_id: int, reason: str) -> ListEntry:
    lists, _ = _proposal(uow, entry_id, "不予采纳", "rejected")
    today = uow.clock.today()
    lists.update_entry(entry_id, status=EntryStatus.REJECTED.value, ended_on=today)
    lists.add_event(entry_id, "rejected", today, reason or "不予采纳", None, None, uow.clock.now(), uow.actor.name)
    uow.audit(AuditEvent("list.reject", "list_entry", entry_id, detail={"reason": reason}))
    uow.commit()
    rejected = lists.entry(entry_id)
    assert rejected is not None
    return rejected


def propose_from_rules(uow: UnitOfWork) -> dict[str, int]:
    """Run every derivation rule in force today; each subject it finds gets a proposal (status 待确认)
    citing the records behind it. Nothing is listed until a person confirms."""
    uow.actor.require(Permission.LISTS_MANAGE)
    today, lists, now = uow.clock.today(), repo(uow), uow.clock.now()
    found: dict[str, int] = {}
    for rule in book(uow).rules:
        if not rule.in_force(today):
            continue
        candidates = lists.rule_candidates(rule, today)
        for subject_id, record_ids in candidates:
            entry_id = lists.add_entry({
                "list_code": rule.list_code, "subject_id": subject_id, "status": EntryStatus.PROPOSED.value,
                "entry_date": today, "reason": f"{rule.name}（{len(record_ids)} 条记录）", "source": "rule",
                "evidence": record_ids, "rule_code": rule.code, "expiry_notified": False, "created_at": now,
                "created_by": uow.actor.name})
            lists.add_event(entry_id, "proposed", today, rule.name, None, None, now, uow.actor.name)
        found[rule.code] = len(candidates)
    uow.audit(AuditEvent("list.propose", "list_rule", None, detail=found))
    uow.commit()
    return found


def sync_from_records(uow: UnitOfWork) -> dict[str, int]:
    """Entries from the collected records of list classes (serious_dishonesty_list, red_list, …).

    Records of these classes arrive like any catalogue class (file, JSON push, entry form); this turns
    each current record into its entry, and a corrected version updates the entry it made. Idempotent:
    collection runs it for each batch of a list class (``sync_records``); this catches up on everything
    (``xinyong lists sync``, the console, the demo build)."""
    uow.actor.require(Permission.LISTS_MANAGE)
    summary = sync_records(uow)
    uow.commit()
    return summary


def sync_records(uow: UnitOfWork, *, batch_id: int | None = None, subject_id: int | None = None) -> dict[str, int]:
    """Entries of the list-class records of one batch or one subject (or all), in the caller's
    transaction. No permission of its own: the entries follow from records the caller may write."""
    current = book(uow)
    by_class = {d.record_class: d for d in current.lists.values() if d.record_class}
    lists, today, now = repo(uow), uow.clock.today(), uow.clock.now()
    rows = lists.unlinked_records(list(by_class), batch_id, subject_id)
    created, updated, events = [], 0, []
    for row in rows:
        made = entry_from_record(by_class[row["info_class"]], row, today)
        if row["entry_id"] is not None:
            lists.update_entry(row["entry_id"], **made.values)
            events.append({"entry_id": row["entry_id"], "event": "corrected", "on_date": today,
                           "reason": f"记录更正为新版本 {row['id']}", "authority_name": None,
                           "doc_number": made.values["doc_number"], "at": now, "actor_name": uow.actor.name})
            updated += 1
            continue
        created.append((made, {**made.values, "expiry_notified": False, "created_at": now,
                               "created_by": uow.actor.name}))
    lists.add_entries([values for _, values in created])
    if created:
        ids = lists.ids_by_record_root([values["record_root_id"] for _, values in created])
        for made, values in created:
            entry_id = ids[values["record_root_id"]]
            events.append({"entry_id": entry_id, "event": "listed", "on_date": values["entry_date"],
                           "reason": values["reason"], "authority_name": values["authority_name"],
                           "doc_number": values["doc_number"], "at": now, "actor_name": uow.actor.name})
            if made.event != "listed":
                events.append({"entry_id": entry_id, "event": made.event, "on_date": made.ended_on or today,
                               "reason": made.exit_reason, "authority_name": made.exit_authority,
                               "doc_number": None, "at": now, "actor_name": uow.actor.name})
        if webhooks.any_subscription(uow):
            for _, values in created:
                entry = lists.entry(ids[values["record_root_id"]])
                if entry is not None and entry.in_force(today):
                    webhooks.enqueue(uow, entry, "entered")
    lists.add_events(events)
    summary = {"created": len(created), "updated": updated}
    uow.audit(AuditEvent("list.sync", "list", None, detail=summary))
    return summary


def get_entry(uow: UnitOfWork, entry_id: int) -> EntryView:
    uow.actor.require(Permission.LISTS_READ)
    lists = repo(uow)
    entry = lists.entry(entry_id)
    if entry is None:
        raise NotFound("名单条目", "list entry", entry_id)
    subject = _subject_or_error(uow, entry.subject_id)
    personal = IdType(subject["canonical_id_type"]) in PERSONAL_ID_TYPES
    if personal:
        uow.actor.require(Permission.PERSONAL_READ)
        uow.audit(AuditEvent("list.entry_read", "list_entry", entry_id, personal=True))
        uow.commit()
    records = lists.record_summaries([(entry.subject_id, r) for r in entry.records()])
    return EntryView(entry, book(uow).list_def(entry.list_code), subject, lists.events(entry_id),
                     list(records.values()))


def browse(uow: UnitOfWork, list_code: str | None = None, status: str | None = None, in_force_only: bool = False,
           limit: int = 50, offset: int = 0) -> tuple[list[tuple[ListEntry, dict[str, Any]]], int]:
    """Entries for the console: persons' identifiers masked unless the actor may read personal data."""
    uow.actor.require(Permission.LISTS_READ)
    if list_code:
        book(uow).list_def(list_code)
    if status and status not in {s.value for s in EntryStatus}:
        raise InvalidInput(f"未知的条目状态：{status}", f"unknown entry status: {status}", code="list.status",
                           field="status")
    rows, total = repo(uow).browse(list_code, status, uow.clock.today(), limit, offset, in_force_only)
    if not uow.actor.can(Permission.PERSONAL_READ):
        for _, subject in rows:
            if IdType(subject["id_type"]) in PERSONAL_ID_TYPES:
                subject["name"], subject["identifier"] = mask_name(subject["name"]), mask_identifier(
                    subject["identifier"])
    return rows, total


@dataclass
class PublicPage:
    list_def: ListDef
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def public_lists(uow: UnitOfWork) -> list[ListDef]:
    """The lists the portal shows (红名单, 黑名单, 经营异常名录, 失信被执行人; not key attention)."""
    return [d for d in book(uow).lists.values() if d.public]


def public_entries(uow: UnitOfWork, list_code: str, page: int = 1, per_page: int = 20) -> PublicPage:
    """The entries of a list in force today, paged, as the public portal may show them: natural
    persons' names and identifiers masked, nothing else about them."""
    list_def = book(uow).list_def(list_code)
    if not list_def.public:
        raise NotFound("公开名单", "public list", list_code)
    page, per_page = max(1, page), min(max(1, per_page), 100)
    rows, total = repo(uow).public_page(list_code, uow.clock.today(), per_page, (page - 1) * per_page)
    shown = []
    for row in rows:
        person = IdType(row["canonical_id_type"]) in PERSONAL_ID_TYPES
        shown.append({
            "entry_id": row["id"], "name": mask_name(row["name"]) if person else row["name"],
            "identifier": mask_identifier(row["canonical_id"]) if person else row["canonical_id"],
            "reason": row["reason"], "authority": row["authority_name"], "doc_number": row["doc_number"],
            "entry_date": row["entry_date"], "valid_to": row["valid_to"]})
    return PublicPage(list_def, shown, total, page, per_page)


def entries_of_subject(uow: UnitOfWork, subject_id: int) -> list[ListEntry]:
    uow.actor.require(Permission.LISTS_READ)
    return repo(uow).entries_of_subject(subject_id)


def counts(uow: UnitOfWork) -> dict[str, dict[str, int]]:
    return repo(uow).counts(uow.clock.today())
