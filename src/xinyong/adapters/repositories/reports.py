"""SQL of reports, self-service applications, the notification log and batch reviews."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, Select, func, insert, select, text, true, update

from xinyong.adapters.ids import allocate
from xinyong.adapters.keyset import load_keys
from xinyong.adapters.repositories.records import record_from_row
from xinyong.adapters.tables import (
    credit_record,
    credit_report,
    credit_review,
    notification_log,
    report_application,
    subject,
    subject_identifier,
)
from xinyong.domain.records import CreditRecord
from xinyong.domain.subjects import SubjectType

_CHUNK = 500  # SQLite: IN lists of this size
_PERSON_TYPES = [t.value for t in SubjectType if t.is_person]

_REPORT_LIST_COLUMNS = [c for c in credit_report.c if c.name not in ("pdf", "snapshot")]


class ReportRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- reports -------------------------------------------------------------------------------
    def new_report_id(self) -> int:
        return allocate(self.connection, "report", 1)

    def add_report(self, row: dict[str, Any]) -> None:
        self.connection.execute(insert(credit_report), [row])

    def report_by_code(self, code: str) -> dict[str, Any] | None:
        row = self.connection.execute(select(credit_report).where(credit_report.c.code == code)).first()
        return dict(row._mapping) if row else None

    def report(self, report_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(select(credit_report).where(credit_report.c.id == report_id)).first()
        return dict(row._mapping) if row else None

    def report_by_pdf_digest(self, digest: str) -> dict[str, Any] | None:
        row = self.connection.execute(
            select(*_REPORT_LIST_COLUMNS).where(credit_report.c.pdf_sha256 == digest)).first()
        return dict(row._mapping) if row else None

    def reports(self, subject_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        query = select(*_REPORT_LIST_COLUMNS)
        if subject_id is not None:
            query = query.where(credit_report.c.subject_id == subject_id)
        rows = self.connection.execute(query.order_by(credit_report.c.issued_at.desc(), credit_report.c.id.desc())
                                       .limit(limit))
        return [dict(r._mapping) for r in rows]

    def revoke_report(self, report_id: int, at: datetime, reason: str) -> None:
        self.connection.execute(update(credit_report).where(credit_report.c.id == report_id)
                                .values(status="revoked", revoked_at=at, revoked_reason=reason))

    # -- applications --------------------------------------------------------------------------
    def add_application(self, row: dict[str, Any]) -> int:
        result = self.connection.execute(insert(report_application).values(**row))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def application(self, application_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(
            select(report_application).where(report_application.c.id == application_id)).first()
        return dict(row._mapping) if row else None

    def application_by_access(self, access_hash: str) -> dict[str, Any] | None:
        row = self.connection.execute(
            select(report_application).where(report_application.c.access_hash == access_hash)).first()
        return dict(row._mapping) if row else None

    def applications(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(report_application)
        if status:
            query = query.where(report_application.c.status == status)
        rows = self.connection.execute(query.order_by(report_application.c.created_at.desc(),
                                                      report_application.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]

    def decide_application(self, application_id: int, **values: Any) -> None:
        self.connection.execute(update(report_application).where(report_application.c.id == application_id)
                                .values(**values))

    # -- notifications -------------------------------------------------------------------------
    def log_message(self, row: dict[str, Any]) -> None:
        self.connection.execute(insert(notification_log).values(**row))

    def messages(self, application_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(notification_log)
        if application_id is not None:
            query = query.where(notification_log.c.application_id == application_id)
        rows = self.connection.execute(query.order_by(notification_log.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]

    # -- reviews -------------------------------------------------------------------------------
    def add_review(self, row: dict[str, Any]) -> int:
        result = self.connection.execute(insert(credit_review).values(**row))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def review(self, review_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(select(credit_review).where(credit_review.c.id == review_id)).first()
        return dict(row._mapping) if row else None

    def reviews(self, department_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        columns = [c for c in credit_review.c if c.name not in ("inputs", "results")]
        query = select(*columns)
        if department_id is not None:
            query = query.where(credit_review.c.department_id == department_id)
        rows = self.connection.execute(query.order_by(credit_review.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]

    def count_reports(self) -> int:
        return int(self.connection.execute(select(func.count()).select_from(credit_report)).scalar_one())


class ReviewLookups:
    """The look-ups of a batch review, each one query (or one per 500 keys on SQLite) for the whole list."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        if connection.dialect.name == "postgresql":
            # These queries are short index probes; compiling them (JIT) costs more than running them.
            connection.execute(text("SET LOCAL jit = off"))

    def _chunks(self, values: Sequence[Any]) -> Iterator[Sequence[Any]]:
        for start in range(0, len(values), _CHUNK):
            yield values[start:start + _CHUNK]

    def _rows(self, query: Select[Any], column: Any, values: Sequence[Any], key: str) -> Iterator[Any]:
        """Rows of ``query`` whose ``column`` is one of ``values``: a join with the key table on
        PostgreSQL, IN lists on SQLite."""
        if not values:
            return
        if self.connection.dialect.name == "postgresql":
            dtype = pl.Int64 if key == "n" else pl.String
            keys = load_keys(self.connection, pl.DataFrame({key: list(values)}, schema={key: dtype}))
            yield from self.connection.execute(query.join(keys, getattr(keys.c, key) == column))
            return
        for chunk in self._chunks(values):
            yield from self.connection.execute(query.where(column.in_(chunk)))

    def subjects_by_uscc(self, codes: Sequence[str]) -> dict[str, tuple[int, str]]:
        query = (select(subject_identifier.c.value, subject.c.id, subject.c.name)
                 .select_from(subject_identifier.join(subject, subject.c.id == subject_identifier.c.subject_id))
                 .where(subject_identifier.c.id_type == "uscc"))
        return {r.value: (r.id, r.name) for r in self._rows(query, subject_identifier.c.value, codes, "k1")}

    def organisations_by_name(self, names: Sequence[str]) -> dict[str, list[int]]:
        query = select(subject.c.id, subject.c.name).where(subject.c.subject_type.not_in(_PERSON_TYPES))
        found: dict[str, list[int]] = {}
        for row in self._rows(query, subject.c.name, names, "k1"):
            found.setdefault(row.name, []).append(row.id)
        return found

    def organisation_names(self) -> tuple[list[str], list[int]]:
        """Every organisation's current name (for fuzzy matching of names nothing else matched)."""
        rows = self.connection.execute(
            select(subject.c.name, subject.c.id).where(subject.c.subject_type.not_in(_PERSON_TYPES)))
        names, ids = [], []
        for name, subject_id in rows:
            names.append(name)
            ids.append(subject_id)
        return names, ids

    def records_of(self, subject_ids: Sequence[int], classes: Sequence[str]) -> list[CreditRecord]:
        """The current records of these subjects in these classes."""
        wanted = (credit_record.c.info_class.in_(list(classes)), credit_record.c.superseded_by.is_(None))
        if self.connection.dialect.name != "postgresql" or not subject_ids:
            query = select(credit_record).where(*wanted)
            return [record_from_row(r) for r in self._rows(query, credit_record.c.subject_id, subject_ids, "n")]
        # One index probe per subject (a lateral subquery, fenced by OFFSET 0 so that the planner keeps
        # it): each probe touches one partition. A hash join would read every partition's rows of these
        # classes, ten times slower on a 10M-record city.
        keys = load_keys(self.connection, pl.DataFrame({"n": list(subject_ids)}, schema={"n": pl.Int64}))
        probe = select(credit_record).where(credit_record.c.subject_id == keys.c.n, *wanted).offset(0).lateral("r")
        rows = self.connection.execute(select(probe).select_from(keys).join(probe, true()))
        return [record_from_row(r) for r in rows]
