"""The single check's reads and writes on PostgreSQL, on the event loop, through psycopg directly.

A check sits on other departments' hot paths (a licence counter, a procurement system). Through the
general path (a SQLAlchemy unit of work in the thread pool) one costs about 1.7 ms of server CPU, most of
it thread trips and SQLAlchemy's per-statement work; here about 0.5 ms. The read is the repositories' own
SQLAlchemy statements, compiled once for PostgreSQL (so each query has one definition) and combined into
one statement: the caller's token, the subject, its entries in force and the records behind them, in one
round trip, prepared, through psycopg's async pool. Checks are written by ``CheckStore``'s group-commit
writer.

SQLite has no such path: there the general one serves every check.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import (
    BigInteger,
    ClauseElement,
    Select,
    Table,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.engine import make_url
from sqlalchemy.types import ARRAY

from xinyong.adapters.jsontext import dumps
from xinyong.adapters.repositories.accounts import TOKEN_WITH_USER
from xinyong.adapters.repositories.lists import SUBJECT_WITH_ENTRIES, summaries_of_subject
from xinyong.adapters.tables import api_token, audit_log, credit_check, credit_record

_DIALECT = postgresql.psycopg.dialect()  # type: ignore[attr-defined]
# Numbered placeholders ($1, $2, …) as PostgreSQL takes them (only the dialect's compiler is used, not its
# driver): psycopg converts %(name)s placeholders on every execution of a statement over 4 kB.
_NUMBERED = postgresql.asyncpg.dialect()  # type: ignore[attr-defined]


class StoreUnavailable(Exception):
    """The database did not answer (down, restarting, or every connection busy past the timeout)."""


def _compiled(statement: ClauseElement, columns: Sequence[str] | None = None) -> tuple[str, dict[str, Any]]:
    """The statement's PostgreSQL text, and the values SQLAlchemy bound into it (literals in the query)."""
    compiled = statement.compile(dialect=_DIALECT, column_keys=list(columns) if columns else None)
    return str(compiled), {k: v for k, v in compiled.params.items() if v is not None}


_TOKEN_SQL, _ = _compiled(TOKEN_WITH_USER)


def _caller_subject_and_records() -> Select[Any]:
    """The caller, the subject and the records behind its hits in one statement: the token's rows (one per
    role) joined to the subject's (one per entry in force and record behind it; a record is an entry's own
    ``record_id``, else one of its ``evidence``), a handful of rows, told apart again by their prefixes."""
    token = TOKEN_WITH_USER.subquery("t")
    entries = SUBJECT_WITH_ENTRIES.order_by(None).subquery("e")
    evidence = func.json_array_elements_text(entries.c.evidence).table_valued("value")
    ids = case((entries.c.record_id.is_not(None), array([entries.c.record_id])),
               else_=select(func.array_agg(cast(evidence.c.value, BigInteger))).scalar_subquery())
    behind = and_(entries.c.id.is_not(None), credit_record.c.id == any_(ids))
    # OFFSET 0 keeps the lateral a per-entry index look-up: flattened into the join, it can become a scan
    # of every record when the planner misjudges the entries (e.g. before statistics are gathered).
    records = summaries_of_subject(entries.c.subject_key, behind).offset(0).lateral("r")
    both = entries.outerjoin(records, true())
    return (select(*(c.label(f"t_{c.name}") for c in token.c), *(c.label(f"s_{c.name}") for c in entries.c),
                   *(c.label(f"r_{c.name}") for c in records.c))
            .select_from(token.outerjoin(both, true())).order_by(entries.c.id, records.c.id))


def _numbered(statement: ClauseElement) -> tuple[str, list[str], dict[str, Any]]:
    """The statement's text with numbered placeholders, the names of its parameters in their order, and
    the values SQLAlchemy bound into it."""
    compiled = statement.compile(dialect=_NUMBERED)
    return str(compiled), list(compiled.positiontup or ()), {k: v for k, v in compiled.params.items() if v is not None}


_ALL_SQL, _ALL_ORDER, _ALL_LITERALS = _numbered(_caller_subject_and_records())


def _insert_many(table: Table, returning: str | None = None) -> str:
    """``INSERT`` of any number of rows in one prepared statement, the rows given as one JSON array of
    objects (``%(rows)s``; one orjson call makes it, and the server parses it in C). Rows are inserted,
    and ids drawn, in the array's order."""
    columns = [c for c in table.columns if not c.primary_key]
    names = ", ".join(c.name for c in columns)
    types = ", ".join(f"{c.name} {c.type.compile(_DIALECT)}" for c in columns)
    # Names and types from the table's definition; the rows are one bound value:
    sql = f"INSERT INTO {table.name} ({names}) SELECT {names} FROM json_to_recordset(%(rows)s::json) AS x({types})"  # noqa: S608
    return sql + (f" RETURNING {returning}" if returning else "")


