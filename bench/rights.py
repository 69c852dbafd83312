"""Benchmark of the subjects' rights queries that run on every page or every day, each beside a baseline
measured in the same run on the same database:

- the portal's "异议处理中" flag for one page of 50 records (``pending_objection_record_ids``) vs. the bare
  primary-key look-up of 50 case rows;
- the overdue-case query (``repairs.cases(overdue=True)``) vs. ``SELECT count(*)`` over all cases;
- a reminder run (``repairs.remind``) over the due cases vs. only fetching them (``due_by``).

    python bench/rights.py [--cases 50000] [--due 2000]

SQLite in a temporary directory (the benchmark's own database); PostgreSQL is not measured here.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from xinyong.adapters.notifier import LogNotifier
from xinyong.adapters.tables import rights_case
from xinyong.bootstrap import bootstrap
from xinyong.clock import FixedClock
from xinyong.domain.accounts import system_actor
from xinyong.services import objections, repairs
from xinyong.services.setup import initialise
from xinyong.settings import Settings

NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
TODAY = date(2026, 6, 15)


def timed(function: Callable[[], object], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--due", type=int, default=2_000)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="xinyong_bench_rights_"))
    platform = bootstrap(Settings(data_dir=directory, database_url=f"sqlite:///{directory / 'bench.db'}",
                                  argon2_time_cost=1, argon2_memory_kib=8192, secret_key="b" * 40),
                         clock=FixedClock(NOW))
    initialise(platform)
    rng = random.Random(1)
    rows = []
    for n in range(args.cases):
        due = TODAY + timedelta(days=rng.randint(1, 30)) if n >= args.due else TODAY - timedelta(days=rng.randint(0, 5))
        rows.append({"case_no": f"YY{n:014d}", "kind": "objection" if n % 2 else "repair", "query_code_hash": "x" * 64,
                     "status": "accepted" if n % 3 else "submitted", "subject_id": n + 1, "record_id": n + 1,
                     "department_id": 1 + n % 20, "procedure": "ndrc_order_36_2026", "applicant_name": "a",
                     "applicant_contact": "b", "applicant_is_subject": True, "submitted_on": TODAY - timedelta(10),
                     "submitted_at": NOW, "step_since": TODAY - timedelta(5), "due_on": due})
    with platform.engine.begin() as connection:
        connection.execute(insert(rights_case), rows)
    print(f"{args.cases:,} open cases, {args.due:,} of them due by today (SQLite)")
    page = [rng.randint(1, args.cases) for _ in range(50)]
    actor = system_actor("bench")
    with platform.uow(actor) as uow:
        flag = timed(lambda: objections.pending_objection_record_ids(uow, page), 200)
        base = timed(lambda: uow.connection.execute(
            select(rights_case.c.id).where(rights_case.c.id.in_(page))).all(), 200)
        print(f"异议处理中 flag, 50 records:   {flag:8.3f} ms   baseline PK look-up of 50 rows: {base:8.3f} ms")
        overdue = timed(lambda: repairs.cases(uow, overdue=True, limit=500), 20)
        count = timed(lambda: uow.connection.execute(select(func.count()).select_from(rights_case)).scalar(), 20)
        print(f"overdue cases (first 500):     {overdue:8.3f} ms   baseline count(*) of all cases:  {count:8.3f} ms")
        fetch = timed(lambda: repairs.repository(uow).due_by(TODAY + timedelta(days=1)), 5)
    with platform.uow(actor) as uow:
        started = time.perf_counter()
        run = repairs.remind(uow, repairs.rules_of(platform, uow), LogNotifier())
        remind = (time.perf_counter() - started) * 1000
    print(f"reminder run:                  {remind:8.1f} ms   baseline fetching the due cases: {fetch:8.1f} ms"
          f"   ({len(run.reminded)} reminded, {len(run.escalated)} escalated)")


if __name__ == "__main__":
    main()
