"""The Chinese working-day calendar (法定节假日 and 调休 make-up workdays), from the ``holidays`` package.

Deadlines (双公示 within 7 working days, repair replies within 10) count working days: weekends and
public holidays are not, a make-up Saturday or Sunday is.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def is_working_day(day: date) -> bool:
    return bool(_calendar(day.year).is_working_day(day))


def add_working_days(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``)."""
    if end <= start:
        return 0
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n)))


@lru_cache(maxsize=8)
def working_day_index(first_year: int, last_year: int) -> tuple[date, tuple[int, ...]]:
    """For each day from 1 January ``first_year``: the number of working days up to and including it.

    The difference of two entries is ``working_days_between``; bulk code uses it to time millions of
    records without a loop per record.
    """
    start = date(first_year, 1, 1)
    total, counts = 0, []
    day = start
    while day.year <= last_year:
        total += is_working_day(day)
        counts.append(total)
        day += timedelta(days=1)
    return start, tuple(counts)
