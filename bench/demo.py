"""Benchmark of the demo city: pure generation, end-to-end builds on SQLite and PostgreSQL, and a naive
baseline (Python ``random``, per-row python-stdnum calls, per-row INSERTs) measured in the same run.

    python bench/demo.py [--subjects 200000] [--records 1000000] [--seed 1] [--baseline-rows 20000]

PostgreSQL: ``XINYONG_BENCH_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/xinyong_bench).
The database is created when missing and its ``public`` schema dropped and recreated, but only when its
name says it is for benchmarks or tests (contains "bench" or "test"); otherwise that part is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from stdnum.cn import ric, uscc

from benchdb import empty_database
from xinyong.adapters.ids import allocate
from xinyong.adapters.tables import credit_record, subject, subject_identifier
from xinyong.bootstrap import Platform, bootstrap
from xinyong.demo.city import CITY_CODE, DEPARTMENTS, DISTRICTS
from xinyong.demo.generate import generate
from xinyong.demo.names import INDUSTRIES, SURNAMES, TRADE_CHARS
from xinyong.rules.catalogue_files import load_default_catalogue
from xinyong.services.demo import build_demo
from xinyong.services.setup import initialise
from xinyong.settings import Settings

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/xinyong_bench"


def _platform(data_dir: Path, url: str | None = None) -> Platform:
    return bootstrap(Settings(data_dir=data_dir, database_url=url, argon2_time_cost=1, argon2_memory_kib=8192,
                              secret_key="b" * 40))


def bench_generation(subjects: int, records: int, seed: int) -> float:
    catalogue = load_default_catalogue()
    started = time.perf_counter()
    count = sum(len(batch) for _, batch in generate(catalogue, seed, subjects, records, date.today()))
    seconds = time.perf_counter() - started
    rate = count / seconds
    print(f"generation (pure, numpy):    {count:>10,} records + {subjects:,} subjects in {seconds:6.1f} s "
          f"= {rate:>9,.0f} records/s")
    return rate


def _naive_uscc(rng: random.Random) -> str:
    """What a straightforward generator does: random characters, then ask python-stdnum for the check."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + rng.choice([CITY_CODE, *(d.code for d in DISTRICTS)]) + "".join(rng.choices(alphabet, k=9))
    return body + uscc.calc_check_digit(body + "0")


def _naive_citizen_id(rng: random.Random) -> str:
    while True:  # retry until python-stdnum accepts the area code for the birth year
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
        body = f"{rng.choice(DISTRICTS).history[0]}{born:%Y%m%d}{rng.randrange(1, 1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number


def bench_baseline(rows: int, seed: int, directory: Path) -> tuple[float, float]:
    """Naive generation (records/s) and naive generation + per-row INSERTs (records/s) on SQLite."""
    platform = _platform(directory)
    initialise(platform)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    generated = 0.0
    started = time.perf_counter()
    with platform.engine.begin() as connection:
        subject_id = None
        for i in range(rows):
            tick = time.perf_counter()
            if i % 5 == 0:
                person = rng.random() < 0.17
                code = _naive_citizen_id(rng) if person else _naive_uscc(rng)
                valid = ric.is_valid(code) if person else uscc.is_valid(code)
                name = (rng.choice(SURNAMES) + rng.choice(TRADE_CHARS) if person else
                        "扬州" + "".join(rng.sample(TRADE_CHARS, 2)) + rng.choice(INDUSTRIES)[0] + "有限公司")
            department = rng.choice(DEPARTMENTS)
            decided = date(2016, 1, 1) + timedelta(days=rng.randrange(3600))
            extra = json.dumps({"cf_xdr_mc": name, "cf_sjly": department.name}, ensure_ascii=False)
            generated += time.perf_counter() - tick
            if i % 5 == 0 and valid:
                subject_id = allocate(connection, "subject")
                connection.execute(insert(subject).values(
                    id=subject_id, subject_type="person" if person else "enterprise",
                    canonical_id_type="citizen_id" if person else "uscc", canonical_id=code, name=name,
                    division_code=code[:6] if person else code[2:8], created_at=now, updated_at=now))
                connection.execute(insert(subject_identifier).values(
                    id_type="citizen_id" if person else "uscc", value=code, subject_id=subject_id))
            record_id = allocate(connection, "record")
            connection.execute(insert(credit_record).values(
                subject_id=subject_id, id=record_id, root_id=record_id, version=1, info_class="administrative_penalty",
                classification="warning", department_id=1, status="active", sharing="unconditional",
                openness="public", doc_number=f"{department.penalty_doc}〔{decided.year}〕{i}号", decision_date=decided,
                category="fine", content="罚款", extra=json.loads(extra), channel="demo", received_at=now))
    total = time.perf_counter() - started
    platform.engine.dispose()
    print(f"baseline (random + stdnum per row):  generation {rows / generated:>9,.0f} records/s, "
          f"with per-row INSERTs {rows / total:>9,.0f} records/s  ({rows:,}-row sample, extrapolated)")
    return rows / generated, rows / total


