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
from sqlalchemy import Connection, and_, bindparam, insert, literal_column, select, true, update

from xinyong.adapters.bulk import bulk_insert_frame, timestamp_text
from xinyong.adapters.ids import allocate
from xinyong.adapters.jsontext import json_value
from xinyong.adapters.keyset import load_keys
from xinyong.adapters.tables import credit_record, record_event
from xinyong.domain.catalogue import InfoClass, ItemType
from xinyong.domain.records import CORE_COLUMNS, RecordStatus, filled

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
    # The current versions written (subject_id, id and the core columns), for their publication windows.
    current: pl.DataFrame
    # (subject_id, id) of the versions that stopped being current.
    replaced: pl.DataFrame


_WRITTEN_SCHEMA = {"subject_id": pl.Int64, "id": pl.Int64}


def record_frame(info: InfoClass, values: pl.DataFrame) -> pl.DataFrame:
    """Core columns (typed) and ``extra`` (JSON text of every other item that has a value, canonical
    text; null when none has)."""
    core = {item.column: item.code for item in info.items if item.column and item.code in values.columns}
    extra_items = [item for item in info.items if not item.column]
    columns = [pl.col(code).alias(column) for column, code in core.items()]
    columns += [pl.lit(None).alias(c) for c in CORE_COLUMNS if c not in core]
    if extra_items:
        # Each filled item as its JSON member ("code":"text"), joined: the empty items are left out.
        texts = values.select(_canonical(item.code, item.type) for item in extra_items if item.code in values.columns)
        escape = texts.select(pl.all().str.contains(r'[\\"\x00-\x1f]').any()).row(0) if texts.width else ()
        members = [pl.concat_str(pl.lit(f'"{name}":'), _json_string(name, needed))
                   for name, needed in zip(texts.columns, escape, strict=True)]
        body = pl.concat_str(members, separator=",", ignore_nulls=True) if members else pl.lit("")
        columns.append(pl.when(body != "").then(pl.concat_str(pl.lit("{"), body, pl.lit("}"))).alias("extra"))
        values = values.with_columns(texts)
    else:
        columns.append(pl.lit(None, pl.String).alias("extra"))
    return values.select(columns)


def _canonical(code: str, kind: ItemType) -> pl.Expr:
    text = pl.col(code).cast(pl.String)
    if kind is ItemType.DECIMAL:  # as domain.values.canonical_text: no trailing zeros
        text = text.str.replace(r"(\.\d*?)0+$", "$1").str.replace(r"\.$", "")
    return text.alias(code)


def _json_string(name: str, escape: bool) -> pl.Expr:
    """A text column as JSON strings, null staying null; the JSON encoder only where a value needs escapes."""
    if not escape:
        return pl.concat_str(pl.lit('"'), pl.col(name), pl.lit('"'))
    return pl.when(pl.col(name).is_not_null()).then(json_value(name))


def _existing(connection: Connection, info: InfoClass, key: str, frame: pl.DataFrame,
              department_id: int, new_subjects: pl.Series) -> list[dict[str, Any]]:
    """Current versions that the batch's keys continue: one join (PostgreSQL) or IN lists (SQLite).
    Subjects created by this chunk have no records yet and are not looked up."""
    column = credit_record.c.doc_number if key == "doc_number" else credit_record.c.source_key
    wanted = (frame.select("subject_id", key).drop_nulls().unique().sort("subject_id")
              .filter(~pl.col("subject_id").is_in(new_subjects.implode())))
    if wanted.height == 0:
        return []
    conditions = [credit_record.c.info_class == info.code, credit_record.c.superseded_by.is_(None)]
    if key == "source_key":
        conditions.append(credit_record.c.department_id == department_id)
    if connection.dialect.name == "sqlite":
        # SQLite plans IN lists on the subject index well, and joins on a temp table badly. The two lists
        # of a slice also match pairs the batch does not have; joining on (subject, key) later drops them.
        # The key's list is a filter ("+column" keeps it off the index): given two IN lists on the index
        # (subject_id, info_class, doc_number), SQLite probes every pair of the two, 250,000 per slice.
        found: list[dict[str, Any]] = []
        keys = literal_column(f"+{credit_record.name}.{column.name}", column.type)
        for start in range(0, wanted.height, 500):
            part = wanted.slice(start, 500)
            query = select(credit_record).where(credit_record.c.subject_id.in_(part["subject_id"].unique().to_list()),
                                                keys.in_(part[key].unique().to_list()), *conditions)
            found += [dict(r._mapping) for r in connection.execute(query)]
        return found
    # PostgreSQL: one index probe per key in the one partition of its subject (a LATERAL join driven by the
    # key set): the cost follows the batch, where a hash join would read the whole class every chunk.
    keys = load_keys(connection, wanted.select(pl.col(key).alias("k2"), pl.col("subject_id").alias("n")))
    probe = (select(credit_record).where(credit_record.c.subject_id == keys.c.n, column == keys.c.k2, *conditions)
             .offset(0).lateral("current"))
    return [dict(r._mapping) for r in connection.execute(select(*probe.c).select_from(keys.join(probe, true())))]


def _same(existing: dict[str, Any], new: dict[str, Any]) -> bool:
    for name in CORE_COLUMNS:
        if existing[name] != new[name]:
            return False
    old_extra = existing["extra"] if isinstance(existing["extra"], dict) else json.loads(existing["extra"] or "null")
    return filled(old_extra) == (json.loads(new["extra"]) if new["extra"] else {})


