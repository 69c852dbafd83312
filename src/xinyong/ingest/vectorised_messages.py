"""The Chinese and English problem messages of ``catalogue.parse_item`` and ``identifiers.check_*``, as
polars expressions over the (few) rows that have a problem."""

from __future__ import annotations

from string import Formatter

import polars as pl

from xinyong.domain.catalogue import Catalogue, DataItem, ItemType
from xinyong.domain.identifiers import IdType
from xinyong.errors import FieldProblem

PROBLEM_SCHEMA = {"row": pl.UInt32, "field": pl.String, "code": pl.String, "message": pl.String,
                  "message_en": pl.String}

_IDENTIFIER: dict[tuple[IdType | None, str], tuple[str, str]] = {
    (IdType.USCC, "length"): ("统一社会信用代码应为18位，实际为{length}位", "a USCC has 18 characters, got {length}"),
    (IdType.USCC, "checksum"): ("统一社会信用代码校验位错误（请核对全部18位，而不是只改末位）",
                                "USCC check character is wrong"),
    (IdType.USCC, "format"): (
        "统一社会信用代码格式错误：前8位须为数字，其余须为数字或大写字母（不含 I、O、S、V、Z）",
        "USCC format: 8 digits, then digits or capitals other than I, O, S, V, Z"),
    (IdType.CITIZEN_ID, "length"): ("公民身份号码应为18位，实际为{length}位",
                                    "a citizen ID has 18 characters, got {length}"),
    (IdType.CITIZEN_ID, "format"): ("公民身份号码格式错误：前17位须为数字，末位为数字或X",
                                    "citizen ID format: 17 digits and a digit or X"),
    (IdType.CITIZEN_ID, "checksum"): ("公民身份号码校验码错误", "citizen ID check digit is wrong"),
    (IdType.CITIZEN_ID, "birth_date"): ("公民身份号码中的出生日期无效：{birth}",
                                        "citizen ID birth date is not a date: {birth}"),
    (IdType.CITIZEN_ID, "area_code"): ("公民身份号码的地址码{area}在出生年份不存在",
                                       "citizen ID area code {area} did not exist in the birth year"),
    (IdType.ORGANISATION_CODE, "length"): ("组织机构代码应为9位，实际为{length}位",
                                           "an organisation code has 9 characters, got {length}"),
    (IdType.ORGANISATION_CODE, "format"): ("组织机构代码格式错误", "organisation code format"),
    (IdType.ORGANISATION_CODE, "checksum"): ("组织机构代码校验码错误", "organisation code check digit"),
    (IdType.REGISTRATION_NO, "format"): ("工商注册号应为15位数字", "a business registration number has 15 digits"),
}


def fmt(template: str, parts: dict[str, pl.Expr]) -> pl.Expr:
    """``template.format(**parts)`` for expressions."""
    pieces = list(Formatter().parse(template))
    if all(name is None for _, name, _, _ in pieces):
        return pl.lit(template)
    text = "".join(literal.replace("{", "{{").replace("}", "}}") + ("{}" if name is not None else "")
                   for literal, name, _, _ in pieces)
    return pl.format(text, *(parts[name] for _, name, _, _ in pieces if name is not None))


def item_templates(item: DataItem, catalogue: Catalogue) -> dict[str, tuple[str, str]]:
    """Problem code → (message, English message) templates of an item's own checks (prefixed)."""
    found = {"required": ("必填项为空", "required item is empty")}
    if item.max_length is not None:
        found["too_long"] = (f"长度超过{item.max_length}个字符", f"longer than {item.max_length} characters")
    if item.type is ItemType.DATE:
        found |= {"date": ("不是有效日期：{text}", "not a valid date: {text}"),
                  "future_date": ("日期不能晚于今天：{value}", "date is in the future: {value}")}
    if item.type in (ItemType.DECIMAL, ItemType.INTEGER):
        found["number"] = ("不是有效数字：{text}", "not a number: {text}")
        found["out_of_range"] = ("超出可存储的范围：{text}", "out of the storable range: {text}")
        if item.minimum is not None:
            found["minimum"] = (f"不能小于{item.minimum:g}", f"less than {item.minimum:g}")
    if item.type is ItemType.CODE:
        table = catalogue.code_tables[item.code_table or ""]
        found["code"] = (f"不在代码表“{table.name}”中：{{text}}", f"not in code table {table.code}: {{text}}")
    return {f"item.{k}": (f"{item.label}：{zh}", f"{item.code}: {en}") for k, (zh, en) in found.items()}


def identifier_templates(item: DataItem, id_type: IdType) -> dict[str, tuple[str, str]]:
    """Problem code → templates of an identifier check on ``item`` (only the Chinese one is prefixed)."""
    found = {"identifier.empty": (f"{id_type.label}不能为空", f"{id_type.value} is empty")}
    found |= {f"identifier.{check}": texts for (kind, check), texts in _IDENTIFIER.items() if kind is id_type}
    return {code: (f"{item.label}：{zh}", en) for code, (zh, en) in found.items()}


def messages(code: pl.Expr, templates: dict[str, tuple[str, str]], parts: dict[str, pl.Expr]) -> list[pl.Expr]:
    """[message, message_en] of each problem row, by its code."""
    found = []
    for side in (0, 1):
        chain: pl.Expr | None = None
        for name, pair in templates.items():
            value = fmt(pair[side], parts)
            chain = pl.when(code == name).then(value) if chain is None else chain.when(code == name).then(value)
        found.append(pl.lit(None, dtype=pl.String) if chain is None else chain.otherwise(None))
    return [found[0].alias("message"), found[1].alias("message_en")]


def identifier_parts(value: pl.Expr) -> dict[str, pl.Expr]:
    """The details identifier messages quote, from the normalised value."""
    return {"length": value.str.len_chars(), "birth": value.str.slice(6, 8), "area": value.str.slice(0, 6)}


def problem_frame(problems: list[tuple[int, FieldProblem]]) -> pl.DataFrame:
    """Problems found in Python, as rows of the problems frame."""
    return pl.DataFrame(
        {"row": [r for r, _ in problems], "field": [p.field for _, p in problems],
         "code": [p.code for _, p in problems], "message": [p.message for _, p in problems],
         "message_en": [p.message_en for _, p in problems]},
        schema=PROBLEM_SCHEMA,
    )
