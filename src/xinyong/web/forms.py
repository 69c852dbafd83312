"""Small helpers shared by the portal and the console: reading form and query values, safe redirects,
and the display filters the templates use (Beijing time, labels, JSON detail)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlsplit

from xinyong.clock import CHINA
from xinyong.errors import InvalidInput
from xinyong.web.templating import environment

PAGE_SIZE = 50


def safe_next(value: str | None, default: str = "/admin") -> str:
    """Where to go after logging in: only a local console path, never another site (open redirect)."""
    if not value or not value.startswith("/admin") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 32 for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def login_url(next_path: str) -> str:
    return "/admin/login?next=" + quote(safe_next(next_path), safe="/")


def optional_text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def optional_int(value: str | None, field: str, label: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{label}应为数字：{value}", f"{field} must be a number", code="request.int",
                           field=field) from None


def required_int(value: str | None, field: str, label: str) -> int:
    found = optional_int(value, field, label)
    if found is None:
        raise InvalidInput(f"请填写{label}", f"{field} is required", code="request.required", field=field)
    return found


def optional_date(value: str | None, field: str, label: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{label}不是有效日期（应为 年-月-日）：{value}", f"{field} is not a date",
                           code="request.date", field=field) from None


def page_number(value: str | None) -> int:
    try:
        return max(int(value or "1"), 1)
    except ValueError:
        return 1


# -- template filters ----------------------------------------------------------------------------

def beijing_time(value: datetime | None, with_seconds: bool = True) -> str:
    """An aware UTC datetime shown in Beijing time."""
    if value is None:
        return ""
    local = value.astimezone(CHINA) if value.tzinfo else value
    return local.strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def display_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    if isinstance(value, datetime):
        return beijing_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def json_text(value: Any) -> str:
    if value in (None, {}, []):
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


environment.filters["bjtime"] = beijing_time
environment.filters["show"] = display_value
environment.filters["json_text"] = json_text
