"""Vectorised ``CodeTable.resolve`` and ``parse_id_type`` (on cleaned text without cased non-ASCII
letters, where ``str.to_lowercase`` equals ``str.casefold``)."""

from __future__ import annotations

from functools import cache

import polars as pl

from xinyong.domain.catalogue import CodeTable
from xinyong.domain.identifiers import ID_TYPE_BY_LABEL, IdType, parse_id_type
from xinyong.errors import InvalidInput
from xinyong.ingest.vectorised_steps import Steps


@cache
def _keys(table: CodeTable) -> dict[str, str]:
    """Every casefolded code, label and alias → the code (the first value that has it wins)."""
    found: dict[str, str] = {}
    for value in table.values:
        for key in (value.code, value.label, *value.aliases):
            found.setdefault(key.casefold(), value.code)
    return found


def _lookup(text: pl.Expr, keys: dict[str, str]) -> pl.Expr:
    return text.replace_strict(list(keys), list(keys.values()), default=None, return_dtype=pl.String)


def resolve(text: pl.Expr, table: CodeTable, steps: Steps) -> pl.Expr:
    """The code of each cell, or null; a qualified label (``其他-军官证``) resolves by its head."""
    keys = _keys(table)
    lower = steps.keep(text.str.to_lowercase())
    direct = steps.keep(_lookup(lower, keys))
    dashed = steps.keep(pl.when(direct.is_null() & lower.str.contains("-", literal=True)).then(lower))
    head = steps.keep(dashed.str.splitn("-", 2).struct.field("field_0"))
    return steps.keep(pl.coalesce(direct, _lookup(pl.when(head != "").then(head), keys)))


def id_type_of_code(code: str) -> IdType | None:
    try:
        return parse_id_type(code)
    except InvalidInput:
        return None


def id_types(type_text: pl.Expr, resolved_by: CodeTable | None) -> pl.Expr:
    """``parse_id_type`` of a certificate-type value (the IdType value, or null when unknown)."""
    if resolved_by is not None:
        known = {v.code: t.value for v in resolved_by.values if (t := id_type_of_code(v.code)) is not None}
    else:
        known = {t.value: t.value for t in IdType} | {k: t.value for k, t in ID_TYPE_BY_LABEL.items()}
    mapped = type_text.replace_strict(list(known), list(known.values()), default=None, return_dtype=pl.String)
    if resolved_by is not None:
        return mapped
    other = pl.when(type_text.str.starts_with("其他")).then(pl.lit(IdType.OTHER.value))
    return pl.coalesce(mapped, other)
