"""Subscriptions and signed webhooks: a department is told when a subject it watches enters or leaves a list.

Each change of an entry queues one delivery per interested subscription (in the same transaction as the
change, so no change goes untold and nothing is told that did not happen). ``deliver_due`` posts the
queued deliveries with a pluggable ``Sender``; a failure is retried with exponential back-off and
every attempt's outcome stays in the delivery log. Expiry needs no event: ``deliver_due`` first queues
an ``expired`` notice for every entry whose validity has ended since the last run.

Signature: ``X-Xinyong-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the
subscription's secret>`` (the scheme Stripe and others use: the timestamp defeats replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlparse

import httpx

from xinyong.adapters.repositories.lists import ListRepository
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Permission, system_actor
from xinyong.domain.audit import AuditEvent
from xinyong.domain.lists import ListEntry
from xinyong.errors import Conflict, InvalidInput, NotFound, PermissionDenied, XinyongError
from xinyong.services import subjects
from xinyong.services.unit_of_work import UnitOfWork

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM_LEASE = timedelta(minutes=5)  # a claimed delivery not marked by then (its run crashed) is due again
SIGNATURE_HEADER = "X-Xinyong-Signature"


class Sender(Protocol):
    def send(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST ``body``; return the HTTP status, raise ``OSError``/``httpx.HTTPError`` when unreachable."""
        ...


class HttpSender:
    def __init__(self, timeout: float = 10.0) -> None:
        self.timeout = timeout

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        response = httpx.post(url, content=body, headers=headers, timeout=self.timeout, follow_redirects=False)
        return response.status_code


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """What a receiver does: recompute the signature and refuse stale timestamps."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    return abs(now - timestamp) <= tolerance and hmac.compare_digest(sign(secret, timestamp, body), header)


def _repo(uow: UnitOfWork) -> ListRepository:
    return ListRepository(uow.connection)


def _own_department(uow: UnitOfWork, department_id: int | None) -> int:
    uow.actor.require(Permission.SUBSCRIPTIONS_MANAGE)
    chosen = department_id if department_id is not None else uow.actor.department_id
    if chosen is None:
        raise InvalidInput("请指定订阅所属部门", "name the subscribing department", code="subscription.department",
                           field="department_id")
    if uow.actor.department_id not in (None, chosen) and uow.actor.via != "cli":
        raise PermissionDenied("只能管理本部门的订阅", "you may only manage your own department's subscriptions",
                               code="permission.department")
    if uow.accounts.department(chosen) is None:
        raise NotFound("部门", "department", chosen)
    return chosen


def subscribe(uow: UnitOfWork, name: str, url: str, lists: list[str] | None = None, every_subject: bool = False,
              department_id: int | None = None) -> tuple[dict[str, Any], str]:
    """A subscription of a department; returns it and its signing secret (shown this once)."""
    department = _own_department(uow, department_id)
    if len(name.strip()) > 100:
        raise InvalidInput("订阅名称不超过100字", "the name has at most 100 characters", code="subscription.name",
                           field="name")
    try:
        parsed = urlparse(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        parsed = urlparse("")
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 500 or any(c.isspace() for c in url):
        raise InvalidInput("回调地址须为 http(s) 网址，不超过500字符",
                           "the callback URL must be http(s), at most 500 characters", code="subscription.url",
                           field="url")
    if lists:
        from xinyong.services.lists import book  # services.lists queues deliveries through this module

        known = book(uow).lists
        unknown = [c for c in lists if c not in known]
        if unknown:
            raise InvalidInput(f"名单不存在：{', '.join(unknown)}", f"unknown lists: {unknown}", code="list.unknown",
                               field="lists")
    secret = secrets.token_urlsafe(32)
    subscription_id = _repo(uow).add_subscription({
        "department_id": department, "name": name.strip() or url, "url": url, "secret": secret,
        "lists": lists or None, "every_subject": every_subject, "active": True, "created_at": uow.clock.now(),
        "created_by": uow.actor.name})
    uow.audit(AuditEvent("subscription.add", "subscription", subscription_id, detail={
        "url": url, "lists": lists, "every_subject": every_subject}))
    uow.commit()
    found = _repo(uow).subscription(subscription_id)
    assert found is not None
    return _public(found), secret


def _public(subscription: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in subscription.items() if k != "secret"}


def watch(uow: UnitOfWork, subscription_id: int, subject_ids: list[int]) -> int:
    """Add subjects to a subscription's watch list; returns how many were new."""
    _managed(uow, subscription_id)
    missing = [s for s in subject_ids if _repo(uow).subject_brief(s) is None]
    if missing:
        raise NotFound("信用主体", "subject", ", ".join(map(str, missing[:5])))
    return _add_watched(uow, subscription_id, subject_ids)


