"""Jinja2 rendering (autoescaped), CSRF tokens for forms, and masking filters for public pages."""

from __future__ import annotations

import hmac
import secrets
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from xinyong.domain.masking import mask_identifier, mask_name
from xinyong.errors import PermissionDenied

CSRF_KEY = "csrf"

environment = Environment(
    loader=FileSystemLoader(str(resources.files("xinyong.web") / "templates")),
    autoescape=select_autoescape(("html",), default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["mask_id"] = mask_identifier
environment.filters["mask_name"] = mask_name


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_KEY] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Every form POST carries the session's token; a request from another site cannot know it."""
    expected = request.session.get(CSRF_KEY)
    if not expected or not submitted or not hmac.compare_digest(str(expected), submitted):
        raise PermissionDenied("表单已过期或来源不明，请刷新页面后重试", "CSRF token missing or wrong", code="csrf")


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200) -> HTMLResponse:
    actor = getattr(request.state, "actor", None)
    html = environment.get_template(template).render(
        request=request, actor=actor, csrf_token=csrf_token(request) if "session" in request.scope else "",
        **(context or {}),
    )
    return HTMLResponse(html, status_code=status_code)

