"""Linking a batch's rows to their subjects (主体名下归结果), column-wise.

The per-row rules are those of ``domain.linking``; here they run over whole frames: one look-up per
distinct identifier, new subjects created in one block, legacy codes added to the subjects they name.
A row that names its subject only by an unknown legacy code is held for review, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
from sqlalchemy import Connection, select, true

from xinyong.adapters.bulk import bulk_insert_frame, timestamp_text
from xinyong.adapters.ids import allocate
from xinyong.adapters.keyset import fetch_frame, load_keys
from xinyong.adapters.repositories.names import gram_frame
from xinyong.adapters.tables import subject, subject_gram, subject_identifier, subject_name
from xinyong.domain.catalogue import InfoClass, ItemRole
from xinyong.domain.identifiers import IdType
from xinyong.domain.linking import claim_subject
from xinyong.domain.subjects import USCC_CATEGORY_TYPES, Identifier, SubjectType, division_of
from xinyong.ingest.cells import PROBLEM_SCHEMA, problem


@dataclass
class Linked:
    subject_id: pl.Series  # Int64 per row; null where the row is rejected or held
    problems: pl.DataFrame  # link.* problems (rejected rows)
    held: pl.DataFrame  # rows held for review, same schema as problems
    created: pl.Series  # ids of the subjects this chunk created (they have no records yet)
    types: pl.DataFrame  # subject_id, subject_type of every subject a row was linked to


_IDS = {"id_type": pl.String, "value": pl.String, "subject_id": pl.Int64}
_SUBJECTS = {"subject_id": pl.Int64, "current_name": pl.String, "subject_type": pl.String}
_KNOWN = _IDS | {"current_name": pl.String, "subject_type": pl.String}
# Identifiers a batch keeps in memory: about 300 bytes each at the peak (with their subjects, and the joins
# against them); 250,000 keep a 2,000,000-row file under 1 GB on SQLite (500,000 took it to 1,036 MiB).
SEEN_LIMIT = 250_000


@dataclass
class Seen:
    """What one batch has learnt about identifiers (looked up, or written by its earlier chunks) with
    their subjects' current name and type, so that later chunks ask the database only for the others.
    The batch is one transaction: what it wrote, it knows; a subject it renamed is kept under the new
    name. Bounded: past ``limit`` identifiers, new ones are no longer kept (they are looked up)."""

    ids: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_IDS))
    subjects: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=_SUBJECTS))
    limit: int = SEEN_LIMIT

    def split(self, pairs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """(what is known of these (id_type, value) pairs, in ``_lookup``'s columns; the pairs to look up)."""
        joined = pairs.join(self.ids, on=["id_type", "value"], how="left")
        known = pl.col("subject_id").is_not_null()
        return (joined.filter(known).join(self.subjects, on="subject_id").select(list(_KNOWN)),
                joined.filter(~known).select("id_type", "value"))

    def learn(self, ids: pl.DataFrame, subjects: pl.DataFrame, renamed: pl.DataFrame) -> None:
        """Add identifiers new to it (looked up or written by a chunk) and their subjects; ``renamed``:
        subject_id, name of the subjects the chunk renamed."""
        if renamed.height:
            self.subjects = self.subjects.join(renamed, on="subject_id", how="left").select(
                "subject_id", pl.coalesce("name", "current_name").alias("current_name"), "subject_type")
        if self.ids.height < self.limit:
            self.ids = pl.concat([self.ids, ids.select(list(_IDS))])
            self.subjects = pl.concat([self.subjects, subjects.select(list(_SUBJECTS))])


def claims_of(info: InfoClass, values: pl.DataFrame) -> pl.DataFrame:
    """Per row of the validated ``values``: subject type, name, canonical identifier (type, value) and each
    legacy code."""
    def column(role: ItemRole) -> pl.Expr:
        item = info.item_by_role(role)
        return pl.col(item.code) if item is not None and item.code in values.columns else pl.lit(None, pl.String)

    uscc = column(ItemRole.SUBJECT_ID)
    category = info.item_by_role(ItemRole.SUBJECT_CATEGORY)
    fallback = (pl.lit(info.subject_types[0].value) if len(info.subject_types) == 1
                else uscc.str.slice(0, 2).replace_strict({k: v.value for k, v in USCC_CATEGORY_TYPES.items()},
                                                          default=SubjectType.ENTERPRISE.value))
    kind = pl.coalesce(column(ItemRole.SUBJECT_CATEGORY), fallback) if category else fallback
    person = kind == SubjectType.PERSON.value
    cert_type = pl.coalesce(column(ItemRole.SUBJECT_CERT_TYPE), pl.lit(IdType.CITIZEN_ID.value))
    cert_no = column(ItemRole.SUBJECT_CERT_NO)
    legacy = [item for item in info.items if item.role is ItemRole.SUBJECT_OTHER_ID and item.code in values.columns]
    return values.select(
        kind.alias("kind"),
        column(ItemRole.SUBJECT_NAME).alias("name"),
        pl.when(person).then(pl.when(cert_no.is_not_null()).then(cert_type)).otherwise(
            pl.when(uscc.is_not_null()).then(pl.lit(IdType.USCC.value))).alias("canon_type"),
        pl.when(person).then(cert_no).otherwise(uscc).alias("canon_value"),
        *[pl.when(~person).then(pl.col(item.code)).alias(f"legacy:{item.id_type}") for item in legacy],
    )


def _lookup(connection: Connection, pairs: pl.DataFrame) -> pl.DataFrame:
    """(id_type, value, subject_id, current_name, subject_type) of the subjects that already hold these
    identifiers.

    PostgreSQL: one index probe per key (a LATERAL join driven by the key set, so the cost follows the
    batch, not the size of the table); SQLite: IN lists."""
    schema = _KNOWN
    columns = (subject_identifier.c.id_type, subject_identifier.c.value, subject_identifier.c.subject_id,
               subject.c.name, subject.c.subject_type)
    named = subject_identifier.join(subject, subject.c.id == subject_identifier.c.subject_id)
    found = [pl.DataFrame(schema=schema)]
    if pairs.height == 0:
        pass
    elif connection.dialect.name == "sqlite":
        for (id_type,), group in pairs.group_by(["id_type"]):
            values = group["value"].to_list()
            for start in range(0, len(values), 500):
                found.append(fetch_frame(connection, select(*columns).select_from(named).where(
                    subject_identifier.c.id_type == id_type, subject_identifier.c.value.in_(values[start:start + 500])),
                    schema))
    else:
        keys = load_keys(connection, pairs.select(pl.col("id_type").alias("k1"), pl.col("value").alias("k2")))
        probe = (select(*columns).select_from(named)
                 .where(subject_identifier.c.id_type == keys.c.k1, subject_identifier.c.value == keys.c.k2)
                 .offset(0).lateral("known"))
        found.append(fetch_frame(connection, select(*probe.c).select_from(keys.join(probe, true())), schema))
    return pl.concat(found)


def _pairs(claims: pl.DataFrame) -> pl.DataFrame:
    """One row per (input row, identifier it names): the canonical one first, then the legacy codes."""
    legacy = [c for c in claims.columns if c.startswith("legacy:")]
    parts = [claims.select("row", pl.col("canon_type").alias("id_type"), pl.col("canon_value").alias("value"),
                           pl.lit(0).alias("order"))]
    parts += [claims.select("row", pl.lit(name.removeprefix("legacy:")).alias("id_type"), pl.col(name).alias("value"),
                            pl.lit(n + 1).alias("order")) for n, name in enumerate(legacy)]
    return (pl.concat(parts).filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
            .sort("row", "order").with_columns((pl.col("order") == 0).alias("canonical")).drop("order"))


def link_rows(connection: Connection, info: InfoClass, values: pl.DataFrame, claims: pl.DataFrame,
              candidates: pl.Series, since: pl.Series, now: datetime, source: str, seen: Seen) -> Linked:
    """Subject ids for the ``candidates`` rows (bool mask of rows that passed validation); ``claims``:
    ``claims_of(info, values)``; ``seen``: what the batch's earlier chunks learnt (updated here).

    Per row: its identifiers' known subjects decide (two different ones: rejected); none known, a canonical
    identifier creates the subject (once per identifier, from its first row); only unknown legacy codes:
    held. An identifier new to the platform goes to the subject of the first row naming it, a known
    subject before a new one (so a canonical identifier just added to a known subject links to it)."""
    claims = claims.with_row_index("row").with_columns(since.alias("since")).filter(candidates)
    pairs = _pairs(claims)
    cached, asked = seen.split(pairs.select("id_type", "value").unique())
    looked_up = _lookup(connection, asked)
    known = pl.concat([cached, looked_up])
    pairs = pairs.join(known, on=["id_type", "value"], how="left", maintain_order="left")
    per_row = pairs.group_by("row", maintain_order=True).agg(
        pl.col("subject_id").drop_nulls().n_unique().alias("hits"),
        pl.col("subject_id").drop_nulls().first().alias("hit"),
        pl.col("canonical").any().alias("has_canonical"),
    )
    problems = [_unnamed(info, values, claims.filter(~pl.col("row").is_in(per_row["row"].implode()))["row"]),
                _rows_problem(per_row.filter(pl.col("hits") > 1)["row"], "link.conflict",
                              "记录中的多个代码分属不同主体，请核对",
                              "the record's identifiers belong to different subjects")]
    held = _rows_problem(per_row.filter((pl.col("hits") == 0) & ~pl.col("has_canonical"))["row"],
                         "link.held_for_review", "仅有工商注册号等旧代码且平台中尚无该主体，已转人工核实",
                         "only a legacy code that no known subject has: held for review")
    linked = per_row.filter(pl.col("hits") == 1).select("row", pl.col("hit").alias("subject_id"))
    # Identifiers new to the platform that rows of known subjects carry go to those subjects.
    added = (pairs.filter(pl.col("subject_id").is_null()).join(linked, on="row", suffix="_of_row")
             .unique(["id_type", "value"], keep="first", maintain_order=True)
             .select("id_type", "value", pl.col("subject_id_of_row").alias("subject_id")))
    fresh = per_row.filter((pl.col("hits") == 0) & pl.col("has_canonical")).select("row")
    fresh_pairs = pairs.join(fresh, on="row").drop("subject_id")
    canonical = fresh_pairs.filter("canonical").select("row", "id_type", "value")
    # A canonical identifier that a row of a known subject has just added names that subject, not a new one.
    via_added = canonical.join(added, on=["id_type", "value"])
    canonical = canonical.join(added, on=["id_type", "value"], how="anti")
    new_ids, new_identifiers, new_subjects = _create_subjects(connection, claims, canonical, fresh_pairs, added,
                                                              now, source)
    linked = pl.concat([linked, via_added.select("row", "subject_id"),
                        canonical.join(new_ids, on=["id_type", "value"]).select("row", "subject_id")])
    _add_identifiers(connection, added)
    renamed = _rename(connection, claims, linked, known, now, source)
    series = (pl.DataFrame({"row": pl.int_range(0, values.height, dtype=pl.UInt32, eager=True)})
              .join(linked, on="row", how="left", maintain_order="left")["subject_id"].cast(pl.Int64))
    # Subjects the batch did not know yet, as they are now (renamed by this chunk, or new).
    learnt = (looked_up.select(list(_SUBJECTS)).join(seen.subjects, on="subject_id", how="anti")
              .unique("subject_id").join(renamed, on="subject_id", how="left")
              .select("subject_id", pl.coalesce("name", "current_name").alias("current_name"), "subject_type"))
    seen.learn(pl.concat([looked_up.select(list(_IDS)), new_identifiers, added]),
               pl.concat([learnt, new_subjects]), renamed)
    types = pl.concat([known.select("subject_id", "subject_type"), new_subjects.select("subject_id", "subject_type")])
    return Linked(series, pl.concat(problems), held, new_ids["subject_id"], types.unique("subject_id"))


def _rows_problem(rows: pl.Series, code: str, message: str, message_en: str) -> pl.DataFrame:
    return problem(rows.to_list(), "subject", code, message, message_en)


def _unnamed(info: InfoClass, values: pl.DataFrame, rows: pl.Series) -> pl.DataFrame:
    """Rows that name no identifier at all: the domain rule says why (few rows, checked one by one)."""
    found = [pl.DataFrame(schema=PROBLEM_SCHEMA)]
    for row in rows.to_list():
        _, why = claim_subject(info, values.row(row, named=True))
        if why is not None:
            found.append(problem([row], why.field, why.code, why.message, why.message_en))
    return pl.concat(found)


def _create_subjects(connection: Connection, claims: pl.DataFrame, canonical: pl.DataFrame,
                     fresh_pairs: pl.DataFrame, added: pl.DataFrame, now: datetime,
                     source: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """New subjects, one per canonical identifier, described by its first row (their name index
    included); returns their ids by canonical identifier, every identifier given to them, and their
    names and types."""
    first = canonical.unique(["id_type", "value"], keep="first", maintain_order=True)
    if first.height == 0:
        return pl.DataFrame(schema=_IDS), pl.DataFrame(schema=_IDS), pl.DataFrame(schema=_SUBJECTS)
    start = allocate(connection, "subject", first.height)
    new = first.join(claims.select("row", "kind", "name", "since"), on="row", maintain_order="left").with_columns(
        pl.int_range(start, start + first.height, dtype=pl.Int64).alias("subject_id"),
        pl.coalesce(pl.when(pl.col("name") != "").then("name"), "value").alias("name"),
    )
    stamp = timestamp_text(connection, now)
    bulk_insert_frame(connection, subject, new.select(
        pl.col("subject_id").alias("id"), pl.col("kind").alias("subject_type"),
        pl.col("id_type").alias("canonical_id_type"), pl.col("value").alias("canonical_id"), "name",
        pl.struct("id_type", "value").map_elements(_division, return_dtype=pl.String).alias("division_code"),
        pl.lit(stamp).alias("created_at"), pl.lit(stamp).alias("updated_at")))
    bulk_insert_frame(connection, subject_gram, gram_frame(new.select(
        "subject_id", "name", pl.col("kind").alias("subject_type"))))
    bulk_insert_frame(connection, subject_name, new.select(
        "subject_id", pl.col("since").fill_null(now.date()).alias("valid_from"), "name",
        pl.lit(None, pl.String).alias("valid_to"), pl.lit(source).alias("source")))
    ids = new.select("id_type", "value", "subject_id")
    # Legacy codes of the new subjects' rows (not yet given to a known subject) go to the new subjects.
    legacy = (fresh_pairs.filter(~pl.col("canonical"))
              .join(canonical.select("row", pl.col("id_type").alias("c_type"), pl.col("value").alias("c_value")),
                    on="row")
              .join(ids.rename({"id_type": "c_type", "value": "c_value"}), on=["c_type", "c_value"])
              .join(added, on=["id_type", "value"], how="anti")
              .unique(["id_type", "value"], keep="first", maintain_order=True)
              .select("id_type", "value", "subject_id"))
    identifiers = pl.concat([ids, legacy])
    bulk_insert_frame(connection, subject_identifier, identifiers)
    return ids, identifiers, new.select("subject_id", pl.col("name").alias("current_name"),
                                        pl.col("kind").alias("subject_type"))


def _division(pair: dict[str, str]) -> str | None:
    return division_of(Identifier(IdType(pair["id_type"]), pair["value"]))


def _add_identifiers(connection: Connection, pairs: pl.DataFrame) -> None:
    if pairs.height:
        bulk_insert_frame(connection, subject_identifier, pairs)


def _rename(connection: Connection, claims: pl.DataFrame, linked: pl.DataFrame, known: pl.DataFrame,
            now: datetime, source: str) -> pl.DataFrame:
    """A new name for an existing subject goes into its name history (the latest row's name wins);
    returns the renamed subjects (subject_id, name)."""
    from xinyong.adapters.repositories.subjects import SubjectRepository

    current = known.select("subject_id", "current_name").unique("subject_id")
    latest = (claims.select("row", "name", "since").join(linked, on="row")
              .filter(pl.col("name").is_not_null() & (pl.col("name") != ""))
              .sort("row").unique("subject_id", keep="last", maintain_order=True)
              .join(current, on="subject_id")  # only subjects that existed before this chunk
              .filter(pl.col("name") != pl.col("current_name")))
    repository = SubjectRepository(connection)
    for subject_id, name, when in latest.select("subject_id", "name", "since").iter_rows():
        repository.rename(subject_id, name, when or now.date(), now, source)
    return latest.select("subject_id", "name")
