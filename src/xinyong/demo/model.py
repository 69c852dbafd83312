"""What generation produces (column batches) and what it reads from the catalogue (the plan).

Dates are whole days since 1970-01-01 (``int64``) until they are turned into ISO strings by table
look-up. Text columns are numpy ``object`` arrays of ``str`` or ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from itertools import repeat

import numpy as np

from xinyong.domain.catalogue import Catalogue, ItemType

EPOCH = date(1970, 1, 1)
TABLE_START = date(1900, 1, 1)
TABLE_END = date(2100, 1, 1)
DAY0 = (TABLE_START - EPOCH).days
LONG_TERM = (date(2099, 12, 31) - EPOCH).days  # "2099-12-31 表示长期"

SUBJECT_TYPES = ("enterprise", "individual_business", "person", "institution", "social_organisation")
ENTERPRISE, INDIVIDUAL, PERSON, INSTITUTION, SOCIAL = range(5)


def day(value: date) -> int:
    return (value - EPOCH).days


@cache
def date_strings() -> np.ndarray:
    """ISO strings of every day from 1900 to 2099, indexed by ``day - DAY0``."""
    days = np.arange(DAY0, day(TABLE_END), dtype="int64").astype("datetime64[D]")
    return np.datetime_as_string(days).astype(object)


@cache
def day_years() -> np.ndarray:
    days = np.arange(DAY0, day(TABLE_END), dtype="int64").astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def join(*parts: np.ndarray | str) -> np.ndarray:
    """Element-wise concatenation of text arrays and constants (faster than numpy's object ``+``)."""
    columns = [p.tolist() if isinstance(p, np.ndarray) else repeat(p) for p in parts]
    if len(columns) == 2:
        return np.array([a + b for a, b in zip(*columns, strict=False)], dtype=object)
    if len(columns) == 3:
        return np.array([a + b + c for a, b, c in zip(*columns, strict=False)], dtype=object)
    return np.array(["".join(t) for t in zip(*columns, strict=False)], dtype=object)


def iso(days: np.ndarray) -> np.ndarray:
    return date_strings()[np.asarray(days) - DAY0]


def years(days: np.ndarray) -> np.ndarray:
    return day_years()[np.asarray(days) - DAY0]


@dataclass(frozen=True)
class Coded:
    """Values drawn from a small table: ``table[index]`` (``None`` in the table means missing)."""

    table: np.ndarray
    index: np.ndarray

    def values(self) -> np.ndarray:
        return self.table[self.index]


def coded(table: list[str | None] | tuple[str | None, ...] | np.ndarray, index: np.ndarray) -> Coded:
    values = np.asarray(list(table) if not isinstance(table, np.ndarray) else table, dtype=object)
    position = np.asarray(index, dtype=np.int64)
    return Coded(values, np.where(position < 0, position + len(values), position))  # -1: the last entry


Value = Coded | np.ndarray


@dataclass(frozen=True)
class ClassPlan:
    """One info class as generation needs it: its defaults, which items go to core columns and which to
    ``extra``, and the codes of its code-table items (all read from the catalogue)."""

    code: str
    classification: str
    sharing: str
    openness: str
    subject_types: frozenset[str]
    columns: dict[str, str]
    extra: tuple[str, ...]
    codes: dict[str, tuple[str, ...]]
    labels: dict[str, dict[str, str]]


@dataclass(frozen=True)
class Plan:
    classes: dict[str, ClassPlan]

    def has(self, code: str) -> bool:
        return code in self.classes


CLASSES = ("enterprise_registration", "administrative_license", "administrative_penalty", "dishonest_judgment_debtor",
           "serious_dishonesty_list", "abnormal_operation", "red_list", "credit_commitment", "a_grade_taxpayer",
           "social_insurance_arrears")


def make_plan(catalogue: Catalogue) -> Plan:
    """The classes of ``CLASSES`` that the catalogue has, with everything generation reads from them."""
    found: dict[str, ClassPlan] = {}
    for code in CLASSES:
        info = catalogue.info_class(code)
        if info is None:
            continue
        tables = {i.code: catalogue.code_tables[i.code_table] for i in info.items
                  if i.type is ItemType.CODE and i.code_table in catalogue.code_tables}
        found[code] = ClassPlan(
            code=code, classification=info.classification.value, sharing=info.default_sharing.value,
            openness=info.default_openness.value, subject_types=frozenset(t.value for t in info.subject_types),
            columns={i.code: i.column for i in info.items if i.column},
            extra=tuple(i.code for i in info.items if not i.column),
            codes={k: tuple(v.code for v in t.values) for k, t in tables.items()},
            labels={k: {v.code: v.label for v in t.values} for k, t in tables.items()},
        )
    return Plan(found)


def pick_codes(rng: np.random.Generator, available: tuple[str, ...], weights: dict[str, float], n: int,
               other: float = 0.5) -> Coded:
    """``n`` codes of a code table, by ``weights``; codes the weights do not name get ``other`` each (so
    every code of an edited table still appears), names the table lacks are ignored."""
    if not available:
        return coded([None], np.zeros(n, dtype=np.int64))
    p = np.array([weights.get(c, other) for c in available], dtype=float)
    if p.sum() <= 0:
        p = np.ones(len(available))
    return coded(available, rng.choice(len(available), size=n, p=p / p.sum()))


@dataclass
class SubjectBatch:
    """One block of subjects, indexed locally ``0..n-1``; ``ordinal`` is the global ordinal."""

    ordinal: np.ndarray
    kind: np.ndarray  # index into SUBJECT_TYPES
    canonical_type: np.ndarray
    canonical: np.ndarray
    name: np.ndarray
    division: np.ndarray
    since: np.ndarray  # establishment or birth day
    uscc: np.ndarray  # None for persons
    citizen_id: np.ndarray  # None for organisations
    registration_no: np.ndarray
    organisation_code: np.ndarray
    legal_rep: np.ndarray
    address: np.ndarray
    enterprise_type: np.ndarray  # enterprise_type code (None for persons and public bodies)
    industry: np.ndarray  # index into names.INDUSTRIES, -1 when none
    licence_group: np.ndarray
    dishonest: np.ndarray  # bool: the few subjects with warning records
    old_names: tuple[np.ndarray, np.ndarray] = field(default=())  # type: ignore[assignment]
    renamed: tuple[np.ndarray, np.ndarray] = field(default=())  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self.ordinal)

    def name_on(self, subjects: np.ndarray, days: np.ndarray) -> np.ndarray:
        """The name each subject had on each day (renamed enterprises had other names before)."""
        first, second = self.renamed
        names = self.name[subjects]
        older = days < second[subjects]
        names = np.where(older, self.old_names[1][subjects], names)
        return np.where(days < first[subjects], self.old_names[0][subjects], names)

    def name_history(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """subject_name rows: (subject, valid_from day, name, valid_to day or -1 for current)."""
        first, second = self.renamed
        none = np.full(len(self), -1, dtype=np.int64)
        twice = first < second
        once = (first == second) & (first > self.since)
        rows = [
            (np.arange(len(self)), np.where(once | twice, second, self.since), self.name, none),
            (np.flatnonzero(once | twice), self.since[once | twice], self.old_names[0][once | twice],
             first[once | twice]),
            (np.flatnonzero(twice), first[twice], self.old_names[1][twice], second[twice]),
        ]
        subject = np.concatenate([r[0] for r in rows])
        order = np.argsort(subject, kind="stable")
        return tuple(np.concatenate([r[i] for r in rows])[order] for i in range(4))  # type: ignore[return-value]


@dataclass
class RecordBatch:
    """One block of records, sorted by subject; ``subject`` and ``department`` are local indexes."""

    subject: np.ndarray
    info_class: np.ndarray
    classification: np.ndarray
    sharing: np.ndarray
    openness: np.ndarray
    department: np.ndarray
    doc_number: np.ndarray
    decision_date: np.ndarray
    valid_from: np.ndarray
    valid_to: np.ndarray
    category: np.ndarray
    amount: np.ndarray
    authority_name: np.ndarray
    authority_uscc: np.ndarray
    content: np.ndarray
    extra: np.ndarray  # JSON text
    received_day: np.ndarray

    def __len__(self) -> int:
        return len(self.subject)


CORE = ("doc_number", "decision_date", "valid_from", "valid_to", "category", "amount", "authority_name",
        "authority_uscc", "content")
