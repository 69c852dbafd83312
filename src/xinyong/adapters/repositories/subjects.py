from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, or_, select, update

from xinyong.adapters.ids import allocate
from xinyong.adapters.repositories.names import index_name, reindex_name
from xinyong.adapters.tables import subject, subject_identifier, subject_name
from xinyong.domain.identifiers import IdType
from xinyong.domain.subjects import Identifier, NameChange, Subject, SubjectType

# A subject with its identifiers and names, on every subject page: statements built once.
_SUBJECT = select(subject).where(subject.c.id == bindparam("subject_id"))
_IDENTIFIERS = (select(subject_identifier.c.id_type, subject_identifier.c.value)
                .where(subject_identifier.c.subject_id == bindparam("subject_id"))
                .order_by(subject_identifier.c.id_type))
_NAMES = (select(subject_name.c.name, subject_name.c.valid_from, subject_name.c.valid_to)
          .where(subject_name.c.subject_id == bindparam("subject_id")).order_by(subject_name.c.valid_from))


class SubjectRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def id_by_identifier(self, id_type: IdType, value: str) -> int | None:
        return self.connection.execute(
            select(subject_identifier.c.subject_id).where(
                subject_identifier.c.id_type == id_type.value, subject_identifier.c.value == value
            )
        ).scalar_one_or_none()

    def add(self, subject_type: SubjectType, canonical: Identifier, name: str, division_code: str | None,
            others: list[Identifier], since: date, at: datetime, source: str | None = None) -> int:
        subject_id = allocate(self.connection, "subject")
        self.connection.execute(
            insert(subject).values(
                id=subject_id, subject_type=subject_type.value, canonical_id_type=canonical.id_type.value,
                canonical_id=canonical.value, name=name, division_code=division_code, created_at=at, updated_at=at,
            )
        )
        for identifier in [canonical, *others]:
            self.add_identifier(subject_id, identifier)
        self.connection.execute(
            insert(subject_name).values(subject_id=subject_id, name=name, valid_from=since, source=source)
        )
        if not subject_type.is_person:
            index_name(self.connection, subject_id, name)
        return subject_id

    def add_identifier(self, subject_id: int, identifier: Identifier) -> None:
        self.connection.execute(
            insert(subject_identifier).values(
                subject_id=subject_id, id_type=identifier.id_type.value, value=identifier.value
            )
        )

    def rename(self, subject_id: int, name: str, since: date, at: datetime, source: str | None) -> None:
        """A new current name; the old one closes the day before and stays in the history. The name index
        follows (organisations only)."""
        before = self.connection.execute(
            select(subject.c.name, subject.c.subject_type).where(subject.c.id == subject_id)).one()
        current = self.connection.execute(
            select(subject_name.c.valid_from).where(
                subject_name.c.subject_id == subject_id, subject_name.c.valid_to.is_(None)
            )
        ).scalar_one_or_none()
        same_day = current is not None and current >= since
        if current is not None and not same_day:
            self.connection.execute(
                update(subject_name)
                .where(subject_name.c.subject_id == subject_id, subject_name.c.valid_from == current)
                .values(valid_to=since)
            )
        if same_day:
            self.connection.execute(
                update(subject_name)
                .where(subject_name.c.subject_id == subject_id, subject_name.c.valid_from == current)
                .values(name=name, source=source)
            )
        else:
            self.connection.execute(
                insert(subject_name).values(subject_id=subject_id, name=name, valid_from=since, source=source)
            )
        self.connection.execute(update(subject).where(subject.c.id == subject_id).values(name=name, updated_at=at))
        if not SubjectType(before.subject_type).is_person:
            reindex_name(self.connection, subject_id, before.name, name)

    def get(self, subject_id: int) -> Subject | None:
        row = self.connection.execute(_SUBJECT, {"subject_id": subject_id}).first()
        if row is None:
            return None
        identifiers = [Identifier(IdType(r.id_type), r.value)
                       for r in self.connection.execute(_IDENTIFIERS, {"subject_id": subject_id})]
        names = [NameChange(r.name, r.valid_from, r.valid_to)
                 for r in self.connection.execute(_NAMES, {"subject_id": subject_id})]
        return Subject(
            id=row.id, subject_type=SubjectType(row.subject_type),
            canonical=Identifier(IdType(row.canonical_id_type), row.canonical_id), name=row.name,
            division_code=row.division_code, identifiers=identifiers, names=names,
        )

    def search(self, text: str, types: list[SubjectType] | None, limit: int) -> list[dict[str, Any]]:
        """Subjects whose name contains ``text`` or that carry ``text`` as an identifier."""
        by_id = select(subject_identifier.c.subject_id).where(subject_identifier.c.value == text.upper())
        query = select(subject).where(or_(subject.c.name.contains(text, autoescape=True), subject.c.id.in_(by_id)))
        if types:
            query = query.where(subject.c.subject_type.in_([t.value for t in types]))
        rows = self.connection.execute(query.order_by(subject.c.name).limit(limit))
        return [dict(r._mapping) for r in rows]

    def last_id(self) -> int:
        """The highest subject id (0 with no subjects)."""
        return int(self.connection.execute(select(func.max(subject.c.id))).scalar_one() or 0)

    def counts_by_type(self) -> dict[str, int]:
        rows = self.connection.execute(select(subject.c.subject_type, func.count()).group_by(subject.c.subject_type))
        return {t: n for t, n in rows}

    def iter_with_identifiers(self, batch: int = 5000) -> Iterator[tuple[dict[str, Any], list[tuple[str, str]]]]:
        """Every subject with its identifiers, in id order, a block at a time (constant memory)."""
        last = -1
        while True:
            rows = self.connection.execute(
                select(subject).where(subject.c.id > last).order_by(subject.c.id).limit(batch)
            ).all()
            if not rows:
                return
            ids = [r.id for r in rows]
            identifiers: dict[int, list[tuple[str, str]]] = {}
            for r in self.connection.execute(
                select(subject_identifier).where(subject_identifier.c.subject_id.in_(ids))
                .order_by(subject_identifier.c.id_type)
            ):
                identifiers.setdefault(r.subject_id, []).append((r.id_type, r.value))
            for r in rows:
                yield dict(r._mapping), identifiers.get(r.id, [])
            last = ids[-1]
