"""The ``notify`` port: how the platform tells people and systems that something happened to a case or a
record (a reminder to a department, a repaired record for list subscribers).

Services take a ``Notifier`` as a parameter. ``LogNotifier`` writes each notice to the ``xinyong.notify``
log and keeps it in memory (the CLI and the tests read it back); a subscription/webhook notifier plugs in
by implementing the same one-method protocol.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger("xinyong.notify")


@dataclass(frozen=True)
class Notice:
    topic: str  # e.g. "record.repaired", "case.reminder", "case.escalated"
    subject: str  # one line, Chinese
    recipient: str  # a department id, "credit_office", or "subscribers"
    data: dict[str, Any] = field(default_factory=dict)


class Notifier(Protocol):
    def notify(self, notice: Notice) -> None: ...


@dataclass
class LogNotifier:
    """Logs every notice and keeps the latest ones (bounded) for whoever wants to read them back."""

    sent: deque[Notice] = field(default_factory=lambda: deque(maxlen=1000))

    def notify(self, notice: Notice) -> None:
        self.sent.append(notice)
        log.info("%s → %s: %s %s", notice.topic, notice.recipient, notice.subject, notice.data)


_DEFAULT = LogNotifier()


def notifier_of(platform: object) -> Notifier:
    """The platform's notifier when the composition root set one (``platform.notifier``), else the log."""
    found = getattr(platform, "notifier", None)
    return found if found is not None else _DEFAULT
