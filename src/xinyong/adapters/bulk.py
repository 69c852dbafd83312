"""Bulk writers: many rows per round trip, for collection, the demo city and benchmarks.

SQLite gets one ``executemany`` of a plain INSERT per chunk on the driver connection; PostgreSQL gets
``COPY … FROM STDIN`` through psycopg, its text produced by polars' CSV writer. Both run inside the
caller's SQLAlchemy transaction. Rows come as a polars frame (or column-wise); timestamps are already in
the database's text form (``timestamp_text``), dates and decimals are sent as ISO/plain text.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Connection, Engine, Table, event, inspect

from xinyong.adapters.ids import allocate
from xinyong.adapters.repositories.names import gram_frame
from xinyong.adapters.tables import credit_record, subject, subject_gram, subject_identifier, subject_name
from xinyong.demo.generate import received_at, subject_identifiers
from xinyong.demo.model import SUBJECT_TYPES, RecordBatch, SubjectBatch, iso

CHUNK = 50_000
COPY_SLICE = 4_000  # rows per piece of COPY text (about 3 MiB for records)
SQLITE_CACHE_KIB = 196_608  # page cache while bulk-writing to SQLite (index pages stay in memory)
_COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))

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


def bulk_transaction(connection: Connection) -> None:
    """Settings for bulk work in the caller's transaction. PostgreSQL: no JIT compilation; the cost
    estimates of key-set look-ups (LATERAL joins over tens of thousands of keys) exceed its thresholds,
    and compiling takes about a second per query for plans that only probe indexes."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")


def bulk_insert(connection: Connection, table: Table, columns: Sequence[str], data: Sequence[Column]) -> int:
    """Insert rows given column-wise (equal lengths; ``None`` is NULL); returns the number of rows."""
    return bulk_insert_frame(connection, table, pl.DataFrame(
        {name: c.tolist() if isinstance(c, np.ndarray) and c.dtype == object else c
         for name, c in zip(columns, data, strict=True)}, strict=False))


def bulk_insert_frame(connection: Connection, table: Table, frame: pl.DataFrame) -> int:
    """Insert the rows of ``frame`` (its column names are the table's); returns the number of rows.

    Dates and decimals go as ISO/plain text, strings as they are; nulls are NULL. The rows go in the order
    of the table's primary key when the frame has it: consecutive rows then land in the same index pages
    (fewer pages touched and logged than in arrival order, which is random for most keys)."""
    behind: _CopyBehind | None = connection.info.get(_BEHIND)
    if behind is not None:
        behind.submit(table, frame)
        return frame.height
    frame = _prepared(table, frame)
    with _bulk_cache(connection):
        if connection.dialect.name == "postgresql":
            _copy(connection, table, frame)
        else:
            for start in range(0, frame.height, CHUNK):
                _executemany(connection, table, frame.slice(start, CHUNK))
    return frame.height


def _prepared(table: Table, frame: pl.DataFrame) -> pl.DataFrame:
    key = [column.name for column in table.primary_key.columns]
    if frame.height > 1 and key and set(key) <= set(frame.columns):
        frame = frame.sort(key)
    return frame.with_columns(pl.col(pl.Date, pl.Decimal).cast(pl.String))


_BEHIND = "xinyong_copy_behind"


class _CopyBehind:
    """The COPYs of one connection, run in submission order by one worker thread."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="xinyong-copy")
        self.pending: list[Future[None]] = []

    def submit(self, table: Table, frame: pl.DataFrame) -> None:
        if frame.height:
            self.pending.append(self.pool.submit(self._copy, table, frame))

    def _copy(self, table: Table, frame: pl.DataFrame) -> None:
        _copy(self.connection, table, _prepared(table, frame))

    def wait(self) -> None:
        """Until every COPY submitted so far has run; raises the first one's error."""
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    def before_statement(self, *_: object) -> None:
        self.wait()


@contextmanager
def copy_behind(connection: Connection) -> Iterator[None]:
    """Inside the block, on PostgreSQL, ``bulk_insert_frame`` hands its COPY to a worker thread and returns:
    the caller prepares its next rows while the server stores these. Same connection, same transaction,
    same order: any other statement on the connection first waits for the COPYs before it (so it sees what
    they wrote, and a failed COPY's error is raised there), and so does the end of the block. Elsewhere the
    block changes nothing."""
    if connection.dialect.name != "postgresql" or _BEHIND in connection.info:
        yield
        return
    behind = _CopyBehind(connection)
    connection.info[_BEHIND] = behind
    event.listen(connection, "before_cursor_execute", behind.before_statement)
    try:
        yield
        behind.wait()
    finally:
        event.remove(connection, "before_cursor_execute", behind.before_statement)
        del connection.info[_BEHIND]
        behind.pool.shutdown(wait=True, cancel_futures=True)  # on an error: nothing still writing at the rollback


def _executemany(connection: Connection, table: Table, frame: pl.DataFrame) -> None:
    names = ", ".join(frame.columns)  # table and column names come from the schema, never from input
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({', '.join('?' * frame.width)})"  # noqa: S608
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, frame.iter_rows())
    finally:
        cursor.close()


def copy_text(frame: pl.DataFrame) -> bytes:
    """The rows in COPY's text format (tab-separated, ``\\N`` for NULL, backslash escapes), built by
    polars' CSV writer, not cell by cell in Python."""
    strings = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    special = frame.select(pl.col(strings).str.contains(r"[\\\t\n\r]").any()).row(0) if strings else ()
    escaped = []
    for name, found in zip(strings, special, strict=True):
        if found:
            column = pl.col(name)
            for character, escape in _COPY_ESCAPES:
                column = column.str.replace_all(character, escape, literal=True)
            escaped.append(column)
    buffer = io.BytesIO()
    frame.with_columns(escaped).write_csv(buffer, separator="\t", quote_style="never", null_value="\\N",
                                          include_header=False, line_terminator="\n")
    return buffer.getvalue()


def _copy(connection: Connection, table: Table, frame: pl.DataFrame) -> None:
    """COPY in slices of ``COPY_SLICE`` rows, sent by psycopg's writer thread: the text of the next slice is
    made while the server stores the previous one."""
    if frame.height == 0:
        return
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor:  # type: ignore[union-attr]
        statement = f"COPY {table.name} ({', '.join(frame.columns)}) FROM STDIN"
        with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            for start in range(0, frame.height, COPY_SLICE):
                copy.write(copy_text(frame.slice(start, COPY_SLICE)))


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
    """Subjects, their identifiers, name histories and name index; returns the database id of each local
    subject."""
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
    bulk_insert_frame(connection, subject_gram, gram_frame(pl.DataFrame(
        {"subject_id": ids, "name": batch.name.tolist(), "subject_type": _types(batch).tolist()})))
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
