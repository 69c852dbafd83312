"""Logging in and out, the dashboard, and changing one's own password."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from xinyong.api.deps import SESSION_USER, PlatformDep, UowDep
from xinyong.errors import XinyongError
from xinyong.services import accounts
from xinyong.web.admin.common import ConsoleActor, console_router, done, menu_for, page
from xinyong.web.forms import safe_next
from xinyong.web.templating import CSRF_KEY, check_csrf, render

router = console_router()

PASSWORD_KEY = "pw"  # noqa: S105 - the session key, not a password


def _login_form(request: Request, *, next_path: str, username: str = "", error: str | None = None,
                status_code: int = 200) -> HTMLResponse:
    response = render(request, "admin/login.html", {"next": next_path, "username": username, "error": error},
                      status_code=status_code)
    response.headers["cache-control"] = "no-store"
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, uow: UowDep, next: str = "") -> HTMLResponse:
    request.state.actor = uow.actor
    return _login_form(request, next_path=safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, uow: UowDep, platform: PlatformDep,
          username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    next_path = safe_next(next)
    if not username.strip() or not password:
        return _login_form(request, next_path=next_path, username=username, error="请输入用户名和密码",
                           status_code=422)
    try:
        user = accounts.authenticate(uow, platform.passwords, username, password,
                                     platform.settings.login_max_failures)
    except XinyongError as exc:
        return _login_form(request, next_path=next_path, username=username, error=exc.message,
                           status_code=exc.status)
    # A new session: nothing of the anonymous one survives, and the CSRF token is made afresh.
    request.session.clear()
    request.session[SESSION_USER] = user.id
    request.session[PASSWORD_KEY] = user.password_hash[-16:]
    return RedirectResponse(next_path, status_code=303)


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    request.session.clear()
    return RedirectResponse("/admin/login", status_code=303)


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    user = uow.accounts.user(actor.user_id) if actor.user_id is not None else None
    department = uow.accounts.department(actor.department_id) if actor.department_id is not None else None
    roles = sorted(actor.roles, key=lambda r: list(type(r)).index(r))
    return page(request, "admin/dashboard.html", {
        "user": user, "department": department, "roles": roles,
        "cards": [item for item in menu_for(actor) if item.path != "/admin"],
    })


@router.get("/account", response_class=HTMLResponse)
def account_form(request: Request, actor: ConsoleActor) -> HTMLResponse:
    return page(request, "admin/account.html", {"error": None})


@router.post("/account", response_class=HTMLResponse)
def change_password(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
                    current: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                    confirm: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    if password != confirm:
        return page(request, "admin/account.html", {"error": "两次输入的新密码不一致"}, status_code=422)
    try:
        accounts.authenticate(uow, platform.passwords, actor.name, current, platform.settings.login_max_failures)
    except XinyongError:
        return page(request, "admin/account.html", {"error": "当前密码不正确"}, status_code=422)
    try:
        accounts.set_password(uow, platform.passwords, actor.name, password)
    except XinyongError as exc:
        return page(request, "admin/account.html", {"error": exc.message}, status_code=exc.status)
    user = uow.accounts.user(actor.user_id) if actor.user_id is not None else None
    if user is not None:
        # The session is bound to the password; keep this one, every other session of the user ends.
        request.session[PASSWORD_KEY] = user.password_hash[-16:]
    request.session.pop(CSRF_KEY, None)
    return done(request, "密码已修改", "/admin/account")
