"""The vectorised validation (``ingest.vectorised.validate_frame``) against the per-row reference
(``catalogue.validate_values``): a seeded corpus of messy 行政处罚 and 行政许可 rows, cell by cell, and a
few named behaviours."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl
import pytest
from stdnum import exceptions as stdnum_errors
from stdnum import numdb
from stdnum.cn import ric, uscc

from xinyong.domain.catalogue import Catalogue, DataItem, InfoClass, ItemType, validate_values
from xinyong.domain.identifiers import IdType, check_citizen_id, organisation_code_check_digit
from xinyong.domain.values import clean_text
from xinyong.ingest import vectorised, vectorised_ids
from xinyong.ingest.vectorised import FrameResult, validate_frame
from xinyong.ingest.vectorised_fast import _county_info, _years
from xinyong.rules.catalogue_files import load_default_catalogue

TODAY = date(2026, 6, 15)
Cell = str | None
Maker = Callable[[random.Random], Cell]


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_default_catalogue()


@pytest.fixture(autouse=True)
def _unknown_county_is_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdnum raises KeyError (not a ValidationError) for an area code whose province it knows but whose
    county it does not (110999…); the reference means "area code invalid", which the vectorised code
    reports. Patch the reference accordingly (identifiers.py should catch it; see the report)."""
    original = ric.get_birth_place

    def birth_place(number: str) -> dict[str, str]:
        try:
            return original(number)
        except KeyError:
            raise stdnum_errors.InvalidComponent() from None

    monkeypatch.setattr(ric, "get_birth_place", birth_place)


# ---------------------------------------------------------------------------------------------------
# Identifier and value makers


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


