"""Catalogue row validation on a whole polars frame: the same values and problems as the per-row
reference ``catalogue.validate_values`` (without its ``item.unknown`` check, which the file mapping
layer does), one pass of expressions per item.

Speed comes from doing each distinct thing once: a column with few distinct values (categories,
dates, authorities, legal bases…) is checked per distinct value and the results gathered back; an
identifier column's common cells (exactly the identifier's length of 0-9A-Z) are checked on bytes
(``vectorised_fast``); only the remaining cells take the general expressions (``vectorised_items``).
Cells those expressions do not model exactly (odd characters in typed items, characters Python's
Unicode version does not know, exponent or long decimals…) are rare: just those go through the
reference ``parse_item`` / ``check_identifier`` in Python.

One deliberate difference: the values column of a DECIMAL item is ``Decimal(20, 6)`` like the storage
column, so a reference value with more than 6 decimals is rounded half away from zero (as PostgreSQL
stores it) and one of 15 or more integer digits (an INTEGER beyond Int64) is refused with
``item.out_of_range`` where the reference accepts it (and the database would then refuse the row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from xinyong.domain.catalogue import Catalogue, DataItem, InfoClass, ItemRole, ItemType, parse_item
from xinyong.domain.identifiers import IdType
from xinyong.domain.values import clean_text
from xinyong.errors import FieldProblem
from xinyong.ingest.vectorised_certificates import check_certificates, check_date_orders
from xinyong.ingest.vectorised_fast import WIDTHS, code_names, status, tokens
from xinyong.ingest.vectorised_items import Columns, ItemResult, item_columns, value_type
from xinyong.ingest.vectorised_messages import (
    PROBLEM_SCHEMA,
    identifier_parts,
    identifier_templates,
    item_templates,
    messages,
    problem_frame,
)
from xinyong.ingest.vectorised_numbers import storable
from xinyong.ingest.vectorised_steps import Steps
from xinyong.ingest.vectorised_text import clean_column

DISTINCT_MIN_ROWS = 4096  # check per distinct value only columns at least this long…
DISTINCT_SHARE = 0.25  # …whose sample of rows has at most this share of distinct values
_SAMPLE = 65536  # rows looked at to decide whether a column repeats itself
_CERT_NUMBERS = (ItemRole.SUBJECT_CERT_NO, ItemRole.LEGAL_REP_CERT_NO)


@dataclass
class FrameResult:
    values: pl.DataFrame  # one typed column per item of the class, input row order
    problems: pl.DataFrame  # row, field, code, message, message_en (PROBLEM_SCHEMA)

    @property
    def ok_mask(self) -> pl.Series:
        """True for rows without any problem."""
        rows = pl.int_range(self.values.height, dtype=pl.UInt32, eager=True)
        return rows.is_in(self.problems["row"].implode()).not_().alias("ok")


def validate_frame(info: InfoClass, catalogue: Catalogue, frame: pl.DataFrame, today: date) -> FrameResult:
    """Validate every row of ``frame`` (String columns named by item codes; missing ones are empty)."""
    results = {item.code: _item(item, frame, catalogue, today) for item in info.items}
    values = pl.DataFrame([r.value.alias(code) for code, r in results.items()], height=frame.height)
    values, certificate_problems = check_certificates(values, results, info, catalogue)
    found = [r.problems for r in results.values()] + certificate_problems + check_date_orders(values, info)
    found = [f for f in found if f.height]
    problems = pl.concat(found).sort("row", maintain_order=True) if found else pl.DataFrame(schema=PROBLEM_SCHEMA)
    return FrameResult(values, problems)


def _item(item: DataItem, frame: pl.DataFrame, catalogue: Catalogue, today: date) -> ItemResult:
    raw = frame.get_column(item.code).cast(pl.String) if item.code in frame.columns else None
    if raw is None or raw.null_count() == raw.len():
        return _empty(item, frame.height, catalogue)
    if raw.len() >= DISTINCT_MIN_ROWS and _repeats(raw):
        return _distinct(item, raw, catalogue, today)
    return _tokens_first(item, raw, catalogue, today)


def _repeats(raw: pl.Series) -> bool:
    step = max(1, raw.len() // _SAMPLE)
    sample = raw.gather_every(step)
    return sample.n_unique() <= DISTINCT_SHARE * sample.len()


def _empty(item: DataItem, height: int, catalogue: Catalogue) -> ItemResult:
    value = pl.repeat(None, height, dtype=value_type(item), eager=True).alias(item.code)
    odd = pl.repeat(False, height, dtype=pl.Boolean, eager=True).alias(item.code)
    problems = pl.DataFrame(schema=PROBLEM_SCHEMA)
    if item.required and height:
        message, message_en = item_templates(item, catalogue)["item.required"]
        problems = pl.select(pl.int_range(height, dtype=pl.UInt32).alias("row"), field=pl.lit(item.code),
                             code=pl.lit("item.required"), message=pl.lit(message), message_en=pl.lit(message_en))
    return ItemResult(value, odd, problems)


def _distinct(item: DataItem, raw: pl.Series, catalogue: Catalogue, today: date) -> ItemResult:
    """Check each distinct value once and gather the results back to the rows."""
    index = raw.cast(pl.Categorical(pl.Categories.random())).to_physical()  # dense codes of the distinct values
    count = (index.max() or 0) + 1  # type: ignore[operator]
    index = index.fill_null(count)  # the empty cell is one more distinct value
    first = index.arg_unique()
    distinct = pl.repeat(None, count + 1, dtype=pl.String, eager=True).alias(raw.name)
    distinct = distinct.scatter(index.gather(first), raw.gather(first))
    checked = _tokens_first(item, distinct, catalogue, today)
    problems = checked.problems
    if problems.height:
        hit = index.is_in(problems["row"].implode())
        rows = pl.DataFrame({"row": hit.arg_true().cast(pl.UInt32), "distinct": index.filter(hit)})
        problems = (rows.join(problems.rename({"row": "distinct"}), on="distinct", maintain_order="left")
                    .select(PROBLEM_SCHEMA.keys()))
    odd = checked.odd.gather(index) if item.role in _CERT_NUMBERS else checked.odd
    return ItemResult(checked.value.gather(index), odd, problems, (index, checked.value))


def _tokens_first(item: DataItem, raw: pl.Series, catalogue: Catalogue, today: date) -> ItemResult:
    """Identifier cells that are plain tokens on bytes; the rest by the general expressions."""
    id_type = item.id_type if item.type is ItemType.IDENTIFIER else None
    if id_type not in WIDTHS or (item.max_length is not None and item.max_length < WIDTHS[id_type]):
        return _general(item, raw, catalogue, today)
    rows, chars = tokens(raw, WIDTHS[id_type])
    codes = status(id_type, chars)
    token = np.zeros(raw.len(), dtype=bool)
    token[rows] = True
    rest = np.flatnonzero(~token)
    general = _general(item, raw.gather(rest), catalogue, today)
    bad = rows[codes != 0]  # a token with a problem has no value
    value = raw.clone().scatter(bad, None).scatter(rest, general.value)
    odd = pl.Series(raw.name, np.zeros(raw.len(), dtype=bool)).scatter(rest, general.odd)
    found = pl.DataFrame({"row": bad, "code": code_names(codes[codes != 0]), "value": raw.gather(bad)})
    token_problems = _identifier_problems(found, item, id_type)
    moved = general.problems.with_columns(pl.lit(pl.Series(rest, dtype=pl.UInt32)).gather(pl.col("row")).alias("row"))
    problems = pl.concat([token_problems, moved]).sort("row") if token_problems.height else moved
    return ItemResult(value, odd, problems)


def _identifier_problems(found: pl.DataFrame, item: DataItem, id_type: IdType) -> pl.DataFrame:
    code = pl.col("code")
    return found.select(pl.col("row").cast(pl.UInt32), pl.lit(item.code).alias("field"), code,
                        *messages(code, identifier_templates(item, id_type), identifier_parts(pl.col("value"))))


def _general(item: DataItem, raw: pl.Series, catalogue: Catalogue, today: date) -> ItemResult:
    """The item's expressions over ``raw`` (``vectorised_items``), then the reference for flagged cells."""
    c = Columns(0)
    text, odd = clean_column(raw)
    steps = Steps([c.text, c.odd])
    item_columns(item, c, catalogue, today, steps)
    names = [n for n in (c.value, c.code, c.detail, c.python) if n in steps]
    frame = pl.DataFrame([text.alias(c.text), odd.alias(c.odd)])
    out = steps.run(frame.lazy()).select(names).collect(engine="in-memory")
    out, fallback = _reference(out, raw, item, c, catalogue, today)
    problems = _item_problems(out, item, c, catalogue)
    if fallback.height:
        problems = pl.concat([problems, fallback]).sort("row")
    return ItemResult(out.get_column(c.value), odd, problems)


