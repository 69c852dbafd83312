"""Record generators: enterprise registration, administrative licences and administrative penalties."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from xinyong.demo import codes, names, texts
from xinyong.demo.city import DEPARTMENT_INDEX, DEPARTMENTS, REGULATOR_OF_DIVISION
from xinyong.demo.model import ENTERPRISE, LONG_TERM, PERSON, ClassPlan, Coded, coded, join, pick_codes
from xinyong.demo.rows import (
    ClassRows,
    Context,
    authority,
    dates,
    decision_days,
    department,
    doc_numbers,
    ranks,
    serials,
    subject_items,
)

CAPITALS = np.array([3, 10, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10000])
CAPITAL_WEIGHTS = np.array([4, 10, 10, 14, 20, 12, 8, 10, 6, 3, 2, 1], dtype=float)
IB_SCOPES = {"food": "餐饮服务；食品销售", "tobacco": "烟草制品零售；酒类经营", "medicine": "药品零售",
             "hygiene": "生活美容服务；理发服务；洗浴服务", "transport": "机动车修理和维护",
             "environment": "再生资源回收", "general": "日用百货销售；五金产品零售"}
REGISTRATION_STATUS = {"existing": 88, "operating": 3, "cancelled": 5, "revoked": 2, "moved_out": 1, "liquidating": 1}

# fines in yuan: a mantissa times a power of ten, skewed to a few thousand yuan
_MANTISSAS = np.array([1, 2, 3, 5, 8])
FINES = np.unique((_MANTISSAS[:, None] * 10 ** np.arange(2, 7)).ravel())
FINE_TEXT = np.array([f"{v:,}".replace(",", "") if v < 10000 else f"{Decimal(int(v)) / 10000:f}".rstrip("0")
                      .rstrip(".") + "万" for v in FINES.tolist()], dtype=object)
FINE_WAN = np.array([f"{(Decimal(int(v)) / 10000).normalize():f}" for v in FINES.tolist()], dtype=object)
_FINE_P_ORG = np.exp(-0.5 * ((np.log10(FINES) - 3.9) / 0.7) ** 2)
_FINE_P_PERSON = np.exp(-0.5 * ((np.log10(FINES) - 2.9) / 0.4) ** 2)
SERIOUS_PENALTIES = {"revoke_licence", "suspend_business", "order_closure", "restrict_practice"}


def registration(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    s, rng, n = ctx.subjects, ctx.rng, len(subject)
    since = s.since[subject]
    enterprise = s.kind[subject] == ENTERPRISE
    industry = np.where(enterprise, s.industry[subject], 0)
    allowed = plan.codes.get("qy_lx", ())
    kinds = s.enterprise_type[subject]
    kinds = np.where(np.isin(kinds, list(allowed)), kinds, "other" if "other" in allowed else None)
    capital = rng.choice(len(CAPITALS), n, p=CAPITAL_WEIGHTS / CAPITAL_WEIGHTS.sum())
    term = rng.choice([-1, 20, 30, 50], n, p=[0.7, 0.1, 0.15, 0.05])
    until = np.where(term < 0, -1, since + term * 365)
    scope = np.where(enterprise, np.array([i[2] for i in names.INDUSTRIES], dtype=object)[industry],
                     np.array([IB_SCOPES.get(g, IB_SCOPES["general"]) for g in s.licence_group[subject]], dtype=object))
    approved = since + (rng.random(n) * (ctx.today - 1 - since)).astype(np.int64)
    items = {
        **subject_items(ctx, plan, subject, since, {"uscc": "qy_shxym", "legal_rep": "qy_fddbr",
                                                     "registration_no": "qy_zch"}),
        "qy_mc": s.name[subject],
        "qy_lx": kinds, "qy_zczb": coded([*CAPITALS.astype(str).tolist(), None], np.where(enterprise, capital, -1)),
        "qy_clrq": dates(since), "qy_yyqxz": dates(since), "qy_yyqxzi": dates(until), "qy_zs": s.address[subject],
        "qy_jyfw": scope, "qy_djzt": pick_codes(rng, plan.codes.get("qy_djzt", ()), REGISTRATION_STATUS, n, 0.1),
        "qy_djjg": coded(list(REGULATOR_OF_DIVISION.values()),
                         np.searchsorted(list(REGULATOR_OF_DIVISION), s.division[subject].astype(str))),
        "qy_hzrq": dates(approved),
        "qy_hy": coded([*(i[1] for i in names.INDUSTRIES), None], np.where(enterprise, industry, -1)),
    }
    return ClassRows(subject, department("scjg", n), since, items)


_LICENCE_GROUPS: dict[str, np.ndarray] = {}
for _i, _l in enumerate(texts.LICENCES):
    _LICENCE_GROUPS.setdefault(_l[0], np.array([], dtype=np.int64))
    _LICENCE_GROUPS[_l[0]] = np.append(_LICENCE_GROUPS[_l[0]], _i)
_ORG_LICENCES = np.array([i for i, lic in enumerate(texts.LICENCES) if not lic[9]])


def _licence_fields(index: int) -> np.ndarray:
    return np.array([lic[index] for lic in texts.LICENCES], dtype=object)


def licence(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    s, rng, n = ctx.subjects, ctx.rng, len(subject)
    group = s.licence_group[subject]
    kind = _ORG_LICENCES[rng.integers(0, len(_ORG_LICENCES), n)]
    own = rng.random(n) < 0.75
    for name, members in _LICENCE_GROUPS.items():
        chosen = (group == name) & (own | (name == "person"))
        kind[chosen] = members[rng.integers(0, len(members), int(chosen.sum()))]
    decided = decision_days(ctx, subject)
    years_valid = np.array([lic[7] for lic in texts.LICENCES])[kind]
    until = np.where(years_valid == 0, LONG_TERM, decided + years_valid * 365 - 1)
    allowed = plan.codes.get("xk_xklb", ())
    preferred = _licence_fields(6)[kind]
    fallback = pick_codes(rng, allowed, {"ordinary": 70, "approval": 10, "registration": 10, "recognition": 6}, n)
    category = np.where(np.isin(preferred, list(allowed)), preferred, fallback.values())
    status = plan.codes.get("xk_zt", ())
    depts = np.array([DEPARTMENT_INDEX[lic[1]] for lic in texts.LICENCES])[kind]
    number = codes.permute(s.ordinal[subject] * 16 + ranks(subject) % 16, 10**8, 9)
    items = {
        **subject_items(ctx, plan, subject, decided, {
            "name": "xk_xdr_mc", "category": "xk_xdr_lb", "uscc": "xk_xdr_shxym", "cert_type": "xk_xdr_zjlx",
            "cert_no": "xk_xdr_zjhm", "legal_rep": "xk_frdb", "registration_no": "xk_xdr_gszc",
            "organisation_code": "xk_xdr_zzjg"}),
        "xk_xkws": Coded(_licence_fields(2), kind),
        "xk_wsh": doc_numbers(Coded(_licence_fields(5), kind), decided, serials(ctx, subject)),
        "xk_xklb": category, "xk_xkzs": Coded(_licence_fields(3), kind),
        "xk_xkbh": join(_licence_fields(4)[kind], codes.as_strings(codes.digits(number, 8))),
        "xk_nr": Coded(_licence_fields(8), kind), "xk_jdrq": dates(decided), "xk_yxqz": dates(decided),
        "xk_yxqzi": dates(until),
        "xk_zt": coded([c if c in status else None for c in ("valid", "expired")], (until < ctx.today).astype(int)),
        **authority(("xk_xkjg", "xk_xkjgdm", "xk_lydw", "xk_lydwdm"), depts),
    }
    return ClassRows(subject, depts, decided, items)


_VIOLATION_DEPTS = np.array([DEPARTMENT_INDEX[v[0]] for v in texts.VIOLATIONS])
_ACTS = [(d, *act) for d, (_, _, _, acts) in enumerate(texts.VIOLATIONS) for act in acts]
_ACT_DEPT = np.array([a[0] for a in _ACTS])
_ACT_FIRST = np.searchsorted(_ACT_DEPT, np.arange(len(texts.VIOLATIONS)))
_ACT_COUNT = np.bincount(_ACT_DEPT)


def penalty(ctx: Context, plan: ClassPlan, subject: np.ndarray) -> ClassRows:
    s, rng, n = ctx.subjects, ctx.rng, len(subject)
    person = s.kind[subject] == PERSON
    p_org = np.array([v[1] for v in texts.VIOLATIONS], dtype=float)
    p_person = np.array([v[2] for v in texts.VIOLATIONS], dtype=float)
    which = np.where(person, rng.choice(len(p_person), n, p=p_person / p_person.sum()),
                     rng.choice(len(p_org), n, p=p_org / p_org.sum()))
    act = _ACT_FIRST[which] + (rng.random(n) * _ACT_COUNT[which]).astype(np.int64)
    depts = _VIOLATION_DEPTS[which]
    decided = decision_days(ctx, subject)
    chosen = pick_codes(rng, plan.codes.get("cf_cflb", ()), texts.PENALTY_WEIGHTS, n)
    table = chosen.table
    category = chosen.index.copy()
    if "detention" in table and "fine" in table:  # only natural persons are detained
        category[(table[category] == "detention") & ~person] = table.tolist().index("fine")
    code = table[category]
    fine = np.where(person, rng.choice(len(FINES), n, p=_FINE_P_PERSON / _FINE_P_PERSON.sum()),
                    rng.choice(len(FINES), n, p=_FINE_P_ORG / _FINE_P_ORG.sum()))
    confiscated = np.maximum(fine - rng.integers(1, 4, n), 0)
    has_fine = np.isin(code, ["fine", "confiscate_income", "confiscate_property"])
    labels = plan.labels.get("cf_cflb", {})
    templates = [texts.PENALTY_CONTENT.get(c, labels.get(c, c)) for c in table.tolist()]
    content = np.array([templates[c].format(f=FINE_TEXT[f], c=FINE_TEXT[k]) for c, f, k in zip(
        category.tolist(), fine.tolist(), confiscated.tolist(), strict=True)], dtype=object)
    serious = np.isin(code, list(SERIOUS_PENALTIES))
    publish = decided + np.where(serious, 3 * 365, 365)
    licence_names = np.array([_licence_of(d) for d in range(len(DEPARTMENTS))], dtype=object)
    items = {
        **subject_items(ctx, plan, subject, decided, {
            "name": "cf_xdr_mc", "category": "cf_xdr_lb", "uscc": "cf_xdr_shxym", "cert_type": "cf_xdr_zjlx",
            "cert_no": "cf_xdr_zjhm", "legal_rep": "cf_frdb", "registration_no": "cf_xdr_gszc",
            "organisation_code": "cf_xdr_zzjg"}),
        "cf_wsh": doc_numbers(coded([d.penalty_doc for d in DEPARTMENTS], depts), decided, serials(ctx, subject)),
        "cf_wfxw": coded([a[1] for a in _ACTS], act), "cf_sy": coded([a[2] for a in _ACTS], act),
        "cf_yj": coded([a[3] for a in _ACTS], act), "cf_cflb": Coded(table, category), "cf_nr": content,
        "cf_nr_fk": coded([*FINE_WAN.tolist(), None], np.where(has_fine, fine, -1)),
        "cf_nr_wfff": coded([*FINE_WAN.tolist(), None], np.where(code == "confiscate_income", confiscated, -1)),
        "cf_nr_zkdx": np.where(np.isin(code, ["suspend_licence", "revoke_licence"]), licence_names[depts], None),
        "cf_jdrq": dates(decided), "cf_yxq": dates(publish), "cf_gsjzq": dates(publish),
        **authority(("cf_cfjg", "cf_cfjgdm", "cf_sjly", "cf_sjlydm"), depts),
    }
    return ClassRows(subject, depts, decided, items)


def _licence_of(department_index: int) -> str:
    key = DEPARTMENTS[department_index].key
    return next((lic[3] for lic in texts.LICENCES if lic[1] == key), "营业执照")


