"""Record generators: court and credit lists, abnormal operation, commitments, A-grade taxpayers and
social-insurance arrears."""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np

from xinyong.demo import codes, texts
from xinyong.demo.basics import FINE_TEXT, FINES
from xinyong.demo.city import (
    COURT_OF_DISTRICT,
    DEPARTMENT_INDEX,
    DEPARTMENTS,
    DISTRICTS,
    INTERMEDIATE_COURT,
    REGULATOR_OF_DIVISION,
)
from xinyong.demo.model import (
    DAY0,
    LONG_TERM,
    PERSON,
    ClassPlan,
    Coded,
    coded,
    date_strings,
    day,
    iso,
    join,
    pick_codes,
    years,
)
from xinyong.demo.rows import (
    ClassRows,
    Context,
    authority,
    constant,
    dates,
    decision_days,
    department,
    doc_numbers,
    ranks,
    serials,
    subject_items,
)

_COURT_KEYS = [INTERMEDIATE_COURT[0], *(COURT_OF_DISTRICT[d.code] for d in DISTRICTS)]
_COURT_CODES = np.array([INTERMEDIATE_COURT[1], *(d.court for d in DISTRICTS)], dtype=object)
_COURT_DEPTS = np.array([DEPARTMENT_INDEX[k] for k in _COURT_KEYS])
_DISTRICT_COURT = {d.code: i + 1 for i, d in enumerate(DISTRICTS)}
_DOC_PREFIX = np.array([d.penalty_doc.replace("罚", "") for d in DEPARTMENTS], dtype=object)
_REGULATED = np.array(list(REGULATOR_OF_DIVISION))  # sorted: the city's code, then the districts'


@cache
def _compact_dates() -> np.ndarray:
    return np.array([d.replace("-", "") for d in date_strings().tolist()], dtype=object)


def _weights(values: list[float] | tuple[float, ...]) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array / array.sum()  # type: ignore[no-any-return]


