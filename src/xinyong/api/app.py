"""``create_app``: the one FastAPI application serving the JSON API, the portal and the admin console."""

from __future__ import annotations

import asyncio
import gc
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from importlib import resources

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong import __version__
from xinyong.adapters.check_store import CheckStore
from xinyong.api import errors
from xinyong.api.routers import (
    accounts,
    audit,
    batches,
    catalogue,
    checks,
    health,
    lists,
    public,
    records,
    reports,
    rights,
    subjects,
)
from xinyong.bootstrap import Platform, bootstrap
from xinyong.services import notify, webhooks
from xinyong.web import admin, portal
from xinyong.web import reports as report_pages
from xinyong.web import rights as rights_pages

API_PREFIX = "/api/v1"
logger = logging.getLogger("xinyong.api")

SECURITY_HEADERS = {
    # Every asset is served by the platform itself: nothing may load from elsewhere.
    "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def create_app(platform: Platform | None = None) -> FastAPI:
    platform = platform or bootstrap()
    app = FastAPI(
        lifespan=_background(platform),
        title="Xinyong 公共信用信息平台 API",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; government intranets have none.
        redoc_url=None,
    )
    app.state.platform = platform
    app.state.check_store = None  # opened by the lifespan on PostgreSQL
    app.state.notifier = notify.default_notifier()  # swapped for e-mail/SMS adapters where configured
    errors.install(app)

    app.add_middleware(
        SessionMiddleware,
        secret_key=platform.settings.effective_secret_key,
        session_cookie="xinyong_session",
        max_age=platform.settings.session_hours * 3600,
        same_site="lax",
        https_only=not platform.settings.demo and platform.settings.host not in ("127.0.0.1", "localhost"),
    )
    # Routes are matched in order: the hot ones (other systems' checks, the public API) come first.
    for router in (health.router, checks.router, public.router, catalogue.router, subjects.router, batches.router,
                   records.router, accounts.router, audit.router, rights.router, lists.router, reports.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(portal.router)
    app.include_router(rights_pages.router)
    app.include_router(report_pages.router)
    app.include_router(admin.router)
    app.mount("/static", StaticFiles(directory=str(resources.files("xinyong.web") / "static")), name="static")
    app.add_middleware(checks.SingleChecks, path=f"{API_PREFIX}/checks")
    app.add_middleware(HeadersMiddleware)
    # What start-up built (modules, routes, the catalogue, the rules) lives as long as the process: kept out
    # of the garbage collector's generations, full collections stay short and so do the slowest requests.
    gc.freeze()
    return app


def _background(platform: Platform) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """What a serving process holds and does besides answering: on PostgreSQL, the pool of the checks'
    event-loop path (``XINYONG_CHECK_CONNECTIONS`` connections; 0 sends every check the general way); and it
    posts the webhooks that are due, every ``XINYONG_WEBHOOK_INTERVAL_SECONDS`` (so subscribers hear of list
    changes without a separate timer)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings = platform.settings
        store = None
        if platform.engine.dialect.name == "postgresql" and settings.check_connections > 0:
            store = CheckStore(settings.effective_database_url, settings.check_connections)
            await store.open()
        app.state.check_store = store
        interval = settings.webhook_interval_seconds
        task = asyncio.create_task(_deliver_webhooks(platform, interval)) if interval > 0 else None
        try:
            yield
        finally:
            app.state.check_store = None
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            if store is not None:
                await store.close()
    return lifespan


async def _deliver_webhooks(platform: Platform, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        try:
            await run_in_threadpool(webhooks.deliver_due, platform)
        except Exception:  # e.g. the database is restarting: the next round tries again
            logger.exception("webhook delivery round failed")


class HeadersMiddleware:
    """Request id and security headers on every response, as a plain ASGI middleware: Starlette's
    ``BaseHTTPMiddleware`` runs each request through extra tasks and streams, which cost more than a
    cheap endpoint itself under load."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id")
        request_id = (given or uuid.uuid4().hex)[:64]
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
