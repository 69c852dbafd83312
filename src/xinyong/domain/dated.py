"""Effective-dated rules: which of several decrees' rule sets is in force on a given day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol, TypeVar

from xinyong.errors import ConfigurationError


class Dated(Protocol):
    @property
    def effective_from(self) -> date: ...


D = TypeVar("D", bound=Dated)


def check_distinct_dates(items: Sequence[Dated], what: str, what_en: str) -> None:
    """Refuse two rule sets that take effect on the same day (which one applies would be arbitrary)."""
    if not items:
        raise ConfigurationError(f"{what}为空", f"no {what_en} is configured")
    days = [item.effective_from for item in items]
    if len(set(days)) != len(days):
        raise ConfigurationError(f"{what}的生效日期重复", f"two {what_en}s take effect on the same day")


def in_force(items: Sequence[D], day: date) -> D:
    """The item in force on ``day``: the latest to take effect on or before it (the earliest one for days
    before any took effect)."""
    ordered = sorted(items, key=lambda item: item.effective_from)
    chosen = ordered[0]
    for item in ordered:
        if item.effective_from <= day:
            chosen = item
    return chosen
