"""Signed webhooks end to end against a real local HTTP receiver: delivery, signature, retries with
back-off, the delivery log, and expiry notices without any event having been recorded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import make_department, make_user
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, make_uscc
from xinyong.adapters.repositories.lists import ListRepository
from xinyong.api.app import create_app
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.identifiers import IdType
from xinyong.domain.subjects import Identifier, SubjectType
from xinyong.errors import Conflict, InvalidInput, PermissionDenied
from xinyong.services import lists, webhooks
from xinyong.services.webhooks import BACKOFF, MAX_ATTEMPTS, SIGNATURE_HEADER


class Receiver:
    """A local HTTP server that records what it receives and answers with ``status``."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def _subject(platform: Platform) -> int:
    with platform.uow(system_actor("test")) as uow:
        subject_id = uow.subjects.add(SubjectType.ENTERPRISE, Identifier(IdType.USCC, ENTERPRISE_USCC),
                                      "扬州市示例科技有限公司", "321000", [], date(2020, 1, 1), uow.clock.now())
        uow.commit()
    return subject_id


def _subscribe(platform: Platform, url: str, subject_id: int) -> tuple[int, str]:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "watcher", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    from tests.conftest import actor_of

    with platform.uow(actor_of(platform, "watcher")) as uow:
        found, secret = webhooks.subscribe(uow, "采购系统", url, ["serious_dishonesty"], department_id=department_id)
        webhooks.watch(uow, found["id"], [subject_id])
    return found["id"], secret


def _enter(platform: Platform, subject_id: int, valid_to: date | None = None) -> int:
    with platform.uow(system_actor("test")) as uow:
        return lists.add_entry(uow, "serious_dishonesty", subject_id, "严重违法失信", date(2026, 6, 1), valid_to,
                               authority_name="扬州市市场监督管理局", doc_number="扬市监失信〔2026〕9号").id


