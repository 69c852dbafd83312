"""How many records of which class for which subject, and their assembly into one sorted batch.

Every organisation gets its registration record; the few dishonest subjects (``SubjectBatch.dishonest``,
about 4 %) get all warning records (penalties, court and credit lists, arrears), one to a handful each;
everything else (licences, commitments, A-grade taxpayers, red lists, abnormal operation) is spread
over the subjects by type, and good-news classes skip the dishonest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from xinyong.demo import basics, lists
from xinyong.demo.model import CORE, SUBJECT_TYPES, ClassPlan, Plan, RecordBatch, SubjectBatch, day
from xinyong.demo.rows import ClassRows, Context, finalize

Generator = Callable[[Context, ClassPlan, np.ndarray], ClassRows]
GENERATORS: dict[str, Generator] = {
    "enterprise_registration": basics.registration,
    "administrative_license": basics.licence,
    "administrative_penalty": basics.penalty,
    "dishonest_judgment_debtor": lists.judgment_debtor,
    "serious_dishonesty_list": lists.serious_list,
    "abnormal_operation": lists.abnormal,
    "red_list": lists.red_list,
    "credit_commitment": lists.commitment,
    "a_grade_taxpayer": lists.a_grade,
    "social_insurance_arrears": lists.arrears,
}
# warning classes: weight per subject type (enterprise, individual business, person, institution, social)
WARNINGS: dict[str, tuple[float, ...]] = {
    "administrative_penalty": (70, 80, 55, 80, 80),
    "dishonest_judgment_debtor": (15, 12, 40, 5, 5),
    "serious_dishonesty_list": (5, 2, 5, 5, 5),
    "social_insurance_arrears": (10, 6, 0, 10, 10),
}
# the other classes: share of the remaining records, and affinity per subject type
OTHERS: dict[str, tuple[float, tuple[float, ...]]] = {
    "administrative_license": (58, (1.0, 0.7, 0.12, 1.0, 0.5)),
    "credit_commitment": (18, (1.0, 0.3, 0.0, 0.6, 0.6)),
    "a_grade_taxpayer": (8, (1.0, 0.05, 0.0, 0.3, 0.3)),
    "abnormal_operation": (7, (1.0, 1.2, 0.0, 0.0, 0.0)),
    "red_list": (4, (1.0, 0.2, 0.03, 0.5, 0.5)),
}
GOOD_NEWS = {"a_grade_taxpayer", "red_list"}
INTEGERS = ("subject", "department", "received_day", "class")


def _eligible(plan: ClassPlan, kind: np.ndarray) -> np.ndarray:
    return np.isin(kind, [i for i, t in enumerate(SUBJECT_TYPES) if t in plan.subject_types])  # type: ignore[no-any-return]


def allocate(plan: Plan, rng: np.random.Generator, subjects: SubjectBatch, budget: int) -> list[tuple[str, np.ndarray]]:
    """(class, sorted local subject indexes) pairs whose lengths add up to ``budget``."""
    kind = subjects.kind
    parts: list[tuple[str, np.ndarray]] = []
    if plan.has("enterprise_registration"):
        registered = np.flatnonzero(_eligible(plan.classes["enterprise_registration"], kind))[:budget]
        parts.append(("enterprise_registration", registered))
        budget -= len(registered)
    warnings = [c for c in WARNINGS if plan.has(c)]
    if warnings:
        weights = np.array([[WARNINGS[c][t] * (SUBJECT_TYPES[t] in plan.classes[c].subject_types) for c in warnings]
                            for t in range(len(SUBJECT_TYPES))])
        liable = np.flatnonzero(subjects.dishonest & (weights.sum(axis=1) > 0)[kind])
        rows = np.repeat(liable, rng.geometric(0.4, len(liable)))[: budget // 2]
        cumulative = np.cumsum(weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-9), axis=1)[kind[rows]]
        which = (rng.random(len(rows))[:, None] > cumulative[:, :-1]).sum(axis=1)
        parts += [(c, rows[which == i]) for i, c in enumerate(warnings)]
        budget -= len(rows)
    others = [c for c in OTHERS if plan.has(c)]
    if not others or budget <= 0:
        return parts
    shares = np.array([OTHERS[c][0] for c in others])
    counts = rng.multinomial(budget, shares / shares.sum())
    spill = 0
    for c, count in zip(others, counts.tolist(), strict=True):
        affinity = np.array(OTHERS[c][1])[kind] * _eligible(plan.classes[c], kind)
        if c in GOOD_NEWS:
            affinity = affinity * ~subjects.dishonest
        if affinity.sum() <= 0:
            spill += count
            continue
        if c == others[0]:
            count += spill
            spill = 0
        parts.append((c, np.sort(rng.choice(len(kind), size=count, p=affinity / affinity.sum()))))
    if spill:  # classes without eligible subjects in this block: their records go to the first class
        c = others[0]
        affinity = np.array(OTHERS[c][1])[kind] * _eligible(plan.classes[c], kind) + 1e-12
        parts.append((c, np.sort(rng.choice(len(kind), size=spill, p=affinity / affinity.sum()))))
    return parts


def generate_records(plan: Plan, seed: int, block: int, subjects: SubjectBatch, budget: int,
                     today: date) -> RecordBatch:
    rng = np.random.default_rng([seed, block, 2])
    ctx = Context(rng, subjects, day(today))
    columns: dict[str, list[np.ndarray]] = {}
    for code, chosen in allocate(plan, rng, subjects, budget):
        if len(chosen) == 0:
            continue
        info = plan.classes[code]
        rows = GENERATORS[code](ctx, info, chosen)
        found = finalize(info, rows)
        n = len(chosen)
        found |= {
            "subject": rows.subject, "department": rows.department,
            "received_day": np.minimum(rows.decision + rng.integers(1, 6, n), ctx.today - 1),
            "class": np.full(n, list(plan.classes).index(code), dtype=np.int64),
        }
        for key, value in found.items():
            columns.setdefault(key, []).append(value)
    fields = ("subject", "department", "received_day", "class", *CORE, "extra")
    if not columns:
        columns = {f: [np.zeros(0, dtype=np.int64 if f in INTEGERS else object)] for f in fields}
    merged = {key: np.concatenate(columns[key]) for key in fields}
    order = np.argsort(merged["subject"], kind="stable")
    sorted_ = {key: value[order] for key, value in merged.items()}
    which = sorted_.pop("class")
    infos = list(plan.classes.values())
    for key, attribute in (("info_class", "code"), ("classification", "classification"), ("sharing", "sharing"),
                           ("openness", "openness")):
        sorted_[key] = np.array([getattr(i, attribute) for i in infos], dtype=object)[which]
    return RecordBatch(**sorted_)
