"""The name index (``subject_gram``) and the name search that reads it.

Every organisation's current name is folded (``domain/names.name_key``) and cut into character bigrams;
one row per (gram, subject). Subjects are indexed where they are written: one by one in
``SubjectRepository.add``/``rename``, set-wise (``gram_frame``) where subjects are created in bulk (the
ingest linker, the demo city) and by migration 0008 for subjects that existed before. Natural persons
are never indexed: the public search cannot find what is not there.

A search looks up the grams of the query that are *telling*: each gram's posting list is counted only up
to ``GRAM_CAP`` rows (an index range, cheap), grams above it (公司, 有限, the city's name) are left out,
and the subjects sharing the most telling grams come back, best first, for the caller to re-rank. A typo
spoils at most two grams of a query; the others still find the name.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, exists, func, insert, literal, select

from xinyong.adapters.tables import subject, subject_gram
from xinyong.domain.names import GRAM_SIZE, NAME_FOLDS, name_grams
from xinyong.domain.subjects import SubjectType

GRAM_CAP = 4_000  # a gram found in more names than this tells too little to be worth reading
MAX_QUERY_GRAMS = 32
COMMON_SCAN = 2_000  # names read when every gram of the query is common

_PERSON = SubjectType.PERSON.value


def gram_frame(subjects: pl.DataFrame) -> pl.DataFrame:
    """The index rows (gram, subject_id) of ``subjects`` (columns subject_id, name, subject_type), computed
    column-wise; the same grams as ``domain.names.name_grams``, persons left out."""
    key = pl.col("name").str.normalize("NFKC")
    for old, new in NAME_FOLDS:
        key = key.str.replace_all(old, new, literal=True)
    starts = pl.max_horizontal(pl.col("key").str.len_chars().cast(pl.Int64) - (GRAM_SIZE - 1), 0)
    return (subjects.lazy().filter(pl.col("subject_type") != _PERSON)
            .select(pl.col("subject_id").cast(pl.Int64), key.alias("key"))
            .with_columns(pl.int_ranges(0, starts).alias("at"))
            .explode("at").drop_nulls("at")
            .select(pl.col("key").str.slice(pl.col("at"), GRAM_SIZE).alias("gram"), "subject_id")
            .unique(maintain_order=True)
            .collect())


def index_name(connection: Connection, subject_id: int, name: str) -> None:
    grams = name_grams(name)
    if grams:
        connection.execute(insert(subject_gram), [{"gram": g, "subject_id": subject_id} for g in grams])


def reindex_name(connection: Connection, subject_id: int, old: str, new: str) -> None:
    """After a rename: the grams only the old name had go, the new name's come (by primary key, no scan)."""
    before, after = set(name_grams(old)), name_grams(new)
    gone = before.difference(after)
    if gone:
        connection.execute(delete(subject_gram).where(subject_gram.c.gram.in_(sorted(gone)),
                                                      subject_gram.c.subject_id == subject_id))
    added = [g for g in after if g not in before]
    if added:
        connection.execute(insert(subject_gram), [{"gram": g, "subject_id": subject_id} for g in added])


def _frequencies(connection: Connection, grams: list[str]) -> dict[str, int]:
    """How many names hold each gram, counted up to ``GRAM_CAP + 1`` (one round trip)."""
    g = subject_gram.c

    def bounded(gram: str) -> Any:
        postings = select(literal(1).label("one")).where(g.gram == gram).limit(GRAM_CAP + 1).subquery()
        return select(func.count()).select_from(postings).scalar_subquery()

    row = connection.execute(select(*[bounded(gram).label(f"n{i}") for i, gram in enumerate(grams)])).one()
    return dict(zip(grams, row, strict=True))


def search_names(connection: Connection, grams: list[str], limit: int) -> list[dict[str, Any]]:
    """Organisations sharing the most telling grams with a query (its distinct grams), best first, at most
    ``limit``; each row carries ``hits``, the number of grams it shares. When every gram is common, names
    holding the three rarest (read from a bounded part of the rarest's list)."""
    grams = grams[:MAX_QUERY_GRAMS]
    if not grams:
        return []
    counts = _frequencies(connection, grams)
    telling = [gram for gram in grams if 0 < counts[gram] <= GRAM_CAP]
    g = subject_gram.c
    if telling:
        hits = func.count().label("hits")
        found = (select(g.subject_id, hits).where(g.gram.in_(telling)).group_by(g.subject_id)
                 .order_by(hits.desc()).limit(limit).subquery())
    else:
        rarest = sorted(grams, key=lambda gram: counts[gram])[:3]
        if counts[rarest[0]] == 0:
            return []
        scan = select(g.subject_id).where(g.gram == rarest[0]).limit(COMMON_SCAN).subquery()
        other = subject_gram.alias("other")
        found = (select(scan.c.subject_id, literal(len(rarest)).label("hits"))
                 .where(*[exists().where(other.c.gram == gram, other.c.subject_id == scan.c.subject_id)
                          for gram in rarest[1:]])
                 .limit(limit).subquery())
    query = (select(subject.c.id, subject.c.name, subject.c.subject_type, subject.c.canonical_id,
                    subject.c.canonical_id_type, subject.c.division_code, found.c.hits)
             .join(found, found.c.subject_id == subject.c.id)
             .where(subject.c.subject_type != _PERSON)
             .order_by(found.c.hits.desc()))
    return [dict(r._mapping) for r in connection.execute(query)]
