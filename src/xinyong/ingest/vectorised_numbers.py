"""Vectorised ``parse_decimal`` for the common forms; everything else goes to the reference.

The values column of a DECIMAL item is ``pl.Decimal(20, 6)`` (the storage column ``amount`` is
``Numeric(20, 6)``); INTEGER items are ``pl.Int64``. Plain decimals with at most 14 integer and 6
fraction digits (commas removed) and plain integers of at most 18 digits are parsed here, exactly.
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import polars as pl

from xinyong.ingest.vectorised_steps import Steps

DECIMAL_TYPE = pl.Decimal(precision=20, scale=6)
_SCALE = Decimal("0.000001")
_LIMIT = Decimal(10) ** 14  # exclusive bound of |value| in Decimal(20, 6)
_INT64 = (-(2**63), 2**63 - 1)
_PLAIN_DECIMAL = r"^[+-]?(?:[0-9]{1,14}(?:\.[0-9]{0,6})?|\.[0-9]{1,6})$"
_PLAIN_INTEGER = r"^[+-]?[0-9]{1,18}$"


def parse_numbers(text: pl.Expr, integer: bool, steps: Steps) -> tuple[pl.Expr, pl.Expr]:
    """(value or null, whether the cell needs the reference) for cleaned, non-empty text."""
    if integer:
        plain = steps.keep(text.str.contains(_PLAIN_INTEGER))
        return steps.keep(pl.when(plain).then(text).cast(pl.Int64)), plain.not_()
    commas = steps.keep(pl.when(text.str.contains(",", literal=True)).then(text))
    stripped = steps.keep(pl.coalesce(commas.str.replace_all(",", "", literal=True), text))
    plain = steps.keep(stripped.str.contains(_PLAIN_DECIMAL))
    return steps.keep(pl.when(plain).then(stripped).cast(DECIMAL_TYPE)), plain.not_()


def below(value: pl.Expr, minimum: float, integer: bool) -> pl.Expr:
    """``value < minimum`` compared exactly (values are integers or have at most 6 decimals)."""
    if integer:
        return value < math.ceil(minimum)
    threshold = (Decimal(minimum) / _SCALE).to_integral_value(ROUND_CEILING) * _SCALE
    if threshold >= _LIMIT:
        return value.is_not_null()
    if threshold <= -_LIMIT:
        return value.is_not_null() & pl.lit(False)
    return value < pl.lit(threshold, dtype=DECIMAL_TYPE)


def storable(value: Decimal | int, integer: bool) -> Decimal | int | None:
    """The reference's value as the values column holds it: decimals rounded to 6 places (as
    PostgreSQL's ``numeric(20, 6)`` stores them); ``None`` when it does not fit the column."""
    if integer:
        number = int(value)
        return number if _INT64[0] <= number <= _INT64[1] else None
    rounded = Decimal(value).quantize(_SCALE, rounding=ROUND_HALF_UP) if abs(value) < _LIMIT else None
    return rounded if rounded is not None and abs(rounded) < _LIMIT else None