class TestWebhooks:
    def test_entry_and_exit_are_delivered_signed(self, platform: Platform, receiver: Receiver) -> None:
        subject_id = _subject(platform)
        _, secret = _subscribe(platform, receiver.url, subject_id)
        entry_id = _enter(platform, subject_id)
        report = webhooks.deliver_due(platform)
        assert report.delivered == 1 and not report.errors
        [got] = receiver.received
        payload = json.loads(got["body"])
        assert payload["event"] == "entered" and payload["entry_id"] == entry_id
        assert payload["identifier"] == ENTERPRISE_USCC
        now = int(platform.clock.now().timestamp())
        assert webhooks.verify(secret, got["headers"][SIGNATURE_HEADER], got["body"], now)
        assert not webhooks.verify("wrong-secret", got["headers"][SIGNATURE_HEADER], got["body"], now)
        assert not webhooks.verify(secret, got["headers"][SIGNATURE_HEADER], got["body"] + b" ", now)
        with platform.uow(system_actor("test")) as uow:
            lists.exit_entry(uow, entry_id, "提前移出")
        webhooks.deliver_due(platform)
        assert json.loads(receiver.received[1]["body"])["event"] == "exited"
        assert webhooks.deliver_due(platform).delivered == 0  # nothing is sent twice

    def test_a_delivery_taken_by_another_run_is_not_posted_twice(self, platform: Platform,
                                                                  receiver: Receiver) -> None:
        subject_id = _subject(platform)
        _subscribe(platform, receiver.url, subject_id)
        _enter(platform, subject_id)
        now = platform.clock.now()
        with platform.uow(system_actor("test")) as uow:
            [due] = uow.connection.execute(text("SELECT id, attempts FROM webhook_delivery")).all()
            repository = ListRepository(uow.connection)
            assert repository.claim_delivery(due.id, due.attempts, now, now + webhooks.CLAIM_LEASE)  # another run
            assert not repository.claim_delivery(due.id, due.attempts, now, now + webhooks.CLAIM_LEASE)
            uow.commit()
        assert webhooks.deliver_due(platform).delivered == 0 and receiver.received == []
        platform.clock.at = now + webhooks.CLAIM_LEASE  # type: ignore[attr-defined]  # that run never came back
        assert webhooks.deliver_due(platform).delivered == 1 and len(receiver.received) == 1

    def test_a_serving_process_posts_due_deliveries_by_itself(self, platform: Platform,
                                                               receiver: Receiver) -> None:
        subject_id = _subject(platform)
        _subscribe(platform, receiver.url, subject_id)
        platform.settings.webhook_interval_seconds = 0.05
        with TestClient(create_app(platform)):
            _enter(platform, subject_id)
            for _ in range(200):
                if receiver.received:
                    break
                time.sleep(0.05)
        assert [json.loads(r["body"])["event"] for r in receiver.received] == ["entered"]

    def test_failures_are_retried_with_back_off_then_given_up(self, platform: Platform,
                                                              receiver: Receiver) -> None:
        subject_id = _subject(platform)
        _subscribe(platform, receiver.url, subject_id)
        _enter(platform, subject_id)
        receiver.status = 500
        start = platform.clock.at  # type: ignore[attr-defined]
        report = webhooks.deliver_due(platform)
        assert report.retrying == 1 and report.errors == ["HTTP 500"]
        assert webhooks.deliver_due(platform).retrying == 0  # not due yet: back-off
        elapsed = timedelta()
        for wait in BACKOFF:
            elapsed += wait
            platform.clock.at = start + elapsed  # type: ignore[attr-defined]
            webhooks.deliver_due(platform)
        assert len(receiver.received) == MAX_ATTEMPTS
        with platform.uow(system_actor("test")) as uow:
            [logged] = webhooks.deliveries(uow)
        assert logged["status"] == "failed" and logged["attempts"] == MAX_ATTEMPTS
        assert logged["last_status"] == 500

    def test_an_unreachable_receiver_is_retried_and_then_delivered(self, platform: Platform,
                                                                   receiver: Receiver) -> None:
        subject_id = _subject(platform)
        subscription_id, _ = _subscribe(platform, "http://127.0.0.1:9/nowhere", subject_id)
        _enter(platform, subject_id)
        report = webhooks.deliver_due(platform)
        assert report.retrying == 1 and "ConnectError" in report.errors[0]
        with platform.engine.begin() as connection:  # the department fixes its URL
            connection.execute(text("UPDATE list_subscription SET url = :url WHERE id = :id"),
                               {"url": receiver.url, "id": subscription_id})
        platform.clock.at += BACKOFF[0]  # type: ignore[attr-defined]
        assert webhooks.deliver_due(platform).delivered == 1
        assert len(receiver.received) == 1

    def test_expiry_is_told_without_anyone_recording_it(self, platform: Platform, receiver: Receiver) -> None:
        subject_id = _subject(platform)
        _subscribe(platform, receiver.url, subject_id)
        _enter(platform, subject_id, valid_to=date(2026, 7, 1))
        webhooks.deliver_due(platform)
        platform.clock.at += timedelta(days=20)  # type: ignore[attr-defined]
        report = webhooks.deliver_due(platform)
        assert report.expired_queued == 1 and report.delivered == 1
        assert json.loads(receiver.received[-1]["body"])["event"] == "expired"
        assert webhooks.deliver_due(platform).expired_queued == 0

    def test_a_subject_not_watched_is_not_told(self, platform: Platform, receiver: Receiver) -> None:
        subject_id = _subject(platform)
        _subscribe(platform, receiver.url, subject_id)
        with platform.uow(system_actor("test")) as uow:
            lists.add_entry(uow, "red", subject_id, "守合同重信用企业", date(2026, 6, 1))  # another list
        assert webhooks.deliver_due(platform).delivered == 0
        assert receiver.received == []

    def test_bad_subscriptions_are_refused_precisely_and_the_list_counts_watched_subjects(
            self, platform: Platform, receiver: Receiver) -> None:
        subject_id = _subject(platform)
        subscription_id, _ = _subscribe(platform, receiver.url, subject_id)
        from tests.conftest import actor_of

        with platform.uow(actor_of(platform, "watcher")) as uow:
            for name, url, field in (("x" * 101, receiver.url, "name"), ("x", "http://[::1/hook", "url"),
                                     ("x", "http://scjg example/hook", "url"), ("x", "mailto:a@b.cn", "url"),
                                     ("x", "https://a.cn/" + "p" * 490, "url")):
                with pytest.raises(InvalidInput) as refused:
                    webhooks.subscribe(uow, name, url)
                assert refused.value.field == field, (name, url)
            every, _ = webhooks.subscribe(uow, "全市", receiver.url, every_subject=True)
            assert [(s["id"], s["watched"], "secret" in s) for s in webhooks.subscriptions(uow)] == [
                (subscription_id, 1, False), (every["id"], 0, False)]

    def test_a_stopped_subscription_is_told_nothing_more_and_its_waiting_deliveries_are_cancelled(
            self, platform: Platform, receiver: Receiver) -> None:
        subject_id = _subject(platform)
        subscription_id, _ = _subscribe(platform, receiver.url, subject_id)
        entry_id = _enter(platform, subject_id)  # queued, not yet posted
        make_department(platform, make_uscc("11321000MB1928390"), "扬州市财政局")
        make_user(platform, "czj", {Role.SUBMITTER}, make_uscc("11321000MB1928390"))
        from tests.conftest import actor_of

        with platform.uow(actor_of(platform, "czj")) as uow, pytest.raises(PermissionDenied):
            webhooks.deactivate(uow, subscription_id)  # another department's subscription
        with platform.uow(actor_of(platform, "watcher")) as uow:
            stopped = webhooks.deactivate(uow, subscription_id)
            assert stopped["active"] is False and stopped["cancelled_deliveries"] == 1
            with pytest.raises(Conflict):
                webhooks.deactivate(uow, subscription_id)
        with platform.uow(system_actor("test")) as uow:
            lists.exit_entry(uow, entry_id, "提前移出")  # would be told, were the subscription active
            assert [d["status"] for d in webhooks.deliveries(uow)] == ["cancelled"]
            _, audited = uow.audit_log.entries(action="subscription.deactivate")
            assert audited[0]["detail"] == {"cancelled_deliveries": 1}
        assert webhooks.deliver_due(platform).delivered == 0
        assert receiver.received == []
