"""Turning a batch's accepted rows into records: core columns, extra items, versions, one bulk write.

The same document number for the same subject and class (or, for API pushes, the same source key of
the same department) continues an existing record: identical content is a duplicate and writes
nothing; changed content becomes the next version and the previous one is marked corrected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, bindparam, insert, select, update

from xinyong.adapters.bulk import bulk_insert, timestamp_text
from xinyong.adapters.ids import allocate
from xinyong.adapters.keyset import load_keys
from xinyong.adapters.tables import credit_record, record_event
from xinyong.domain.catalogue import InfoClass, ItemType
from xinyong.domain.records import CORE_COLUMNS, RecordStatus

_COMPARED = [*CORE_COLUMNS, "extra"]


@dataclass
class Provenance:
    department_id: int
    channel: str
    batch_id: int | None
    submitter_id: int | None
    submitter_name: str
    received_at: datetime


@dataclass
class Written:
    created: int
    updated: int
    duplicates: int
    record_ids: pl.Series  # per accepted input row, the id of the version it produced or matched


def record_frame(info: InfoClass, values: pl.DataFrame) -> pl.DataFrame:
    """Core columns (typed) and ``extra`` (JSON text of every other item, canonical text, nulls kept)."""
    core = {item.column: item.code for item in info.items if item.column and item.code in values.columns}
    extra_items = [item for item in info.items if not item.column]
    columns = [pl.col(code).alias(column) for column, code in core.items()]
    columns += [pl.lit(None).alias(c) for c in CORE_COLUMNS if c not in core]
    if extra_items:
        columns.append(pl.struct([_canonical(item.code, item.type, values) for item in extra_items])
                       .struct.json_encode().alias("extra"))
    else:
        columns.append(pl.lit(None, pl.String).alias("extra"))
    return values.select(columns)


def _canonical(code: str, kind: ItemType, values: pl.DataFrame) -> pl.Expr:
    if code not in values.columns:
        return pl.lit(None, pl.String).alias(code)
    text = pl.col(code).cast(pl.String)
    if kind is ItemType.DECIMAL:  # as domain.values.canonical_text: no trailing zeros
        text = text.str.replace(r"(\.\d*?)0+$", "$1").str.replace(r"\.$", "")
    return text.alias(code)


def _existing(connection: Connection, info: InfoClass, key: str, frame: pl.DataFrame,
              department_id: int) -> dict[tuple[int, str], dict[str, Any]]:
    """Current versions that the batch's keys continue, by (subject_id, key value): one join."""
    column = credit_record.c.doc_number if key == "doc_number" else credit_record.c.source_key
    wanted = frame.select("subject_id", key).drop_nulls().unique()
    if wanted.height == 0:
        return {}
    conditions = [credit_record.c.info_class == info.code, credit_record.c.superseded_by.is_(None)]
    if key == "source_key":
        conditions.append(credit_record.c.department_id == department_id)
    if connection.dialect.name == "sqlite":
        # SQLite plans IN lists on the (info_class, doc_number) index well, and joins on a temp table badly.
        values = wanted[key].unique().to_list()
        found: dict[tuple[int, str], dict[str, Any]] = {}
        for start in range(0, len(values), 500):
            query = select(credit_record).where(column.in_(values[start:start + 500]), *conditions)
            found.update({(r.subject_id, getattr(r, key)): dict(r._mapping) for r in connection.execute(query)})
        return found
    # PostgreSQL: the key set drives one join (IN lists on partitioned tables plan badly).
    keys = load_keys(connection, [None] * wanted.height, wanted[key].to_list(), wanted["subject_id"].to_list())
    joined = keys.join(credit_record, and_(credit_record.c.subject_id == keys.c.n, column == keys.c.k2))
    query = select(credit_record).select_from(joined).where(*conditions)
    return {(row.subject_id, getattr(row, key)): dict(row._mapping) for row in connection.execute(query)}


def _same(existing: dict[str, Any], new: dict[str, Any]) -> bool:
    for name in CORE_COLUMNS:
        if existing[name] != new[name]:
            return False
    old_extra = existing["extra"] if isinstance(existing["extra"], dict) else json.loads(existing["extra"] or "null")
    return (old_extra or None) == (json.loads(new["extra"]) if new["extra"] else None)


