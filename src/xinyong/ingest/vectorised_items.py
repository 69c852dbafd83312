"""One item's checks as polars expressions (``catalogue.parse_item``, vectorised)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from xinyong.domain.catalogue import Catalogue, DataItem, ItemType
from xinyong.ingest.vectorised_codes import resolve
from xinyong.ingest.vectorised_dates import parse_dates
from xinyong.ingest.vectorised_ids import check, normalize
from xinyong.ingest.vectorised_numbers import DECIMAL_TYPE, below, parse_numbers
from xinyong.ingest.vectorised_steps import Steps

_VALUE_TYPES: dict[ItemType, pl.DataType] = {ItemType.DATE: pl.Date(), ItemType.DECIMAL: DECIMAL_TYPE,
                                             ItemType.INTEGER: pl.Int64()}


@dataclass(frozen=True)
class Columns:
    """Names of one item's working columns."""

    index: int

    @property
    def value(self) -> str:
        return f"__value{self.index}"

    @property
    def code(self) -> str:  # problem code, null when none
        return f"__code{self.index}"

    @property
    def detail(self) -> str:  # what a problem message quotes
        return f"__detail{self.index}"

    @property
    def python(self) -> str:  # the cell needs the reference
        return f"__python{self.index}"

    @property
    def odd(self) -> str:  # the clean text may hold characters beyond tier 1
        return f"__odd{self.index}"

    @property
    def text(self) -> str:  # the clean text
        return f"__text{self.index}"


@dataclass
class ItemResult:
    """One item's outcome over some rows."""

    value: pl.Series
    odd: pl.Series  # the clean text is beyond tier 1 (see vectorised_text); per row for certificate numbers
    problems: pl.DataFrame  # numbered within the rows checked
    distinct: tuple[pl.Series, pl.Series] | None = None  # (each row's distinct value, the value of each)


def value_type(item: DataItem) -> pl.DataType:
    return _VALUE_TYPES.get(item.type, pl.String())


def is_textual(item: DataItem) -> bool:
    return item.type in (ItemType.STRING, ItemType.TEXT) or (item.type is ItemType.IDENTIFIER and item.id_type is None)


@dataclass
class _Typed:
    value: pl.Expr
    checks: list[tuple[pl.Expr, pl.Expr]]  # (failed, problem code), in the reference's order
    detail: pl.Expr | None = None
    python: pl.Expr | None = None
    tail: pl.Expr | None = None  # a problem code computed by the check itself (identifiers)


def item_columns(item: DataItem, c: Columns, catalogue: Catalogue, today: date, steps: Steps) -> None:
    """Register the item's value, problem code, message detail and Python flag with ``steps``, from the
    clean text (column ``c.text``) and whether it is beyond tier 1 (column ``c.odd``)."""
    text = pl.col(c.text)
    present = steps.keep(pl.when(text != "").then(text))
    checks: list[tuple[pl.Expr, pl.Expr]] = []
    if item.required:
        checks.append((present.is_null(), pl.lit("item.required")))
    if item.max_length is not None:
        long_ = pl.when(present.str.len_bytes() > item.max_length).then(present).str.len_chars() > item.max_length
        checks.append((steps.keep(long_), pl.lit("item.too_long")))
    typed = _typed(item, present, catalogue, today, steps)
    python = pl.lit(False) if is_textual(item) else pl.col(c.odd)
    if typed.python is not None:
        python = steps.keep(python | typed.python.fill_null(False))
    chain = pl.when(python).then(pl.lit(None, dtype=pl.String))
    for failed, code in checks + typed.checks:
        chain = chain.when(failed).then(code)
    code = steps.keep(chain.otherwise(typed.tail), c.code)
    steps.keep(pl.when(code.is_null() & python.not_()).then(typed.value), c.value)
    steps.keep(python, c.python)
    if typed.detail is not None:
        steps.keep(typed.detail, c.detail)


def _typed(item: DataItem, text: pl.Expr, catalogue: Catalogue, today: date, steps: Steps) -> _Typed:
    if item.type is ItemType.DATE:
        value, bad = parse_dates(text, steps)
        checks = [(bad, pl.lit("item.date"))]
        future = steps.keep(value > pl.lit(today)) if item.not_future else None
        if future is not None:
            checks.append((future, pl.lit("item.future_date")))
        detail = text if future is None else pl.coalesce(pl.when(future).then(value).dt.to_string("%Y-%m-%d"), text)
        return _Typed(value, checks, detail)
    if item.type in (ItemType.DECIMAL, ItemType.INTEGER):
        integer = item.type is ItemType.INTEGER
        value, python = parse_numbers(text, integer, steps)
        checks = [] if item.minimum is None else [(below(value, item.minimum, integer), pl.lit("item.minimum"))]
        return _Typed(value, checks, python=python)
    if item.type is ItemType.CODE:
        value = resolve(text, catalogue.code_tables[item.code_table or ""], steps)
        return _Typed(value, [(value.is_null() & text.is_not_null(), pl.lit("item.code"))], text)
    if item.type is ItemType.IDENTIFIER and item.id_type is not None:
        value = normalize(text, steps)
        return _Typed(value, [], value, tail=check(item.id_type, value, steps))
    return _Typed(text, [])
