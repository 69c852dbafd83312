"""Linking a batch's rows to their subjects (主体名下归结果), column-wise.

The per-row rules are those of ``domain.linking``; here they run over whole frames: one look-up per
distinct identifier, new subjects created in one block, legacy codes added to the subjects they name.
A row that names its subject only by an unknown legacy code is held for review, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, and_, select

from xinyong.adapters.bulk import bulk_insert, timestamp_text
from xinyong.adapters.ids import allocate
from xinyong.adapters.keyset import load_keys
from xinyong.adapters.tables import subject, subject_identifier, subject_name
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
    created: int = 0
    renamed: list[int] = field(default_factory=list)


def _claims(info: InfoClass, values: pl.DataFrame) -> pl.DataFrame:
    """Per row: subject type, name, canonical identifier (type, value) and each legacy code."""
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


def _lookup(connection: Connection, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The subjects that already hold these identifiers (one join on PostgreSQL, IN lists on SQLite)."""
    if not pairs:
        return {}
    columns = (subject_identifier.c.id_type, subject_identifier.c.value, subject_identifier.c.subject_id)
    ordered = list(pairs)
    if connection.dialect.name == "sqlite":
        found: dict[tuple[str, str], int] = {}
        for id_type in {p[0] for p in ordered}:
            values = [p[1] for p in ordered if p[0] == id_type]
            for start in range(0, len(values), 500):
                rows = connection.execute(select(*columns).where(
                    subject_identifier.c.id_type == id_type, subject_identifier.c.value.in_(values[start:start + 500])))
                found.update({(t, v): s for t, v, s in rows})
        return found
    keys = load_keys(connection, [p[0] for p in ordered], [p[1] for p in ordered])
    rows = connection.execute(select(*columns).select_from(keys.join(
        subject_identifier, and_(subject_identifier.c.id_type == keys.c.k1, subject_identifier.c.value == keys.c.k2))))
    return {(id_type, value): subject_id for id_type, value, subject_id in rows}


def link_rows(connection: Connection, info: InfoClass, values: pl.DataFrame, candidates: pl.Series,
              since: pl.Series, now: datetime, source: str) -> Linked:
    """Subject ids for the ``candidates`` rows (bool mask of rows that passed validation)."""
    claims = _claims(info, values).with_row_index("row").filter(candidates)
    legacy_columns = [c for c in claims.columns if c.startswith("legacy:")]
    pairs = {(t, v) for t, v in claims.select("canon_type", "canon_value").drop_nulls().iter_rows()}
    for name in legacy_columns:
        pairs |= {(name.removeprefix("legacy:"), v) for v in claims[name].drop_nulls().unique().to_list()}
    known = _lookup(connection, pairs)

    subject_ids: dict[int, int] = {}
    problems, held = [], []
    new_subjects: dict[tuple[str, str], dict[str, Any]] = {}
    add_identifiers: dict[tuple[str, str], int] = {}
    pending: list[tuple[int, tuple[str, str]]] = []
    for record in claims.iter_rows(named=True):
        row = record["row"]
        canonical = (record["canon_type"], record["canon_value"]) if record["canon_value"] else None
        legacies = [(c.removeprefix("legacy:"), record[c]) for c in legacy_columns if record[c]]
        if canonical is None and not legacies:
            _, why = claim_subject(info, values.row(row, named=True))
            if why is not None:
                problems.append(problem([row], why.field, why.code, why.message, why.message_en))
            continue
        hits = {known[p] for p in ([canonical] if canonical else []) + legacies if p in known}
        if len(hits) > 1:
            problems.append(problem([row], "subject", "link.conflict", "记录中的多个代码分属不同主体，请核对",
                                    "the record's identifiers belong to different subjects"))
            continue
        if hits:
            subject_id = hits.pop()
            subject_ids[row] = subject_id
            for pair in ([canonical] if canonical else []) + legacies:
                if pair not in known:
                    add_identifiers.setdefault(pair, subject_id)
        elif canonical is not None:
            new_subjects.setdefault(canonical, {"kind": record["kind"], "name": record["name"],
                                                "since": since[row], "others": set()})["others"].update(legacies)
            pending.append((row, canonical))
        else:
            held.append(problem([row], "subject", "link.held_for_review",
                                "仅有工商注册号等旧代码且平台中尚无该主体，已转人工核实",
                                "only a legacy code that no known subject has: held for review"))

    created = _create_subjects(connection, new_subjects, add_identifiers, known, now, source)
    for row, canonical in pending:
        subject_ids[row] = created[canonical]
    _add_identifiers(connection, add_identifiers)
    renamed = _rename(connection, claims, subject_ids, since, now, source, set(created.values()))
    series = pl.Series("subject_id", [subject_ids.get(i) for i in range(values.height)], dtype=pl.Int64)
    return Linked(series, _concat(problems), _concat(held), len(created), renamed)


