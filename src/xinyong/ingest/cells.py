"""Checks on raw cells before validation: spreadsheet formulas and markup are refused, not stored."""

from __future__ import annotations

import polars as pl

PROBLEM_SCHEMA = {"row": pl.UInt32, "field": pl.String, "code": pl.String, "message": pl.String,
                  "message_en": pl.String}

_FORMULA = r"^\s*(=|[+\-@]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\()"
_MARKUP = r"<\s*/?\s*[A-Za-z!][^>]*>"


def empty_problems() -> pl.DataFrame:
    return pl.DataFrame(schema=PROBLEM_SCHEMA)


def cell_problems(frame: pl.DataFrame, labels: dict[str, str]) -> pl.DataFrame:
    """Formula (``=HYPERLINK(…)``) and HTML cells, one problem each, for the columns in ``labels``."""
    found = []
    indexed = frame.with_row_index("row")
    for column, label in labels.items():
        if column not in frame.columns:
            continue
        cells = pl.col(column)
        for pattern, code, message, message_en in (
            (_FORMULA, "cell.formula", f"{label}：单元格含有公式，请粘贴为数值后重新报送",
             f"{column}: the cell holds a spreadsheet formula"),
            (_MARKUP, "cell.markup", f"{label}：单元格含有 HTML 标记，请删除后重新报送",
             f"{column}: the cell holds HTML markup"),
        ):
            hits = indexed.filter(cells.str.contains(pattern).fill_null(False)).select("row")
            if hits.height:
                found.append(hits.with_columns(
                    pl.lit(column).alias("field"), pl.lit(code).alias("code"), pl.lit(message).alias("message"),
                    pl.lit(message_en).alias("message_en")))
    if not found:
        return empty_problems()
    return pl.concat(found).with_columns(pl.col("row").cast(pl.UInt32))


def problem(rows: list[int], field: str, code: str, message: str, message_en: str) -> pl.DataFrame:
    return pl.DataFrame({"row": rows, "field": [field] * len(rows), "code": [code] * len(rows),
                         "message": [message] * len(rows), "message_en": [message_en] * len(rows)},
                        schema=PROBLEM_SCHEMA)
