from __future__ import annotations

from fastapi import APIRouter

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.api.schemas import (
    ERRORS,
    ActiveIn,
    DepartmentIn,
    DepartmentOut,
    IssuedToken,
    RolesIn,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)
from xinyong.domain.accounts import Permission, Role
from xinyong.errors import InvalidInput
from xinyong.services import accounts

router = APIRouter(tags=["accounts"], responses=ERRORS)


@router.get("/departments")
def list_departments(uow: UowDep) -> list[DepartmentOut]:
    if not uow.actor.can(Permission.DEPARTMENTS_MANAGE):
        uow.actor.require(Permission.RECORDS_READ_ALL)
    return [DepartmentOut.of(d) for d in uow.accounts.departments()]


@router.post("/departments", status_code=201)
def add_department(body: DepartmentIn, uow: UowDep) -> DepartmentOut:
    return DepartmentOut.of(accounts.add_department(uow, body.uscc, body.name, body.division_code))


@router.get("/users")
def list_users(uow: UowDep) -> list[UserOut]:
    if not uow.actor.can(Permission.USERS_MANAGE):
        uow.actor.require(Permission.ROLES_GRANT)
    return [UserOut.of(u) for u in uow.accounts.users()]


@router.post("/users", status_code=201)
def add_user(body: UserIn, uow: UowDep, platform: PlatformDep) -> UserOut:
    user = accounts.add_user(uow, platform.passwords, body.username, body.display_name, body.password,
                             body.department_uscc)
    return UserOut.of(user)


@router.put("/users/{username}/roles")
def set_roles(username: str, body: RolesIn, uow: UowDep) -> UserOut:
    try:
        roles = {Role(r) for r in body.roles}
    except ValueError as exc:
        raise InvalidInput(f"未知的角色：{exc}", f"unknown role: {exc}", code="role.unknown", field="roles") from None
    return UserOut.of(accounts.set_roles(uow, username, roles))


@router.put("/users/{username}/active")
def set_active(username: str, body: ActiveIn, uow: UowDep) -> UserOut:
    return UserOut.of(accounts.set_active(uow, username, body.active))


@router.get("/tokens")
def list_tokens(uow: UowDep) -> list[TokenOut]:
    """All tokens for the security administrator; one's own otherwise."""
    if uow.actor.can(Permission.TOKENS_MANAGE):
        return [TokenOut.of(t) for t in uow.accounts.tokens()]
    if uow.actor.user_id is None:
        uow.actor.require(Permission.TOKENS_MANAGE)
    return [TokenOut.of(t) for t in uow.accounts.tokens(uow.actor.user_id)]


@router.post("/tokens", status_code=201)
def issue_token(body: TokenIn, uow: UowDep) -> IssuedToken:
    secret, token = accounts.issue_token(uow, body.username, body.name, body.scopes, body.days)
    return IssuedToken(token=secret, info=TokenOut.of(token))


@router.delete("/tokens/{token_id}")
def revoke_token(token_id: int, uow: UowDep) -> TokenOut:
    return TokenOut.of(accounts.revoke_token(uow, token_id))
