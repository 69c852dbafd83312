"""Small builders of valid inputs, named for what they are."""

from __future__ import annotations

from typing import Any

from stdnum.cn import uscc

ENTERPRISE_USCC = "911522010783762860"
PERSON_ID = "11010519491231002X"


def make_uscc(body: str) -> str:
    """A valid USCC from its first 17 characters."""
    return body + uscc.calc_check_digit(body + "0")


MARKET_REGULATOR_USCC = make_uscc("11321000MB1928374")
ENVIRONMENT_BUREAU_USCC = make_uscc("11321000MB1928382")


def penalty_values(**overrides: Any) -> dict[str, Any]:
    """A valid 行政处罚 row (2021 双公示 layout) against an enterprise."""
    values: dict[str, Any] = {
        "cf_xdr_mc": "扬州市示例科技有限公司",
        "cf_xdr_lb": "法人及非法人组织",
        "cf_xdr_shxym": ENTERPRISE_USCC,
        "cf_frdb": "王五",
        "cf_wsh": "扬市监罚〔2026〕12号",
        "cf_wfxw": "销售不合格产品",
        "cf_sy": "经查，当事人销售的产品经抽检不合格。",
        "cf_yj": "《中华人民共和国产品质量法》第四十九条",
        "cf_cflb": "罚款",
        "cf_nr": "罚款人民币贰万元",
        "cf_nr_fk": "2",
        "cf_jdrq": "2026-05-20",
        "cf_cfjg": "扬州市市场监督管理局",
        "cf_cfjgdm": MARKET_REGULATOR_USCC,
        "cf_sjly": "扬州市市场监督管理局",
        "cf_sjlydm": MARKET_REGULATOR_USCC,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def person_penalty_values(**overrides: Any) -> dict[str, Any]:
    """A valid 行政处罚 row against a natural person."""
    person = {"cf_xdr_mc": "张三明", "cf_xdr_lb": "自然人", "cf_xdr_shxym": None, "cf_frdb": None,
              "cf_xdr_zjlx": "身份证", "cf_xdr_zjhm": PERSON_ID, "cf_wsh": "扬市监罚〔2026〕99号"}
    return penalty_values(**{**person, **overrides})


def penalty_csv(rows: list[dict[str, Any]], *, headers: str = "label", encoding: str = "utf-8",
                title: str | None = None, extra_columns: dict[str, str] | None = None) -> bytes:
    """A 行政处罚 file as departments send it: the 2021 national Chinese headers (or the cf_* codes)."""
    import csv
    import io

    from xinyong.rules.catalogue_files import load_default_catalogue

    info = load_default_catalogue().classes["administrative_penalty"]
    names = {item.code: (item.label if headers == "label" else item.code) for item in info.items}
    codes = [item.code for item in info.items]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if title:
        writer.writerow([title])
    writer.writerow([names[c] for c in codes] + list(extra_columns or {}))
    for row in rows:
        writer.writerow([row.get(c, "") for c in codes] + list((extra_columns or {}).values()))
    return buffer.getvalue().encode(encoding)
