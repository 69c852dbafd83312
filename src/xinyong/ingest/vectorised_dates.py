"""Vectorised ``parse_date`` on cleaned text (ASCII digits; other digits go to the reference)."""

from __future__ import annotations

import polars as pl

from xinyong.ingest.vectorised_steps import Steps

_D = "[0-9]"
# values._DATE_PATTERNS as one alternation (the three cannot match the same text)
_DATE = (
    rf"^(?:(?P<y1>{_D}{{4}})[-/.](?P<m1>{_D}{{1,2}})[-/.](?P<d1>{_D}{{1,2}})"
    rf"(?:[ T]{_D}{{1,2}}:{_D}{{2}}(?::{_D}{{2}}(?:\.{_D}+)?)?)?"
    rf"|(?P<y2>{_D}{{4}})年(?P<m2>{_D}{{1,2}})月(?P<d2>{_D}{{1,2}})日?"
    rf"|(?P<y3>{_D}{{4}})(?P<m3>{_D}{{2}})(?P<d3>{_D}{{2}}))$"
)
_EXCEL = rf"^({_D}{{5}})(?:\.0+)?$"
_EXCEL_EPOCH = -25569  # 1899-12-30 in days since 1970-01-01


def days_from_civil(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = y - (m <= 2).cast(pl.Int64)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def is_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    leap = ((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))).cast(pl.Int64)
    short = m.is_in([4, 6, 9, 11]).cast(pl.Int64)
    february = (m == 2).cast(pl.Int64)
    last = 31 - short - february * (3 - leap)
    return (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= last)


def _match(text: pl.Expr, steps: Steps) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    groups = steps.keep(text.str.extract_groups(_DATE))

    def part(name: str) -> pl.Expr:
        fields = (groups.struct.field(f"{name}{i}") for i in (1, 2, 3))
        return steps.keep(pl.coalesce(*fields).cast(pl.Int64))

    return part("y"), part("m"), part("d")


def parse_dates(text: pl.Expr, steps: Steps) -> tuple[pl.Expr, pl.Expr]:
    """(date or null, whether a non-empty cell is not a date) for cleaned, non-empty text."""
    canonical = steps.keep(text.str.to_date("%Y-%m-%d", strict=False))
    same = (canonical.dt.to_string("%Y-%m-%d") == text) & (text.str.len_bytes() == 10) & (canonical.dt.year() >= 1)
    canonical = steps.keep(pl.when(same).then(canonical))
    rest = steps.keep(pl.when(canonical.is_null()).then(text))
    y, m, d = _match(rest, steps)
    spaced = steps.keep(pl.when(y.is_null() & rest.str.contains(" ", literal=True)).then(rest))
    y2, m2, d2 = _match(spaced.str.replace_all(" ", "", literal=True), steps)
    y, m, d = (steps.keep(pl.coalesce(a, b)) for a, b in ((y, y2), (m, m2), (d, d2)))
    matched = pl.when(is_date(y, m, d)).then(days_from_civil(y, m, d))
    serial = pl.when(y.is_null()).then(rest).str.extract(_EXCEL, 1).cast(pl.Int64)
    excel = pl.when(serial >= 10000).then(serial + _EXCEL_EPOCH)
    days = steps.keep(pl.coalesce(canonical.cast(pl.Int64), matched, excel))
    return steps.keep(days.cast(pl.Int32).cast(pl.Date)), steps.keep(days.is_null() & text.is_not_null())