def _item_problems(out: pl.DataFrame, item: DataItem, c: Columns, catalogue: Catalogue) -> pl.DataFrame:
    templates = item_templates(item, catalogue)
    detail = pl.col(c.detail) if c.detail in out.columns else pl.lit(None, dtype=pl.String)
    parts = {"text": detail, "value": detail}
    if item.type is ItemType.IDENTIFIER and item.id_type is not None:
        templates |= identifier_templates(item, item.id_type)
        parts |= identifier_parts(detail)
    code = pl.col(c.code)
    return (out.lazy().with_row_index("row").filter(code.is_not_null())
            .select(pl.col("row"), pl.lit(item.code).alias("field"), code.alias("code"),
                    *messages(code, templates, parts))
            .collect(engine="in-memory"))


def _reference(out: pl.DataFrame, raw: pl.Series, item: DataItem, c: Columns, catalogue: Catalogue,
               today: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reference's value and problem for the cells flagged for Python."""
    rows = out.get_column(c.python).arg_true()
    if rows.is_empty():
        return out, pl.DataFrame(schema=PROBLEM_SCHEMA)
    values: list[object] = []
    problems: list[tuple[int, FieldProblem]] = []
    for row, cell in zip(rows.to_list(), raw.gather(rows).to_list(), strict=True):
        value, problem = parse_item(item, cell, catalogue, today)
        if value is not None and item.type in (ItemType.DECIMAL, ItemType.INTEGER):
            value = storable(value, item.type is ItemType.INTEGER)
            if value is None:
                problem = _out_of_range(item, cell)
        values.append(value)
        if problem is not None:
            problems.append((row, problem))
    patched = out.get_column(c.value).scatter(rows, pl.Series(values, dtype=value_type(item)))
    return out.with_columns(patched), problem_frame(problems)


def _out_of_range(item: DataItem, cell: object) -> FieldProblem:
    text = clean_text(cell)
    return FieldProblem(item.code, "item.out_of_range", f"{item.label}：超出可存储的范围：{text}",
                        f"{item.code}: out of the storable range: {text}")
