"""Benchmark of the public portal API on a demo city: the subject page and the name search under `wrk`
at 32 connections, beside the same server's trivial health endpoint measured in the same run (the
framework's own limit, the baseline), plus the publication-window refresh and in-process search timing.

    python bench/portal.py [--backend sqlite|postgresql] [--subjects 200000] [--records 1000000]
                           [--duration 20] [--connections 32] [--rebuild]

The demo database is built once and reused (SQLite under /tmp/xinyong_bench_portal; PostgreSQL in the
database ``xinyong_bench_portal`` of ``XINYONG_BENCH_POSTGRES_URL``, default postgresql://postgres@127.0.0.1:5432).
The server is uvicorn with one worker (the machine has two cores; wrk takes the other). The subject page
is measured with the per-process page cache (``XINYONG_PUBLIC_CACHE_SECONDS``, default 30 s) and without.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from httpbench import lua_paths, serve, wrk
from xinyong.adapters.tables import record_publication, subject
from xinyong.bootstrap import Platform, bootstrap
from xinyong.domain.accounts import PUBLIC, system_actor
from xinyong.services import portal, publication
from xinyong.services.demo import build_demo
from xinyong.services.setup import initialise
from xinyong.settings import Settings

ROOT = Path(tempfile.gettempdir()) / "xinyong_bench_portal"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "xinyong_bench_portal"


def _url(backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{ROOT / 'sqlite' / 'xinyong.db'}"
    base = os.environ.get("XINYONG_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    return make_url(base).set(database=PG_NAME).render_as_string(hide_password=False)


def _platform(backend: str) -> Platform:
    (ROOT / backend).mkdir(parents=True, exist_ok=True)
    return bootstrap(Settings(data_dir=ROOT / backend, database_url=_url(backend), argon2_time_cost=1,
                              argon2_memory_kib=8192, secret_key="b" * 40))


def _fresh_postgres() -> None:
    base = os.environ.get("XINYONG_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    admin = make_url(base).set(database="postgres").render_as_string(hide_password=False)
    engine = create_engine(admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
    engine.dispose()


def ensure_city(backend: str, subjects: int, records: int, rebuild: bool) -> Platform:
    marker = ROOT / backend / f"built-{subjects}-{records}"
    if rebuild or not marker.exists():
        if backend == "sqlite":
            shutil.rmtree(ROOT / "sqlite", ignore_errors=True)
        else:
            _fresh_postgres()
        platform = _platform(backend)
        initialise(platform)
        started = time.perf_counter()
        summary = build_demo(platform, subjects=subjects, records=records)
        print(f"demo city built: {summary.subjects:,} subjects, {summary.records:,} records in "
              f"{time.perf_counter() - started:.1f} s (publication windows included)")
        marker.touch()
        return platform
    return _platform(backend)


def bench_refresh(platform: Platform) -> None:
    """Recomputing every window (what a rules-file change costs), against reading the same records only."""
    with platform.uow(system_actor("bench")) as uow:
        catalogue = platform.catalogue(uow)
        started = time.perf_counter()
        written = publication.refresh_publication(uow, catalogue, platform.publication, everything=True)
        uow.commit()
        seconds = time.perf_counter() - started
        repository = publication.PublicationRepository(uow.connection)
        started = time.perf_counter()
        rows, last, read = 0, None, 0
        while True:
            found, types = repository.source_rows(after_subject=last, subject_limit=publication.REFRESH_SUBJECTS)
            if not types:
                break
            read += len(found)
            last = max(types)
        baseline = time.perf_counter() - started
        rows = read
    print(f"refresh of every window: {rows:,} candidate records, {written:,} windows in {seconds:.1f} s "
          f"({rows / seconds:,.0f} records/s); baseline, only reading them: {baseline:.1f} s")


def _sample(platform: Platform, count: int, seed: int) -> tuple[list[int], list[str]]:
    """Organisations that have public records (for the subject page) and name fragments (for search)."""
    rng = random.Random(seed)
    with platform.engine.connect() as connection:
        top = connection.execute(select(func.max(record_publication.c.subject_id))).scalar_one()
        ids: list[int] = []
        while len(ids) < count:
            start = rng.randint(1, top)
            ids += list(connection.execute(
                select(record_publication.c.subject_id).where(record_publication.c.subject_id >= start,
                                                              record_publication.c.subject_type != "person")
                .limit(1)).scalars())
        names: list[str] = []
        top_subject = connection.execute(select(func.max(subject.c.id))).scalar_one()
        while len(names) < count:
            row = connection.execute(select(subject.c.name).where(subject.c.id >= rng.randint(1, top_subject),
                                                                  subject.c.subject_type != "person").limit(1)).first()
            if row is None:
                continue
            name = row.name
            kind = rng.random()
            if kind < 0.4 and len(name) > 6:  # a trade name from the middle (扬州 and the suffix dropped)
                start = rng.randint(2, max(2, len(name) - 6))
                names.append(name[start:start + 4])
            elif kind < 0.7:
                names.append(name.replace("有限公司", "有限责任公司").replace("(", "（").replace(")", "）"))
            else:
                names.append(name)
    return ids, names


def bench_search_in_process(platform: Platform, names: list[str]) -> None:
    timings = []
    with platform.uow(PUBLIC) as uow:
        for name in names:
            started = time.perf_counter()
            portal.search(uow, name)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"name search in process ({len(names)} queries): p50 {statistics.median(timings):.1f} ms, "
          f"p99 {timings[int(len(timings) * 0.99) - 1]:.1f} ms, max {timings[-1]:.1f} ms")


def bench_http(backend: str, ids: list[int], names: list[str], duration: int, connections: int) -> None:
    """One uvicorn worker (wrk and the database share the other core). The subject page twice: with the
    per-process page cache (its default, 30 s) over the sampled organisations, and with the cache off,
    every request read from the database."""
    pages = lua_paths([f"/api/v1/public/subjects/{i}" for i in ids])
    searches = lua_paths(["/api/v1/public/search?q=" + urllib.request.quote(n) for n in names])
    with serve(_url(backend), ROOT / backend) as server:
        wrk(server, "/api/v1/health", 3, connections)  # warm-up
        health = wrk(server, "/api/v1/health", duration, connections)
        cached = wrk(server, "/", duration, connections, pages)
        search = wrk(server, "/", duration, connections, searches)
    with serve(_url(backend), ROOT / backend, public_cache_seconds="0") as server:
        wrk(server, "/api/v1/health", 3, connections)  # warm-up
        uncached = wrk(server, "/", duration, connections, pages)
    print(f"wrk, {connections} connections, {duration} s each, one uvicorn worker on {backend}:")
    print(health.line("health (baseline)"))
    print(cached.line("subject page, cached"))
    print(uncached.line("subject page, no cache"))
    print(search.line("name search API"))
    print(f"  subject page throughput = {cached.rps / health.rps:.0%} of health with the page cache, "
          f"{uncached.rps / health.rps:.0%} without (target >= 40%; p99 target < 50 ms); "
          f"search p99 target < 100 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--skip-refresh", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk)")
    platform = ensure_city(args.backend, args.subjects, args.records, args.rebuild)
    if not args.skip_refresh:
        bench_refresh(platform)
    ids, names = _sample(platform, args.samples, seed=7)
    bench_search_in_process(platform, names)
    platform.engine.dispose()
    bench_http(args.backend, ids, names, args.duration, args.connections)


if __name__ == "__main__":
    main()