def verify(platform: Platform, sample: int = 20_000) -> str:
    """Check a sample spread over the whole city (every n-th subject) with python-stdnum."""
    with platform.engine.connect() as connection:
        subjects = connection.execute(select(func.count()).select_from(subject)).scalar_one()
        found = connection.execute(
            select(subject_identifier.c.id_type, subject_identifier.c.value)
            .where(subject_identifier.c.id_type.in_(["uscc", "citizen_id"]),
                   subject_identifier.c.subject_id % max(1, subjects // sample) == 0)).all()
    bad = [v for t, v in found if not (uscc.is_valid(v) if t == "uscc" else ric.is_valid(v))]
    return (f"verified {len(found):,} USCCs and citizen IDs with python-stdnum: {len(found) - len(bad):,} valid, "
            f"{len(bad)} invalid")


def bench_build(label: str, platform: Platform, subjects: int, records: int, seed: int) -> float:
    initialise(platform)
    summary = build_demo(platform, seed=seed, subjects=subjects, records=records)
    rate = summary.records / summary.seconds
    print(f"end-to-end build ({label}): {summary.records:>10,} records in {summary.seconds:6.1f} s "
          f"= {rate:>9,.0f} records/s  (generation {summary.generation_seconds:.1f} s, "
          f"writing {summary.write_seconds:.1f} s)")
    print(f"  {verify(platform)}")
    platform.engine.dispose()
    return rate


def _postgres(url: str) -> str | None:
    """The benchmark database, created and emptied; None (and why) when it must not be touched."""
    name = make_url(url).database
    if not re.search(r"bench|test", name or ""):
        print(f"PostgreSQL: skipped: {name!r} is not named for benchmarks or tests")
        return None
    empty_database(url)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-rows", type=int, default=20_000)
    args = parser.parse_args()
    print(f"demo city benchmark: {args.subjects:,} subjects, {args.records:,} records, seed {args.seed}, "
          f"Python {sys.version.split()[0]}")
    generation = bench_generation(args.subjects, args.records, args.seed)
    with tempfile.TemporaryDirectory() as directory:
        naive_generation, naive_total = bench_baseline(args.baseline_rows, args.seed, Path(directory) / "baseline")
        sqlite = bench_build("SQLite", _platform(Path(directory) / "city"), args.subjects, args.records, args.seed)
    url = _postgres(os.environ.get("XINYONG_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    postgres = None
    if url is not None:
        try:
            postgres = bench_build("PostgreSQL", _platform(Path(tempfile.gettempdir()), url), args.subjects,
                                   args.records, args.seed)
        except Exception as error:
            print(f"PostgreSQL: failed: {error}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:,.0f} MiB")
    print(f"speed-up of generation over the baseline: {generation / naive_generation:,.0f}x")
    print(f"speed-up end to end over the baseline: SQLite {sqlite / naive_total:,.1f}x"
          + (f", PostgreSQL {postgres / naive_total:,.1f}x" if postgres else ""))


if __name__ == "__main__":
    main()