def watch_identifiers(uow: UnitOfWork, subscription_id: int, identifiers: list[str]) -> tuple[int, int]:
    """``watch`` for subjects named by their identifiers, all or none: one identifier malformed or naming
    no subject refuses them all, each with its reason. Returns (added, already watched)."""
    _managed(uow, subscription_id)  # before any identifier is looked up: no probing other departments' way
    wanted = [i.strip() for i in identifiers if i.strip()]
    if not wanted:
        raise InvalidInput("请填写要关注的主体的证件号码，每行一个", "give the identifiers, one per line",
                           code="subscription.identifiers", field="identifiers")
    found, problems = [], []
    for identifier in wanted:
        try:
            found.append(subjects.id_of(uow, identifier))
        except XinyongError as exc:
            problems.append(f"{identifier}：{exc.message}")
    if problems:
        raise InvalidInput("以下号码未能识别，均未添加：" + "；".join(problems),
                           f"{len(problems)} identifiers were refused; none was added", code="subscription.identifiers",
                           field="identifiers")
    added = _add_watched(uow, subscription_id, found)  # found by identifier: no second look-up per subject
    return added, len(set(found)) - added


def _managed(uow: UnitOfWork, subscription_id: int) -> dict[str, Any]:
    """The subscription, if the actor may manage it (its department's, or any for the credit office)."""
    found = _repo(uow).subscription(subscription_id)
    if found is None:
        raise NotFound("订阅", "subscription", subscription_id)
    _own_department(uow, found["department_id"])
    return found


def _add_watched(uow: UnitOfWork, subscription_id: int, subject_ids: list[int]) -> int:
    added = _repo(uow).watch(subscription_id, subject_ids)
    uow.audit(AuditEvent("subscription.watch", "subscription", subscription_id, detail={"added": added}))
    uow.commit()
    return added


def deactivate(uow: UnitOfWork, subscription_id: int) -> dict[str, Any]:
    """Stop a subscription (its department's, or any for the credit office): nothing more is queued for it
    and its deliveries still waiting are cancelled; kept, with its delivery log, for the record."""
    lists = _repo(uow)
    found = _managed(uow, subscription_id)
    if not found["active"]:
        raise Conflict("该订阅已停用", "the subscription is already inactive", code="subscription.inactive")
    cancelled = lists.deactivate_subscription(subscription_id)
    uow.audit(AuditEvent("subscription.deactivate", "subscription", subscription_id,
                         detail={"cancelled_deliveries": cancelled}))
    uow.commit()
    stopped = lists.subscription(subscription_id)
    assert stopped is not None
    return {**_public(stopped), "cancelled_deliveries": cancelled}