def write_records(connection: Connection, info: InfoClass, records: pl.DataFrame, subject_ids: pl.Series,
                  lines: pl.Series, source_keys: pl.Series | None, origin: Provenance,
                  new_subjects: pl.Series) -> Written:
    """Write every row of ``records`` (``record_frame`` of rows all accepted, all linked) as a record or a
    new version; ``new_subjects`` are the subjects just created for these rows."""
    frame = records.with_columns(
        subject_ids.alias("subject_id"), lines.alias("source_row"),
        (source_keys if source_keys is not None else pl.lit(None, pl.String)).alias("source_key"),
    ).with_row_index("input")
    key = "source_key" if source_keys is not None else "doc_number"
    frame = frame.with_columns(pl.col(key).alias("key"))
    found = _existing(connection, info, key, frame, origin.department_id, new_subjects)
    existing = pl.DataFrame({
        "subject_id": [r["subject_id"] for r in found], "key": [r[key] for r in found],
        "old_id": [r["id"] for r in found], "old_root": [r["root_id"] for r in found],
        "old_version": [r["version"] for r in found], "old": list(range(len(found)))},
        schema={"subject_id": pl.Int64, "key": pl.String, "old_id": pl.Int64, "old_root": pl.Int64,
                "old_version": pl.Int64, "old": pl.Int64})
    group = ["subject_id", "key"]

    # A row identical to the one before it with the same key (in the batch or in the database) is a duplicate.
    keyed = pl.col("key").is_not_null()
    content = pl.struct(_COMPARED).hash()
    # The per-key windows are only needed when a key occurs more than once in the chunk (rare).
    repeated = bool(frame.select((keyed & pl.struct(group).is_duplicated()).any()).item())
    frame = frame.with_columns(
        (keyed & (content == content.shift(1).over(group, order_by="input")).fill_null(False)).alias("repeat")
        if repeated else pl.lit(False).alias("repeat"))
    firsts = (frame.filter(keyed & ~pl.col("repeat")).group_by(group).agg(pl.col("input").min())
              .join(existing, on=group))
    matched = [row for row, old in firsts.select("input", "old").iter_rows()
               if _same(found[old], frame.row(row, named=True))]
    frame = frame.with_columns((pl.col("repeat") | pl.col("input").is_in(pl.Series(matched, dtype=pl.UInt32)
                                                                          .implode())).alias("duplicate"))
    duplicates = int(frame["duplicate"].sum())
    to_write = frame.filter(~pl.col("duplicate")).drop("repeat", "duplicate")
    n = to_write.height
    if n == 0:
        return Written(created=0, updated=0, duplicates=duplicates, current=pl.DataFrame(schema=_WRITTEN_SCHEMA),
                       replaced=pl.DataFrame(schema=_WRITTEN_SCHEMA))
    first_id = allocate(connection, "record", n)
    chains = [
        pl.when(keyed).then(pl.col("id").shift(-1).over(group, order_by="input")).alias("superseded_by"),
        pl.when(keyed).then(pl.col("id").first().over(group, order_by="input")).otherwise("id").alias("chain_root"),
        pl.when(keyed).then(pl.int_range(1, pl.len() + 1).over(group, order_by="input")).otherwise(1).alias("rank"),
    ] if repeated else [pl.lit(None, pl.Int64).alias("superseded_by"), pl.col("id").alias("chain_root"),
                        pl.lit(1, pl.Int64).alias("rank")]
    chained = to_write.with_columns(pl.int_range(first_id, first_id + n, dtype=pl.Int64).alias("id")).with_columns(
        chains
    ).join(existing, on=group, how="left", maintain_order="left").with_columns(
        pl.coalesce("old_root", "chain_root").alias("root_id"),
        (pl.col("old_version").fill_null(0) + pl.col("rank")).alias("version"),
    )
    continued = chained.filter(pl.col("old_id").is_not_null() & (pl.col("rank") == 1))
    _insert(connection, info, chained, origin)
    _supersede(connection, continued.select("old_id", pl.col("subject_id").alias("old_subject"),
                                            pl.col("id").alias("new_id")).to_dicts(), origin)
    updated = continued.height + chained.filter(pl.col("rank") > 1).height
    return Written(created=n - updated, updated=updated, duplicates=duplicates,
                   current=chained.filter(pl.col("superseded_by").is_null()).select("subject_id", "id", *CORE_COLUMNS),
                   replaced=continued.select(pl.col("subject_id"), pl.col("old_id").alias("id")))


def _insert(connection: Connection, info: InfoClass, frame: pl.DataFrame, origin: Provenance) -> None:
    status = pl.when(pl.col("superseded_by").is_not_null()).then(pl.lit(RecordStatus.CORRECTED.value))
    bulk_insert_frame(connection, credit_record, frame.select(
        "subject_id", "id", "root_id", "version", "superseded_by", pl.lit(info.code).alias("info_class"),
        pl.lit(info.classification.value).alias("classification"),
        pl.lit(origin.department_id, pl.Int64).alias("department_id"),
        status.otherwise(pl.lit(RecordStatus.ACTIVE.value)).alias("status"),
        pl.lit(info.default_sharing.value).alias("sharing"), pl.lit(info.default_openness.value).alias("openness"),
        *CORE_COLUMNS, "extra", pl.lit(origin.channel).alias("channel"),
        pl.lit(origin.batch_id, pl.Int64).alias("batch_id"), "source_row", "source_key",
        pl.lit(origin.submitter_id, pl.Int64).alias("submitter_id"),
        pl.lit(timestamp_text(connection, origin.received_at)).alias("received_at"),
    ))


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