_ADD_CHECKS_SQL = _insert_many(credit_check, "id")
_ADD_AUDIT_SQL = _insert_many(audit_log)
_TOUCH_SQL, _ = _compiled(update(api_token).values(last_used_at=bindparam("at"))
                          .where(api_token.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger)))))


def _rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {"rows": dumps(list(rows)).decode()}


@dataclass
class _Waiting:
    check: Mapping[str, Any]
    audit: list[dict[str, Any]]
    touch: tuple[int, datetime] | None
    stored: asyncio.Future[int]


class CheckSession:
    """One pooled connection for the length of one check."""

    def __init__(self, connection: psycopg.AsyncConnection[dict[str, Any]]) -> None:
        self.connection = connection

    async def caller_and_subject(self, token_hash: str, key: tuple[str, str] | None, on: date) -> tuple[
            list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """The rows of the token with its user and roles; of the subject ``key`` (id type, value) names
        with its entries in force ``on``; and of the records behind those entries (none without a key):
        one round trip."""
        if key is None:
            cursor = await self.connection.execute(_TOKEN_SQL, {"token_hash": token_hash}, prepare=True)
            return await cursor.fetchall(), [], []
        given = {**_ALL_LITERALS, "token_hash": token_hash, "id_type": key[0], "value": key[1], "on": on}
        cursor = psycopg.AsyncRawCursor(self.connection, row_factory=dict_row)
        await cursor.execute(_ALL_SQL, [given[name] for name in _ALL_ORDER], prepare=True)
        found: dict[str, dict[Any, dict[str, Any]]] = {"t": {}, "s": {}, "r": {}}
        for row in await cursor.fetchall():
            for prefix, key_column, kept in (("t", "t_role", True), ("s", "s_id", row["s_subject_key"] is not None),
                                            ("r", "r_id", row["r_id"] is not None)):
                if kept and row[key_column] not in found[prefix]:
                    found[prefix][row[key_column]] = {k[2:]: v for k, v in row.items() if k[0] == prefix}
        return list(found["t"].values()), list(found["s"].values()), list(found["r"].values())


class CheckStore:
    """A pool of PostgreSQL connections for checks, opened and closed with the serving process, and the
    process's writer of checks.

    Checks are stored in groups (group commit): each check waits until its row is committed, while the
    checks that arrive meanwhile gather for the next group; a group is one ``INSERT`` of all its rows,
    with their audit entries and tokens' last use, in one transaction. Under load a process stores tens of
    checks per statement; alone, a check is stored at once. If a group cannot be stored, each of its
    checks fails (``StoreUnavailable``): no answer is given that is not stored."""

    def __init__(self, database_url: str, size: int, timeout: float = 5.0) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.pool: AsyncConnectionPool[psycopg.AsyncConnection[dict[str, Any]]] = AsyncConnectionPool(
            url.render_as_string(hide_password=False), min_size=size, max_size=size, timeout=timeout, open=False,
            # No JIT: it pays only for long queries; compiling a look-up costs more than running it.
            kwargs={"autocommit": True, "row_factory": dict_row, "options": "-c jit=off"})
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None

    async def open(self) -> None:
        await self.pool.open()

    async def close(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)
        await self.pool.close()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[CheckSession]:
        try:
            async with self.pool.connection() as connection:
                yield CheckSession(connection)
        except psycopg.Error as exc:  # the pool's own errors (closed, timed out) are psycopg errors too
            raise StoreUnavailable() from exc

    async def store(self, check: Mapping[str, Any], audit: list[dict[str, Any]],
                    touch: tuple[int, datetime] | None) -> int:
        """Store a check (with its audit entries, and the token's last use: id, when) and return its id,
        once committed."""
        waiting = _Waiting(check, audit, touch, asyncio.get_running_loop().create_future())
        self._waiting.append(waiting)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write())
        return await waiting.stored

    async def _write(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                ids = await self._insert(group)
            except psycopg.Error as exc:
                for waiting in group:
                    if not waiting.stored.done():
                        waiting.stored.set_exception(StoreUnavailable(str(exc)))
                continue
            for waiting, check_id in zip(group, ids, strict=True):
                if not waiting.stored.done():  # its request may have been cancelled meanwhile
                    waiting.stored.set_result(check_id)

    async def _insert(self, group: list[_Waiting]) -> list[int]:
        audit = [row for w in group for row in w.audit]
        touched = {w.touch[0]: w.touch[1] for w in group if w.touch is not None}
        async with self.pool.connection() as connection, connection.transaction():
            cursor = await connection.execute(_ADD_CHECKS_SQL, _rows([w.check for w in group]), prepare=True)
            ids = sorted(row["id"] for row in await cursor.fetchall())  # drawn in the rows' order
            if audit:
                await connection.execute(_ADD_AUDIT_SQL, _rows(audit), prepare=True)
            if touched:
                await connection.execute(_TOUCH_SQL, {"at": max(touched.values()), "ids": list(touched)},
                                         prepare=True)
        return ids