def subscriptions(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The subscriptions (own department's, unless the actor oversees the loop), each with how many
    subjects it watches."""
    uow.actor.require(Permission.SUBSCRIPTIONS_MANAGE)
    own = None if uow.actor.can(Permission.CHECKS_READ) else uow.actor.department_id
    found = _repo(uow).subscriptions(own)
    watched = _repo(uow).watched_counts([s["id"] for s in found])
    return [{**_public(s), "watched": watched.get(s["id"], 0)} for s in found]


def any_subscription(uow: UnitOfWork) -> bool:
    return _repo(uow).has_subscriptions()


def enqueue(uow: UnitOfWork, entry: ListEntry, event: str) -> int:
    """Queue one delivery per subscription interested in this entry's subject and list."""
    lists = _repo(uow)
    subscribers = lists.subscribers(entry.subject_id, entry.list_code)
    if not subscribers:
        return 0
    subject = lists.subject_brief(entry.subject_id) or {}
    now = uow.clock.now()
    payload = {
        "event": event, "entry_id": entry.id, "list": entry.list_code, "subject_id": entry.subject_id,
        "subject_name": subject.get("name"), "identifier": subject.get("canonical_id"),
        "entry_date": entry.entry_date.isoformat(), "valid_to": entry.valid_to.isoformat() if entry.valid_to else None,
        "ended_on": entry.ended_on.isoformat() if entry.ended_on else None, "status": entry.status.value,
        "reason": entry.reason, "at": now.isoformat()}
    for subscription in subscribers:
        lists.add_delivery({"subscription_id": subscription["id"], "event": event, "entry_id": entry.id,
                            "payload": payload, "status": "pending", "attempts": 0, "next_attempt_at": now,
                            "created_at": now})
    return len(subscribers)


@dataclass
class DeliveryReport:
    expired_queued: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(platform: Platform, sender: Sender | None = None, limit: int = 200) -> DeliveryReport:
    """Queue expiry notices, then post every delivery that is due. Safe to run from a timer or a loop, and
    from several at once: each delivery is claimed before it is posted (a crashed run's claims lapse after
    ``CLAIM_LEASE``) and marked in its own transaction right after its attempt."""
    sender = sender or HttpSender()
    report = DeliveryReport()
    actor = system_actor("webhooks")
    with platform.uow(actor) as uow:
        today = uow.clock.today()
        lists = _repo(uow)
        expired = lists.expired_unnotified(today, limit)
        for entry in expired:
            report.expired_queued += enqueue(uow, entry, "expired")
        lists.mark_expiry_notified([e.id for e in expired])
        uow.commit()
        due = lists.due_deliveries(uow.clock.now(), limit)
    for delivery in due:
        now = platform.clock.now()
        with platform.uow(actor) as uow:
            taken = _repo(uow).claim_delivery(delivery["id"], delivery["attempts"], now, now + CLAIM_LEASE)
            uow.commit()
        if not taken:  # another run (a second worker, the CLI) has it
            continue
        body = json.dumps(delivery["payload"], ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "xinyong-webhooks",
                   "X-Xinyong-Event": delivery["event"], "X-Xinyong-Delivery": str(delivery["id"]),
                   SIGNATURE_HEADER: sign(delivery["secret"], int(now.timestamp()), body)}
        status: int | None = None
        error: str | None = None
        try:
            status = sender.send(delivery["url"], body, headers)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except (OSError, httpx.HTTPError) as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        _record_attempt(platform, delivery, now, status, error, report)
    return report


def _record_attempt(platform: Platform, delivery: dict[str, Any], now: datetime, status: int | None,
                    error: str | None, report: DeliveryReport) -> None:
    attempts = delivery["attempts"] + 1
    values: dict[str, Any] = {"attempts": attempts, "last_attempt_at": now, "last_status": status,
                              "last_error": error}
    if error is None:
        values.update(status="delivered", next_attempt_at=None)
        report.delivered += 1
    elif attempts >= MAX_ATTEMPTS:
        values.update(status="failed", next_attempt_at=None)
        report.failed += 1
        report.errors.append(error)
    else:
        values.update(next_attempt_at=now + BACKOFF[attempts - 1])
        report.retrying += 1
        report.errors.append(error)
    with platform.uow(system_actor("webhooks")) as uow:
        _repo(uow).update_delivery(delivery["id"], **values)
        uow.commit()


def deliveries(uow: UnitOfWork, limit: int = 100) -> list[dict[str, Any]]:
    """The delivery log (own department's, unless the actor oversees the loop)."""
    uow.actor.require(Permission.SUBSCRIPTIONS_MANAGE)
    own = None if uow.actor.can(Permission.CHECKS_READ) else uow.actor.department_id
    return _repo(uow).deliveries(limit, own)
