"""Credit subjects from the console."""

from __future__ import annotations

import csv
import json
import sys

import click

from xinyong.adapters.exports import safe_cell
from xinyong.cli.common import console_actor, reports_errors
from xinyong.cli.common import platform as get_platform
from xinyong.domain.identifiers import IdType
from xinyong.services import subjects as subject_service

EXPORT_ID_TYPES = [t for t in IdType if t is not IdType.OTHER]


@click.group(help="Credit subjects (信用主体).")
def subjects() -> None:
    pass


@subjects.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv", show_default=True)
@reports_errors
def export(fmt: str) -> None:
    """One row per subject with its identifiers, to standard output (personal data: audited)."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        rows = subject_service.export_rows(uow)
        if fmt == "jsonl":
            for row in rows:
                identifiers = {k: v for k, v in row["identifiers"]}
                sys.stdout.write(json.dumps({"id": row["id"], "subject_type": row["subject_type"],
                                             "name": row["name"], "division_code": row["division_code"],
                                             "identifiers": identifiers}, ensure_ascii=False) + "\n")
            return
        writer = csv.writer(sys.stdout)
        writer.writerow(["id", "subject_type", "name", "division_code", *[t.value for t in EXPORT_ID_TYPES]])
        for row in rows:
            identifiers = dict(row["identifiers"])
            writer.writerow([row["id"], row["subject_type"], safe_cell(row["name"]), row["division_code"] or "",
                             *[identifiers.get(t.value, "") for t in EXPORT_ID_TYPES]])