def write_records(connection: Connection, info: InfoClass, values: pl.DataFrame, subject_ids: pl.Series,
                  lines: pl.Series, source_keys: pl.Series | None, origin: Provenance) -> Written:
    """Write every row of ``values`` (all accepted, all linked) as a record or a new version."""
    frame = record_frame(info, values).with_columns(
        subject_ids.alias("subject_id"), lines.alias("source_row"),
        (source_keys if source_keys is not None else pl.lit(None, pl.String)).alias("source_key"),
    ).with_row_index("input")
    key = "source_key" if source_keys is not None else "doc_number"
    frame = frame.with_columns(pl.col(key).alias("key"))
    existing = _existing(connection, info, key, frame, origin.department_id)

    # Drop a row identical to the one before it with the same key (in the batch or in the database).
    keyed = frame.filter(pl.col("key").is_not_null())
    content = pl.struct(_COMPARED).hash()
    repeats = keyed.with_columns(content.alias("h")).with_columns(
        (pl.col("h") == pl.col("h").shift(1).over(["subject_id", "key"], order_by="input")).fill_null(False)
        .alias("repeat"))
    duplicate_inputs = set(repeats.filter("repeat")["input"].to_list())
    matched: dict[int, int] = {}
    first_rows = repeats.filter(~pl.col("repeat")).group_by(["subject_id", "key"]).agg(pl.col("input").min())
    for subject_id, key_value, row in first_rows.iter_rows():
        old = existing.get((subject_id, key_value))
        if old is not None and _same(old, frame.row(row, named=True)):
            duplicate_inputs.add(row)
            matched[row] = old["id"]
    to_write = frame.filter(~pl.col("input").is_in(list(duplicate_inputs)))
    n = to_write.height
    first_id = allocate(connection, "record", n) if n else 0
    to_write = to_write.with_columns(pl.int_range(first_id, first_id + n, dtype=pl.Int64).alias("id"))
    chained = to_write.with_columns(
        pl.col("id").shift(-1).over(["subject_id", "key"], order_by="input").alias("superseded_by"),
        pl.col("id").first().over(["subject_id", "key"], order_by="input").alias("chain_root"),
        pl.int_range(1, pl.len() + 1).over(["subject_id", "key"], order_by="input").alias("rank"),
    ) if n else to_write
    updated_from: list[dict[str, Any]] = []
    root, version = [], []
    for row in chained.select("subject_id", "key", "id", "chain_root", "rank").iter_rows() if n else []:
        old = existing.get((row[0], row[1])) if row[1] is not None else None
        if old is not None:
            root.append(old["root_id"])
            version.append(old["version"] + row[4])
            if row[4] == 1:
                updated_from.append({"old_id": old["id"], "old_subject": old["subject_id"], "new_id": row[2]})
        else:
            root.append(row[3] if row[1] is not None else row[2])
            version.append(row[4] if row[1] is not None else 1)
    if n:
        _insert(connection, info, chained, root, version, origin)
        _supersede(connection, updated_from, origin)
    ids = dict(zip(to_write["input"].to_list(), to_write["id"].to_list(), strict=True)) if n else {}
    ids.update(matched)
    continued = len(updated_from) + (chained.filter(pl.col("rank") > 1).height if n else 0)
    return Written(created=n - continued, updated=continued, duplicates=len(duplicate_inputs),
                   record_ids=pl.Series("record_id", [ids.get(i) for i in range(frame.height)], dtype=pl.Int64))


def _text(series: pl.Series) -> list[Any]:
    if series.dtype == pl.Date:
        return series.cast(pl.String).to_list()
    if isinstance(series.dtype, pl.Decimal):
        return series.cast(pl.String).to_list()
    return series.to_list()


def _insert(connection: Connection, info: InfoClass, frame: pl.DataFrame, root: list[int], version: list[int],
            origin: Provenance) -> None:
    n = frame.height
    status = [RecordStatus.CORRECTED.value if s is not None else RecordStatus.ACTIVE.value
              for s in frame["superseded_by"].to_list()]
    columns = {
        "subject_id": frame["subject_id"].to_list(), "id": frame["id"].to_list(), "root_id": root,
        "version": version, "superseded_by": frame["superseded_by"].to_list(), "info_class": [info.code] * n,
        "classification": [info.classification.value] * n, "department_id": [origin.department_id] * n,
        "status": status, "sharing": [info.default_sharing.value] * n, "openness": [info.default_openness.value] * n,
        **{c: _text(frame[c]) for c in CORE_COLUMNS}, "extra": frame["extra"].to_list(),
        "channel": [origin.channel] * n, "batch_id": [origin.batch_id] * n, "source_row": frame["source_row"].to_list(),
        "source_key": frame["source_key"].to_list(), "submitter_id": [origin.submitter_id] * n,
        "received_at": [timestamp_text(connection, origin.received_at)] * n,
    }
    bulk_insert(connection, credit_record, list(columns), list(columns.values()))


def _supersede(connection: Connection, continued: list[dict[str, Any]], origin: Provenance) -> None:
    """Existing current versions continued by the batch become ``corrected`` (content untouched)."""
    if not continued:
        return
    connection.execute(
        update(credit_record)
        .where(and_(credit_record.c.subject_id == bindparam("old_subject"), credit_record.c.id == bindparam("old_id")))
        .values(status=RecordStatus.CORRECTED.value, superseded_by=bindparam("new_id")),
        continued,
    )
    connection.execute(insert(record_event), [
        {"subject_id": c["old_subject"], "record_id": c["old_id"], "at": origin.received_at, "event": "corrected",
         "reason": f"superseded by record {c['new_id']} (batch {origin.batch_id})", "actor_name": origin.submitter_name}
        for c in continued
    ])
