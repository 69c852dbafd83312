"""Shared dependencies: the platform, the acting user (token or session), a unit of work."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Actor
from xinyong.errors import AuthenticationRequired
from xinyong.services import accounts
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web.templating import check_csrf

SESSION_USER = "user_id"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


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
    if not request.headers.get("authorization") and _session_user(request) is None:
        actor = _anonymous(request)  # a visitor: no connection needed
    else:
        with platform.uow(_anonymous(request)) as uow:
            actor = _resolve_actor(request, uow)
    request.state.actor = actor
    return actor


async def as_caller(request: Request, work: Callable[[UnitOfWork], T]) -> T:
    """Resolve the caller and do ``work`` in one unit of work and one thread-pool trip, for endpoints on
    other systems' hot paths (checks): the dependencies above cost a connection and a trip each."""
    platform = get_platform(request)

    def run() -> T:
        with platform.uow(_anonymous(request)) as uow:
            uow.actor = request.state.actor = _resolve_actor(request, uow)
            return work(uow)

    return await run_in_threadpool(run)


def bearer_secret(headers: Mapping[str, str]) -> str | None:
    """The token of a well-formed ``Authorization: Bearer …`` header."""
    scheme, _, secret = headers.get("authorization", "").partition(" ")
    return (secret.strip() or None) if scheme.lower() == "bearer" else None


def _session_user(request: Request) -> int | None:
    value = request.session.get(SESSION_USER) if "session" in request.scope else None
    return int(value) if value is not None else None


def _anonymous(request: Request) -> Actor:
    return Actor(name="public", via="web", ip=client_ip(request), request_id=request_id(request))


def _resolve_actor(request: Request, uow: UnitOfWork) -> Actor:
    ip, rid = client_ip(request), request_id(request)
    if request.headers.get("authorization"):
        secret = bearer_secret(request.headers)
        if secret is None:
            raise AuthenticationRequired("Authorization 头应为 Bearer 令牌", "expected a Bearer token",
                                         code="auth.scheme")
        return accounts.actor_for_token(uow, secret, ip, rid)
    user_id = _session_user(request)
    if user_id is not None:
        user = uow.accounts.user(user_id)
        if user is not None and user.active and request.session.get("pw") == user.password_hash[-16:]:
            if request.method not in SAFE_METHODS and request.url.path.startswith("/api/"):
                # A session cookie travels with cross-site requests too: API writes made with it must
                # carry the page's CSRF token (machine clients use bearer tokens instead).
                check_csrf(request, request.headers.get("x-csrf-token"))
            return accounts.actor_for_user(user, "web", ip, rid)
        request.session.clear()
    return _anonymous(request)


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