def _concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(frames) if frames else pl.DataFrame(schema=PROBLEM_SCHEMA)


def _create_subjects(connection: Connection, new: dict[tuple[str, str], dict[str, Any]],
                     add_identifiers: dict[tuple[str, str], int], known: dict[tuple[str, str], int],
                     now: datetime, source: str) -> dict[tuple[str, str], int]:
    if not new:
        return {}
    first = allocate(connection, "subject", len(new))
    ids = {canonical: first + offset for offset, canonical in enumerate(new)}
    stamp = timestamp_text(connection, now)
    rows = list(new.items())
    bulk_insert(connection, subject, ("id", "subject_type", "canonical_id_type", "canonical_id", "name",
                                      "division_code", "created_at", "updated_at"),
                [[ids[c] for c, _ in rows], [d["kind"] for _, d in rows], [c[0] for c, _ in rows],
                 [c[1] for c, _ in rows], [d["name"] or c[1] for c, d in rows],
                 [division_of(Identifier(IdType(c[0]), c[1])) for c, _ in rows],
                 [stamp] * len(rows), [stamp] * len(rows)])
    bulk_insert(connection, subject_name, ("subject_id", "valid_from", "name", "valid_to", "source"),
                [[ids[c] for c, _ in rows], [_iso(d["since"], now) for _, d in rows],
                 [d["name"] or c[1] for c, d in rows], [None] * len(rows), [source] * len(rows)])
    identifiers = {c: ids[c] for c in ids}
    for canonical, data in rows:
        for pair in data["others"]:
            if pair not in known and pair not in identifiers:
                identifiers[pair] = ids[canonical]
                add_identifiers.pop(pair, None)
    bulk_insert(connection, subject_identifier, ("id_type", "value", "subject_id"),
                [[p[0] for p in identifiers], [p[1] for p in identifiers], list(identifiers.values())])
    return ids


def _iso(value: date | None, now: datetime) -> str:
    return (value or now.date()).isoformat()


def _add_identifiers(connection: Connection, pairs: dict[tuple[str, str], int]) -> None:
    if pairs:
        bulk_insert(connection, subject_identifier, ("id_type", "value", "subject_id"),
                    [[p[0] for p in pairs], [p[1] for p in pairs], list(pairs.values())])


def _rename(connection: Connection, claims: pl.DataFrame, subject_ids: dict[int, int], since: pl.Series,
            now: datetime, source: str, created: set[int]) -> list[int]:
    """A new name for an existing subject goes into its name history (the latest row's name wins)."""
    from xinyong.adapters.repositories.subjects import SubjectRepository

    latest: dict[int, tuple[str, date | None]] = {}
    for row, name in claims.select("row", "name").iter_rows():
        subject_id = subject_ids.get(row)
        if subject_id is not None and subject_id not in created and name:
            latest[subject_id] = (name, since[row])
    if not latest:
        return []
    current = dict(connection.execute(select(subject.c.id, subject.c.name).where(subject.c.id.in_(list(latest)))).all())
    repository = SubjectRepository(connection)
    renamed = []
    for subject_id, (name, when) in latest.items():
        if current.get(subject_id) != name:
            repository.rename(subject_id, name, when or now.date(), now, source)
            renamed.append(subject_id)
    return renamed
