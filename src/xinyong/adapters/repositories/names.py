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

from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

import polars as pl
from sqlalchemy import Connection, Engine, Select, bindparam, delete, exists, func, insert, literal, select

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


@cache
def _frequency_query(grams: int) -> Select[Any]:
    """How many names hold each of ``grams`` grams (bound as g0, g1, …), counted up to ``cap``; built once
    per number of grams, so the statement is compiled once."""
    g = subject_gram.c

    def bounded(i: int) -> Any:
        postings = select(literal(1).label("one")).where(g.gram == bindparam(f"g{i}")).limit(bindparam("cap"))
        return select(func.count()).select_from(postings.subquery()).scalar_subquery().label(f"n{i}")

    return select(*[bounded(i) for i in range(grams)])


def _telling_query() -> Select[Any]:
    g = subject_gram.c
    hits = func.count().label("hits")
    found = (select(g.subject_id, hits).where(g.gram.in_(bindparam("grams", expanding=True)))
             .group_by(g.subject_id).order_by(hits.desc()).limit(bindparam("limit")).subquery())
    return _named(found)


def _common_query(grams: int) -> Select[Any]:
    """Names holding all ``grams`` grams (the rarest first), from the first ``scan`` names holding it."""
    g = subject_gram.c
    scan = select(g.subject_id).where(g.gram == bindparam("g0")).limit(bindparam("scan")).subquery()
    other = subject_gram.alias("other")
    found = (select(scan.c.subject_id, literal(grams).label("hits"))
             .where(*[exists().where(other.c.gram == bindparam(f"g{i}"), other.c.subject_id == scan.c.subject_id)
                      for i in range(1, grams)])
             .limit(bindparam("limit")).subquery())
    return _named(found)


def _named(found: Any) -> Select[Any]:
    return (select(subject.c.id, subject.c.name, found.c.hits).join(found, found.c.subject_id == subject.c.id)
            .where(subject.c.subject_type != _PERSON).order_by(found.c.hits.desc()))


TELLING = _telling_query()
RAREST_OF_COMMON = {n: _common_query(n) for n in (1, 2, 3)}

# Grams found above the cap, per database: names are only ever added (or renamed), so a common gram stays
# common, and a search need not count 公司 again. Bounded, and only a hint: a stale entry skips a gram.
_KNOWN_COMMON: WeakKeyDictionary[Engine, set[str]] = WeakKeyDictionary()
COMMON_KEPT = 50_000


def _frequencies(connection: Connection, grams: list[str]) -> dict[str, int]:
    """How many names hold each gram, counted up to ``GRAM_CAP + 1`` (one round trip for those not known
    to be common)."""
    common = _KNOWN_COMMON.setdefault(connection.engine, set())
    counts = {gram: GRAM_CAP + 1 for gram in grams if gram in common}
    unknown = [gram for gram in grams if gram not in counts]
    if unknown:
        row = connection.execute(_frequency_query(len(unknown)),
                                 {"cap": GRAM_CAP + 1, **{f"g{i}": gram for i, gram in enumerate(unknown)}}).one()
        counts.update(zip(unknown, row, strict=True))
        if len(common) < COMMON_KEPT:
            common.update(gram for gram in unknown if counts[gram] > GRAM_CAP)
    return counts


def search_names(connection: Connection, grams: list[str], limit: int) -> list[tuple[int, str, int]]:
    """Organisations sharing the most telling grams with a query (its distinct grams), best first, at most
    ``limit``, as (id, name, grams shared). When every gram is common, names holding the three rarest
    (read from a bounded part of the rarest's list)."""
    grams = grams[:MAX_QUERY_GRAMS]
    if not grams:
        return []
    counts = _frequencies(connection, grams)
    telling = [gram for gram in grams if 0 < counts[gram] <= GRAM_CAP]
    if telling:
        rows = connection.execute(TELLING, {"grams": telling, "limit": limit})
    else:
        rarest = sorted(grams, key=lambda gram: counts[gram])[:3]
        if counts[rarest[0]] == 0:
            return []
        rows = connection.execute(RAREST_OF_COMMON[len(rarest)], {"scan": COMMON_SCAN, "limit": limit,
                                                        **{f"g{i}": gram for i, gram in enumerate(rarest)}})
    return [(r[0], r[1], r[2]) for r in rows]


def subject_rows(connection: Connection, ids: list[int]) -> list[dict[str, Any]]:
    """What a search result shows of each subject, in the order of ``ids``."""
    query = select(subject.c.id, subject.c.name, subject.c.subject_type, subject.c.canonical_id,
                   subject.c.canonical_id_type, subject.c.division_code).where(subject.c.id.in_(ids))
    rows = {r.id: dict(r._mapping) for r in connection.execute(query)} if ids else {}
    return [rows[i] for i in ids if i in rows]
