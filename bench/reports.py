"""Benchmark of credit reports and batch credit review on the demo city (PostgreSQL), on one core.

    python bench/reports.py [--subjects 340000] [--records 10000000] [--reports 60] [--review 10000] [--reuse]

1. Report generation, per report: the whole ``services.reports.issue`` (load the archive, decide
   publication, compose, render the PDF with a per-document HarfBuzz font subset, store), and
   ``render_pdf`` alone; baselines in the same run: fpdf2 loading the whole Noto CJK font for each
   document (the naive way), and the HTML render of the same document (Jinja2) alone.
2. Batch review of N subjects (a CSV of USCCs, 10% given by name only): ``services.reviews.review_file``
   (set-based look-ups) beside a one-query-per-subject baseline (look up the subject, read its archive,
   decide, find hits) measured in the same run.

Database: ``XINYONG_BENCH_POSTGRES_URL`` (default postgresql://postgres@127.0.0.1:5432/xinyong_bench_reports;
its name must contain "bench"). ``--reuse`` keeps a city built by an earlier run of the same size.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fpdf import FPDF
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from benchdb import empty_database
from xinyong.adapters import pdf as pdf_adapter
from xinyong.adapters.tables import credit_record, subject, subject_identifier
from xinyong.bootstrap import Platform, bootstrap
from xinyong.domain.accounts import system_actor
from xinyong.domain.identifiers import IdType
from xinyong.domain.reports import Document, ReportKind
from xinyong.domain.review import hits_of
from xinyong.errors import NotFound
from xinyong.services import reports, reviews
from xinyong.services.demo import build_demo
from xinyong.services.publication import decisions
from xinyong.services.setup import initialise
from xinyong.settings import Settings
from xinyong.web.templating import environment

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/xinyong_bench_reports"
ACTOR = system_actor("bench")


def _platform(data_dir: Path, url: str) -> Platform:
    return bootstrap(Settings(data_dir=data_dir, database_url=url, argon2_time_cost=1, argon2_memory_kib=8192,
                              secret_key="b" * 40))


def _prepare(url: str, reuse: bool) -> bool:
    """Create the database when missing; empty it unless reusing. True when a city must be built."""
    name = make_url(url).database
    if not re.search(r"bench", name or ""):
        sys.exit(f"refusing to touch {name!r}: its name must contain 'bench'")
    return empty_database(url, keep_if_table="credit_report" if reuse else None)


def _percentiles(samples: list[float], cpu: list[float] | None = None) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    text = f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"
    if cpu:
        ordered_cpu = sorted(cpu)
        cpu95 = ordered_cpu[min(len(ordered_cpu) - 1, round(0.95 * (len(ordered_cpu) - 1)))]
        text += f"   (CPU p50 {statistics.median(ordered_cpu) * 1000:6.1f} ms, p95 {cpu95 * 1000:6.1f} ms)"
    return text + f"   n={len(ordered)}"


def _naive_pdf(document: Document) -> bytes:
    """The baseline: fpdf2 given the whole CJK font for each document."""
    font = pdf_adapter.find_font()
    pdf = FPDF()
    pdf.add_font("cjk", "", str(font.path), collection_font_number=font.index)
    pdf.add_page()
    pdf.set_font("cjk", size=10)
    for line in document.texts():
        if line:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def bench_reports(platform: Platform, count: int) -> None:
    with platform.engine.connect() as connection:
        # Organisations with the richest archives (the slowest reports), plus random ones.
        busy = connection.execute(
            select(credit_record.c.subject_id).group_by(credit_record.c.subject_id)
            .order_by(func.count().desc()).limit(count // 2)).scalars().all()
        organisations = connection.execute(
            select(subject.c.id).where(subject.c.subject_type == "enterprise").limit(20_000)).scalars().all()
    chosen = list(dict.fromkeys([*busy, *random.Random(1).sample(organisations, count - len(busy))]))
    issue_times, render_times, naive_times, html_times, sizes, rows = [], [], [], [], [], []
    issue_cpu, render_cpu, naive_cpu = [], [], []
    template = environment.get_template("reports/_document.html")
    for subject_id in chosen:
        with platform.uow(ACTOR) as uow:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                row = reports.issue(uow, platform, subject_id, ReportKind.PUBLIC)
            except NotFound:  # a natural person: no report is issued for them here
                continue
            issue_times.append(time.perf_counter() - started)
            issue_cpu.append(time.process_time() - cpu)
        document = Document.from_json(row["snapshot"]["document"])
        rows.append(sum(len(g.rows) for s in document.sections for g in s.grids))
        sizes.append(len(row["pdf"]))
        started, cpu = time.perf_counter(), time.process_time()
        pdf_adapter.render_pdf(document, row["number"])
        render_times.append(time.perf_counter() - started)
        render_cpu.append(time.process_time() - cpu)
        started = time.perf_counter()
        template.render(document=document)
        html_times.append(time.perf_counter() - started)
        if len(naive_times) < 10:
            started, cpu = time.perf_counter(), time.process_time()
            _naive_pdf(document)
            naive_times.append(time.perf_counter() - started)
            naive_cpu.append(time.process_time() - cpu)
    print(f"reports: {len(issue_times)} public reports, table rows per report median {statistics.median(rows):.0f} "
          f"(max {max(rows)}), PDF size median {statistics.median(sizes) / 1024:.0f} KiB")
    print(f"  issue (load, decide, compose, PDF, store):  {_percentiles(issue_times, issue_cpu)}")
    print(f"  render_pdf alone (HarfBuzz subset + fpdf2): {_percentiles(render_times, render_cpu)}")
    print(f"  baseline: fpdf2 with the whole CJK font:    {_percentiles(naive_times, naive_cpu)}")
    print(f"  baseline: HTML render of the same document: {_percentiles(html_times)}")


def _review_file(platform: Platform, size: int, directory: Path) -> Path:
    with platform.engine.connect() as connection:
        rows = connection.execute(
            select(subject_identifier.c.value, subject.c.name)
            .join(subject, subject.c.id == subject_identifier.c.subject_id)
            .where(subject_identifier.c.id_type == "uscc").limit(size * 3)).all()
    picked = random.Random(2).sample(rows, min(size, len(rows)))
    path = directory / "review.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["企业名称", "统一社会信用代码"])
        for index, (code, name) in enumerate(picked):
            writer.writerow([name, "" if index % 10 == 0 else code])  # every tenth by name only
    return path


def _baseline_review(platform: Platform, path: Path, matter_code: str) -> int:
    """One query per subject: find it, read its archive, decide, keep the hits."""
    matter = reports.review_rules().matter(matter_code)
    inputs = reviews.read_list(path, 1 << 30)
    found = 0
    with platform.uow(ACTOR) as uow:
        catalogue = platform.catalogue(uow)
        names = {code: info.name for code, info in catalogue.classes.items()}
        today = uow.clock.today()
        for item in inputs:
            subject_id = uow.subjects.id_by_identifier(IdType.USCC, item.uscc) if item.uscc else None
            if subject_id is None:
                subject_id = uow.connection.execute(
                    select(subject.c.id).where(subject.c.name == item.name)).scalar()
            if subject_id is None:
                continue
            archive = [r for r in uow.records.for_subject(subject_id) if r.info_class in matter.classes]
            found += bool(hits_of(matter, decisions(catalogue, platform.publication, archive, False, today), names,
                                  today))
    return found


def bench_review(platform: Platform, size: int, directory: Path) -> None:
    path = _review_file(platform, size, directory)
    started = time.perf_counter()
    with platform.uow(ACTOR) as uow:
        row = reviews.review_file(uow, platform, "honours", path, path.name)
    seconds = time.perf_counter() - started
    summary = row["summary"]
    print(f"batch review of {summary['rows']:,} rows ({summary['matched']:,} matched, {summary['ambiguous']} "
          f"ambiguous, {summary['unmatched']} unmatched; {summary['with_hits']:,} with hits, "
          f"{summary['negative_share']}% with dishonest records)")
    print(f"  set-based review (services.reviews):  {seconds:7.2f} s")
    started = time.perf_counter()
    reviews.review_pdf(row)
    reviews.review_xlsx(row)
    outputs = time.perf_counter() - started
    print(f"  its PDF and XLSX outputs:             {outputs:7.2f} s")
    started = time.perf_counter()
    with_hits = _baseline_review(platform, path, "honours")
    baseline = time.perf_counter() - started
    print(f"  baseline, one query per subject:      {baseline:7.2f} s  ({with_hits:,} with hits; "
          f"{baseline / seconds:.1f}x slower)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subjects", type=int, default=340_000)
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--reports", type=int, default=60)
    parser.add_argument("--review", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="keep a city built by an earlier run")
    args = parser.parse_args()
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # the naive baseline's font has bitmap tables
    url = os.environ.get("XINYONG_BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
    with tempfile.TemporaryDirectory() as directory:
        platform = _platform(Path(directory), url)
        if _prepare(url, args.reuse):
            initialise(platform)
            summary = build_demo(platform, seed=1, subjects=args.subjects, records=args.records)
            print(f"built the demo city: {summary.records:,} records in {summary.seconds:.0f} s")
            with platform.engine.connect() as connection:
                connection.execute(text("ANALYZE"))  # as autovacuum would, before anyone queries
                connection.commit()
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # measure on one core
        with platform.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(credit_record)).scalar_one()
            people = connection.execute(select(func.count()).select_from(subject)).scalar_one()
        print(f"database: PostgreSQL, {people:,} subjects, {total:,} records; Python {sys.version.split()[0]}, "
              f"one core; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        bench_reports(platform, args.reports)
        bench_review(platform, args.review, Path(directory))
        platform.engine.dispose()


if __name__ == "__main__":
    main()