def make_uscc(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = rng.choice("159NY") + rng.choice("123") + "321002" + "".join(rng.choices(alphabet, k=9))
    return body + uscc.calc_check_digit(body + "0")


def make_citizen_id(rng: random.Random, area: str = "321002", year: int | None = None) -> str:
    year = year or rng.randint(1985, 2005)
    first = f"{area}{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return first + ric.calc_check_digit(first + "0")


def make_org_code(rng: random.Random) -> str:
    first = "".join(rng.choices("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=8))
    return first + organisation_code_check_digit(first)


def _wrong_last(value: str, alphabet: str) -> str:
    return value[:-1] + next(c for c in alphabet if c != value[-1])


def mess_identifier(rng: random.Random, value: str) -> str:
    """The ways clerks type a valid identifier."""
    return rng.choice([
        value, value, value.lower(), full_width(value), f" {value} ", f"{value[:6]} {value[6:]}",
        f"{value[:6]}-{value[6:]}", f"{value[:6]}—{value[6:]}", value.replace("X", "x"), f"\u3000{value}\t",
        f"{value[:4]}_{value[4:]}", f"{value[:4]}·{value[4:]}",
    ])


def uscc_cell(rng: random.Random) -> Cell:
    value = make_uscc(rng)
    return rng.choice([
        lambda: mess_identifier(rng, value),
        lambda: _wrong_last(value, "0123456789ABCDEFGHJKLMNPQRTUWXY"),
        lambda: value[:-1],
        lambda: value + "1",
        lambda: value[:10] + rng.choice("IOSVZ") + value[11:],
        lambda: "A" + value[1:],
        lambda: value[:9] + "%" + value[10:],
        lambda: "911522010783762860",
        lambda: "91152201078376286" + rng.choice("1X"),
        lambda: "无",
        lambda: "---",
        lambda: value[:17] + "号",
        lambda: "+" + value[1:],
        lambda: value[:17] + "٣",
        lambda: value[:17] + "①",
        lambda: "",
        lambda: None,
    ])()


def citizen_id_cell(rng: random.Random) -> Cell:
    value = make_citizen_id(rng)
    return rng.choice([
        lambda: mess_identifier(rng, value),
        lambda: mess_identifier(rng, value),
        lambda: _wrong_last(value, "0123456789X"),
        lambda: value[:-1],
        lambda: make_citizen_id(rng, "110103", 2015),  # 崇文区 existed until 2010
        lambda: make_citizen_id(rng, "110103", 1990),
        lambda: make_citizen_id(rng, "110999"),  # known province, unknown county
        lambda: make_citizen_id(rng, "990101"),
        lambda: make_citizen_id(rng, "110119", rng.choice([2014, 2015, 2020])),  # 延庆区 from 2015
        lambda: _with_check(value[:10] + rng.choice(["1332", "0230", "0000", "1231"]) + value[14:17]),
        lambda: _with_check("3210020000" + value[10:17]),
        lambda: value[:5] + "A" + value[6:],
        lambda: value[:17] + "Y",
        lambda: "E12345678",
        lambda: "+" + value[1:],
        lambda: value[:17] + "Ⅹ",
        lambda: "---",
        lambda: "",
    ])()


def _with_check(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


def org_code_cell(rng: random.Random) -> Cell:
    value = make_org_code(rng)
    return rng.choice([
        lambda: mess_identifier(rng, value), lambda: value, lambda: _wrong_last(value, "0123456789X"),
        lambda: value[:-1], lambda: "a%" + value[2:], lambda: value[:8] + "号", lambda: "组织机构代码123",
        lambda: None, lambda: None, lambda: None,
    ])()


def registration_cell(rng: random.Random) -> Cell:
    value = "".join(rng.choices("0123456789", k=15))
    return rng.choice([lambda: value, lambda: full_width(value), lambda: value[:-1], lambda: value[:-1] + "A",
                       lambda: f"{value[:5]} {value[5:]}", lambda: None, lambda: None, lambda: None])()


def other_id_cell(rng: random.Random) -> Cell:
    return rng.choice([None, None, None, "苏税字321002123456789", "事证第132100001234号", "---", "  ", "ab-c d",
                       "Ｅ１２３４５"])


DATE_FORMS: tuple[Callable[[date], str], ...] = (
    lambda d: d.isoformat(),
    lambda d: d.isoformat(),
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month:02d}.{d.day}",
    lambda d: f"{d.isoformat()} 10:30",
    lambda d: f"{d.isoformat()}T10:30:15.25",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month}月{d.day}",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: str((d - date(1899, 12, 30)).days),
    lambda d: f"{(d - date(1899, 12, 30)).days}.0",
    lambda d: f"{(d - date(1899, 12, 30)).days}.00",
    lambda d: full_width(d.isoformat()),
    lambda d: f"{d.year} - {d.month:02d} - {d.day:02d}",
    lambda d: f"{d.year} 年 {d.month} 月 {d.day} 日",
    lambda d: f" {d.year} {d.month:02d} {d.day:02d} ",
    lambda d: f"{d.isoformat()} 10：30",
)
BAD_DATES = ("2023-02-30", "2023-13-01", "2023-00-10", "0000-01-01", "2023年2月29日", "20230230", "09999", "2023",
             "2023-05", "不详", "2023-05-01x", "2023-05-01 1030", "45047.5", "4504", "٢٠٢٣-٠٥-٠١", "2023－05－01",
             "2024-02-29", "1900-02-29", "2000-02-29", "12023-01-01", "+2023-01-01", "0001-01-01", "99999", "10000",
             "2023/5/1 8:05:07", "2023..5.1", "②⓪②③-01-01")


def date_cell(rng: random.Random, earliest: date = date(2016, 1, 1)) -> Cell:
    roll = rng.random()
    if roll < 0.08:
        return rng.choice(BAD_DATES)
    if roll < 0.12:
        return rng.choice(["", " ", None])
    if roll < 0.16:
        day = TODAY.toordinal() + rng.randint(1, 2000)  # in the future
    else:
        day = rng.randint(earliest.toordinal(), TODAY.toordinal())
    return rng.choice(DATE_FORMS)(date.fromordinal(day))


def amount_cell(rng: random.Random) -> Cell:
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(["0.5", "1", "0.05", "2.0", "12.345678", "1,000.5", "0", "3", "0.2"])
    return rng.choice(["-1", "-0.000001", "-0", "+.5", "1.", ".25", "1e3", "1E-7", "0.1234567", "0.30000000000000004",
                       "0.0000005", "2.0000015", "-0.0000001", "1e-6", "1E+2", "0E-9",
                       "abc", ",", "５万元", "１２３.５", "Infinity", "NaN", "-inf", "1_000", " 5 ", "1 000", "1,2,3",
                       "99999999999999.999999", "٣", "", None, None, "１，０００"])


LONG_TEXT = "当事人" * 700


def text_cell(rng: random.Random, limit: int | None, required: bool) -> Cell:
    roll = rng.random()
    if roll < 0.06:
        return rng.choice(["", "  ", "\u3000", "\t", None])
    if roll < 0.09 and limit is not None:
        return rng.choice([LONG_TEXT[: limit + 1], LONG_TEXT[:limit], " " + LONG_TEXT[:limit] + " ",
                           full_width("A" * (limit + 1)), "①" * (limit + 1)])
    return rng.choice(TEXTS)


TEXTS = (
    "扬州市广陵区鑫源餐饮有限公司", "扬州市某某有限公司（分店）", "  前后有空格  ", "\u3000全角空格\u3000",
    "当事人销售的食品经抽样检验不合格，违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。",
    "依据《中华人民共和国安全生产法》第九十七条第（一）项", "罚款人民币５０００元", "扬市监罚〔2024〕123号",
    "(2024)苏1002执123号", "张伟", "李 娜", "ＡＢＣ有限公司", "①号楼", "温度超过40℃", "面积120㎡", "㈱扬州",
    "ｶﾀｶﾅ商事", "Café", "Cafe\u0301", "省略……", "株式会社の店", "𠮷野家", "\U0001ccd6字", "中文\u00a0空格",
    "a\u200bb", "™商标", "Ⅻ号", "x\u2028y", "ß大街", "ﬁ", "ﾞ", "가나다", "\u1100\u1161", "Ａ－Ｂ", "￥100元", "〶",
    "text\x1c", "\x85开头", "¼", "“引号”‘单引号’", "——破折号", "·间隔号", "、。，", "\uf900", "\ue000私用",
)


def code_cell(rng: random.Random, values: list[str]) -> Cell:
    roll = rng.random()
    if roll < 0.75:
        return rng.choice(values)
    choice = rng.choice(values)
    return rng.choice([choice.upper(), f" {choice} ", full_width(choice), f"{choice}-补充说明", f"{choice}－补充",
                       f"-{choice}", "其他-军官证", "其他", "未知类别", "", None, "ＦＩＮＥ", "Fine"])


# ---------------------------------------------------------------------------------------------------
# Corpus


def cell_maker(item: DataItem, catalogue: Catalogue) -> Maker:
    if item.type is ItemType.DATE:
        return date_cell
    if item.type in (ItemType.DECIMAL, ItemType.INTEGER):
        return amount_cell
    if item.type is ItemType.CODE:
        table = catalogue.code_tables[item.code_table or ""]
        words = [w for v in table.values for w in (v.code, v.label, *v.aliases)]
        return lambda rng: code_cell(rng, words)
    if item.type is ItemType.IDENTIFIER and item.id_type is not None:
        return {"uscc": uscc_cell, "organisation_code": org_code_cell, "registration_no": registration_cell}.get(
            item.id_type.value, other_id_cell)
    if item.role is not None and item.role.value.endswith("cert_no"):
        return citizen_id_cell
    return lambda rng: text_cell(rng, item.max_length, item.required)


def valid_maker(item: DataItem, info: InfoClass, catalogue: Catalogue) -> Maker:
    """Cells the reference accepts, in the messy forms clerks use."""
    if item.type is ItemType.DATE:
        later = any(order.later == item.code for order in info.date_orders)
        low, high = (date(2024, 1, 1), date(2099, 12, 31)) if later else (date(2016, 1, 1), date(2023, 12, 31))
        return lambda rng: rng.choice(DATE_FORMS)(date.fromordinal(rng.randint(low.toordinal(), high.toordinal())))
    if item.type in (ItemType.DECIMAL, ItemType.INTEGER):
        return lambda rng: rng.choice(["0.5", "1,000.5", "１２", "3", " 0.05 ", None])
    if item.type is ItemType.CODE:
        table = catalogue.code_tables[item.code_table or ""]
        words = [w for v in table.values for w in (v.code, v.label, *v.aliases)]
        return lambda rng: rng.choice([rng.choice(words), rng.choice(words).upper(), f" {rng.choice(words)} "])
    makers: dict[str, Callable[[random.Random], str]] = {
        "uscc": lambda rng: mess_identifier(rng, make_uscc(rng)),
        "organisation_code": lambda rng: mess_identifier(rng, make_org_code(rng)),
        "registration_no": lambda rng: "".join(rng.choices("0123456789", k=15)),
    }
    if item.type is ItemType.IDENTIFIER and item.id_type is not None:
        return makers.get(item.id_type.value, other_id_cell)
    if item.role is not None and item.role.value.endswith("cert_no"):
        return lambda rng: mess_identifier(rng, make_citizen_id(rng))
    return lambda rng: rng.choice(TEXTS[:12]) if item.required or rng.random() < 0.7 else None


def corpus(info: InfoClass, catalogue: Catalogue, n: int, seed: int) -> list[dict[str, Cell]]:
    """Half the rows valid, the others with faults in about a third of their cells."""
    rng = random.Random(seed)
    faulty = {item.code: cell_maker(item, catalogue) for item in info.items}
    valid = {item.code: valid_maker(item, info, catalogue) for item in info.items}
    rows = []
    for _ in range(n):
        bad = rng.random() < 0.5
        row = {code: (faulty if bad and rng.random() < 0.3 else valid)[code](rng) for code in faulty}
        rows.append({k: v for k, v in row.items() if v is not None or rng.random() < 0.5})
    return rows


def frame_of(info: InfoClass, rows: list[dict[str, Cell]]) -> pl.DataFrame:
    return pl.DataFrame({item.code: [r.get(item.code) for r in rows] for item in info.items},
                        schema=dict.fromkeys((i.code for i in info.items), pl.String))


def expected_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    return value


def mismatches(info: InfoClass, catalogue: Catalogue, rows: list[dict[str, Cell]],
               result: FrameResult) -> Iterator[str]:
    values = result.values.to_dicts()
    problems: dict[int, list[tuple[str, str, str, str]]] = {}
    for p in result.problems.iter_rows(named=True):
        problems.setdefault(p["row"], []).append((p["field"], p["code"], p["message"], p["message_en"]))
    for i, row in enumerate(rows):
        reference = validate_values(info, row, catalogue, TODAY)
        want = {item.code: expected_value(reference.values.get(item.code)) for item in info.items}
        if values[i] != want:
            diff = {k: (v, want[k]) for k, v in values[i].items() if v != want[k]}
            yield f"row {i} {row}: values (got, want) {diff}"
        wanted = [(p.field, p.code, p.message, p.message_en) for p in reference.problems if p.code != "item.unknown"]
        if problems.get(i, []) != wanted:
            yield f"row {i} {row}: problems\n got  {problems.get(i, [])}\n want {wanted}"


@pytest.mark.parametrize("distinct", [False, True], ids=["per-cell", "per-distinct-value"])
@pytest.mark.parametrize(("info_code", "seed"), [("administrative_penalty", 1), ("administrative_license", 2)])
def test_same_values_and_problems_as_the_reference(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch,
                                                   info_code: str, seed: int, distinct: bool) -> None:
    monkeypatch.setattr(vectorised, "DISTINCT_MIN_ROWS", 0 if distinct else 10**9)
    monkeypatch.setattr(vectorised, "DISTINCT_SHARE", 1.0)
    info = catalogue.classes[info_code]
    rows = corpus(info, catalogue, 2000, seed)
    frame = frame_of(info, rows)
    result = validate_frame(info, catalogue, frame, TODAY)
    assert result.values.height == len(rows)
    assert result.values.columns == [i.code for i in info.items]
    found = list(mismatches(info, catalogue, rows, result))
    assert not found, "\n".join(found[:20])
    assert result.ok_mask.to_list() == [not validate_values(info, r, catalogue, TODAY).problems for r in rows]
    assert frame.equals(frame_of(info, rows))  # the input is left alone


def text_class(max_length: int | None = None) -> InfoClass:
    base = load_default_catalogue().classes["administrative_penalty"]
    return replace(base, items=(DataItem("bz", "备注", ItemType.TEXT, max_length=max_length),), date_orders=())


def test_clean_text_equals_python_nfkc_on_every_bmp_character_and_mixtures(catalogue: Catalogue) -> None:
    singles = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    rng = random.Random(7)
    pool = singles + [chr(c) for c in range(0x10000, 0x30000, 97)]
    mixed = ["".join(rng.choices(pool, k=rng.randint(1, 12))) for _ in range(20000)]
    joined = [f"{a}{b}" for a, b in zip(singles[::7], singles[3::7], strict=False)]  # compositions
    cells = singles + mixed + joined + [" " + c + "\u3000" for c in TEXTS]
    result = validate_frame(text_class(), catalogue, pl.DataFrame({"bz": cells}), TODAY)
    got = result.values["bz"].to_list()
    bad = [(c, g) for c, g in zip(cells, got, strict=True) if g != (clean_text(c) or None)]
    assert not bad, bad[:20]


def test_text_length_counts_cleaned_characters(catalogue: Catalogue) -> None:
    cells = ["１２３", " 1234 ", "12345", "①②③④", "ｶﾞｷﾞ", "ﬃ"]
    result = validate_frame(text_class(max_length=4), catalogue, pl.DataFrame({"bz": cells}), TODAY)
    assert result.values["bz"].to_list() == ["123", "1234", None, "1234", "ガギ", "ffi"]
    assert result.problems["row"].to_list() == [2]


def penalty(catalogue: Catalogue, **cells: Cell) -> FrameResult:
    info = catalogue.classes["administrative_penalty"]
    return validate_frame(info, catalogue, pl.DataFrame({k: [v] for k, v in cells.items()},
                                                        schema=dict.fromkeys(cells, pl.String)), TODAY)


def codes(result: FrameResult, field: str) -> list[str]:
    return result.problems.filter(pl.col("field") == field)["code"].to_list()


def test_excel_serial_dates_parse(catalogue: Catalogue) -> None:
    for cell in ("45047", "45047.0", "45047.000"):
        result = penalty(catalogue, cf_gsjzq=cell)
        assert result.values["cf_gsjzq"].to_list() == [date(2023, 5, 1)]
    result = penalty(catalogue, cf_gsjzq="09999")
    assert codes(result, "cf_gsjzq") == ["item.date"]


def test_every_date_form_parses(catalogue: Catalogue) -> None:
    day = date(2024, 2, 9)
    for form in DATE_FORMS:
        assert penalty(catalogue, cf_gsjzq=form(day)).values["cf_gsjzq"].to_list() == [day], form(day)


def test_invalid_calendar_and_future_dates_are_problems(catalogue: Catalogue) -> None:
    result = penalty(catalogue, cf_jdrq="2023-02-30", cf_yxq="2030-01-01", cf_gsjzq="2024年2月30日")
    assert codes(result, "cf_jdrq") == ["item.date"]
    assert codes(result, "cf_gsjzq") == ["item.date"]
    assert penalty(catalogue, cf_jdrq="2030-01-01").problems.filter(pl.col("field") == "cf_jdrq").row(0)[3] == (
        "处罚决定日期：日期不能晚于今天：2030-01-01")


def test_wrong_uscc_check_character_is_rejected(catalogue: Catalogue) -> None:
    result = penalty(catalogue, cf_xdr_shxym="91152201078376286X", cf_cfjgdm="911522010783762860")
    assert codes(result, "cf_xdr_shxym") == ["identifier.checksum"]
    assert codes(result, "cf_cfjgdm") == []
    assert result.values["cf_cfjgdm"].to_list() == ["911522010783762860"]


def test_identifiers_are_normalised(catalogue: Catalogue) -> None:
    result = penalty(catalogue, cf_cfjgdm=" ９１１５２２０１０７８３７６２８６０ ", cf_xdr_shxym="91152201-0783762860")
    assert result.values["cf_cfjgdm"].to_list() == ["911522010783762860"]
    assert result.values["cf_xdr_shxym"].to_list() == ["911522010783762860"]


def test_citizen_id_area_code_must_exist_in_the_birth_year(catalogue: Catalogue) -> None:
    rng = random.Random(3)
    before, after = make_citizen_id(rng, "110103", 2009), make_citizen_id(rng, "110103", 2011)
    ok = penalty(catalogue, cf_xdr_zjlx="身份证", cf_xdr_zjhm=before)
    assert codes(ok, "cf_xdr_zjhm") == [] and ok.values["cf_xdr_zjhm"].to_list() == [before]
    bad = penalty(catalogue, cf_xdr_zjlx="身份证", cf_xdr_zjhm=after)
    assert codes(bad, "cf_xdr_zjhm") == ["identifier.area_code"]
    assert bad.values["cf_xdr_zjhm"].to_list() == [None]


def test_citizen_id_checks_agree_with_stdnum_for_every_area_code() -> None:
    rng = random.Random(5)
    table = _county_info()
    db_codes = sorted(table)
    several = [c for c in db_codes if len(_years(table[c])) > 1]
    years = (1850, 1983, 1984, 1989, 2000, 2001, 2002, 2010, 2011, 2015, 2024)
    cases = [(c, rng.choice(years)) for c in db_codes] + [(c, y) for c in several for y in years]
    cases += [(f"{rng.randint(0, 999999):06d}", rng.choice(years)) for _ in range(300)]
    numbers = [make_citizen_id(rng, code, year) for code, year in cases]
    got = vectorised_ids.codes(IdType.CITIZEN_ID, pl.Series(numbers)).to_list()
    want = [(p.code if (p := check_citizen_id(n)[1]) else None) for n in numbers]
    assert got == want


def test_county_table_is_what_numdb_info_merges() -> None:
    db = numdb.get("cn/loc")
    table = _county_info()
    for code in random.Random(6).sample(sorted(table), 400):
        assert table[code] == {k: v for _, props in db.info(code) for k, v in props.items()}


def test_unknown_county_of_a_known_province_is_an_area_code_problem(catalogue: Catalogue) -> None:
    number = make_citizen_id(random.Random(4), "110999")
    result = penalty(catalogue, cf_fr_zjlx="居民身份证", cf_fr_zjhm=number)
    assert codes(result, "cf_fr_zjhm") == ["identifier.area_code"]


def test_certificate_number_is_checked_by_the_given_type(catalogue: Catalogue) -> None:
    result = penalty(catalogue, cf_xdr_zjlx="护照", cf_xdr_zjhm=" e-1234 5678 ", cf_fr_zjlx="其他-军官证",
                     cf_fr_zjhm="---")
    assert result.values["cf_xdr_zjhm"].to_list() == ["E12345678"]
    assert codes(result, "cf_fr_zjhm") == ["identifier.empty"]
    untyped = penalty(catalogue, cf_xdr_zjhm=" e-1234 ")
    assert untyped.values["cf_xdr_zjhm"].to_list() == ["e-1234"]


def test_decimals_are_exact(catalogue: Catalogue) -> None:
    result = penalty(catalogue, cf_nr_fk="1,234.000001", cf_nr_wfff="-0.000001")
    assert result.values.schema["cf_nr_fk"] == pl.Decimal(20, 6)
    assert result.values["cf_nr_fk"].to_list() == [Decimal("1234.000001")]
    assert codes(result, "cf_nr_wfff") == ["item.minimum"]


def test_amounts_beyond_the_storage_column(catalogue: Catalogue) -> None:
    rounded = penalty(catalogue, cf_nr_fk="0.30000000000000004")
    assert rounded.values["cf_nr_fk"].to_list() == [Decimal("0.300000")]
    huge = penalty(catalogue, cf_nr_fk="1e20")
    assert codes(huge, "cf_nr_fk") == ["item.out_of_range"]


def test_codes_resolve_by_code_label_alias_case_and_head(catalogue: Catalogue) -> None:
    cells = {"cf_cflb": "ＦＩＮＥ", "cf_xdr_lb": "法人和非法人组织", "cf_fr_zjlx": "其他－军官证",
             "cf_xdr_zjlx": "驾驶证"}
    result = penalty(catalogue, **cells)
    assert result.values.select(list(cells)).row(0) == ("fine", "enterprise", "other", None)
    assert codes(result, "cf_xdr_zjlx") == ["item.code"]


def test_date_order_and_ok_mask(catalogue: Catalogue) -> None:
    info = catalogue.classes["administrative_penalty"]
    frame = pl.DataFrame({"cf_jdrq": ["2024-05-01", "2024-05-01"], "cf_yxq": ["2024-04-30", "2024-05-01"]})
    result = validate_frame(info, catalogue, frame, TODAY)
    first = result.problems.filter(pl.col("row") == 0)
    assert ("cf_yxq", "item.date_order") in set(first.select("field", "code").iter_rows())
    assert "item.date_order" not in result.problems.filter(pl.col("row") == 1)["code"].to_list()
    assert result.ok_mask.to_list() == [False, False]  # required items are missing


def test_missing_columns_and_blank_cells_are_empty(catalogue: Catalogue) -> None:
    info = catalogue.classes["administrative_penalty"]
    frame = pl.DataFrame({"cf_xdr_mc": [None, "", " \u3000"]}, schema={"cf_xdr_mc": pl.String})
    result = validate_frame(info, catalogue, frame, TODAY)
    assert result.values["cf_xdr_mc"].to_list() == [None, None, None]
    assert result.problems.filter(pl.col("field") == "cf_xdr_mc")["row"].to_list() == [0, 1, 2]
    assert result.problems.schema == {"row": pl.UInt32, "field": pl.String, "code": pl.String,
                                      "message": pl.String, "message_en": pl.String}


def test_empty_frame(catalogue: Catalogue) -> None:
    info = catalogue.classes["administrative_license"]
    result = validate_frame(info, catalogue, pl.DataFrame(schema={"xk_xdr_mc": pl.String}), TODAY)
    assert result.values.height == 0 and result.problems.height == 0 and result.ok_mask.len() == 0


def test_characters_python_does_not_know_keep_pythons_nfkc(catalogue: Catalogue) -> None:
    """polars' NFKC knows newer characters (U+1CCD6 is an outlined A in Unicode 16); Python's decides."""
    cells = ["\U0001ccd6", "\ua7f1 ", "𠮷野家（本店）"]
    assert pl.Series(cells).str.normalize("NFKC").to_list()[0] != unicodedata.normalize("NFKC", cells[0])
    result = validate_frame(text_class(), catalogue, pl.DataFrame({"bz": cells}), TODAY)
    assert result.values["bz"].to_list() == [clean_text(c) for c in cells]
