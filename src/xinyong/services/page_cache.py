"""Public pages kept for a few seconds per server process (``XINYONG_PUBLIC_CACHE_SECONDS``).

A subject's public page is the portal's most visited page and the same for every visitor; reading it
costs several queries and the rendering of every record. Kept for seconds, a popular page is read once
per interval instead of once per visit. The key always holds the day, so a publication window that
ends at midnight is never served the next day. A change committed by this process (any commit with an
audit entry: a record, a repair, an objection…) empties the cache at once; a change committed by another
process (another worker, the CLI) shows once the entry expires. Any object may be kept (encoded JSON
for the API, the page's view for the portal).
"""

from __future__ import annotations

import random
import time
from collections.abc import Hashable
from typing import Any

MAX_ENTRIES = 50_000


class PageCache:
    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, Any]] = {}

    def get(self, key: Hashable) -> Any | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return found[1]

    def clear(self) -> None:
        self._entries.clear()

    def put(self, key: Hashable, value: Any) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()  # simpler than LRU, and a full cache is rebuilt within seconds anyway
        # Entries filled together (a restart, a busy minute) would expire together and be read again in one
        # burst; a lifetime between 3/4 and all of ``seconds`` spreads those reads out.
        self._entries[key] = (time.monotonic() + self.seconds * (0.75 + 0.25 * random.random()), value)  # noqa: S311
