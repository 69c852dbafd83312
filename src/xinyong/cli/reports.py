"""Credit reports and batch reviews from the console."""

from __future__ import annotations

from pathlib import Path

import click

from xinyong.cli.common import console_actor, print_json, reports_errors
from xinyong.cli.common import platform as get_platform
from xinyong.domain.accounts import PUBLIC
from xinyong.domain.reports import ReportKind
from xinyong.services import reports as report_service
from xinyong.services import reviews as review_service


@click.group(help="Credit reports (信用报告): issue, verify, revoke.")
def report() -> None:
    pass


@report.command("issue")
@click.argument("subject_id", type=int)
@click.option("--kind", type=click.Choice([k.value for k in ReportKind]), default="public", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the PDF.")
@click.option("--base-url", default=None, help="Verification site in the QR code (default: the rule file's).")
@reports_errors
def issue(subject_id: int, kind: str, output: Path, base_url: str | None) -> None:
    """Issue a report of SUBJECT_ID and write its PDF."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        row = report_service.issue(uow, platform, subject_id, ReportKind(kind), base_url)
    output.write_bytes(row["pdf"])
    click.echo(f"{row['number']}  验证码 {row['code']}  SHA-256 {row['pdf_sha256']}  → {output}")


@report.command("verify")
@click.argument("code")
@click.option("--pdf", "pdf_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Also check that this file is the PDF as issued.")
@reports_errors
def verify(code: str, pdf_path: Path | None) -> None:
    """Verify a report by its code (and optionally its PDF file); exit 1 unless authentic."""
    platform = get_platform()
    with platform.uow(PUBLIC) as uow:
        result = report_service.verify(uow, platform, code, pdf_path.read_bytes() if pdf_path else None)
    click.echo(f"{result.verdict.value}: {result.verdict.label}")
    if not result.authentic:
        raise SystemExit(1)


@report.command("revoke")
@click.argument("report_id", type=int)
@click.option("--reason", required=True)
@reports_errors
def revoke(report_id: int, reason: str) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        report_service.revoke(uow, report_id, reason)
    click.echo(f"report {report_id} revoked")


@click.command(help="Batch credit review (信用审查) of a list file (XLSX/CSV) for a matter.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--matter", required=True, help="Matter code from rules/review_matters.yaml, e.g. bidding.")
@click.option("--title", default="")
@click.option("--pdf", "pdf_out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--xlsx", "xlsx_out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@reports_errors
def review(path: Path, matter: str, title: str, pdf_out: Path | None, xlsx_out: Path | None) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        row = review_service.review_file(uow, platform, matter, path, path.name, title)
    if pdf_out:
        pdf_out.write_bytes(review_service.review_pdf(row))
    if xlsx_out:
        xlsx_out.write_bytes(review_service.review_xlsx(row))
    print_json({"id": row["id"], "matter": row["matter"], "summary": row["summary"]})
