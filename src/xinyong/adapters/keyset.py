"""PostgreSQL: a per-connection temporary table of keys, so that a batch's look-ups are one join.

Thousands of ``IN (…)`` lists are slow on PostgreSQL's partitioned tables (and on fresh tables without
statistics); loading the keys once with COPY and probing the indexes from them (a LATERAL join, so the
cost follows the number of keys, never the size of the table) is fast. SQLite keeps IN lists, which it plans
well on its indexes.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import BigInteger, Column, Connection, Executable, MetaData, String, Table, text

from xinyong.adapters.bulk import bulk_insert_frame

batch_keys = Table("batch_keys", MetaData(), Column("k1", String), Column("k2", String), Column("n", BigInteger))

_CREATE = {
    "postgresql": "CREATE TEMP TABLE IF NOT EXISTS batch_keys (k1 text, k2 text, n bigint)",
}


def load_keys(connection: Connection, keys: pl.DataFrame) -> Table:
    """Replace the connection's key set with ``keys`` (columns among k1, k2, n) and return the table to
    join against."""
    connection.execute(text(_CREATE[connection.dialect.name]))
    connection.execute(text("TRUNCATE batch_keys"))
    if keys.height:
        bulk_insert_frame(connection, batch_keys, keys)
    return batch_keys


def fetch_frame(connection: Connection, query: Executable, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``query`` as a frame, taken straight from the driver's cursor: tens of thousands of
    rows per batch, without building a SQLAlchemy row for each. Only for columns that need no type
    conversion by SQLAlchemy (text and integers)."""
    result = connection.execute(query)
    try:
        rows = result.cursor.fetchall()  # type: ignore[attr-defined]
    finally:
        result.close()
    return pl.DataFrame(rows, schema=schema, orient="row")
