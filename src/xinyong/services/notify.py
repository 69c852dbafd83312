"""Telling an applicant what became of their application: every message logged, sent or not."""

from __future__ import annotations

from xinyong.adapters.notifiers import Notifier, OutboxNotifier
from xinyong.adapters.repositories.reports import ReportRepository
from xinyong.services.unit_of_work import UnitOfWork


def default_notifier() -> Notifier:
    """Without a configured mail server or SMS gateway, messages stay in the log (the outbox)."""
    return OutboxNotifier()


def notify(uow: UnitOfWork, notifier: Notifier, channel: str, recipient: str, subject: str, body: str,
           application_id: int | None = None) -> str:
    """Send one message and log it; a delivery failure is logged as "failed", it never undoes the work."""
    try:
        status, error = notifier.send(channel, recipient, subject, body), None
    except Exception as exc:
        status, error = "failed", f"{type(exc).__name__}: {exc}"[:500]
    ReportRepository(uow.connection).log_message({
        "at": uow.clock.now(), "channel": channel, "recipient": recipient, "subject": subject, "body": body,
        "application_id": application_id, "status": status, "error": error})
    return status
