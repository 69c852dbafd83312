"""Credit subjects of the demo city, one block at a time: types, identifiers, names, divisions.

Identifiers are unique by construction: each is a bijection of the subject's global ordinal (see
``codes.permute``), so blocks can be generated independently and still never collide.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from xinyong.demo import codes, names
from xinyong.demo.city import CITY_CODE, CITY_NAME, DISTRICTS, area_codes_for_birth
from xinyong.demo.model import (
    ENTERPRISE,
    INDIVIDUAL,
    INSTITUTION,
    PERSON,
    SOCIAL,
    SubjectBatch,
    day,
    iso,
    join,
    years,
)

TYPE_SHARES = (0.45, 0.35, 0.17, 0.02, 0.01)
DISHONEST_RATES = np.array([0.05, 0.03, 0.045, 0.01, 0.01])
THREE_CERTIFICATES_MERGED = day(date(2015, 10, 1))  # 三证合一: codes issued since are "MA…" codes
BIRTH_FIRST, BIRTH_LAST = day(date(1950, 1, 1)), day(date(2006, 12, 31))
COUNTY_LEVEL = {"321012", "321023", "321081", "321084"}
AGRICULTURE = ("水稻种植", "蔬菜种植", "水产养殖", "家禽养殖", "农机服务", "苗木种植", "葡萄种植", "茶叶种植")
INSTITUTION_PREFIXES = ("", "第一", "第二", "第三", "第四", "实验", "新城", "东区", "西区", "城北", "城南", "开发区")
NO_RENAME = -(10**9)

_PAIRS = len(names.TRADE_CHARS) * (len(names.TRADE_CHARS) - 1)
_DISTRICT_WEIGHTS = np.array([d.weight for d in DISTRICTS]) / sum(d.weight for d in DISTRICTS)
_SURNAME_WEIGHTS = 1.0 / (np.arange(len(names.SURNAMES)) + 8.0)
_SURNAME_WEIGHTS /= _SURNAME_WEIGHTS.sum()


def _area_table() -> tuple[np.ndarray, np.ndarray]:
    """Area codes valid per (district, birth year): codes ``(d, y, k)`` as uint8 rows and their counts."""
    span = range(1950, 2007)
    options = [[area_codes_for_birth(d, y) for y in span] for d in DISTRICTS]
    width = max(len(o) for row in options for o in row)
    table = np.zeros((len(DISTRICTS), len(span), width, 6), dtype=np.uint8)
    counts = np.zeros((len(DISTRICTS), len(span)), dtype=np.int64)
    for i, row in enumerate(options):
        for j, found in enumerate(row):
            counts[i, j] = len(found)
            table[i, j, : len(found)] = codes.as_matrix(list(found), 6)
    return table, counts


_AREAS, _AREA_COUNTS = _area_table()


def trade_names(k: np.ndarray) -> list[str]:
    """字号 number ``k`` (``0 <= k < pairs``): two different characters."""
    chars = names.TRADE_CHARS
    first = k // (len(chars) - 1)
    second = k % (len(chars) - 1)
    second = second + (second >= first)
    return [chars[a] + chars[b] for a, b in zip(first.tolist(), second.tolist(), strict=True)]


def person_names(rng: np.random.Generator, male: np.ndarray) -> np.ndarray:
    n = len(male)
    surnames = np.array(list(names.SURNAMES), dtype=object)[rng.choice(len(names.SURNAMES), n, p=_SURNAME_WEIGHTS)]
    pool_m, pool_f = np.array(list(names.GIVEN_MALE), dtype=object), np.array(list(names.GIVEN_FEMALE), dtype=object)
    first = np.where(male, pool_m[rng.integers(0, len(pool_m), n)], pool_f[rng.integers(0, len(pool_f), n)])
    second = np.where(male, pool_m[rng.integers(0, len(pool_m), n)], pool_f[rng.integers(0, len(pool_f), n)])
    second = np.where(rng.random(n) < 0.3, "", second)
    return join(surnames, first, second)


def generate_subjects(seed: int, block: int, first: int, count: int, today: date) -> SubjectBatch:
    rng = np.random.default_rng([seed, block, 1])
    ordinal = np.arange(first, first + count, dtype=np.int64)
    kind = rng.choice(5, size=count, p=TYPE_SHARES)
    district = rng.choice(len(DISTRICTS), size=count, p=_DISTRICT_WEIGHTS)
    district_codes = np.array([d.code for d in DISTRICTS], dtype=object)[district]
    city_level = (kind == ENTERPRISE) & (rng.random(count) < 0.3) | (kind >= INSTITUTION) & (rng.random(count) < 0.5)
    division = np.where(city_level, CITY_CODE, district_codes)
    end = day(today) - 10
    age = ((end - day(date(1985, 1, 1))) * rng.random(count) ** 1.6).astype(np.int64)
    since = np.where(kind >= INSTITUTION, end - 365 - age // 2, end - age)

    # persons: a unique (birth day, sequence) per ordinal; an area code that existed in the birth year
    person = np.flatnonzero(kind == PERSON)
    j = codes.permute(ordinal[person], (BIRTH_LAST - BIRTH_FIRST + 1) * 999, 6)
    birth = BIRTH_FIRST + j // 999
    since[person] = birth
    year = years(birth) - 1950
    pick = (rng.random(len(person)) * _AREA_COUNTS[district[person], year]).astype(np.int64)
    areas = _AREAS[district[person], year, pick]
    born = codes.as_matrix(list(iso(birth)), 10)[:, [0, 1, 2, 3, 5, 6, 8, 9]]
    citizen = np.full(count, None, dtype=object)
    citizen[person] = codes.as_strings(codes.citizen_ids(areas, born, j % 999 + 1))
    male = np.zeros(count, dtype=bool)
    male[person] = (j % 999 + 1) % 2 == 1

    # organisations: organisation code (new "MA…" since 2015-10, older numeric), then the USCC
    org = np.flatnonzero(kind != PERSON)
    o_ord, o_kind, new = ordinal[org], kind[org], since[org] >= THREE_CERTIFICATES_MERGED
    second_letter = np.array([ord(c) for c in "AA?BJ"], dtype=np.uint8)[o_kind]  # MA firms, MB public, MJ social
    bodies = np.where(new[:, None], np.concatenate([
        np.full((len(org), 1), ord("M"), dtype=np.uint8), second_letter[:, None],
        codes.base31(codes.permute(o_ord, 31**6, 1), 6),
    ], axis=1), np.concatenate([
        np.array([ord(c) for c in "7L745"], dtype=np.uint8)[o_kind][:, None],
        np.where((o_kind == INDIVIDUAL)[:, None], codes.base31(codes.permute(o_ord, 31**7, 3), 7),
                 codes.digits(codes.permute(o_ord, 10**7, 2), 7)),
    ], axis=1))
    organisation = codes.organisation_codes(bodies)
    forms = np.array([f[0] for f in names.ENTERPRISE_FORMS], dtype=object)
    form = rng.choice(len(forms), size=count, p=_weights([f[1] for f in names.ENTERPRISE_FORMS]))
    social = rng.choice(len(names.SOCIAL_ORGANISATIONS), size=count)
    prefix = np.where(kind == ENTERPRISE, np.where(forms[form] == "farmers_cooperative", "93", "91"),
                      np.where(kind == INDIVIDUAL, "92", np.where(
                          kind == INSTITUTION, "12", np.array([s[0] for s in names.SOCIAL_ORGANISATIONS])[social])))
    uscc = np.full(count, None, dtype=object)
    uscc[org] = codes.as_strings(codes.usccs(codes.as_matrix(list(prefix[org]), 2),
                                             codes.as_matrix(list(division[org]), 6), organisation))
    old = (kind == ENTERPRISE) | (kind == INDIVIDUAL)
    old &= since < THREE_CERTIFICATES_MERGED
    organisation_code = np.full(count, None, dtype=object)
    with_code = old & (kind == ENTERPRISE) & (rng.random(count) < 0.5)
    organisation_code[with_code] = np.array([u[8:17] for u in uscc[with_code]], dtype=object)
    registration_no = np.full(count, None, dtype=object)
    with_number = np.flatnonzero(old & (rng.random(count) < 0.7))
    where = np.searchsorted(_DIVISIONS, division[with_number].astype(str))
    year = np.clip(years(since[with_number]), _AUTHORITY_YEARS[0], _AUTHORITY_YEARS[-1]) - _AUTHORITY_YEARS[0]
    registration_no[with_number] = codes.as_strings(codes.registration_numbers(
        _AUTHORITIES[where, year], codes.permute(ordinal[with_number], 10**8, 5)))

    batch_names, industry, group, old_names, renamed = _names(rng, kind, district, division, form, social, since,
                                                              ordinal, today)
    is_person = kind == PERSON
    batch_names[person] = person_names(rng, male[person])
    legal_rep = person_names(rng, np.where(is_person, male, rng.random(count) < 0.75))
    legal_rep[is_person] = None
    street = _STREET_FIRST[district] + rng.integers(0, 1 << 20, count) % _STREET_COUNT[district]
    address = join(_STREETS[street], _HOUSE_NUMBERS[rng.integers(0, len(_HOUSE_NUMBERS), count)])
    return SubjectBatch(
        ordinal=ordinal, kind=kind, canonical_type=np.where(is_person, "citizen_id", "uscc").astype(object),
        canonical=np.where(is_person, citizen, uscc), name=batch_names, division=division.astype(object),
        since=since, uscc=uscc, citizen_id=citizen, registration_no=registration_no,
        organisation_code=organisation_code, legal_rep=legal_rep, address=address,
        enterprise_type=np.where(kind == ENTERPRISE, forms[form], np.where(kind == INDIVIDUAL, "individual_business",
                                                                           None)),
        industry=industry, licence_group=group, dishonest=rng.random(count) < DISHONEST_RATES[kind],
        old_names=old_names, renamed=renamed,
    )


def _weights(values: list[float]) -> np.ndarray:
    array = np.array(values, dtype=float)
    return array / array.sum()  # type: ignore[no-any-return]


def _authority(division: str, year: int) -> str:
    """The registering authority's division code in the year of registration (江都: 321088 until 2011)."""
    district = next((d for d in DISTRICTS if d.code == division), None)
    if district is None:
        return CITY_CODE
    return next((c for c in district.history if codes.area_code_valid(c, year)), district.code)


