"""Vectorised ``parse_date`` on cleaned text (ASCII digits; other digits go to the reference)."""

from __future__ import annotations

import polars as pl

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


def _is_date(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    leap = ((y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))).cast(pl.Int64)
    short = m.is_in([4, 6, 9, 11]).cast(pl.Int64)
    february = (m == 2).cast(pl.Int64)
    last = 31 - short - february * (3 - leap)
    return (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= last)


def _match(text: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    groups = text.str.extract_groups(_DATE)

    def part(name: str) -> pl.Expr:
        fields = (groups.struct.field(f"{name}{i}") for i in (1, 2, 3))
        return pl.coalesce(*fields).cast(pl.Int64)

    return part("y"), part("m"), part("d")


def parse_dates(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(date or null, whether a non-empty cell is not a date) for cleaned, non-empty text."""
    canonical = text.str.to_date("%Y-%m-%d", strict=False)
    canonical = pl.when(canonical.dt.to_string("%Y-%m-%d") == text).then(canonical)
    rest = pl.when(canonical.is_null()).then(text)
    y, m, d = _match(rest)
    unspaced = pl.when(y.is_null() & rest.str.contains(" ", literal=True)).then(rest.str.replace_all(" ", ""))
    y2, m2, d2 = _match(unspaced)
    y, m, d = pl.coalesce(y, y2), pl.coalesce(m, m2), pl.coalesce(d, d2)
    matched = pl.when(_is_date(y, m, d)).then(days_from_civil(y, m, d))
    serial = pl.when(y.is_null()).then(rest).str.extract(_EXCEL, 1).cast(pl.Int64)
    excel = pl.when(serial >= 10000).then(serial + _EXCEL_EPOCH)
    days = pl.coalesce(canonical.cast(pl.Int64), matched, excel)
    return days.cast(pl.Int32).cast(pl.Date), days.is_null() & text.is_not_null()
