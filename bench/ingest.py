"""Benchmark of collection: one 1,000,000-row 行政处罚 file (GB18030 CSV, ~2% bad rows) through

1. our whole pipeline (read, transcode, validate, link, version, write) on SQLite,
2. the same on PostgreSQL, with the CPU time of the batch's server process (its bound),
3. PostgreSQL's raw ``COPY`` of the same rows into an unindexed text table (the limit),
4. PostgreSQL's ``COPY`` of the records the pipeline wrote into an empty copy of ``credit_record`` (same
   partitions and indexes): the server's own cost of storing the finished records, none of our work,
5. ``frictionless validate`` of the same file (a peer; needs ``pip install frictionless``),
6. what that peer does, done by the pipeline's own steps: read, transcode and check every row of the file
   against the catalogue, without a database (the like-for-like comparison with 5),

each in its own process so that its peak memory (RSS) is its own, and prints rows/s for each; then the CPU
time the PostgreSQL pipeline used (ours and the server's) and the rate at which all the machine's cores could
give it, beside the CPU time of the two parts every batch needs as they are built now (6 and 4), and the
rate those alone would allow.

    python bench/ingest.py [--rows 1000000] [--bad 0.02] [--frictionless-rows N]

PostgreSQL: ``XINYONG_BENCH_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/xinyong_bench_ingest);
the database is created when missing and emptied, only when its name contains "bench" or "test".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from stdnum.cn import ric, uscc

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/xinyong_bench_ingest"
DEPARTMENT = "11321000MB19283745"
CATEGORIES = ["警告", "罚款", "罚款", "罚款", "没收违法所得", "通报批评", "暂扣许可证件", "责令停产停业",
              "吊销许可证件"]


def _subjects(count: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(name, category label, USCC or "", citizen ID or "") with valid identifiers."""
    found = []
    for n in range(count):
        if rng.random() < 0.1:
            # 321002 (广陵区) has this code for births from 1990 on (python-stdnum's cn/loc data)
            body = f"321002{rng.randint(1990, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{n % 1000:03d}"
            number = body + ric.calc_check_digit(body + "0")
            assert ric.is_valid(number), number
            found.append((f"张{n}", "自然人", "", number))
        else:
            body = f"91321002MA{n:07d}"[:17]
            found.append((f"扬州市企业{n}有限公司", "法人及非法人组织", body + uscc.calc_check_digit(body + "0"), ""))
    return found


