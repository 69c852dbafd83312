"""Departments, users, roles and access tokens: the administrators' pages (三员分立).

Each duty has its permission; a form posted by somebody without it is refused before anything is read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.domain.accounts import ADMIN_ROLES, TOKEN_SCOPES, Actor, Permission, Role, permissions_of
from xinyong.errors import InvalidInput, XinyongError
from xinyong.services import accounts
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web.admin.common import PERMISSION_LABELS, ConsoleActor, console_router, done, page
from xinyong.web.forms import optional_int
from xinyong.web.templating import check_csrf

router = console_router()

Text = Annotated[str, Form()]
Many = Annotated[list[str] | None, Form()]

SCOPES = [p for p in Permission if p in TOKEN_SCOPES]


# -- departments ----------------------------------------------------------------------------------

def _departments_page(request: Request, uow: UnitOfWork, *, form: dict[str, str] | None = None,
                      error: XinyongError | None = None) -> HTMLResponse:
    return page(request, "admin/departments.html", {
        "departments": uow.accounts.departments(), "form": form or {}, "error": error,
    }, status_code=error.status if error else 200)


@router.get("/departments", response_class=HTMLResponse)
def departments(request: Request, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    actor.require(Permission.DEPARTMENTS_MANAGE)
    return _departments_page(request, uow)


@router.post("/departments", response_class=HTMLResponse)
def add_department(request: Request, actor: ConsoleActor, uow: UowDep, uscc: Text = "", name: Text = "",
                   division_code: Text = "", csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.DEPARTMENTS_MANAGE)
    try:
        department = accounts.add_department(uow, uscc, name, division_code.strip() or None)
    except XinyongError as exc:
        return _departments_page(request, uow, form={"uscc": uscc, "name": name, "division_code": division_code},
                                 error=exc)
    return done(request, f"已新增信源部门：{department.name}", "/admin/departments")


# -- users ----------------------------------------------------------------------------------------

def _role_labels(roles: frozenset[Role]) -> list[str]:
    return [r.label for r in Role if r in roles]


def _users_page(request: Request, uow: UnitOfWork, template: str, *, form: dict[str, str] | None = None,
                error: XinyongError | None = None, extra: dict[str, Any] | None = None) -> HTMLResponse:
    departments = uow.accounts.departments()
    names = {d.id: d.name for d in departments}
    users = [
        {"user": u, "department": names.get(u.department_id, "") if u.department_id else "",
         "role_labels": _role_labels(u.roles)}
        for u in uow.accounts.users()
    ]
    return page(request, template, {
        "users": users, "departments": departments, "form": form or {}, "error": error,
        "roles": list(Role), **(extra or {}),
    }, status_code=error.status if error else 200)


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    actor.require(Permission.USERS_MANAGE)
    return _users_page(request, uow, "admin/users.html")


@router.post("/users", response_class=HTMLResponse)
def add_user(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep, username: Text = "",
             display_name: Text = "", password: Text = "", department_uscc: Text = "",
             csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.USERS_MANAGE)
    try:
        user = accounts.add_user(uow, platform.passwords, username, display_name, password,
                                 department_uscc.strip() or None)
    except XinyongError as exc:
        form = {"username": username, "display_name": display_name, "department_uscc": department_uscc}
        return _users_page(request, uow, "admin/users.html", form=form, error=exc)
    return done(request, f"已新增用户：{user.username}（尚无角色，请安全管理员授权）", "/admin/users")


@router.post("/users/{username}/active", response_class=HTMLResponse)
def set_active(request: Request, username: str, actor: ConsoleActor, uow: UowDep, active: Text = "",
               csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.USERS_MANAGE)
    try:
        user = accounts.set_active(uow, username, active == "1")
    except XinyongError as exc:
        return _users_page(request, uow, "admin/users.html", error=exc)
    return done(request, f"已{'启用' if user.active else '停用'}用户：{user.username}", "/admin/users")


# -- roles ----------------------------------------------------------------------------------------

@router.get("/roles", response_class=HTMLResponse)
def roles(request: Request, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    actor.require(Permission.ROLES_GRANT)
    return _users_page(request, uow, "admin/roles.html")


@router.post("/roles/{username}", response_class=HTMLResponse)
def set_roles(request: Request, username: str, actor: ConsoleActor, uow: UowDep, roles: Many = None,
              csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.ROLES_GRANT)
    try:
        try:
            wanted = {Role(r) for r in roles or []}
        except ValueError:
            raise InvalidInput("提交了未知的角色", "unknown role", code="role.unknown", field="roles") from None
        user = accounts.set_roles(uow, username, wanted)
    except XinyongError as exc:
        return _users_page(request, uow, "admin/roles.html", error=exc, extra={"error_user": username})
    labels = "、".join(_role_labels(user.roles)) or "无"
    return done(request, f"已设置用户 {user.username} 的角色：{labels}", "/admin/roles")


# -- tokens ---------------------------------------------------------------------------------------

def _tokens_page(request: Request, uow: UnitOfWork, platform: PlatformDep, actor: Actor, *,
                 form: dict[str, Any] | None = None, error: XinyongError | None = None) -> HTMLResponse:
    all_users = uow.accounts.users()
    by_id = {u.id: u for u in all_users}
    now = uow.clock.now()
    tokens = []
    for token in reversed(uow.accounts.tokens()):
        if token.revoked_at is not None:
            state = "已吊销"
        elif token.expires_at <= now:
            state = "已过期"
        else:
            state = "有效"
        owner = by_id.get(token.user_id)
        tokens.append({"token": token, "owner": owner.username if owner else str(token.user_id), "state": state,
                       "scopes": [PERMISSION_LABELS[s] for s in SCOPES if s in token.scopes]})
    holders = [u for u in all_users if u.active and u.roles and not (u.roles & ADMIN_ROLES)]
    return page(request, "admin/tokens.html", {
        "tokens": tokens, "holders": [
            {"user": u, "scopes": "、".join(PERMISSION_LABELS[p] for p in SCOPES
                                           if p in permissions_of(set(u.roles)))} for u in holders],
        "scopes": [(p.value, PERMISSION_LABELS[p]) for p in SCOPES],
        "form": form or {"days": platform.settings.token_days, "scopes": []}, "error": error,
    }, status_code=error.status if error else 200)


@router.get("/tokens", response_class=HTMLResponse)
def tokens(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    actor.require(Permission.TOKENS_MANAGE)
    return _tokens_page(request, uow, platform, actor)


@router.post("/tokens", response_class=HTMLResponse)
def issue_token(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep, username: Text = "",
                name: Text = "", scopes: Many = None, days: Text = "", csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.TOKENS_MANAGE)
    form = {"username": username, "name": name, "scopes": scopes or [], "days": days}
    try:
        valid_days = optional_int(days, "days", "有效天数") or platform.settings.token_days
        secret, token = accounts.issue_token(uow, username, name, scopes or [], valid_days)
    except XinyongError as exc:
        return _tokens_page(request, uow, platform, actor, form=form, error=exc)
    response = page(request, "admin/token_issued.html", {
        "secret": secret, "token": token, "username": username,
        "scopes": [PERMISSION_LABELS[s] for s in SCOPES if s in token.scopes],
    }, status_code=201)
    return response


@router.post("/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke_token(request: Request, token_id: int, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
                 csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.TOKENS_MANAGE)
    try:
        token = accounts.revoke_token(uow, token_id)
    except XinyongError as exc:
        return _tokens_page(request, uow, platform, actor, error=exc)
    return done(request, f"已吊销令牌：{token.name}（{token.prefix}…）", "/admin/tokens")
