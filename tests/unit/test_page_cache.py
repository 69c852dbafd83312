"""The per-process cache of public pages: entries expire, a zero lifetime keeps nothing, a full cache
starts again."""

from __future__ import annotations

import time

import pytest

from xinyong.services.page_cache import PageCache


def test_an_entry_is_served_until_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = PageCache(10)
    cache.put(("api", 1), b"page")
    now[0] = 107.4  # lifetimes are spread over the last quarter of the interval
    assert cache.get(("api", 1)) == b"page"
    now[0] = 110.1
    assert cache.get(("api", 1)) is None


def test_zero_seconds_keeps_nothing() -> None:
    cache = PageCache(0)
    cache.put("key", "value")
    assert cache.get("key") is None


def test_clear_and_size_cap() -> None:
    cache = PageCache(60, max_entries=2)
    cache.put(1, "a")
    cache.put(2, "b")
    cache.put(3, "c")  # full: starts again with only the newest
    assert (cache.get(1), cache.get(2), cache.get(3)) == (None, None, "c")
    cache.clear()
    assert cache.get(3) is None