_DIVISIONS = np.array(sorted([CITY_CODE, *(d.code for d in DISTRICTS)]))
_AUTHORITY_YEARS = (1980, 2016)
_AUTHORITIES = np.stack([codes.as_matrix([_authority(str(d), y) for y in range(*_AUTHORITY_YEARS)], 6)
                         for d in _DIVISIONS])
_STREETS = np.array([d.full + street for d in DISTRICTS for street in d.streets], dtype=object)
_STREET_COUNT = np.array([len(d.streets) for d in DISTRICTS])
_STREET_FIRST = np.cumsum(_STREET_COUNT) - _STREET_COUNT
_HOUSE_NUMBERS = np.array([f"{i}号" for i in range(1, 300)], dtype=object)


def _names(rng: np.random.Generator, kind: np.ndarray, district: np.ndarray, division: np.ndarray, form: np.ndarray,
           social: np.ndarray, since: np.ndarray, ordinal: np.ndarray, today: date) -> tuple[
               np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Names (unique per enterprise and per district's individual businesses while the space lasts), the
    industry and licence group, and the rename history of some enterprises (字号 kept, 行业 changed)."""
    count = len(kind)
    current = np.full(count, "", dtype=object)
    group = np.full(count, "person", dtype=object)
    industry = np.full(count, -1, dtype=np.int64)
    full = _FULL[district]
    owner = np.where(division == CITY_CODE, CITY_NAME, full)

    e = np.flatnonzero(kind == ENTERPRISE)
    k = codes.permute(ordinal[e], 3 * _PAIRS * len(_INDUSTRY_WORDS), 7)
    place_index, pair, industry[e] = k % 3, (k // 3) % _PAIRS, k // (3 * _PAIRS) % len(_INDUSTRY_WORDS)
    county = np.isin(division[e], list(COUNTY_LEVEL))
    head = join(np.where((place_index == 0) & county, _SHORT[district[e]], _PLACES[place_index]), _TRADE_PAIRS[pair])
    form_text = _FORM_TEXT[form[e]]
    branch = form_text == "有限公司分公司"
    form_text[branch] = join("有限公司", _SHORT[district[e][branch]], "分公司")
    coop = form_text == "专业合作社"
    agriculture = _AGRICULTURE[industry[e] % len(_AGRICULTURE)]

    def enterprise(ind: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return join(head[rows], np.where(coop[rows], agriculture[rows], _INDUSTRY_WORDS[ind]), form_text[rows])

    everyone = np.arange(len(e))
    current[e] = enterprise(industry[e], everyone)
    group[e] = _INDUSTRY_GROUPS[industry[e]]

    i = np.flatnonzero(kind == INDIVIDUAL)
    shop_k = codes.permute(ordinal[i], (_PAIRS + len(names.SURNAMES)) * len(names.SHOPS), 8)
    shop, shop_pair = shop_k % len(names.SHOPS), shop_k // len(names.SHOPS)
    trade = np.where(shop_pair < _PAIRS, _TRADE_PAIRS[shop_pair % _PAIRS], _OLD_STYLE[shop_pair % len(_OLD_STYLE)])
    current[i] = join(full[i], trade, _SHOPS[shop])
    group[i] = _SHOP_GROUPS[shop]

    u = np.flatnonzero(kind == INSTITUTION)
    institution = ordinal[u] % len(names.INSTITUTIONS)
    prefix = _INSTITUTION_PREFIXES[(ordinal[u] // 7) % len(INSTITUTION_PREFIXES)]
    current[u] = join(owner[u], prefix, _INSTITUTIONS[institution])
    group[u] = _INSTITUTION_GROUPS[institution]

    o = np.flatnonzero(kind == SOCIAL)
    current[o] = join(owner[o], _TOPICS[(ordinal[o] // 3) % len(_TOPICS)], _SOCIAL_KINDS[social[o]])
    group[o] = "general"

    # about one enterprise in ten was renamed, one in fifty twice
    end = day(today) - 30
    draw = rng.random(len(e))
    eligible = (since[e] < end - 3 * 365) & ~coop
    once, twice = eligible & (draw < 0.10), eligible & (draw < 0.02)
    lo = since[e] + 180
    a = lo + (rng.random(len(e)) * (end - lo)).astype(np.int64)
    b = lo + (rng.random(len(e)) * (end - lo)).astype(np.int64)
    first = np.full(count, NO_RENAME, dtype=np.int64)
    second = first.copy()
    first[e] = np.where(once, np.minimum(a, b), NO_RENAME)
    second[e] = np.where(twice, np.maximum(np.maximum(a, b), np.minimum(a, b) + 30), first[e])
    shift, back = rng.integers(1, len(_INDUSTRY_WORDS), len(e)), rng.integers(1, len(_INDUSTRY_WORDS), len(e))
    old0, old1 = current.copy(), current.copy()
    r1, r2 = np.flatnonzero(once), np.flatnonzero(twice)
    old1[e[r1]] = enterprise((industry[e[r1]] + shift[r1]) % len(_INDUSTRY_WORDS), r1)
    old0[e[r1]] = old1[e[r1]]
    old0[e[r2]] = enterprise((industry[e[r2]] + shift[r2] + back[r2]) % len(_INDUSTRY_WORDS), r2)
    return current, industry, group, (old0, old1), (first, second)


_TRADE_PAIRS = np.array(trade_names(np.arange(_PAIRS)), dtype=object)
_FULL = np.array([d.full for d in DISTRICTS], dtype=object)
_SHORT = np.array([d.short for d in DISTRICTS], dtype=object)
_PLACES = np.array(names.PLACES, dtype=object)
_INDUSTRY_WORDS = np.array([i[0] for i in names.INDUSTRIES], dtype=object)
_INDUSTRY_GROUPS = np.array([i[3] for i in names.INDUSTRIES], dtype=object)
_FORM_TEXT = np.array([f[2] for f in names.ENTERPRISE_FORMS], dtype=object)
_AGRICULTURE = np.array(AGRICULTURE, dtype=object)
_SHOPS = np.array(names.SHOPS, dtype=object)
_SHOP_GROUPS = np.array([names.SHOP_GROUPS.get(s, "general") for s in names.SHOPS], dtype=object)
_OLD_STYLE = np.array(["老" + s for s in names.SURNAMES], dtype=object)
_INSTITUTIONS = np.array(names.INSTITUTIONS, dtype=object)
_INSTITUTION_GROUPS = np.array([names.INSTITUTION_GROUPS.get(t, "general") for t in names.INSTITUTIONS], dtype=object)
_INSTITUTION_PREFIXES = np.array(INSTITUTION_PREFIXES, dtype=object)
_TOPICS = np.array(names.SOCIAL_TOPICS, dtype=object)
_SOCIAL_KINDS = np.array([s[1] for s in names.SOCIAL_ORGANISATIONS], dtype=object)
