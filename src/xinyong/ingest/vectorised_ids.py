"""Vectorised ``check_identifier``: normalisation and the checks of ``identifiers.py``, giving the same
problem code (``identifier.<check>``) for cleaned text without odd characters (see ``vectorised_text``).
"""

from __future__ import annotations

from functools import cache, partial

import numpy as np
import polars as pl

from xinyong.domain.identifiers import IdType
from xinyong.ingest.vectorised_fast import WIDTHS, code_names, status, tokens
from xinyong.ingest.vectorised_steps import Steps
from xinyong.ingest.vectorised_text import char_class, python_whitespace

_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@cache
def _separators() -> str:
    return char_class(ord(c) for c in python_whitespace() + "-‐‑‒–—―_·")


def normalize(text: pl.Expr, steps: Steps) -> pl.Expr:
    """``identifiers.normalize``: separators out, upper case."""
    separators = _separators()
    spaced = steps.keep(pl.when(text.str.contains(separators)).then(text))
    return steps.keep(pl.coalesce(spaced.str.replace_all(separators, ""), text).str.to_uppercase())


def check(id_type: IdType, value: pl.Expr, steps: Steps) -> pl.Expr:
    """The problem code of each normalised value (null: valid)."""
    empty = pl.when(value == "").then(pl.lit("identifier.empty"))
    if id_type not in WIDTHS:
        return steps.keep(empty)
    checked = value.map_batches(partial(codes, id_type), return_dtype=pl.String)
    return steps.keep(pl.coalesce(empty, checked))


def codes(id_type: IdType, values: pl.Series) -> pl.Series:
    """The problem code of each normalised, non-empty value (null: valid, or no value)."""
    width = WIDTHS[id_type]
    found = np.full(len(values), None, dtype=object)
    lengths = values.str.len_chars().fill_null(width).to_numpy()
    wrong = lengths != width
    found[wrong] = "identifier.format" if id_type is IdType.REGISTRATION_NO else "identifier.length"
    rows, chars = tokens(values, width)
    found[rows] = code_names(status(id_type, chars)).to_numpy()
    rest = np.flatnonzero(~wrong & values.is_not_null().to_numpy())
    rest = rest[~np.isin(rest, rows)]
    found[rest] = [_not_token(id_type, v) for v in values.gather(rest).to_list()]
    return pl.Series(values.name, found.tolist(), dtype=pl.String)


def _not_token(id_type: IdType, value: str) -> str:
    """The problem of a value of the right length that is not all 0-9A-Z: a format problem, except an
    organisation code whose only odd character is its check character."""
    if id_type is IdType.ORGANISATION_CODE and all(c in _ALNUM for c in value[:8]):
        return "identifier.checksum"
    return "identifier.format"
