"""Notifiers: how an applicant is told about their report (e-mail, SMS), behind one small interface.

``services/notify.py`` logs every message in ``notification_log`` whichever notifier sends it. The
composition (``api/app.py``, the CLI) chooses one; without a configured mail server or SMS gateway the
``OutboxNotifier`` keeps the message in the log only ("logged"), which an operator can see and relay.
"""

from __future__ import annotations

import json
import smtplib
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol


class Notifier(Protocol):
    def send(self, channel: str, recipient: str, subject: str, body: str) -> str:
        """Deliver one message; return the outcome ("sent" or "logged"); raise on failure."""


@dataclass
class OutboxNotifier:
    """Delivers nothing: the message log is the outbox. Also what tests read."""

    sent: list[tuple[str, str, str, str]] = field(default_factory=list)

    def send(self, channel: str, recipient: str, subject: str, body: str) -> str:
        self.sent.append((channel, recipient, subject, body))
        return "logged"


@dataclass
class EmailNotifier:
    """E-mail through an SMTP server (STARTTLS when ``tls``)."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    tls: bool = True
    timeout: float = 10.0

    def send(self, channel: str, recipient: str, subject: str, body: str) -> str:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, recipient, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
        return "sent"


@dataclass
class SmsNotifier:
    """SMS through an HTTP gateway that accepts ``{"phone": …, "text": …}`` as JSON."""

    gateway_url: str
    api_key: str = ""
    timeout: float = 10.0

    def send(self, channel: str, recipient: str, subject: str, body: str) -> str:
        if not self.gateway_url.startswith(("http://", "https://")):
            raise ValueError("the SMS gateway URL must be http(s)")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.gateway_url, data=json.dumps({"phone": recipient, "text": f"{subject}：{body}"}).encode(),
            headers={"content-type": "application/json", "authorization": f"Bearer {self.api_key}"}, method="POST")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if response.status >= 300:
                raise OSError(f"SMS gateway answered {response.status}")
        return "sent"


@dataclass
class ChannelNotifier:
    """Routes each channel ("email", "sms") to its notifier."""

    channels: dict[str, Notifier]

    def send(self, channel: str, recipient: str, subject: str, body: str) -> str:
        if channel not in self.channels:
            raise ValueError(f"no notifier for channel {channel}")
        return self.channels[channel].send(channel, recipient, subject, body)
