"""The common case of identifier cells, checked on bytes with numpy: a cell that is exactly the
identifier's length of ``0-9A-Z`` is its own clean text and normalised value, so only the check remains
(stdnum's algorithms, over a ``rows × width`` byte matrix)."""

from __future__ import annotations

from functools import cache

import numpy as np
import polars as pl
from stdnum import numdb

from xinyong.domain.identifiers import IdType

WIDTHS = {IdType.USCC: 18, IdType.CITIZEN_ID: 18, IdType.ORGANISATION_CODE: 9, IdType.REGISTRATION_NO: 15}
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # stdnum's 1, 3, 9, 27, 19…
_RIC_WEIGHTS = tuple(pow(13, 16 - i, 11) for i in range(17))  # stdnum: int(number[:-1], 13)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHECK = np.frombuffer(b"?123456789X0", dtype=np.uint8)  # by 11 - total % 11 (1…11)
_NO_YEARS = (1, 0)  # an empty interval


def _table(alphabet: str) -> np.ndarray:
    table = np.full(256, -1, dtype=np.int8)
    table[np.frombuffer(alphabet.encode(), dtype=np.uint8)] = np.arange(len(alphabet))
    return table


_ALNUM = _table("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_USCC = _table(_USCC_ALPHABET)
CHECKS = ("", "length", "format", "checksum", "birth_date", "area_code")  # status numbers → check names


def tokens(values: pl.Series, width: int) -> tuple[np.ndarray, np.ndarray]:
    """(row numbers, ``width`` × rows bytes, one row per character position) of the values that are
    exactly ``width`` characters of 0-9A-Z."""
    rows = np.flatnonzero((values.str.len_bytes() == width).fill_null(False).to_numpy())
    if not len(rows):
        return rows, np.zeros((width, 0), dtype=np.uint8)
    chars = values.gather(rows).cast(pl.Binary).bin.reinterpret(dtype=pl.Array(pl.UInt8, width)).to_numpy()
    chars = np.ascontiguousarray(chars.T)  # position-major: each check is a few passes over long vectors
    plain = np.ones(len(rows), dtype=bool)
    for position in chars:
        plain &= ((position - 48) < 10) | ((position - 65) < 26)  # uint8 arithmetic wraps below '0'/'A'
    return (rows, chars) if plain.all() else (rows[plain], chars[:, plain])


def status(id_type: IdType, chars: np.ndarray) -> np.ndarray:
    """The failed check of each token, as an index into ``CHECKS`` (0: valid)."""
    check = {IdType.USCC: _uscc, IdType.CITIZEN_ID: _citizen_id, IdType.ORGANISATION_CODE: _organisation_code,
             IdType.REGISTRATION_NO: _registration_no}[id_type]
    return check(chars)


def _codes(*cases: tuple[np.ndarray, str]) -> np.ndarray:
    """The first failing check of each row (0: none)."""
    found = np.zeros(len(cases[0][0]), dtype=np.int8)
    for failed, name in reversed(cases):
        found[failed] = CHECKS.index(name)
    return found


def code_names(found: np.ndarray) -> pl.Series:
    """``identifier.<check>`` of status numbers (null for 0)."""
    names = pl.Series([None, *(f"identifier.{c}" for c in CHECKS[1:])], dtype=pl.String)
    return names.gather(pl.Series(found, dtype=pl.UInt32))


_INVALID = -(1 << 20)  # a weighted table's value for a character not allowed at its position


@cache
def _weighted(alphabet: str, weights: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Per position, a table: character → its index in ``alphabet`` times the position's weight
    (``_INVALID`` for other characters), so a check sum is one table look-up and one addition a position."""
    found = []
    for weight in weights:
        table = np.full(256, _INVALID, dtype=np.int32)
        table[np.frombuffer(alphabet.encode(), dtype=np.uint8)] = np.arange(len(alphabet)) * weight
        found.append(table)
    return tuple(found)


def _sum(tables: tuple[np.ndarray, ...], chars: np.ndarray) -> np.ndarray:
    total = np.zeros(chars.shape[1], dtype=np.int32)
    for table, position in zip(tables, chars, strict=False):
        total += table.take(position)
    return total


def _uscc(chars: np.ndarray) -> np.ndarray:
    digits = _weighted("0123456789", _USCC_WEIGHTS[:8])
    letters = _weighted(_USCC_ALPHABET, _USCC_WEIGHTS[8:])
    total = _sum(digits, chars) + _sum(letters, chars[8:])
    last = _USCC.take(chars[17])
    well_formed = (total >= 0) & (last >= 0)
    return _codes((~well_formed, "format"), ((31 - total % 31) % 31 != last, "checksum"))


def _citizen_id(chars: np.ndarray) -> np.ndarray:
    total = _sum(_weighted("0123456789", _RIC_WEIGHTS), chars)
    last = chars[17]
    well_formed = (total >= 0) & ((last <= ord("9")) | (last == ord("X")))
    given = np.where(last == ord("X"), 10, last - ord("0"))
    area = _sum(_weighted("0123456789", (100000, 10000, 1000, 100, 10, 1)), chars[:6])
    birth = _sum(_weighted("0123456789", (10**7, 10**6, 10**5, 10**4, 1000, 100, 10, 1)), chars[6:14])
    year, month, day = birth // 10000, birth // 100 % 100, birth % 100
    return _codes((~well_formed, "format"), ((1 - 2 * (total % 11)) % 11 != given, "checksum"),
                  (~is_date(year, month, day), "birth_date"), (~_existed(np.where(well_formed, area, 0), year),
                                                               "area_code"))


def _existed(area: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Whether stdnum's ``cn/loc`` has the area code in the birth year (the first interval decides
    almost always; later ones are looked at only for the rows the first rejects)."""
    lows, highs = area_years()
    existed = (lows[0].take(area) <= year) & (year <= highs[0].take(area))
    for low, high in zip(lows[1:], highs[1:], strict=True):
        rest = np.flatnonzero(~existed)
        existed[rest] = (low.take(area[rest]) <= year[rest]) & (year[rest] <= high.take(area[rest]))
    return existed


def is_date(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)] + (leap & (month == 2))
    return (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= last)


def _organisation_code(chars: np.ndarray) -> np.ndarray:
    total = sum(_ALNUM.take(chars[i]).astype(np.int32) * w for i, w in enumerate(_ORG_WEIGHTS))
    return _codes((_ORG_CHECK[11 - total % 11] != chars[8], "checksum"))


def _registration_no(chars: np.ndarray) -> np.ndarray:
    return _codes((chars.max(axis=0) > ord("9"), "format"))


@cache
def area_years() -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """(from years, to years): for every 6-digit area code, dense over 0–999999, up to three year intervals
    in which ``ric.get_birth_place`` accepts it; codes stdnum does not know have none."""
    known = {code: _years(info) for code, info in _county_info().items()}
    width = max(len(years) for years in known.values())
    lows = tuple(np.full(10**6, _NO_YEARS[0], dtype=np.int32) for _ in range(width))
    highs = tuple(np.full(10**6, _NO_YEARS[1], dtype=np.int32) for _ in range(width))
    for code, years in known.items():
        for k, (start, end) in enumerate(years):
            lows[k][int(code)], highs[k][int(code)] = start, end
    return lows, highs


@cache
def _county_info() -> dict[str, dict[str, str]]:
    """What ``numdb.get("cn/loc").info(code)`` merges for every 6-digit code it has a county for: the
    database is two levels of single codes (2-digit provinces, 4-digit counties), whose repeated
    entries ``info`` merges in order; anything else is read through ``info`` itself."""
    db = numdb.get("cn/loc")
    if any(p[0] != 2 or p[1] != p[2] or any(c[0] != 4 or c[1] != c[2] or c[4] for c in p[4]) for p in db.prefixes):
        codes = {p[1] + c[1] for p in db.prefixes for c in p[4]}
        return {code: {k: v for _, props in db.info(code) for k, v in props.items()} for code in codes}
    provinces: dict[str, tuple[dict[str, str], dict[str, dict[str, str]]]] = {}
    for _, code, _, props, children in db.prefixes:
        merged, counties = provinces.setdefault(code, ({}, {}))
        merged.update(props)
        for _, county, _, county_props, _ in children:
            counties.setdefault(county, {}).update(county_props)
    return {province + county: merged | props
            for province, (merged, counties) in provinces.items() for county, props in counties.items()}


def _years(info: dict[str, str]) -> list[tuple[int, int]]:
    """The year intervals of ``ric.get_birth_place`` for one code (a code without a county is unknown)."""
    found = []
    for county in info["county"].split(",") if "county" in info else ():
        if not county.startswith("["):
            return [(0, 9999)]
        start, end = county[1:].split("]")[0].split("-")
        found.append((int(start) if start else 0, int(end) if end else 9999))
    return found
