"""The cross-field rules of ``validate_values``: certificate numbers checked by the type another item
gives (``_check_certificates``) and date orders."""

from __future__ import annotations

import numpy as np
import polars as pl

from xinyong.domain.catalogue import Catalogue, CodeTable, DataItem, InfoClass, ItemRole, ItemType
from xinyong.domain.identifiers import IdType, check_identifier
from xinyong.errors import FieldProblem
from xinyong.ingest.vectorised_codes import id_type_of_code, id_types
from xinyong.ingest.vectorised_fast import WIDTHS, code_names, status, tokens
from xinyong.ingest.vectorised_ids import check, normalize
from xinyong.ingest.vectorised_items import ItemResult
from xinyong.ingest.vectorised_messages import (
    PROBLEM_SCHEMA,
    identifier_parts,
    identifier_templates,
    messages,
    problem_frame,
)
from xinyong.ingest.vectorised_steps import Steps

_PAIRS = ((ItemRole.SUBJECT_CERT_TYPE, ItemRole.SUBJECT_CERT_NO),
          (ItemRole.LEGAL_REP_CERT_TYPE, ItemRole.LEGAL_REP_CERT_NO))
_STRING_VALUES = (ItemType.STRING, ItemType.TEXT, ItemType.CODE, ItemType.IDENTIFIER)


