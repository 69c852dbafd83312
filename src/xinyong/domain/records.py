"""Credit records (信用信息): what is known about a subject, from which department, and its lifecycle.

A record is never overwritten. A correction is a new version that supersedes the old one; revocation,
repair and expiry are status changes recorded as events, the content stays as it was received.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from xinyong.errors import Conflict


class Classification(StrEnum):
    BASIC = "basic"
    LICENCE = "licence"
    GOOD = "good"
    HINT = "hint"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return {
            "basic": "基础信息",
            "licence": "许可资质信息",
            "good": "良好信息",
            "hint": "提示信息",
            "warning": "警示（失信）信息",
        }[self.value]


class SharingLevel(StrEnum):
    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    NONE = "none"

    @property
    def label(self) -> str:
        return {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"}[self.value]


class Openness(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"
    NOT_PUBLIC = "not_public"

    @property
    def label(self) -> str:
        return {"public": "社会公开", "restricted": "特定范围公开", "not_public": "不公开"}[self.value]


class RecordStatus(StrEnum):
    ACTIVE = "active"
    CORRECTED = "corrected"
    REVOKED = "revoked"
    REPAIRED = "repaired"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return {
            "active": "有效",
            "corrected": "已更正",
            "revoked": "已撤销",
            "repaired": "已修复",
            "expired": "已到期",
        }[self.value]


# Which status a record may move to from which: a corrected version is final (a newer version
# carries the record on); revoked, repaired and expired records can only be corrected.
_TRANSITIONS: dict[RecordStatus, frozenset[RecordStatus]] = {
    RecordStatus.ACTIVE: frozenset(
        {RecordStatus.CORRECTED, RecordStatus.REVOKED, RecordStatus.REPAIRED, RecordStatus.EXPIRED}
    ),
    RecordStatus.REVOKED: frozenset({RecordStatus.CORRECTED}),
    RecordStatus.REPAIRED: frozenset({RecordStatus.CORRECTED}),
    RecordStatus.EXPIRED: frozenset({RecordStatus.CORRECTED, RecordStatus.REPAIRED}),
    RecordStatus.CORRECTED: frozenset(),
}


def check_transition(current: RecordStatus, new: RecordStatus) -> None:
    if new not in _TRANSITIONS[current]:
        raise Conflict(
            f"记录状态不能从“{current.label}”变为“{new.label}”",
            f"a record cannot go from {current.value} to {new.value}",
            code="record.status_transition",
        )


# The catalogue maps a data item onto one of these typed columns when queries need it; everything
# else the catalogue defines is kept in ``extra``.
CORE_COLUMNS: dict[str, type] = {
    "doc_number": str,
    "decision_date": date,
    "valid_from": date,
    "valid_to": date,
    "category": str,
    "amount": Decimal,
    "authority_name": str,
    "authority_uscc": str,
    "content": str,
}


def filled(extra: dict[str, Any] | None) -> dict[str, Any]:
    """The items of ``extra`` that have a value. Records store only those (older rows also name the empty
    items, as null): two versions compare equal when their filled items do."""
    return {code: value for code, value in (extra or {}).items() if value is not None}


@dataclass(frozen=True)
class Provenance:
    """Where a record came from: enough to trace it back to the cell it was read from."""

    received_at: datetime
    channel: str
    batch_id: int | None = None
    source_row: int | None = None
    source_key: str | None = None
    submitter_id: int | None = None


@dataclass
class CreditRecord:
    id: int
    subject_id: int
    info_class: str
    classification: Classification
    department_id: int
    sharing: SharingLevel
    openness: Openness
    provenance: Provenance
    root_id: int | None = None
    version: int = 1
    status: RecordStatus = RecordStatus.ACTIVE
    superseded_by: int | None = None
    core: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.root_id is None:
            self.root_id = self.id

    @property
    def decision_date(self) -> date | None:
        return self.core.get("decision_date")

    @property
    def doc_number(self) -> str | None:
        return self.core.get("doc_number")

    def corrected(self, new_id: int, core: dict[str, Any], extra: dict[str, Any],
                  provenance: Provenance) -> CreditRecord:
        """A new version carrying ``core``/``extra``; this version becomes ``corrected``."""
        check_transition(self.status, RecordStatus.CORRECTED)
        self.status = RecordStatus.CORRECTED
        self.superseded_by = new_id
        return CreditRecord(
            id=new_id,
            subject_id=self.subject_id,
            info_class=self.info_class,
            classification=self.classification,
            department_id=self.department_id,
            sharing=self.sharing,
            openness=self.openness,
            provenance=provenance,
            root_id=self.root_id,
            version=self.version + 1,
            core=core,
            extra=extra,
        )
