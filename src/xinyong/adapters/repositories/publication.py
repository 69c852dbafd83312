"""Stored publication windows (``record_publication``) and the public listings read from them.

Every public listing is one indexed range of the windows (``public_from <= today <= public_until``, the
subject not a natural person), then the page's records and subjects by key (each still the current,
active, publicly open version).
The windows are what ``domain/publication.decide`` answers (``services/publication.refresh_publication``
writes them), so a listing never shows what a subject's page would hide.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from sqlalchemy import (
    ColumnElement,
    Connection,
    Date,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)

from xinyong.adapters.bulk import bulk_insert, bulk_insert_frame
from xinyong.adapters.repositories.records import record_from_row
from xinyong.adapters.tables import credit_record, publication_state, record_publication, rights_case, subject
from xinyong.domain.records import (
    CORE_COLUMNS,
    Classification,
    CreditRecord,
    Openness,
    Provenance,
    RecordStatus,
    SharingLevel,
)
from xinyong.domain.repair import OPEN_STATUSES, CaseKind

PUBLICATION_COLUMNS = ("subject_id", "record_id", "info_class", "department_id", "subject_type", "decision_date",
                       "category", "public_from", "public_until", "severity", "repairable", "repair_from",
                       "rule_set")


# What the rules need of a record (never the JSON ``extra``, which they do not read).
_SOURCE_COLUMNS = [credit_record.c[name] for name in ("subject_id", "id", "root_id", "version", "info_class",
                                                      "classification", "department_id", "sharing",
                                                      *CORE_COLUMNS)]
_LISTED_COLUMNS = list(credit_record.c)
_HYDRATE_CHUNK = 500
_CLASSIFICATIONS = {c.value: c for c in Classification}
_SHARING = {s.value: s for s in SharingLevel}
_NO_PROVENANCE = Provenance(received_at=datetime(1970, 1, 1, tzinfo=UTC), channel="")


@dataclass(frozen=True)
class ListingFilter:
    info_classes: tuple[str, ...]
    department_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    category: str | None = None


def window_holds(day: date) -> ColumnElement[bool]:
    """The rules make the record public on ``day``, and its subject is not a natural person."""
    p = record_publication.c
    return and_(
        or_(p.public_from.is_(None), p.public_from <= day),
        or_(p.public_until.is_(None), p.public_until >= day),
        p.subject_type != "person",
    )


@dataclass(frozen=True)
class Listed:
    """A record in a public listing, with its subject and its publication window."""

    record: CreditRecord
    subject_name: str
    subject_type: str
    subject_code: str
    public_from: date | None
    public_until: date | None
    severity: str | None


@dataclass(frozen=True)
class Shown:
    """A record public on a subject's page that day, with its stored window."""

    record: CreditRecord
    public_from: date | None
    public_until: date | None
    severity: str | None
    repairable: bool | None
    repair_from: date | None
    objection_pending: bool


# A subject's page: its records whose window holds that day (still the current, active, publicly open
# version), each with whether an objection against it is being handled. Built once: the portal's most
# visited query, one round trip.
_P = record_publication.c
_OF_SUBJECT = (
    select(*_LISTED_COLUMNS, _P.public_from, _P.public_until, _P.severity, _P.repairable, _P.repair_from,
           exists().where(rights_case.c.record_id == _P.record_id, rights_case.c.kind == CaseKind.OBJECTION.value,
                          rights_case.c.status.in_(sorted(s.value for s in OPEN_STATUSES)))
           .label("objection_pending"))
    .join(credit_record, and_(credit_record.c.subject_id == _P.subject_id, credit_record.c.id == _P.record_id))
    .where(_P.subject_id == bindparam("subject_id"), window_holds(bindparam("day", type_=Date)),
           credit_record.c.status == RecordStatus.ACTIVE.value, credit_record.c.openness == Openness.PUBLIC.value,
           credit_record.c.superseded_by.is_(None))
    .order_by(credit_record.c.decision_date.desc(), credit_record.c.id))


class PublicationRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- computing -------------------------------------------------------------------------------
    def source_rows(self, *, subject_ids: Sequence[int] | None = None, after_subject: int | None = None,
                    subject_limit: int | None = None) -> tuple[list[Any], dict[int, str]]:
        """Current records of some subjects (by id, or the next ``subject_limit`` subjects after
        ``after_subject``) with the subjects' types. Only active, publicly open versions can ever be public."""
        subjects = select(subject.c.id, subject.c.subject_type)
        if subject_ids is not None:
            subjects = subjects.where(subject.c.id.in_(list(subject_ids)))
        else:
            subjects = subjects.where(subject.c.id > (after_subject if after_subject is not None else -1)).order_by(
                subject.c.id).limit(subject_limit)
        types = {r.id: r.subject_type for r in self.connection.execute(subjects)}
        if not types:
            return [], {}
        low, high = min(types), max(types)
        query = select(*_SOURCE_COLUMNS).where(
            credit_record.c.subject_id.between(low, high), credit_record.c.superseded_by.is_(None),
            credit_record.c.status == RecordStatus.ACTIVE.value, credit_record.c.openness == "public")
        if subject_ids is not None:
            query = query.where(credit_record.c.subject_id.in_(list(types)))
        return list(self.connection.execute(query)), types

    @staticmethod
    def source_record(row: Any) -> CreditRecord:
        """A row of ``source_rows`` as the record the rules look at (no provenance, no extra items: the
        rules read neither); enum members looked up once, not parsed per row."""
        m = row._mapping
        return CreditRecord(
            id=m["id"], subject_id=m["subject_id"], info_class=m["info_class"],
            classification=_CLASSIFICATIONS[m["classification"]], department_id=m["department_id"],
            sharing=_SHARING[m["sharing"]], openness=Openness.PUBLIC, provenance=_NO_PROVENANCE,
            root_id=m["root_id"], version=m["version"], status=RecordStatus.ACTIVE,
            core={c: m[c] for c in CORE_COLUMNS if m[c] is not None},
        )

    def clear(self, subject_ids: Sequence[int] | None = None, subject_range: tuple[int, int] | None = None) -> None:
        query = delete(record_publication)
        if subject_ids is not None:
            query = query.where(record_publication.c.subject_id.in_(list(subject_ids)))
        if subject_range is not None:
            query = query.where(record_publication.c.subject_id.between(*subject_range))
        self.connection.execute(query)

    def remove(self, subject_id: int, record_id: int) -> None:
        self.connection.execute(delete(record_publication).where(
            record_publication.c.subject_id == subject_id, record_publication.c.record_id == record_id))

    def write(self, columns: Sequence[list[Any]]) -> int:
        return bulk_insert(self.connection, record_publication, PUBLICATION_COLUMNS, columns)

    def write_frame(self, windows: pl.DataFrame) -> int:
        return bulk_insert_frame(self.connection, record_publication, windows.select(PUBLICATION_COLUMNS))

    def remove_many(self, records: pl.DataFrame) -> None:
        """Remove the windows of some records (columns subject_id, id)."""
        if records.height:
            self.connection.execute(
                delete(record_publication).where(record_publication.c.subject_id == bindparam("s"),
                                                 record_publication.c.record_id == bindparam("r")),
                [{"s": s, "r": r} for s, r in records.select("subject_id", "id").iter_rows()])

    def digest(self, name: str) -> str | None:
        return self.connection.execute(
            select(publication_state.c.digest).where(publication_state.c.name == name)).scalar_one_or_none()

    def set_digest(self, name: str, digest: str, at: datetime) -> None:
        done = self.connection.execute(update(publication_state).where(publication_state.c.name == name)
                                       .values(digest=digest, refreshed_at=at))
        if not done.rowcount:
            self.connection.execute(insert(publication_state).values(name=name, digest=digest, refreshed_at=at))

    # --- reading ---------------------------------------------------------------------------------
    def _keys(self, spec: ListingFilter, day: date) -> Select[Any]:
        """The listing's rows from the windows alone: one index range of ``record_publication``."""
        p = record_publication.c
        query = (select(p.subject_id, p.record_id, p.subject_type, p.public_from, p.public_until, p.severity)
                 .where(p.info_class.in_(spec.info_classes), window_holds(day)))
        if spec.department_id is not None:
            query = query.where(p.department_id == spec.department_id)
        if spec.date_from is not None:
            query = query.where(p.decision_date >= spec.date_from)
        if spec.date_to is not None:
            query = query.where(p.decision_date <= spec.date_to)
        if spec.category:
            query = query.where(p.category == spec.category)
        return query.order_by(p.decision_date.desc(), p.record_id.desc())

    def _hydrate(self, keys: Sequence[Any]) -> list[Listed]:
        """The records and subjects of some listing rows, in their order. The record must still be the
        current, active, publicly open version: a window whose record changed without a refresh is
        skipped (every write path refreshes, so this is a safeguard, not the rule)."""
        # By subject (one range of the primary key each, a handful of records): row values cannot be
        # looked up by index on SQLite, and two IN lists probe every combination. Records of those
        # subjects that are not in the listing are never asked for below.
        found: dict[tuple[int, int], Any] = {}
        for start in range(0, len(keys), _HYDRATE_CHUNK):
            chunk = keys[start:start + _HYDRATE_CHUNK]
            query = (select(*_LISTED_COLUMNS, subject.c.name.label("subject_name"), subject.c.canonical_id)
                     .join(subject, subject.c.id == credit_record.c.subject_id)
                     .where(credit_record.c.subject_id.in_({k.subject_id for k in chunk}),
                            credit_record.c.status == RecordStatus.ACTIVE.value,
                            credit_record.c.openness == Openness.PUBLIC.value,
                            credit_record.c.superseded_by.is_(None)))
            found.update({(r.subject_id, r.id): r for r in self.connection.execute(query)})
        listed = []
        for key in keys:
            row = found.get((key.subject_id, key.record_id))
            if row is not None:
                listed.append(Listed(record_from_row(row), row.subject_name, key.subject_type, row.canonical_id,
                                     key.public_from, key.public_until, key.severity))
        return listed

    def public_of_subject(self, subject_id: int, day: date) -> list[Shown]:
        return [Shown(record_from_row(r), r.public_from, r.public_until, r.severity, r.repairable, r.repair_from,
                      bool(r.objection_pending))
                for r in self.connection.execute(_OF_SUBJECT, {"subject_id": subject_id, "day": day})]

    def listing(self, spec: ListingFilter, day: date, limit: int, offset: int = 0) -> list[Listed]:
        keys = self.connection.execute(self._keys(spec, day).limit(limit).offset(offset)).all()
        return self._hydrate(keys)

    def iter_listing(self, spec: ListingFilter, day: date, limit: int) -> Iterator[Listed]:
        keys = self.connection.execute(self._keys(spec, day).limit(limit)).all()
        for start in range(0, len(keys), 2000):
            yield from self._hydrate(keys[start:start + 2000])

    def public_ids(self, info_classes: Iterable[str], day: date) -> set[tuple[int, int]]:
        """(subject, record) of everything the listings show on ``day`` in some classes (tests compare
        this with the rules)."""
        keys = self.connection.execute(self._keys(ListingFilter(tuple(info_classes)), day)).all()
        return {(r.record.subject_id, r.record.id) for r in self._hydrate(keys)}

    def counts_by_class(self, day: date) -> dict[str, int]:
        p = record_publication.c
        query = select(p.info_class, func.count()).where(window_holds(day)).group_by(p.info_class)
        return {c: n for c, n in self.connection.execute(query)}