def check_certificates(values: pl.DataFrame, results: dict[str, ItemResult], info: InfoClass,
                       catalogue: Catalogue) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Check each certificate number by its type; the numbers become their normalised form (or null)."""
    found: list[pl.DataFrame] = []
    for type_role, number_role in _PAIRS:
        type_item, number_item = info.item_by_role(type_role), info.item_by_role(number_role)
        if type_item is None or number_item is None or type_item.type not in _STRING_VALUES:
            continue  # a date, number… as text is never an identifier type
        if number_item.type not in _STRING_VALUES:
            raise NotImplementedError(f"{info.code}.{number_item.code}: certificate numbers must be text")
        table = catalogue.code_tables[type_item.code_table or ""] if type_item.type is ItemType.CODE else None
        number, types = values.get_column(number_item.code), values.get_column(type_item.code)
        rows = (number.is_not_null() & types.is_not_null()).arg_true()  # where both items have a value
        kinds = _id_types(results[type_item.code], table, rows)
        checked, problems = _check_pair(number.gather(rows), kinds, results[number_item.code].odd.gather(rows),
                                        number_item, _kinds(table))
        values = values.with_columns(number.scatter(rows, checked))
        found += [p.with_columns(pl.lit(rows).gather(pl.col("row")).alias("row")) for p in problems]
    return values, found


def _id_types(types: ItemResult, table: CodeTable | None, rows: pl.Series) -> pl.Series:
    """The identifier type (IdType value) the type item gives in some rows, worked out per distinct value
    when the item was checked that way."""
    if types.distinct is None:
        return pl.select(id_types(pl.lit(types.value.gather(rows)), table)).to_series()
    index, per_value = types.distinct
    return pl.select(id_types(pl.lit(per_value), table)).to_series().gather(index.gather(rows))


def _kinds(table: CodeTable | None) -> list[IdType]:
    if table is None:
        return list(IdType)
    return list(dict.fromkeys(k for v in table.values if (k := id_type_of_code(v.code)) is not None))


def _check_pair(number: pl.Series, kinds: pl.Series, odd: pl.Series, item: DataItem,
                possible: list[IdType]) -> tuple[pl.Series, list[pl.DataFrame]]:
    applicable = (kinds.is_not_null() & number.is_not_null()).to_numpy()
    python = np.flatnonzero(applicable & odd.to_numpy())
    plain = np.flatnonzero(applicable & ~odd.to_numpy())
    fast_rows = np.zeros(0, dtype=np.int64)
    found: list[pl.DataFrame] = []
    if IdType.CITIZEN_ID in possible:  # the common case: citizen IDs typed as plain tokens
        citizen = plain[(kinds.gather(plain) == IdType.CITIZEN_ID.value).to_numpy()]
        rows, chars = tokens(number.gather(citizen), WIDTHS[IdType.CITIZEN_ID])
        fast_rows, codes = citizen[rows], status(IdType.CITIZEN_ID, chars)
        bad = fast_rows[codes != 0]
        frame = pl.DataFrame({"row": bad, "code": code_names(codes[codes != 0]), "value": number.gather(bad)})
        found.append(_problems(frame, item, IdType.CITIZEN_ID))
        number = number.scatter(bad, None)
    general = np.setdiff1d(plain, fast_rows, assume_unique=True)
    if len(general):
        number, problems = _general(number, kinds, general, item, possible)
        found.append(problems)
    if len(python):
        number, problems = _reference(number, kinds, python, item)
        found.append(problems)
    return number, found


def _general(number: pl.Series, kinds: pl.Series, rows: np.ndarray, item: DataItem,
             possible: list[IdType]) -> tuple[pl.Series, pl.DataFrame]:
    steps = Steps(["number", "kind"])
    value = normalize(pl.col("number"), steps)
    code = pl.coalesce([pl.when(pl.col("kind") == k.value).then(check(k, value, steps)) for k in possible])
    steps.keep(code, "code")
    steps.keep(value, "value")
    frame = pl.DataFrame({"number": number.gather(rows), "kind": kinds.gather(rows), "row": rows})
    out = steps.run(frame.lazy()).select("row", "kind", "code", "value").collect(engine="in-memory")
    problems = [_problems(out.filter((pl.col("kind") == k.value) & pl.col("code").is_not_null()), item, k)
                for k in possible]
    normalised = out.select(pl.when(pl.col("code").is_null()).then(pl.col("value"))).to_series()
    return number.scatter(rows, normalised), pl.concat(problems)


def _problems(found: pl.DataFrame, item: DataItem, kind: IdType) -> pl.DataFrame:
    code = pl.col("code")
    return found.select(pl.col("row").cast(pl.UInt32), pl.lit(item.code).alias("field"), code,
                        *messages(code, identifier_templates(item, kind), identifier_parts(pl.col("value"))))


def _reference(number: pl.Series, kinds: pl.Series, rows: np.ndarray,
               item: DataItem) -> tuple[pl.Series, pl.DataFrame]:
    values: list[str | None] = []
    problems: list[tuple[int, FieldProblem]] = []
    for row, text, kind in zip(rows.tolist(), number.gather(rows).to_list(), kinds.gather(rows).to_list(),
                               strict=True):
        value, problem = check_identifier(IdType(kind), str(text), item.code)
        values.append(value if problem is None else None)
        if problem is not None:
            problems.append((row, FieldProblem(problem.field, problem.code, f"{item.label}：{problem.message}",
                                               problem.message_en)))
    return number.scatter(rows, pl.Series(values, dtype=pl.String)), problem_frame(problems)


def check_date_orders(values: pl.DataFrame, info: InfoClass) -> list[pl.DataFrame]:
    found = []
    for order in info.date_orders:
        earlier, later = info.item(order.earlier), info.item(order.later)
        e, lt = pl.col(earlier.code), pl.col(later.code)
        found.append(values.lazy().with_row_index("row").filter(e.is_not_null() & lt.is_not_null() & (lt < e))
                     .select(pl.col("row"), pl.lit(later.code).alias("field"), pl.lit("item.date_order").alias("code"),
                             pl.lit(f"{later.label}：不能早于“{earlier.label}”").alias("message"),
                             pl.lit(f"{later.code}: before {order.earlier}").alias("message_en"))
                     .collect(engine="in-memory"))
    return found


__all__ = ["PROBLEM_SCHEMA", "check_certificates", "check_date_orders"]