def judgment_debtor(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    s, rng, n = ctx.subjects, ctx.rng, len(subject)
    court = np.array([_DISTRICT_COURT.get(d, 0) for d in s.division[subject].tolist()])
    court = np.where(rng.random(n) < 0.15, 0, court)
    decided = decision_days(ctx, subject)
    filed = np.maximum(decided - rng.integers(60, 400, n), s.since[subject] + 1)
    ruling = filed - rng.integers(30, 300, n)
    situation = rng.choice(len(texts.JUDGMENT_SITUATIONS), n, p=_weights([w for _, w in texts.JUDGMENT_SITUATIONS]))
    amount = rng.choice(len(FINES), n)
    obligations = [o.format(a=a) for o in texts.JUDGMENT_OBLIGATIONS for a in FINE_TEXT.tolist()]
    obligation = rng.integers(0, len(texts.JUDGMENT_OBLIGATIONS), n) * len(FINES) + amount
    code = Coded(_COURT_CODES, court)
    items = {
        **subject_items(ctx, plan, subject, decided, {
            "name": "sx_bzxr_mc", "category": "sx_bzxr_lb", "uscc": "sx_shxym", "organisation_code": "sx_zzjg",
            "cert_type": "sx_zjlx", "cert_no": "sx_zjhm", "legal_rep": "sx_frdb"}),
        "sx_ah": _cases(code, filed, "执", serials(ctx, subject, 1, 3000)),
        **authority(("sx_zxfy",), _COURT_DEPTS[court]),
        "sx_sf": constant("江苏", n), "sx_lasj": dates(filed),
        "sx_zxyjwh": _cases(code, ruling, "民初", serials(ctx, subject, 1, 5000)),
        "sx_zcyjdw": Coded(np.array([DEPARTMENTS[i].name for i in _COURT_DEPTS], dtype=object), court),
        "sx_yw": coded(obligations, obligation),
        "sx_lxqk": coded(["全部未履行", "部分未履行"], (rng.random(n) < 0.15).astype(int)),
        "sx_jtqx": coded([t for t, _ in texts.JUDGMENT_SITUATIONS], situation), "sx_fbsj": dates(decided),
    }
    return ClassRows(subject, _COURT_DEPTS[court], decided, items)


def _cases(courts: np.ndarray, days: np.ndarray, kind: str, numbers: np.ndarray) -> np.ndarray:
    """Court case numbers: (2024)苏1002执123号."""
    return doc_numbers(courts, days, numbers, "({y}){p}" + kind + "{n}号")


def _lists(ctx: Context, subject: np.ndarray, for_persons: list[bool], for_organisations: list[bool]) -> np.ndarray:
    """Which list each row is on: persons only on lists open to them, organisations likewise."""
    person = ctx.subjects.kind[subject] == PERSON
    persons, organisations = np.flatnonzero(for_persons), np.flatnonzero(for_organisations)
    return np.where(person, persons[ctx.rng.integers(0, len(persons), len(subject))],  # type: ignore[no-any-return]
                    organisations[ctx.rng.integers(0, len(organisations), len(subject))])


def serious_list(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    entry = _lists(ctx, subject, [e[4] for e in texts.SERIOUS_LISTS], [True] * len(texts.SERIOUS_LISTS))
    depts = np.array([DEPARTMENT_INDEX[e[1]] for e in texts.SERIOUS_LISTS])[entry]
    decided = decision_days(ctx, subject, day(date(2019, 1, 1)))
    until = decided + 3 * 365
    status = plan.codes.get("yzsx_zt", ())
    items = {
        **subject_items(ctx, plan, subject, decided, {
            "name": "yzsx_mc", "category": "yzsx_lb", "uscc": "yzsx_shxym", "cert_type": "yzsx_zjlx",
            "cert_no": "yzsx_zjhm", "legal_rep": "yzsx_frdb"}),
        "yzsx_mdmc": coded([e[0] for e in texts.SERIOUS_LISTS], entry),
        "yzsx_lryy": coded([e[2] for e in texts.SERIOUS_LISTS], entry),
        "yzsx_flyj": coded([e[3] for e in texts.SERIOUS_LISTS], entry),
        **authority(("yzsx_rdbm", "yzsx_rdbmdm"), depts),
        "yzsx_rdwsh": doc_numbers(Coded(_DOC_PREFIX + "失信认定", depts), decided, serials(ctx, subject)),
        "yzsx_lrrq": dates(decided), "yzsx_yxqz": dates(until),
        "yzsx_zt": coded([c if c in status else None for c in ("listed", "removed")], (until < ctx.today).astype(int)),
    }
    return ClassRows(subject, depts, decided, items)


def abnormal(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    s, rng, n = ctx.subjects, ctx.rng, len(subject)
    reason = rng.choice(len(texts.ABNORMAL_REASONS), n, p=_weights([r[1] for r in texts.ABNORMAL_REASONS]))
    decided = decision_days(ctx, subject)
    removed = decided + rng.integers(30, 700, n)
    removed = np.where((rng.random(n) < 0.45) & (removed < ctx.today - 1), removed, -1)
    regulators = np.array(list(REGULATOR_OF_DIVISION.values()), dtype=object)
    regulator = np.searchsorted(_REGULATED, s.division[subject].astype(str))
    items = {
        **subject_items(ctx, plan, subject, decided, {
            "name": "jy_qymc", "uscc": "jy_shxym", "registration_no": "jy_zch", "legal_rep": "jy_frdb"}),
        "jy_lryy": coded([r[0] for r in texts.ABNORMAL_REASONS], reason), "jy_lrrq": dates(decided),
        "jy_lrwsh": doc_numbers(constant("扬市监企异", n), decided, serials(ctx, subject)),
        "jy_zcjdjg": Coded(regulators, regulator),
        "jy_ycyy": coded([r[2] for r in texts.ABNORMAL_REASONS] + [None],
                         np.where(removed < 0, len(texts.ABNORMAL_REASONS), reason)),
        "jy_ycrq": dates(removed), "jy_ycjdjg": Coded(np.append(regulators, None), np.where(removed < 0,
            len(regulators), regulator)),
    }
    return ClassRows(subject, department("scjg", n), decided, items)


def red_list(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    entry = _lists(ctx, subject, [e[3] for e in texts.RED_LISTS], [not e[3] for e in texts.RED_LISTS])
    depts = np.array([DEPARTMENT_INDEX[e[1]] for e in texts.RED_LISTS])[entry]
    decided = decision_days(ctx, subject)
    items = {
        **subject_items(ctx, plan, subject, decided, {
            "name": "hmd_mc", "category": "hmd_lb", "uscc": "hmd_shxym", "cert_type": "hmd_zjlx",
            "cert_no": "hmd_zjhm"}),
        "hmd_mdmc": coded([e[0] for e in texts.RED_LISTS], entry),
        "hmd_lryy": coded([e[2] for e in texts.RED_LISTS], entry),
        **authority(("hmd_rdbm", "hmd_rdbmdm"), depts),
        "hmd_rdwh": doc_numbers(Coded(_DOC_PREFIX, depts), decided, serials(ctx, subject)),
        "hmd_lrrq": dates(decided), "hmd_yxqz": dates(decided + 3 * 365),
    }
    return ClassRows(subject, depts, decided, items)


def commitment(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    s, rng, n = ctx.subjects, ctx.rng, len(subject)
    keys = texts.COMMITMENT_DEPARTMENTS
    depts = np.array([DEPARTMENT_INDEX[k] for k in keys])[rng.choice(len(keys), n, p=_weights([5, 2, 3, 2, 2]))]
    decided = decision_days(ctx, subject, day(date(2020, 1, 1)))
    until = np.where(rng.random(n) < 0.2, LONG_TERM, decided + 365)
    kind = pick_codes(rng, plan.codes.get("cn_lx", ()), texts.COMMITMENT_WEIGHTS, n)
    reasons = [texts.COMMITMENT_REASONS.get(c, ("其他事项",)) for c in kind.table.tolist()]
    reason = coded([r[i % len(r)] for r in reasons for i in range(6)], kind.index * 6 + rng.integers(0, 6, n))
    ended = until < ctx.today - 15
    broken = ended & s.dishonest[subject] & (rng.random(n) < 0.4)
    state = np.where(~ended, -1, np.where(broken, np.where(rng.random(n) < 0.5, 1, 2), 0))
    fulfilment = [c if c in plan.codes.get("cn_lxzt", ()) else None
                  for c in ("fulfilled", "partially_fulfilled", "unfulfilled")]
    found = np.minimum(until + 15, ctx.today - 1)
    serial = serials(ctx, subject, 1, 500_000)
    number = join(s.division[subject], _compact_dates()[decided - DAY0], codes.as_strings(codes.digits(serial, 6)))
    openness = plan.codes.get("cn_gklx", ())
    items = {
        **subject_items(ctx, plan, subject, decided, {"name": "cn_crmc", "category": "cn_crlb", "uscc": "cn_crdm"}),
        "cn_bm": number, "cn_lx": kind, "cn_sy": reason, "cn_nr": constant(texts.COMMITMENT_CONTENT, n),
        "cn_wnzr": constant(texts.COMMITMENT_LIABILITY, n), "cn_zcrq": dates(decided), "cn_yxq": dates(until),
        "cn_lxzt": coded([*fulfilment, None], np.where(state < 0, 3, state)),
        "cn_wlxnr": coded([None, "未按承诺期限补齐申请材料"], (state > 0).astype(int)),
        "cn_zjnr": coded([None, "撤销相关审批决定，违诺信息记入信用记录"], (state > 0).astype(int)),
        "cn_rdrq": dates(np.where(state < 0, -1, found)),
        "cn_rddw": Coded(np.append(np.array([d.name for d in DEPARTMENTS], dtype=object), None),
                         np.where(state < 0, len(DEPARTMENTS), depts)),
        "cn_rddwdm": Coded(np.append(np.array([d.uscc for d in DEPARTMENTS], dtype=object), None),
                           np.where(state < 0, len(DEPARTMENTS), depts)),
        **authority(("cn_sldw", "cn_sldwdm"), depts),
        "cn_gklx": constant("public" if "public" in openness else None, n),
    }
    return ClassRows(subject, depts, decided, items)


def a_grade(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    rng, n = ctx.rng, len(subject)
    today = iso(np.array([ctx.today]))[0]
    last = int(today[:4]) - (1 if today[5:] >= "04-30" else 2)
    offset = rng.integers(0, 3, n)
    year = last - offset[_first(subject)] - ranks(subject)
    year = np.where(year < 2015, 2015 + (year - 2015) % max(last - 2014, 1), year)
    april = np.array([day(date(int(y) + 1, 4, 10)) for y in range(2000, 2100)])
    published = april[year - 2000] + rng.integers(0, 15, n)
    published = np.minimum(published, ctx.latest)
    grade = plan.codes.get("ns_xydj", ())
    items = {
        **subject_items(ctx, plan, subject, published, {"name": "ns_nsrmc", "uscc": "ns_nsrsbh"}),
        "ns_pjnd": coded([str(y) for y in range(2000, 2100)], year - 2000),
        "ns_xydj": constant("A" if "A" in grade else (grade[0] if grade else None), n),
        **authority(("ns_pjjg", "ns_pjjgdm"), department("sw", n)), "ns_fbrq": dates(published),
    }
    return ClassRows(subject, department("sw", n), published, items)


def _first(subject: np.ndarray) -> np.ndarray:
    return np.arange(len(subject)) - ranks(subject)  # type: ignore[no-any-return]


def arrears(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    rng, n = ctx.rng, len(subject)
    decided = decision_days(ctx, subject, day(date(2019, 1, 1)))
    year = years(decided - 200)
    first_month = rng.integers(1, 7, n)
    period = np.array([f"{y}年{m}月至{y}年{m + k}月" for y, m, k in zip(
        year.tolist(), first_month.tolist(), rng.integers(1, 6, n).tolist(), strict=True)], dtype=object)
    amount = np.round(np.exp(rng.normal(10.5, 1.0, n)), 2)
    items = {
        **subject_items(ctx, plan, subject, decided, {"name": "sb_qjdw", "uscc": "sb_shxym", "legal_rep": "sb_frdb"}),
        "sb_qjxz": coded(texts.SOCIAL_INSURANCE_KINDS, rng.integers(0, len(texts.SOCIAL_INSURANCE_KINDS), n)),
        "sb_qjje": np.array([f"{a:.2f}" for a in amount.tolist()], dtype=object), "sb_qjqj": period,
        "sb_rdrq": dates(decided), **authority(("sb_rdjg", "sb_rdjgdm"), department("rsj", n)),
        "sb_rdwsh": doc_numbers(constant("扬人社欠认", n), decided, serials(ctx, subject)),
    }
    return ClassRows(subject, department("rsj", n), decided, items)
