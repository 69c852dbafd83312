"""Shared dependencies: the platform, the acting user (token or session), a unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from xinyong.bootstrap import Platform
from xinyong.domain.accounts import PUBLIC, Actor
from xinyong.errors import AuthenticationRequired
from xinyong.services import accounts
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web.templating import check_csrf

SESSION_USER = "user_id"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_platform(request: Request) -> Platform:
    return request.app.state.platform  # type: ignore[no-any-return]


PlatformDep = Annotated[Platform, Depends(get_platform)]


def request_id(request: Request) -> str:
    value = request.headers.get("x-request-id") or getattr(request.state, "request_id", None)
    if not value:
        value = uuid.uuid4().hex
        request.state.request_id = value
    return value[:64]


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_actor(request: Request, platform: PlatformDep) -> Actor:
    """A bearer token (machine clients), else the logged-in session (pages), else the public."""
    actor = _resolve_actor(request, platform)
    request.state.actor = actor
    return actor


def _resolve_actor(request: Request, platform: Platform) -> Actor:
    header = request.headers.get("authorization", "")
    ip, rid = client_ip(request), request_id(request)
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise AuthenticationRequired("Authorization 头应为 Bearer 令牌", "expected a Bearer token",
                                         code="auth.scheme")
        with platform.uow(Actor(name="token", via="token", ip=ip, request_id=rid)) as uow:
            return accounts.actor_for_token(uow, secret.strip(), ip, rid)
    user_id = request.session.get(SESSION_USER) if "session" in request.scope else None
    if user_id is not None:
        with platform.uow(PUBLIC) as uow:
            user = uow.accounts.user(int(user_id))
        if user is not None and user.active and request.session.get("pw") == user.password_hash[-16:]:
            if request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
                # A session cookie travels with cross-site requests too: API writes made with it must
                # carry the page's CSRF token (machine clients use bearer tokens instead).
                check_csrf(request, request.headers.get("x-csrf-token"))
            return accounts.actor_for_user(user, "web", ip, rid)
        request.session.clear()
    return Actor(name="public", via="web", ip=ip, request_id=rid)


ActorDep = Annotated[Actor, Depends(current_actor)]


def authenticated(actor: ActorDep) -> Actor:
    if actor.user_id is None:
        raise AuthenticationRequired()
    return actor


AuthenticatedDep = Annotated[Actor, Depends(authenticated)]


def unit_of_work(platform: PlatformDep, actor: ActorDep) -> Iterator[UnitOfWork]:
    with platform.uow(actor) as uow:
        yield uow


UowDep = Annotated[UnitOfWork, Depends(unit_of_work)]
