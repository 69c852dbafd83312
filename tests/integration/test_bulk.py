"""Bulk writes (COPY text from polars' CSV writer on PostgreSQL, executemany on SQLite) keep every value."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from sqlalchemy import func, select

from xinyong.adapters.bulk import (
    bulk_insert,
    bulk_insert_frame,
    bulk_transaction,
    copy_behind,
    copy_text,
    timestamp_text,
)
from xinyong.adapters.tables import subject, subject_name
from xinyong.bootstrap import Platform

AWKWARD = ["制表\t符", "换\n行", "回\r车", "反斜杠\\N", "\\", "", "引号\"与,逗号", "普通名称"]


def test_copy_text_escapes_only_what_copy_needs() -> None:
    frame = pl.DataFrame({"a": ["x\ty", "a\\b", None, "多\n行"], "b": [1, None, 3, 4], "c": ["p", "q", "", None]})
    assert copy_text(frame).decode() == "x\\ty\t1\tp\na\\\\b\t\\N\tq\n\\N\t3\t\n多\\n行\t4\t\\N\n"


def test_awkward_text_dates_and_nulls_round_trip(platform: Platform) -> None:
    at = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
    n = len(AWKWARD)
    with platform.engine.begin() as connection:
        stamp = timestamp_text(connection, at)
        written = bulk_insert_frame(connection, subject, pl.DataFrame({
            "id": range(1, n + 1), "subject_type": ["enterprise"] * n, "canonical_id_type": ["uscc"] * n,
            "canonical_id": [f"X{i}" for i in range(n)], "name": AWKWARD,
            "division_code": [None if i % 2 else "321002" for i in range(n)],
            "created_at": [stamp] * n, "updated_at": [stamp] * n}))
        bulk_insert(connection, subject_name, ("subject_id", "valid_from", "name", "valid_to", "source"),
                    [list(range(1, n + 1)), [date(2020, 1, i + 1) for i in range(n)], AWKWARD, [None] * n,
                     ["test"] * n])
    assert written == n
    with platform.engine.connect() as connection:
        subjects = connection.execute(select(subject.c.name, subject.c.division_code).order_by(subject.c.id)).all()
        names = connection.execute(select(subject_name.c.name, subject_name.c.valid_from, subject_name.c.valid_to)
                                   .order_by(subject_name.c.subject_id)).all()
    assert [s.name for s in subjects] == AWKWARD
    assert [s.division_code for s in subjects] == [None if i % 2 else "321002" for i in range(n)]
    assert [(r.name, r.valid_from, r.valid_to) for r in names] == [(a, date(2020, 1, i + 1), None)
                                                                   for i, a in enumerate(AWKWARD)]


def test_a_bulk_transaction_compiles_no_plans_and_only_for_itself(platform: Platform) -> None:
    """On PostgreSQL, JIT is off inside the bulk transaction (key-set look-ups would trigger it, at about a
    second of compiling per query) and back to the server's setting after it."""
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("JIT is a PostgreSQL setting")
    with platform.engine.connect() as connection:
        before = connection.exec_driver_sql("SHOW jit").scalar_one()
        connection.rollback()
        with connection.begin():
            bulk_transaction(connection)
            assert connection.exec_driver_sql("SHOW jit").scalar_one() == "off"
        assert connection.exec_driver_sql("SHOW jit").scalar_one() == before


def _subjects(ids: range, stamp: str) -> pl.DataFrame:
    n = len(ids)
    return pl.DataFrame({"id": list(ids), "subject_type": ["enterprise"] * n, "canonical_id_type": ["uscc"] * n,
                         "canonical_id": [f"C{i}" for i in ids], "name": [f"企业{i}" for i in ids],
                         "division_code": [None] * n, "created_at": [stamp] * n, "updated_at": [stamp] * n})


def test_copies_behind_are_seen_by_the_next_statement_in_order(platform: Platform) -> None:
    with platform.engine.begin() as connection, copy_behind(connection):
        stamp = timestamp_text(connection, datetime(2026, 5, 1, tzinfo=UTC))
        for start in range(1, 40_001, 10_000):
            bulk_insert_frame(connection, subject, _subjects(range(start, start + 10_000), stamp))
            # A statement right after the hand-over sees every row handed over so far.
            assert connection.execute(select(func.count()).select_from(subject)).scalar_one() == start + 9_999
        bulk_insert_frame(connection, subject_name, pl.DataFrame({
            "subject_id": [40_000], "valid_from": [date(2026, 5, 1)], "name": ["企业40000"]}))
    with platform.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(subject_name)).scalar_one() == 1


def test_a_failed_copy_behind_fails_the_transaction_and_leaves_nothing(platform: Platform) -> None:
    with pytest.raises(Exception, match=r"uq_subject_canonical|UNIQUE"), platform.engine.begin() as connection, \
            copy_behind(connection):
        stamp = timestamp_text(connection, datetime(2026, 5, 1, tzinfo=UTC))
        bulk_insert_frame(connection, subject, _subjects(range(1, 101), stamp))
        twice = _subjects(range(101, 201), stamp).with_columns(pl.lit("C1").alias("canonical_id"))
        bulk_insert_frame(connection, subject, twice)  # the same canonical identifier again: refused
        bulk_insert_frame(connection, subject, _subjects(range(201, 301), stamp))
    with platform.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(subject)).scalar_one() == 0
