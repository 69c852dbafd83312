"""Pure, seeded generation of the demo city (no I/O, no database): subjects and records in blocks.

The city is cut into blocks of ``BLOCK`` subjects; each block is generated from ``(seed, block)`` alone,
so the same seed and sizes give byte-identical output however the caller chunks its writes, and a
block needs memory for its own rows only. Records are column batches (``RecordBatch``) whose core
columns match ``credit_record`` and whose ``extra`` is JSON text keyed by the class's item codes;
``record_rows`` turns a batch into row dicts for ``insert(credit_record)`` where speed does not matter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from xinyong.clock import CHINA
from xinyong.demo.city import DEPARTMENTS, Department
from xinyong.demo.model import EPOCH, Plan, RecordBatch, SubjectBatch, make_plan
from xinyong.demo.records import generate_records
from xinyong.demo.subjects import generate_subjects
from xinyong.domain.catalogue import Catalogue

BLOCK = 10_000
RECORDS_PER_SUBJECT = 5
RECEIVED_AT = time(10, 0)  # records arrive at 10:00 Beijing time


@dataclass(frozen=True)
class Block:
    index: int
    first: int  # global ordinal of the block's first subject
    subjects: int
    records: int


def default_records(subjects: int) -> int:
    return RECORDS_PER_SUBJECT * subjects


def blocks(subjects: int, records: int | None = None) -> list[Block]:
    """The city's blocks; records are spread over them in proportion to their subjects."""
    total = default_records(subjects) if records is None else records
    found = []
    for index, first in enumerate(range(0, subjects, BLOCK)):
        last = min(first + BLOCK, subjects)
        found.append(Block(index, first, last - first, total * last // subjects - total * first // subjects))
    return found


def generate_block(plan: Plan, seed: int, block: Block, today: date) -> tuple[SubjectBatch, RecordBatch]:
    subjects = generate_subjects(seed, block.index, block.first, block.subjects, today)
    return subjects, generate_records(plan, seed, block.index, subjects, block.records, today)


def generate(catalogue: Catalogue, seed: int, subjects: int, records: int | None = None,
             today: date | None = None) -> Iterator[tuple[SubjectBatch, RecordBatch]]:
    """Every block of the city in order. ``today`` is part of the input: pass it to reproduce a city."""
    plan = make_plan(catalogue)
    day = today or datetime.now(CHINA).date()
    for block in blocks(subjects, records):
        yield generate_block(plan, seed, block, day)


def departments() -> tuple[Department, ...]:
    return DEPARTMENTS


def received_at(days: int) -> datetime:
    """A record's arrival: its received day at 10:00 in Beijing, as an aware UTC datetime."""
    return datetime.combine(EPOCH + timedelta(days=days), RECEIVED_AT, CHINA).astimezone(UTC)


def subject_identifiers(batch: SubjectBatch) -> Iterator[tuple[int, str, str]]:
    """(local subject, id_type, value) for every identifier of every subject, canonical first."""
    for column, id_type in ((batch.canonical, None), (batch.registration_no, "registration_no"),
                            (batch.organisation_code, "organisation_code")):
        for i in np.flatnonzero(np.not_equal(column, None)).tolist():
            yield i, id_type or str(batch.canonical_type[i]), str(column[i])


def record_rows(batch: RecordBatch, subject_ids: np.ndarray, first_id: int,
                department_ids: list[int] | np.ndarray) -> list[dict[str, Any]]:
    """Row dicts for ``insert(credit_record)``: ids from ``first_id`` on, version 1, active, channel demo."""
    departments = np.asarray(department_ids)
    rows = []
    for i in range(len(batch)):
        record_id = first_id + i
        rows.append({
            "subject_id": int(subject_ids[batch.subject[i]]), "id": record_id, "root_id": record_id, "version": 1,
            "superseded_by": None, "info_class": batch.info_class[i], "classification": batch.classification[i],
            "department_id": int(departments[batch.department[i]]), "status": "active",
            "sharing": batch.sharing[i], "openness": batch.openness[i], "doc_number": batch.doc_number[i],
            "decision_date": _date(batch.decision_date[i]), "valid_from": _date(batch.valid_from[i]),
            "valid_to": _date(batch.valid_to[i]), "category": batch.category[i],
            "amount": None if batch.amount[i] is None else Decimal(batch.amount[i]),
            "authority_name": batch.authority_name[i], "authority_uscc": batch.authority_uscc[i],
            "content": batch.content[i], "extra": json.loads(batch.extra[i]), "channel": "demo", "batch_id": None,
            "source_row": None, "source_key": None, "submitter_id": None,
            "received_at": received_at(int(batch.received_day[i])),
        })
    return rows


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


__all__ = [
    "BLOCK",
    "Block",
    "Plan",
    "RecordBatch",
    "SubjectBatch",
    "blocks",
    "default_records",
    "departments",
    "generate",
    "generate_block",
    "make_plan",
    "received_at",
    "record_rows",
    "subject_identifiers",
]