def build_file(path: Path, rows: int, bad: float, seed: int) -> int:
    """The file, written in GB18030 with the national Chinese headers; returns the number of bad rows."""
    from xinyong.rules.catalogue_files import load_default_catalogue

    info = load_default_catalogue().classes["administrative_penalty"]
    rng = random.Random(seed)
    pool = _subjects(max(1000, rows // 5), rng)
    today = date(2026, 11, 1)
    broken = 0
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([item.label for item in info.items])
        for n in range(rows):
            name, kind, code, person = pool[rng.randrange(len(pool))]
            decided = today - timedelta(days=rng.randint(1, 1500))
            row = {
                "cf_xdr_mc": name, "cf_xdr_lb": kind, "cf_xdr_shxym": code,
                "cf_xdr_zjlx": "身份证" if person else "", "cf_xdr_zjhm": person, "cf_frdb": "" if person else "王五",
                "cf_wsh": f"扬市监罚〔{decided.year}〕{n}号", "cf_wfxw": "销售不合格产品",
                "cf_sy": "经查，当事人销售的产品经抽检不合格，违反了产品质量法的规定。",
                "cf_yj": "《中华人民共和国产品质量法》第四十九条", "cf_cflb": rng.choice(CATEGORIES),
                "cf_nr": "罚款人民币贰万元", "cf_nr_fk": f"{rng.randint(0, 500) / 10:.1f}",
                "cf_jdrq": decided.strftime(rng.choice(["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d"])),
                "cf_cfjg": "扬州市市场监督管理局", "cf_cfjgdm": DEPARTMENT, "cf_sjly": "扬州市市场监督管理局",
                "cf_sjlydm": DEPARTMENT,
            }
            if rng.random() < bad:
                broken += 1
                fault = rng.randrange(4)
                if fault == 0 and code:
                    row["cf_xdr_shxym"] = code[:-1] + ("0" if code[-1] != "0" else "1")
                elif fault == 1:
                    row["cf_jdrq"] = "2026-02-30"
                elif fault == 2:
                    row["cf_wsh"] = ""
                else:
                    row["cf_nr_fk"] = "-5"
            writer.writerow([row.get(item.code, "") for item in info.items])
    return broken


def _platform(data_dir: Path, url: str | None):  # type: ignore[no-untyped-def]
    from xinyong.bootstrap import bootstrap
    from xinyong.settings import Settings

    return bootstrap(Settings(data_dir=data_dir, database_url=url, argon2_time_cost=1, argon2_memory_kib=8192,
                              secret_key="b" * 40))


def run_pipeline(path: Path, url: str | None, data_dir: Path) -> dict[str, float]:
    from xinyong.domain.accounts import system_actor
    from xinyong.services import accounts, ingest
    from xinyong.services.setup import initialise

    platform = _platform(data_dir, url)
    initialise(platform)
    with platform.uow(system_actor("bench")) as uow:
        department = accounts.add_department(uow, DEPARTMENT, "扬州市市场监督管理局")
    server = _ServerCpu(url) if url else None
    started, cpu = time.perf_counter(), _own_cpu()
    report = ingest.ingest_file(platform, system_actor("bench"), path, "administrative_penalty", department.id)
    seconds = time.perf_counter() - started
    result = {"rows": report.rows, "accepted": report.accepted, "rejected": report.rejected, "seconds": seconds,
              "cpu": _own_cpu() - cpu}
    if server is not None:
        result["server_cpu"] = server.stop()
    return result


class _ServerCpu:
    """CPU seconds used by the PostgreSQL server process of the batch (the busiest client backend of the
    benchmark's database, read from /proc every 0.2 s: the server runs on this machine) from now until
    ``stop``. It shows how close the pipeline is to the bound of one server process."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.connection = psycopg.connect(url, autocommit=True)
        self.before = self._sample()
        self.seen: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _sample(self) -> dict[int, float]:
        ticks = os.sysconf("SC_CLK_TCK")
        found = {}
        for (pid,) in self.connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            found[pid] = (int(fields[11]) + int(fields[12])) / ticks
        return found

    def _run(self) -> None:
        while not self.done.wait(0.2):
            self.seen.update(self._sample())

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        self.seen.update(self._sample())
        self.connection.close()
        return max((cpu - self.before.get(pid, 0.0) for pid, cpu in self.seen.items()), default=0.0)


def _own_cpu() -> float:
    """CPU seconds this process has used so far, all its threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_validation(path: Path) -> dict[str, float]:
    """The pipeline's reading and checking alone (``services.ingest``'s own steps, run as ``ingest_file``
    runs them, the next block checked while this one is taken), nothing written: what ``frictionless
    validate`` does with the file."""
    from xinyong.adapters.tabular import open_table
    from xinyong.domain.mapping import catalogue_headers, map_headers
    from xinyong.rules.catalogue_files import load_default_catalogue
    from xinyong.services import ingest

    catalogue = load_default_catalogue()
    info = catalogue.classes["administrative_penalty"]
    started, cpu = time.perf_counter(), _own_cpu()
    rows = rejected = 0
    with open_table(path, set(catalogue_headers(info)).__contains__, 4 << 30) as table:
        mapping, problems = map_headers(info, table.headers, {})
        assert not problems, problems
        chunks = ((ingest._named(f, table.headers), ingest._columns(f, mapping)) for f in table.batches())
        for chunk in ingest._ahead(ingest._check(chunks, info, catalogue, date.today(), 0, None, [])):
            rows += chunk.values.height
            rejected += chunk.rejected.height
    return {"rows": rows, "rejected": rejected, "seconds": time.perf_counter() - started, "cpu": _own_cpu() - cpu}


def run_copy(path: Path, url: str) -> dict[str, float]:
    import psycopg

    with psycopg.connect(url) as connection:
        header = path.open(encoding="gb18030").readline().strip().split(",")
        columns = ", ".join(f"c{i} text" for i in range(len(header)))
        connection.execute("DROP TABLE IF EXISTS raw_penalty")
        connection.execute(f"CREATE UNLOGGED TABLE raw_penalty ({columns})")
        started = time.perf_counter()
        statement = "COPY raw_penalty FROM STDIN (FORMAT csv, HEADER true, ENCODING 'GB18030')"
        with connection.cursor().copy(statement) as copy, path.open("rb") as source:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        rows = connection.execute("SELECT count(*) FROM raw_penalty").fetchone()[0]  # type: ignore[index]
    return {"rows": rows, "seconds": seconds}


def run_floor(url: str) -> dict[str, float]:
    import psycopg

    with psycopg.connect(url) as connection, tempfile.TemporaryFile() as dump:
        with connection.cursor().copy("COPY (SELECT * FROM credit_record) TO STDOUT") as copy:
            for data in copy:
                dump.write(data)
        partitions = connection.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'credit_record'::regclass").fetchone()[0]  # type: ignore[index]
        connection.execute("DROP TABLE IF EXISTS floor_record")
        connection.execute("CREATE TABLE floor_record (LIKE credit_record INCLUDING ALL) "
                           "PARTITION BY HASH (subject_id)")
        for n in range(partitions):
            connection.execute(f"CREATE TABLE floor_record_p{n:02d} PARTITION OF floor_record "
                               f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {n})")
        connection.commit()
        dump.seek(0)
        server = _ServerCpu(url)
        started, cpu = time.perf_counter(), _own_cpu()
        with connection.cursor().copy("COPY floor_record FROM STDIN") as copy:
            while chunk := dump.read(1 << 20):
                copy.write(chunk)
        connection.commit()
        seconds = time.perf_counter() - started
        cpu = _own_cpu() - cpu
        server_cpu = server.stop()
        rows = connection.execute("SELECT count(*) FROM floor_record").fetchone()[0]  # type: ignore[index]
        connection.execute("DROP TABLE floor_record")
    return {"rows": rows, "seconds": seconds, "cpu": cpu, "server_cpu": server_cpu}


def run_frictionless(path: Path, rows: int) -> dict[str, float]:
    from frictionless import Resource, system  # type: ignore[import-not-found]

    with system.use_context(trusted=True):
        resource_ = Resource(path=str(path), encoding="gb18030", format="csv")
        started = time.perf_counter()
        report = resource_.validate(limit_rows=rows) if rows else resource_.validate()
        seconds = time.perf_counter() - started
    return {"rows": report.tasks[0].stats["rows"], "seconds": seconds, "errors": report.tasks[0].stats["errors"]}


def _child(kind: str, path: Path, url: str | None, rows: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as directory:
        if kind == "pipeline":
            result = run_pipeline(path, url, Path(directory))
        elif kind == "copy":
            assert url is not None
            result = run_copy(path, url)
        elif kind == "validate":
            result = run_validation(path)
        elif kind == "floor":
            assert url is not None
            result = run_floor(url)
        else:
            result = run_frictionless(path, rows)
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _in_process(kind: str, path: Path, url: str | None, rows: int = 0) -> dict[str, float] | None:
    command = [sys.executable, __file__, "--child", kind, "--file", str(path), "--url", url or "",
               "--frictionless-rows", str(rows)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"  {kind}: failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _postgres(url: str) -> str | None:
    parsed = make_url(url)
    if not re.search(r"bench|test", parsed.database or ""):
        print(f"PostgreSQL skipped: {parsed.database!r} is not named for benchmarks or tests")
        return None
    admin = create_engine(parsed.set(database="postgres").render_as_string(hide_password=False)
                          .replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()
    return url


def _line(label: str, result: dict[str, float] | None, rows: int, unit: str = "rows/s") -> float | None:
    if result is None:
        return None
    rate = rows / result["seconds"]
    print(f"  {label:<52} {result['seconds']:8.1f} s  {rate:>10,.0f} {unit}  "
          f"peak RSS {result['peak_rss_mib']:,.0f} MiB")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--bad", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--frictionless-rows", type=int, default=0, help="0: the whole file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, Path(args.file), args.url or None, args.frictionless_rows)))
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "penalties.csv"
        started = time.perf_counter()
        broken = build_file(path, args.rows, args.bad, args.seed)
        print(f"file: {args.rows:,} rows ({broken:,} bad), {path.stat().st_size / 2**20:,.0f} MiB GB18030, "
              f"built in {time.perf_counter() - started:.0f} s; Python {sys.version.split()[0]}")
        url = _postgres(os.environ.get("XINYONG_BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
        sqlite = _in_process("pipeline", path, None)
        rate_sqlite = _line("Xinyong pipeline, SQLite", sqlite, args.rows)
        rate_pg = rate_copy = rate_floor = None
        pg = floor = None
        if url:
            pg = _in_process("pipeline", path, url)
            rate_pg = _line("Xinyong pipeline, PostgreSQL", pg, args.rows)
            floor = _in_process("floor", path, url)
            rate_floor = _line("PostgreSQL COPY of the finished records (write floor)", floor,
                               int(floor["rows"]) if floor else 0, "records/s")
            rate_copy = _line("PostgreSQL raw COPY, unindexed text table (limit)", _in_process("copy", path, url),
                              args.rows)
        rows = args.frictionless_rows or args.rows
        frictionless = _in_process("frictionless", path, None, rows)
        rate_fl = _line(f"frictionless validate ({rows:,} rows)", frictionless, rows)
        checked = _in_process("validate", path, None)
        rate_checked = _line("Xinyong reading and checking alone (no database)", checked, args.rows)
        if sqlite:
            print(f"  pipeline outcome: {sqlite['accepted']:,.0f} accepted, {sqlite['rejected']:,.0f} rejected")
        if pg and pg.get("server_cpu"):
            print(f"PostgreSQL server process of the batch: {pg['server_cpu']:.1f} s of CPU in the pipeline's "
                  f"{pg['seconds']:.1f} s ({pg['server_cpu'] / pg['seconds']:.0%} busy; at 100% the pipeline would "
                  f"reach {args.rows / pg['server_cpu']:,.0f} rows/s)")
        cores = os.cpu_count() or 1
        if pg and pg.get("server_cpu"):
            total = pg["cpu"] + pg["server_cpu"]
            print(f"CPU of the PostgreSQL pipeline: {pg['cpu']:.1f} s ours + {pg['server_cpu']:.1f} s server = "
                  f"{total:.1f} s; with all {cores} cores of this machine busy, at most "
                  f"{args.rows * cores / total:,.0f} rows/s")
        if checked and floor and floor.get("server_cpu"):
            needed = checked["cpu"] + floor["cpu"] + floor["server_cpu"]
            print(f"CPU of the two parts every batch needs, as built now: reading and checking the file "
                  f"({checked['cpu']:.1f} s) and storing its records with their indexes ({floor['cpu']:.1f} s ours + "
                  f"{floor['server_cpu']:.1f} s server): {needed:.1f} s; on {cores} cores at most "
                  f"{args.rows * cores / needed:,.0f} rows/s")
        if rate_pg and rate_copy:
            print(f"PostgreSQL pipeline = {rate_pg / rate_copy:.0%} of raw COPY")
        if rate_floor and rate_copy:
            print(f"write floor (records into credit_record) = {rate_floor / rate_copy:.0%} of raw COPY")
        if rate_fl:
            best = max(r for r in (rate_sqlite, rate_pg) if r)
            print(f"pipeline vs frictionless: {best / rate_fl:,.1f}x")
            if rate_checked and checked:
                print(f"reading and checking alone vs frictionless: {rate_checked / rate_fl:,.1f}x "
                      f"({checked['rejected']:,.0f} rows refused)")


if __name__ == "__main__":
    main()
