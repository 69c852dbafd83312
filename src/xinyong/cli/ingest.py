"""Collection from the console: ``xinyong ingest`` and ``xinyong batch`` (a contract other tools use)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xinyong.adapters.exports import write_csv
from xinyong.cli.common import console_actor, print_json, reports_errors
from xinyong.cli.common import platform as get_platform
from xinyong.services import accounts
from xinyong.services import ingest as ingest_service


@click.command(help="Process a department's file (CSV in UTF-8/GBK/GB18030, or XLSX) as one batch. Exits 0 when "
                    "the file was processed, even with rejected rows; non-zero when the file as a whole is unusable.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dataset", "info_class", required=True, help="catalogue class code, e.g. administrative_penalty")
@click.option("--source", "department_uscc", required=True, help="USCC of the source department")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@reports_errors
def ingest(path: Path, info_class: str, department_uscc: str, as_json: bool) -> None:
    platform = get_platform()
    actor = console_actor()
    try:
        with platform.uow(actor) as uow:
            department = accounts.department_by_uscc(uow, department_uscc)
        report = ingest_service.ingest_file(platform, actor, path, info_class, department.id)
    except ingest_service.BatchFailed as failure:
        if as_json:
            print_json({"batch_id": failure.batch_id, "status": "failed", "error": failure.as_dict()})
        click.echo(f"批次 {failure.batch_id} 失败 [{failure.code}]：{failure.message}", err=True)
        click.echo(f"batch {failure.batch_id} failed [{failure.code}]: {failure.message_en}", err=True)
        for problem in failure.problems:
            click.echo(f"  - {problem.field}: {problem.message} [{problem.code}]", err=True)
        sys.exit(2)
    if as_json:
        print_json(report.as_dict())
    else:
        click.echo(f"批次 {report.batch_id}：共 {report.rows} 行，接收 {report.accepted}（新增 {report.created}，"
                   f"更新 {report.updated}，重复 {report.duplicates}），退回 {report.rejected}，待核实 {report.held}")


@click.group(help="Batches of collected data (归集批次).")
def batch() -> None:
    pass


@batch.command("show")
@click.argument("batch_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def show(batch_id: int, as_json: bool) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        detail = ingest_service.batch_detail(uow, batch_id)
    rejected = [{"row": i["row_number"], "kind": i["kind"],
                 "problems": [{"field": p["field"], "code": p["code"], "message": p["message"]} for p in i["problems"]]}
                for i in detail["issues"]]
    if as_json:
        print_json({k: v for k, v in detail.items() if k != "issues"} | {"rejected_rows": rejected})
        return
    click.echo(f"批次 {batch_id}  {detail['filename'] or detail['channel']}  状态 {detail['status']}  "
               f"共 {detail['rows']} 行，接收 {detail['accepted']}，退回 {detail['rejected']}，待核实 {detail['held']}")
    if detail["error_message"]:
        click.echo(f"失败原因：{detail['error_message']} [{detail['error_code']}]")
    for row in rejected:
        for p in row["problems"]:
            click.echo(f"  第{row['row']}行 {p['field']}: {p['message']} [{p['code']}]")


@batch.command("rejects")
@click.argument("batch_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@reports_errors
def rejects(batch_id: int, output: Path) -> None:
    """Write the reject file: the rejected rows' original columns plus the reasons; correct and resubmit it."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        header, rows = ingest_service.reject_file_rows(uow, batch_id)
    with output.open("w", encoding="utf-8", newline="") as stream:
        write_csv(stream, header, rows)
    click.echo(f"已写出 {len(rows)} 行退回数据到 {output}")
