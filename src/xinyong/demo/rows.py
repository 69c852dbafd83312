"""Shared machinery of the record generators: the context they draw from, the rows one class produces,
and turning those rows into core columns plus ``extra`` JSON text (keys are the class's item codes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import repeat

import numpy as np

from xinyong.demo.city import DEPARTMENT_INDEX, DEPARTMENTS
from xinyong.demo.model import (
    CORE,
    DAY0,
    PERSON,
    SUBJECT_TYPES,
    ClassPlan,
    Coded,
    SubjectBatch,
    Value,
    coded,
    date_strings,
    day,
    join,
    years,
)

START = day(date(2016, 1, 1))
DEPARTMENT_NAMES = np.array([d.name for d in DEPARTMENTS], dtype=object)
DEPARTMENT_USCCS = np.array([d.uscc for d in DEPARTMENTS], dtype=object)


@dataclass
class Context:
    rng: np.random.Generator
    subjects: SubjectBatch
    today: int  # day number

    @property
    def latest(self) -> int:
        """The latest decision date: a few days before today (departments report after deciding)."""
        return self.today - 7


@dataclass
class ClassRows:
    subject: np.ndarray
    department: np.ndarray
    decision: np.ndarray
    items: dict[str, Value | None]


def department(key: str, n: int) -> np.ndarray:
    return np.full(n, DEPARTMENT_INDEX[key], dtype=np.int64)


def decision_days(ctx: Context, subject: np.ndarray, earliest: int = START) -> np.ndarray:
    """Decision dates from 2016 (or the subject's establishment) to a week ago, more of them recent."""
    lo = np.minimum(np.maximum(earliest, ctx.subjects.since[subject] + 1), ctx.latest)
    return lo + (np.sqrt(ctx.rng.random(len(subject))) * (ctx.latest - lo)).astype(np.int64)


@cache
def _date_table() -> np.ndarray:
    return np.append(date_strings(), None)


def dates(days: np.ndarray) -> Coded:
    """A date column; negative days mean no date."""
    table = _date_table()
    return Coded(table, np.where(days < 0, len(table) - 1, days - DAY0))


def constant(value: str | None, n: int) -> Coded:
    """The same value (or none) in every row."""
    return coded([value], np.zeros(n, dtype=np.int64))


def _run_starts(subject: np.ndarray) -> np.ndarray:
    """For each row (rows sorted by subject), the index of the first row of its subject."""
    start = np.r_[True, subject[1:] != subject[:-1]] if len(subject) else np.zeros(0, dtype=bool)
    return np.flatnonzero(start)[np.cumsum(start) - 1]  # type: ignore[no-any-return]


def ranks(subject: np.ndarray) -> np.ndarray:
    """Position of each row among the rows of the same subject (rows sorted by subject)."""
    return np.arange(len(subject)) - _run_starts(subject)  # type: ignore[no-any-return]


def serials(ctx: Context, subject: np.ndarray, low: int = 1, high: int = 2000) -> np.ndarray:
    """Numbers that differ between the rows of one subject (documents must be unique per subject)."""
    base = ctx.rng.integers(low, high, len(subject))
    first = _run_starts(subject)
    return base[first] + np.arange(len(subject)) - first  # type: ignore[no-any-return]


_NUMBERS = np.array([f"{i}号" for i in range(20_000)], dtype=object)
_YEARS = (2000, 2100)


def doc_numbers(prefixes: Coded, days: np.ndarray, numbers: np.ndarray, style: str = "{p}〔{y}〕{n}号") -> np.ndarray:
    """Document numbers such as 扬市监罚〔2024〕123号 or (2024)苏1002执123号: ``style`` places the prefix,
    the year and the number (which must come last)."""
    head = style.split("{n}")[0]
    span = _YEARS[1] - _YEARS[0]
    heads = np.array([head.format(p=p, y=y) for p in prefixes.table.tolist() for y in range(*_YEARS)], dtype=object)
    tails = _NUMBERS[numbers] if numbers.max(initial=0) < len(_NUMBERS) else np.array(
        [f"{n}号" for n in numbers.tolist()], dtype=object)
    return join(heads[prefixes.index * span + years(days) - _YEARS[0]], tails)


def subject_items(ctx: Context, plan: ClassPlan, subject: np.ndarray, days: np.ndarray,
                  keys: dict[str, str]) -> dict[str, Value | None]:
    """The subject's items in a class: ``keys`` maps name, category, uscc, cert_type, cert_no, rep,
    registration_no, organisation_code to the class's item codes."""
    s = ctx.subjects
    found: dict[str, Value | None] = {}
    if "name" in keys:
        found[keys["name"]] = s.name_on(subject, days)
    if "category" in keys:
        allowed = plan.codes.get(keys["category"], ())
        found[keys["category"]] = coded([t if t in allowed else None for t in SUBJECT_TYPES], s.kind[subject])
    if "uscc" in keys:
        found[keys["uscc"]] = Coded(s.uscc, subject)
    person = s.kind[subject] == PERSON
    if "cert_type" in keys:
        allowed = plan.codes.get(keys["cert_type"], ())
        found[keys["cert_type"]] = coded([None, "citizen_id" if "citizen_id" in allowed else None], person)
    if "cert_no" in keys:
        found[keys["cert_no"]] = Coded(s.citizen_id, subject)
    for key in ("legal_rep", "registration_no", "organisation_code"):
        if key in keys:
            found[keys[key]] = Coded(getattr(s, key), subject)
    return found


def authority(keys: tuple[str, ...], departments: np.ndarray) -> dict[str, Value | None]:
    """Name/USCC pairs of the deciding department (``keys`` alternate name, uscc, name, uscc …)."""
    found: dict[str, Value | None] = {}
    for i, key in enumerate(keys):
        found[key] = Coded(DEPARTMENT_NAMES if i % 2 == 0 else DEPARTMENT_USCCS, departments)
    return found


def _values(value: Value) -> np.ndarray:
    return value.values() if isinstance(value, Coded) else value


def _always(value: Value) -> bool:
    if isinstance(value, Coded):
        return None not in value.table.tolist()
    return not bool(np.equal(value, None).any())


def _fragments(key: str, value: Value, lead: str) -> np.ndarray:
    """``,"key":"value"`` per row (``lead`` instead of the comma), or ``""`` where the value is missing."""
    return np.array([f'{lead}"{key}":"{v}"' if v is not None else "" for v in _values(value).tolist()], dtype=object)


def _narrow(value: Value, n: int) -> Value:
    """A large table used over a narrow range of its entries (dates of a few years) as a small table."""
    if not isinstance(value, Coded) or len(value.table) <= n or n == 0:
        return value
    low, high = int(value.index.min()), int(value.index.max())
    if high - low + 1 > n:
        return value
    return Coded(value.table[low : high + 1], value.index - low)


def _fragment_table(members: list[tuple[str, np.ndarray]], size: int) -> np.ndarray:
    """For each index value, the fragments of every member table joined."""
    columns = [[f',"{key}":"{v}"' if v is not None else "" for v in table[:size].tolist()] for key, table in members]
    return np.array(["".join(t) for t in zip(*columns, strict=True)], dtype=object)


def finalize(plan: ClassPlan, rows: ClassRows) -> dict[str, np.ndarray]:
    """Core columns (only those the class maps) and ``extra`` JSON text of the class's other items.

    Speed: items drawn from tables smaller than the batch share one pre-built fragment per table entry
    (items with the same index are joined first, then tables fused while their product stays small), so
    a row is a handful of pieces. Values are plain text that needs no JSON escaping (see ``names``).
    """
    n = len(rows.subject)
    nothing = np.full(n, None, dtype=object)
    columns = dict.fromkeys(CORE, nothing)
    for item, column in plan.columns.items():
        value = rows.items.get(item)
        if value is not None:
            columns[column] = _values(value)
    entries = [(k, v) for k in plan.extra if (v := rows.items.get(k)) is not None]
    lead = next((i for i, (_, v) in enumerate(entries) if _always(v)), None)
    pieces = [] if lead is None else [_fragments(entries[lead][0], entries.pop(lead)[1], "{")]
    groups: dict[int, tuple[np.ndarray, list[tuple[str, np.ndarray]]]] = {}
    for key, value in entries:
        value = _narrow(value, n)
        if isinstance(value, Coded) and len(value.table) <= n:
            groups.setdefault(id(value.index), (value.index, []))[1].append((key, value.table))
        else:
            pieces.append(_fragments(key, value, ","))
    tables = sorted(((index, _fragment_table(members, min(len(t) for _, t in members)))
                     for index, members in groups.values()), key=lambda g: len(g[1]))
    fused: tuple[np.ndarray, np.ndarray] | None = None
    for index, table in tables:
        if fused is not None and len(fused[1]) * len(table) <= max(n, 64):
            fused = (fused[0] * len(table) + index,
                     np.array([a + b for a in fused[1].tolist() for b in table.tolist()], dtype=object))
            continue
        if fused is not None:
            pieces.append(fused[1][fused[0]])
        fused = (index, table)
    if fused is not None:
        pieces.append(fused[1][fused[0]])
    if lead is not None:
        extra = ["".join(t) for t in zip(*pieces, repeat("}"), strict=False)]
    elif pieces:
        extra = ["{" + "".join(t)[1:] + "}" for t in zip(*pieces, strict=True)]
    else:
        extra = ["{}"] * n
    columns["extra"] = np.array(extra, dtype=object)
    return columns
