"""The notifier adapters deliver what they are given: SMS to a (local) HTTP gateway, e-mail over SMTP."""

from __future__ import annotations

import json
import threading
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from xinyong.adapters import notifiers


class TestSms:
    def test_posts_phone_and_text_to_the_gateway(self) -> None:
        received: list[dict[str, Any]] = []

        class Gateway(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        server = HTTPServer(("127.0.0.1", 0), Gateway)
        thread = threading.Thread(target=server.handle_request, daemon=True)
        thread.start()
        sms = notifiers.SmsNotifier(f"http://127.0.0.1:{server.server_port}/send", api_key="k")
        assert sms.send("sms", "13800000000", "信用报告已出具", "请下载") == "sent"
        thread.join(5)
        server.server_close()
        assert received == [{"phone": "13800000000", "text": "信用报告已出具：请下载"}]

    def test_refuses_a_non_http_gateway(self) -> None:
        with pytest.raises(ValueError, match="http"):
            notifiers.SmsNotifier("file:///etc/passwd").send("sms", "1", "s", "b")


class TestEmail:
    def test_sends_one_message_over_smtp(self, monkeypatch: pytest.MonkeyPatch) -> None:
        sent: list[EmailMessage] = []

        class FakeSmtp:
            def __init__(self, host: str, port: int, timeout: float) -> None:
                assert (host, port) == ("mail.example", 587)

            def __enter__(self) -> FakeSmtp:
                return self

            def __exit__(self, *args: object) -> None:
                pass

            def starttls(self) -> None:
                pass

            def login(self, user: str, password: str) -> None:
                assert user == "u"

            def send_message(self, message: EmailMessage) -> None:
                sent.append(message)

        monkeypatch.setattr(notifiers.smtplib, "SMTP", FakeSmtp)
        email = notifiers.EmailNotifier("mail.example", 587, "noreply@example.com", "u", "p")
        assert email.send("email", "boss@example.com", "信用报告已出具", "请下载") == "sent"
        assert sent[0]["To"] == "boss@example.com" and sent[0]["Subject"] == "信用报告已出具"


class TestChannels:
    def test_routes_by_channel_and_refuses_an_unknown_one(self) -> None:
        outbox = notifiers.OutboxNotifier()
        routed = notifiers.ChannelNotifier({"email": outbox})
        assert routed.send("email", "a@b.c", "s", "b") == "logged" and outbox.sent
        with pytest.raises(ValueError):
            routed.send("sms", "1", "s", "b")
