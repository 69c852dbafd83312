"""Bulk writers: many rows per round trip, for the demo city and benchmarks.

SQLite gets one ``executemany`` of a plain INSERT per chunk on the driver connection; PostgreSQL gets
``COPY … FROM STDIN`` through psycopg. Both run inside the caller's SQLAlchemy transaction. Values are
given column-wise and already in the database's text form (ISO dates; timestamps from
``timestamp_text``), so no per-value type processing happens here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, Table, inspect

from xinyong.adapters.ids import allocate
from xinyong.adapters.tables import credit_record, subject, subject_identifier, subject_name
from xinyong.demo.generate import received_at, subject_identifiers
from xinyong.demo.model import SUBJECT_TYPES, RecordBatch, SubjectBatch, iso

CHUNK = 20_000
SQLITE_CACHE_KIB = 262_144  # page cache while bulk-writing to SQLite (index pages stay in memory)
_NULL = "\\N"
_COPY_SPECIALS = ("\\", "\t", "\n", "\r")

Column = Sequence[Any] | np.ndarray


def timestamp_text(connection: Connection, at: datetime) -> str:
    """An aware datetime as the text the timestamp columns hold on this database."""
    utc = at.astimezone(UTC)
    if connection.dialect.name == "postgresql":
        return utc.isoformat(sep=" ")
    return utc.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DATETIME storage format


@contextmanager
def _bulk_cache(connection: Connection) -> Iterator[None]:
    """On SQLite, a large page cache for bulk writes. It stays with the (pooled) connection: it is a limit,
    not an allocation, and resetting it after every block would throw the warm index pages away."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    yield


def bulk_insert(connection: Connection, table: Table, columns: Sequence[str], data: Sequence[Column]) -> int:
    """Insert rows given column-wise (equal lengths; ``None`` is NULL); returns the number of rows."""
    count = len(data[0]) if data else 0
    lists = [c.tolist() if isinstance(c, np.ndarray) else list(c) for c in data]
    with _bulk_cache(connection):
        for start in range(0, count, CHUNK):
            chunk = [c[start : start + CHUNK] for c in lists]
            if connection.dialect.name == "postgresql":
                _copy(connection, table, columns, chunk)
            else:
                _executemany(connection, table, columns, chunk)
    return count


def _executemany(connection: Connection, table: Table, columns: Sequence[str], data: list[list[Any]]) -> None:
    names = ", ".join(columns)  # table and column names come from the schema, never from input
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, zip(*data, strict=True))
    finally:
        cursor.close()


def _copy_text(values: list[Any]) -> list[str]:
    """One column in COPY's text format: ``\\N`` for NULL, backslash escapes only where needed."""
    texts = [v if isinstance(v, str) else _NULL if v is None else str(v) for v in values]
    blob = "\x00".join(v for v in values if isinstance(v, str))
    if any(c in blob for c in _COPY_SPECIALS):
        texts = [_escape(v) if isinstance(v, str) else t for v, t in zip(values, texts, strict=True)]
    return texts


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(connection: Connection, table: Table, columns: Sequence[str], data: list[list[Any]]) -> None:
    text = "".join(f"{line}\n" for line in map("\t".join, zip(*(_copy_text(c) for c in data), strict=True)))
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
            f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(text.encode())


@contextmanager
def deferred_indexes(engine: Engine, table: Table) -> Iterator[list[str]]:
    """Drop ``table``'s secondary indexes for a bulk load and build them again afterwards (also when the
    load fails): sorting once is much faster than maintaining them row by row. For empty tables only."""
    with engine.begin() as connection:
        existing = {ix["name"] for ix in inspect(connection).get_indexes(table.name)}
        dropped = [ix for ix in table.indexes if ix.name in existing]
        for index in dropped:
            index.drop(connection)
    try:
        yield [str(ix.name) for ix in dropped]
    finally:
        with engine.begin() as connection, _bulk_cache(connection):
            for index in dropped:
                index.create(connection)


def write_subjects(connection: Connection, batch: SubjectBatch, at: datetime, source: str = "demo") -> np.ndarray:
    """Subjects, their identifiers and name histories; returns the database id of each local subject."""
    n = len(batch)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ids = allocate(connection, "subject", n) + np.arange(n, dtype=np.int64)
    stamp = timestamp_text(connection, at)
    bulk_insert(connection, subject, ("id", "subject_type", "canonical_id_type", "canonical_id", "name",
                                      "division_code", "created_at", "updated_at"),
                [ids, _types(batch), batch.canonical_type, batch.canonical, batch.name, batch.division,
                 [stamp] * n, [stamp] * n])
    identifiers = list(subject_identifiers(batch))
    bulk_insert(connection, subject_identifier, ("id_type", "value", "subject_id"),
                [[i[1] for i in identifiers], [i[2] for i in identifiers], ids[[i[0] for i in identifiers]]])
    who, since, name, until = batch.name_history()
    bulk_insert(connection, subject_name, ("subject_id", "valid_from", "name", "valid_to", "source"),
                [ids[who], iso(since), name, np.where(until < 0, None, iso(np.maximum(until, 0))), [source] * len(who)])
    return ids


def _types(batch: SubjectBatch) -> np.ndarray:
    return np.array(SUBJECT_TYPES, dtype=object)[batch.kind]  # type: ignore[no-any-return]


RECORD_COLUMNS = ("subject_id", "id", "root_id", "version", "info_class", "classification", "department_id",
                  "status", "sharing", "openness", "doc_number", "decision_date", "valid_from", "valid_to",
                  "category", "amount", "authority_name", "authority_uscc", "content", "extra", "channel",
                  "received_at")


def write_records(connection: Connection, batch: RecordBatch, subject_ids: np.ndarray,
                  department_ids: Sequence[int] | np.ndarray, channel: str = "demo") -> int:
    """Version 1 of each record, active, ids from ``adapters.ids``; received at 10:00 Beijing time."""
    n = len(batch)
    if n == 0:
        return 0
    ids = allocate(connection, "record", n) + np.arange(n, dtype=np.int64)
    days = np.unique(batch.received_day)
    stamps = np.array([timestamp_text(connection, received_at(int(d))) for d in days.tolist()], dtype=object)
    return bulk_insert(connection, credit_record, RECORD_COLUMNS, [
        subject_ids[batch.subject], ids, ids, [1] * n, batch.info_class, batch.classification,
        np.asarray(department_ids, dtype=np.int64)[batch.department], ["active"] * n, batch.sharing, batch.openness,
        batch.doc_number, batch.decision_date, batch.valid_from, batch.valid_to, batch.category, batch.amount,
        batch.authority_name, batch.authority_uscc, batch.content, batch.extra, [channel] * n,
        stamps[np.searchsorted(days, batch.received_day)],
    ])
