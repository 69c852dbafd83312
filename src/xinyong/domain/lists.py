"""Lists (名单), their entries, memoranda and measures (奖惩措施清单), matters (事项), and what a check answers.

An entry is on its list from its entry date until the earliest of its planned end (``valid_to``), an
exit event or a revocation. Whether an entry is *in force* is computed from the day asked about, so an
entry leaves its list on the day its validity ends without any job having to run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from xinyong.errors import Conflict, InvalidInput


class ListKind(StrEnum):
    PUNISHMENT = "punishment"
    REWARD = "reward"
    ATTENTION = "attention"

    @property
    def label(self) -> str:
        return {"punishment": "惩戒类", "reward": "激励类", "attention": "关注类"}[self.value]


class EntryStatus(StrEnum):
    PROPOSED = "proposed"  # suggested by a derivation rule, waiting for a person
    LISTED = "listed"
    EXITED = "exited"
    REVOKED = "revoked"
    REJECTED = "rejected"  # a proposal a person declined

    @property
    def label(self) -> str:
        return {"proposed": "待确认", "listed": "在列", "exited": "已移出", "revoked": "已撤销",
                "rejected": "未采纳"}[self.value]


class Mode(StrEnum):
    MANDATORY = "mandatory"
    RECOMMENDED = "recommended"

    @property
    def label(self) -> str:
        return {"mandatory": "强制性", "recommended": "推荐性"}[self.value]


class Action(StrEnum):
    """What a check suggests the business system does, strongest first."""

    INTERCEPT = "intercept"
    PROMPT = "prompt"
    GREEN_CHANNEL = "green_channel"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"intercept": "拦截", "prompt": "提示", "green_channel": "绿色通道", "none": "无"}[self.value]


ACTION_RANK = {action: rank for rank, action in enumerate(Action)}


@dataclass(frozen=True)
class RecordMapping:
    """Where a list entry's fields are in a record of the list's catalogue class."""

    reason: str = "content"  # core column holding the reason: content or category
    legal_basis_item: str | None = None
    status_item: str | None = None  # code listed / removed / revoked
    valid_to: str = "validity"  # validity: the planned end; exit: the day the subject left the list
    exit_reason_item: str | None = None
    exit_authority_item: str | None = None


@dataclass(frozen=True)
class ListDef:
    code: str
    name: str
    kind: ListKind
    description: str = ""
    record_class: str | None = None  # the catalogue class whose records feed this list
    validity_days: int | None = None
    builtin: bool = True
    effective_from: date | None = None
    from_records: RecordMapping | None = None
    public: bool = False  # shown on the public portal

    def planned_end(self, entry_date: date, given: date | None) -> date | None:
        if given is not None:
            return given
        return entry_date + timedelta(days=self.validity_days) if self.validity_days else None


@dataclass(frozen=True)
class Matter:
    code: str
    name: str
    department: str


@dataclass(frozen=True)
class Measure:
    code: str
    memorandum: str
    content: str
    department: str
    legal_basis: str
    mode: Mode
    kind: ListKind
    lists: frozenset[str]
    matters: frozenset[str]
    effective_from: date
    effective_to: date | None = None

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True)
class Memorandum:
    code: str
    name: str
    document_number: str
    initiator: str
    signatories: tuple[str, ...]
    kind: ListKind
    effective_from: date
    effective_to: date | None = None


@dataclass(frozen=True)
class DerivationRule:
    code: str
    name: str
    list_code: str
    info_class: str
    min_records: int
    window_days: int
    effective_from: date
    effective_to: date | None = None
    builtin: bool = True

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)

    def window_start(self, on: date) -> date:
        return on - timedelta(days=self.window_days)


@dataclass
class MeasureBook:
    """The lists, matters, memoranda and measures in force: what a check consults."""

    lists: dict[str, ListDef]
    matters: dict[str, Matter]
    memoranda: dict[str, Memorandum]
    measures: list[Measure]
    rules: list[DerivationRule] = field(default_factory=list)

    def list_def(self, code: str) -> ListDef:
        found = self.lists.get(code)
        if found is None:
            raise InvalidInput(f"名单不存在：{code}", f"unknown list: {code}", code="list.unknown", field="list")
        return found

    def matter(self, code: str) -> Matter:
        found = self.matters.get(code)
        if found is None:
            raise InvalidInput(f"未知的事项代码：{code}（可用事项见 GET /api/v1/matters）",
                               f"unknown matter: {code} (see GET /api/v1/matters)", code="check.unknown_matter",
                               field="matter")
        return found

    def measures_for(self, list_codes: Iterable[str], matter: str, on: date) -> list[Measure]:
        codes = set(list_codes)
        return [m for m in self.measures if m.in_force(on) and matter in m.matters and m.lists & codes]

    def with_lists(self, extra: Iterable[ListDef]) -> MeasureBook:
        lists = dict(self.lists)
        for item in extra:
            lists.setdefault(item.code, item)
        return MeasureBook(lists, self.matters, self.memoranda, self.measures, self.rules)


@dataclass
class ListEntry:
    id: int
    list_code: str
    subject_id: int
    status: EntryStatus
    entry_date: date
    valid_to: date | None
    reason: str
    legal_basis: str | None = None
    authority_name: str | None = None
    authority_uscc: str | None = None
    doc_number: str | None = None
    ended_on: date | None = None
    source: str = "manual"  # manual | record | rule
    record_id: int | None = None  # the catalogue record this entry was taken from
    evidence: list[int] = field(default_factory=list)  # records behind a rule's proposal
    rule_code: str | None = None
    department_id: int | None = None
    created_at: datetime | None = None
    created_by: str = ""

    def in_force(self, on: date) -> bool:
        """On the list that day: listed, entered, not yet past its validity, not exited or revoked."""
        if self.status not in (EntryStatus.LISTED, EntryStatus.EXITED, EntryStatus.REVOKED):
            return False
        if self.status is EntryStatus.REVOKED:
            return False  # a revocation undoes the listing: it should never have been in force
        if self.entry_date > on:
            return False
        if self.status is EntryStatus.EXITED and self.ended_on is not None and self.ended_on <= on:
            return False
        return self.valid_to is None or on < self.valid_to

    def display_status(self, on: date) -> str:
        """The status as people read it: an entry past its validity reads 已到期移出 without any event."""
        if self.status is EntryStatus.LISTED and self.valid_to is not None and self.valid_to <= on:
            return "期满自动移出"
        if self.status is EntryStatus.LISTED and self.entry_date > on:
            return "待生效"
        return self.status.label

    def records(self) -> list[int]:
        return [self.record_id] if self.record_id is not None else list(self.evidence)


@dataclass(frozen=True)
class EntryFromRecord:
    values: dict[str, Any]  # list_entry columns
    event: str  # listed | exited | revoked
    ended_on: date | None
    exit_reason: str | None
    exit_authority: str | None


def entry_from_record(list_def: ListDef, record: dict[str, Any], today: date) -> EntryFromRecord:
    """The entry a record of a list class stands for: reason, basis, authority, document, dates, status."""
    mapping = list_def.from_records or RecordMapping()
    extra = record.get("extra") or {}
    entry_date = record["decision_date"] or today
    reason = record.get(mapping.reason) or record.get("content") or record.get("category") or list_def.name
    code = extra.get(mapping.status_item) if mapping.status_item else None
    valid_to, ended_on, event = record.get("valid_to"), None, "listed"
    status = EntryStatus.LISTED
    exit_reason = extra.get(mapping.exit_reason_item) if mapping.exit_reason_item else None
    if mapping.valid_to == "exit":
        ended_on, valid_to = valid_to, None
        if ended_on is not None:
            status, event = EntryStatus.EXITED, "exited"
    elif code == "removed":
        status, event, ended_on = EntryStatus.EXITED, "exited", min(valid_to or today, today)
    if code == "revoked" or record.get("status") == "revoked":
        status, event, ended_on = EntryStatus.REVOKED, "revoked", today
    elif record.get("status") in ("repaired", "expired") and status is EntryStatus.LISTED:
        status, event, ended_on = EntryStatus.EXITED, "exited", today
    if valid_to is None and mapping.valid_to != "exit":
        valid_to = list_def.planned_end(entry_date, None)
    values = {
        "list_code": list_def.code, "subject_id": record["subject_id"], "status": status.value,
        "entry_date": entry_date, "valid_to": valid_to, "ended_on": ended_on, "reason": str(reason)[:4000],
        "legal_basis": extra.get(mapping.legal_basis_item) if mapping.legal_basis_item else None,
        "authority_name": record.get("authority_name"), "authority_uscc": record.get("authority_uscc"),
        "doc_number": record.get("doc_number"), "source": "record", "record_root_id": record["root_id"],
        "record_id": record["id"], "department_id": record.get("department_id"),
    }
    authority = extra.get(mapping.exit_authority_item) if mapping.exit_authority_item else None
    return EntryFromRecord(values, event, ended_on, exit_reason, authority)


def check_can_end(entry: ListEntry, kind: str, on: date) -> None:
    """Exit needs an entry in force (or pending in the future); revocation any listed entry."""
    if entry.status in (EntryStatus.PROPOSED, EntryStatus.REJECTED):
        raise Conflict(f"名单条目尚未确认列入，不能{'移出' if kind == 'exit' else '撤销'}",
                       f"the entry is not listed, it cannot be {'exited' if kind == 'exit' else 'revoked'}",
                       code="list.entry_state")
    if entry.status is EntryStatus.REVOKED:
        raise Conflict("名单条目已撤销", "the entry is already revoked", code="list.entry_state")
    if kind == "exit" and not (entry.in_force(on) or entry.entry_date > on):
        raise Conflict("该主体当前不在名单中，无需移出", "the entry is not in force, nothing to exit",
                       code="list.entry_state")
    if kind == "exit" and on < entry.entry_date:
        raise InvalidInput("移出日期不能早于列入日期", "the exit date is before the entry date",
                           code="list.exit_date", field="date")


def check_entry_dates(entry_date: date, valid_to: date | None, today: date) -> None:
    if entry_date > today + timedelta(days=366):
        raise InvalidInput("列入日期过远", "entry date too far in the future", code="list.entry_date",
                           field="entry_date")
    if valid_to is not None and valid_to <= entry_date:
        raise InvalidInput("有效期至须晚于列入日期", "valid_to must be after the entry date", code="list.valid_to",
                           field="valid_to")


@dataclass(frozen=True)
class Hit:
    """One list entry in force behind a check's answer."""

    entry: ListEntry
    list_def: ListDef
    measures: tuple[Measure, ...]


