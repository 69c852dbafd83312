"""Benchmark of the check service (``POST /api/v1/checks``) on PostgreSQL.

    python bench/checks.py [--subjects 500000] [--records 2000000] [--entries 1000000] [--batch 100000]
                           [--duration 20] [--connections 32] [--workers 2]

1. Builds the demo city (subjects and records, bulk-written), turns its list records into entries
   (``services.lists.sync_from_records``, timed), then tops the lists up with synthetic entries on random
   subjects (COPY) until there are ``--entries`` entries, some expired, some exited.
2. Serves the application with uvicorn (``--workers``) and runs wrk against ``POST /api/v1/checks``
   (single checks of random identifiers, listed or not, for random matters, with a ``checks:run``
   token) and against ``GET /api/v1/health`` in the same run: requests/s and p99 of each; then the same
   checks served the general way (``XINYONG_CHECK_CONNECTIONS=0``: a unit of work in the thread pool).
3. A batch check of ``--batch`` subjects over HTTP (wall time, answer stored), beside the naive way:
   one look-up of subject and entries per subject (``services.checks.naive_batch``), timed on the first
   ``--naive`` subjects of the same batch (the time per subject, and the whole batch at that rate).

With ``--city``, step 1 keeps an existing demo city (e.g. bench/portal.py's 10M-record one) and only tops up
its entries.

PostgreSQL: ``XINYONG_BENCH_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/xinyong_bench_lists);
the database is emptied first, and only when its name contains "bench".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from benchdb import empty_database
from httpbench import serve, wrk
from xinyong.adapters.bulk import bulk_insert, timestamp_text
from xinyong.adapters.tables import list_entry, subject
from xinyong.bootstrap import Platform, bootstrap
from xinyong.domain.accounts import Actor, Role, system_actor
from xinyong.services import accounts, checks, lists
from xinyong.services.checks import SubjectQuery
from xinyong.services.demo import build_demo
from xinyong.services.setup import initialise
from xinyong.settings import Settings

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/xinyong_bench_lists"
LISTS = ("serious_dishonesty", "judgment_debtor", "abnormal_operation", "key_attention", "red")
MATTERS = ("government_procurement", "bidding", "fiscal_funds", "honours", "licensing", "civil_servant_recruitment")
WRK_SCRIPT = """
local identifiers = {%s}
local matters = {%s}
local token = "%s"
local counter = 0
request = function()
  counter = counter + 1
  local pick = identifiers[math.random(#identifiers)]
  local matter = matters[math.random(#matters)]
  local body = '{"matter":"' .. matter .. '","subject":{"id_type":"' .. pick[1] ..
               '","identifier":"' .. pick[2] .. '"}}'
  return wrk.format("POST", "/api/v1/checks", {["Content-Type"] = "application/json",
                    ["Authorization"] = "Bearer " .. token}, body)
end
"""


def _database(url: str) -> str:
    if not re.search(r"bench", make_url(url).database or ""):
        sys.exit(f"refusing to empty {make_url(url).database!r}: its name does not say it is for benchmarks")
    empty_database(url)
    return url


def _settings(data_dir: Path, url: str) -> Settings:
    return Settings(data_dir=data_dir, database_url=url, argon2_time_cost=1, argon2_memory_kib=8192,
                    secret_key="b" * 40)


def top_up_entries(platform: Platform, wanted: int, seed: int) -> int:
    """Synthetic entries on random subjects (one per subject and list) until there are ``wanted``."""
    rng = np.random.default_rng(seed)
    today = platform.clock.today()
    with platform.engine.begin() as connection:
        have = connection.execute(select(func.count()).select_from(list_entry)).scalar_one()
        missing = wanted - have
        if missing <= 0:
            return 0
        ids = np.array(connection.execute(select(subject.c.id)).scalars().all(), dtype=np.int64)
        taken = set(connection.execute(select(list_entry.c.subject_id, list_entry.c.list_code)).all())
        slots = len(ids) * len(LISTS)
        if missing > slots - len(taken):
            sys.exit(f"{missing} more entries do not fit on {len(ids)} subjects × {len(LISTS)} lists")
        chosen = rng.choice(slots, size=min(slots, int(missing * 1.2) + len(taken) + 10), replace=False)
        pairs = [(int(ids[c // len(LISTS)]), LISTS[c % len(LISTS)]) for c in chosen.tolist()]
        pairs = [p for p in pairs if p not in taken][:missing]
        n = len(pairs)
        entry_days = rng.integers(0, 5 * 365, n)
        entry = [(today - timedelta(days=int(d))).isoformat() for d in entry_days]
        valid = [(today - timedelta(days=int(d)) + timedelta(days=3 * 365)).isoformat() for d in entry_days]
        status = np.where(rng.random(n) < 0.05, "exited", "listed")
        ended = [(today - timedelta(days=1)).isoformat() if s == "exited" else None for s in status.tolist()]
        stamp = timestamp_text(connection, platform.clock.now())
        bulk_insert(connection, list_entry, (
            "list_code", "subject_id", "status", "entry_date", "valid_to", "ended_on", "reason", "authority_name",
            "doc_number", "source", "expiry_notified", "created_at", "created_by"), [
            [p[1] for p in pairs], [p[0] for p in pairs], status.tolist(), entry, valid, ended,
            ["（基准测试）严重违法失信行为"] * n, ["扬州市市场监督管理局"] * n,
            [f"扬基准〔2026〕{i}号" for i in range(n)], ["manual"] * n, ["f"] * n, [stamp] * n, ["bench"] * n])
        connection.execute(text("ANALYZE list_entry"))
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=500_000)
    parser.add_argument("--records", type=int, default=2_000_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--naive", type=int, default=10_000,
                        help="subjects of the batch the naive loop is timed on (the whole batch takes many minutes "
                             "at 10M records; the per-subject rate and the batch at that rate are printed)")
    parser.add_argument("--reuse", action="store_true", help="keep the database of a previous run")
    parser.add_argument("--single-only", action="store_true",
                        help="only the single checks over HTTP (a quick run; no health, batch or general path)")
    parser.add_argument("--city", action="store_true",
                        help="XINYONG_BENCH_POSTGRES_URL names an existing demo city (e.g. bench/portal.py's): "
                             "keep it, only top its lists up to --entries")
    args = parser.parse_args()
    url = os.environ.get("XINYONG_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    data_dir = Path(tempfile.mkdtemp(prefix="xinyong-bench-lists-"))
    figures: dict[str, object] = {}
    build = not (args.reuse or args.city)
    if build:
        _database(url)
    platform = bootstrap(_settings(data_dir, url))
    if build:
        initialise(platform)
        started = time.perf_counter()
        summary = build_demo(platform, seed=args.seed, subjects=args.subjects, records=args.records,
                             progress=print)
        figures["build_seconds"] = round(time.perf_counter() - started, 1)
        figures["entries_from_records"] = summary.list_entries
    if not args.reuse:
        started = time.perf_counter()
        figures["synthetic_entries"] = top_up_entries(platform, args.entries, args.seed)
        figures["top_up_seconds"] = round(time.perf_counter() - started, 1)
        _bench_user(platform)
    with platform.engine.connect() as connection:
        figures["subjects"] = connection.execute(select(func.count()).select_from(subject)).scalar_one()
        figures["records"] = connection.execute(text("SELECT count(*) FROM credit_record")).scalar_one()
        figures["entries"] = connection.execute(select(func.count()).select_from(list_entry)).scalar_one()
        listed = connection.execute(text(
            "SELECT s.canonical_id_type, s.canonical_id FROM list_entry e JOIN subject s ON s.id = e.subject_id "
            "WHERE e.status = 'listed' ORDER BY random() LIMIT 5000")).all()
        everyone = connection.execute(text(
            "SELECT canonical_id_type, canonical_id FROM subject ORDER BY random() LIMIT :n"),
            {"n": args.batch}).all()
    with platform.uow(system_actor("bench")) as uow:
        secret, _ = accounts.issue_token(uow, "bench_system", "bench", ["checks:run"], 30)

    identifiers = list(dict.fromkeys([*listed, *everyone[:5000]]))
    random.Random(args.seed).shuffle(identifiers)
    script = data_dir / "checks.lua"
    pairs = ",".join(f"{{{json.dumps(t)},{json.dumps(v)}}}" for t, v in identifiers)
    script.write_text(WRK_SCRIPT % (pairs, ",".join(json.dumps(m) for m in MATTERS), secret))
    if args.single_only:
        with serve(url, data_dir, args.workers) as server:
            wrk(server, "/api/v1/checks", 3, args.connections, script)  # warm-up
            print(wrk(server, "/api/v1/checks", args.duration, args.connections, script).line("single check"))
        return
    with serve(url, data_dir, args.workers) as server:
        headers = {"Authorization": f"Bearer {secret}"}
        sample = httpx.post(f"{server.base}/api/v1/checks", headers=headers, timeout=30, json={
            "matter": "government_procurement", "subject": {"id_type": listed[0][0], "identifier": listed[0][1]}})
        assert sample.status_code == 200, sample.text
        wrk(server, "/api/v1/health", 3, args.connections)  # warm-up
        health = wrk(server, "/api/v1/health", args.duration, args.connections)
        wrk(server, "/api/v1/checks", 3, args.connections, script)  # warm-up
        single = wrk(server, "/api/v1/checks", args.duration, args.connections, script)
        figures["health"] = asdict(health)
        figures["single_check"] = asdict(single)

        body = {"matter": "government_procurement", "subjects": [{"id_type": t, "identifier": v} for t, v in everyone]}
        started = time.perf_counter()
        answer = httpx.post(f"{server.base}/api/v1/checks", headers=headers, json=body, timeout=600)
        batch_seconds = time.perf_counter() - started
        assert answer.status_code == 200, answer.text[:500]
        summary_out = answer.json()["summary"]
        figures["batch_http"] = {"subjects": len(everyone), "seconds": round(batch_seconds, 2),
                                 "actions": summary_out["actions"], "errors": summary_out["errors"]}

    # The same checks the general way (a unit of work in the thread pool), as SQLite and batches are served.
    with serve(url, data_dir, args.workers, check_connections="0") as server:
        wrk(server, "/api/v1/checks", 3, args.connections, script)  # warm-up
        general = wrk(server, "/api/v1/checks", args.duration, args.connections, script)
    figures["single_check_general_path"] = asdict(general)
    print(f"wrk, {args.connections} connections, {args.duration} s each, {args.workers} uvicorn workers:")
    print(health.line("health (baseline)"))
    print(single.line("single check"))
    print(general.line("single check, general path"))

    queries = [SubjectQuery(v, t) for t, v in everyone]
    actor = accounts_actor(platform)
    with platform.uow(actor) as uow:
        started = time.perf_counter()
        checks.check_batch(uow, "government_procurement", queries)
        figures["batch_service_seconds"] = round(time.perf_counter() - started, 2)
    sample = queries[:args.naive]
    with platform.uow(actor) as uow:
        started = time.perf_counter()
        hits = checks.naive_batch(uow, "government_procurement", sample)
        seconds = time.perf_counter() - started
    figures["naive_loop"] = {"subjects": len(sample), "seconds": round(seconds, 2), "hits": hits,
                             "ms_per_subject": round(seconds * 1000 / max(len(sample), 1), 2),
                             "at_that_rate_for_the_batch_seconds": round(seconds * len(queries) / max(len(sample), 1))}
    with platform.uow(system_actor("bench")) as uow:
        started = time.perf_counter()
        figures["sync_again"] = lists.sync_from_records(uow)
        figures["sync_again_seconds"] = round(time.perf_counter() - started, 2)
    figures["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    figures["cpus"] = os.cpu_count()
    print(json.dumps(figures, ensure_ascii=False, indent=2))


def _bench_user(platform: Platform) -> None:
    with platform.uow(system_actor("bench")) as uow:
        if uow.accounts.user_by_name("bench_system") is None:
            department = uow.accounts.departments()[0]
            accounts.add_user(uow, platform.passwords, "bench_system", "基准业务系统", "Bench-Passw0rd!",
                              department.uscc)
            accounts.set_roles(uow, "bench_system", {Role.SUBMITTER})


def accounts_actor(platform: Platform) -> Actor:
    with platform.uow(system_actor("bench")) as uow:
        return accounts.actor_for_user(accounts.get_user(uow, "bench_system"), "bench")


if __name__ == "__main__":
    main()