def action_of(measures: Iterable[Measure]) -> Action:
    """A mandatory punishment intercepts, a recommended one prompts, a reward opens a green channel."""
    actions = [Action.NONE]
    for measure in measures:
        if measure.kind is ListKind.REWARD:
            actions.append(Action.GREEN_CHANNEL)
        elif measure.mode is Mode.MANDATORY:
            actions.append(Action.INTERCEPT)
        else:
            actions.append(Action.PROMPT)
    return strongest(actions)


def strongest(actions: Iterable[Action]) -> Action:
    return min(actions, key=ACTION_RANK.__getitem__, default=Action.NONE)


def suggest(hits: Iterable[Hit]) -> Action:
    """The strongest action the measures of all hits ask for (none when no measure applies)."""
    return strongest(action_of(hit.measures) for hit in hits)


def soften(action: Action) -> Action:
    """A fuzzy name alone never intercepts: the most it may do is prompt a person to verify."""
    return Action.PROMPT if action is Action.INTERCEPT else action


def measure_dict(measure: Measure) -> dict[str, Any]:
    return {"code": measure.code, "content": measure.content, "mode": measure.mode.value,
            "kind": measure.kind.value, "department": measure.department, "legal_basis": measure.legal_basis,
            "memorandum": measure.memorandum}
