"""Departments, users, roles and API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta

from xinyong.adapters.passwords import Passwords, new_token, token_digest
from xinyong.adapters.repositories.accounts import Department, Token, User
from xinyong.domain.accounts import Actor, Permission, Role, check_role_set, parse_scopes, permissions_of
from xinyong.domain.audit import AuditEvent
from xinyong.domain.identifiers import IdType, validate_identifier
from xinyong.errors import AuthenticationRequired, Conflict, InvalidInput, NotFound, PermissionDenied
from xinyong.services.unit_of_work import UnitOfWork

MIN_PASSWORD_LENGTH = 10
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


def add_department(uow: UnitOfWork, uscc: str, name: str, division_code: str | None = None) -> Department:
    uow.actor.require(Permission.DEPARTMENTS_MANAGE)
    code = validate_identifier(IdType.USCC, uscc, "uscc")
    name = name.strip()
    if not name:
        raise InvalidInput("部门名称不能为空", "department name is empty", code="department.name", field="name")
    if uow.accounts.department_by_uscc(code) is not None:
        raise Conflict(f"信源部门已存在：{code}", f"department already exists: {code}", code="department.exists")
    department_id = uow.accounts.add_department(code, name, division_code or code[2:8], uow.clock.now())
    uow.audit(AuditEvent("department.add", "department", department_id, detail={"uscc": code, "name": name}))
    uow.commit()
    department = uow.accounts.department(department_id)
    assert department is not None
    return department


def department_by_uscc(uow: UnitOfWork, uscc: str) -> Department:
    code = validate_identifier(IdType.USCC, uscc, "uscc")
    department = uow.accounts.department_by_uscc(code)
    if department is None:
        raise NotFound("信源部门", "department", code)
    return department


def _check_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or password.lower() == username.lower():
        raise InvalidInput(
            f"密码至少{MIN_PASSWORD_LENGTH}个字符，且不能与用户名相同",
            f"password needs at least {MIN_PASSWORD_LENGTH} characters and must differ from the username",
            code="user.password_weak", field="password",
        )


def add_user(uow: UnitOfWork, passwords: Passwords, username: str, display_name: str, password: str,
             department_uscc: str | None = None) -> User:
    uow.actor.require(Permission.USERS_MANAGE)
    username = username.strip()
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        raise InvalidInput("用户名只能包含字母、数字、下划线和点", "username: letters, digits, _ and . only",
                           code="user.username", field="username")
    if uow.accounts.user_by_name(username) is not None:
        raise Conflict(f"用户已存在：{username}", f"user already exists: {username}", code="user.exists")
    _check_password(username, password)
    department_id = department_by_uscc(uow, department_uscc).id if department_uscc else None
    user_id = uow.accounts.add_user(username, display_name.strip() or username, passwords.hash(password),
                                    department_id, uow.clock.now())
    uow.audit(AuditEvent("user.add", "user", user_id, detail={"username": username, "department_id": department_id}))
    uow.commit()
    return get_user(uow, username)


def get_user(uow: UnitOfWork, username: str) -> User:
    user = uow.accounts.user_by_name(username)
    if user is None:
        raise NotFound("用户", "user", username)
    return user


def set_roles(uow: UnitOfWork, username: str, roles: set[Role]) -> User:
    """Grant exactly ``roles`` (the security administrator's duty, never on their own account)."""
    uow.actor.require(Permission.ROLES_GRANT)
    user = get_user(uow, username)
    if user.id == uow.actor.user_id:
        raise PermissionDenied("不能修改自己的角色", "you cannot change your own roles", code="role.self")
    check_role_set(roles, user.department_id)
    uow.accounts.set_roles(user.id, roles, uow.actor.name, uow.clock.now())
    uow.audit(AuditEvent("user.roles", "user", user.id, detail={
        "before": sorted(user.roles), "after": sorted(roles)}))
    uow.commit()
    return get_user(uow, username)


def set_active(uow: UnitOfWork, username: str, active: bool) -> User:
    uow.actor.require(Permission.USERS_MANAGE)
    user = get_user(uow, username)
    if user.id == uow.actor.user_id:
        raise PermissionDenied("不能停用自己的账号", "you cannot disable your own account", code="user.self")
    uow.accounts.update_user(user.id, active=active, failed_logins=0)
    uow.audit(AuditEvent("user.enable" if active else "user.disable", "user", user.id))
    uow.commit()
    return get_user(uow, username)


def set_password(uow: UnitOfWork, passwords: Passwords, username: str, password: str) -> None:
    """An administrator resets a password, or a user changes their own."""
    user = get_user(uow, username)
    if user.id != uow.actor.user_id:
        uow.actor.require(Permission.USERS_MANAGE)
    _check_password(username, password)
    uow.accounts.update_user(user.id, password_hash=passwords.hash(password), password_changed_at=uow.clock.now(),
                             failed_logins=0)
    uow.audit(AuditEvent("user.password", "user", user.id))
    uow.commit()


def authenticate(uow: UnitOfWork, passwords: Passwords, username: str, password: str, max_failures: int) -> User:
    """Check a password; lock the account after ``max_failures`` wrong ones in a row."""
    refused = AuthenticationRequired(
        "用户名或密码错误，或账号已停用", "wrong username or password, or account disabled", code="auth.failed"
    )
    user = uow.accounts.user_by_name(username.strip())
    if user is None:
        uow.audit(AuditEvent("login.failed", "user", None, detail={"username": username[:64]}))
        uow.commit()
        raise refused
    if not user.active or user.failed_logins >= max_failures or not passwords.verify(user.password_hash, password):
        failures = user.failed_logins + 1
        uow.accounts.update_user(user.id, failed_logins=failures)
        uow.audit(AuditEvent("login.failed", "user", user.id, detail={"username": user.username, "failures": failures}))
        uow.commit()
        raise refused
    uow.accounts.update_user(user.id, failed_logins=0)
    uow.audit(AuditEvent("login", "user", user.id, detail={"username": user.username}))
    uow.commit()
    return user


def actor_for_user(user: User, via: str, ip: str | None = None, request_id: str | None = None) -> Actor:
    return Actor(name=user.username, via=via, user_id=user.id, roles=user.roles, department_id=user.department_id,
                 ip=ip, request_id=request_id)


def issue_token(uow: UnitOfWork, username: str, name: str, scopes: list[str] | str, days: int) -> tuple[str, Token]:
    """A new API token for a user's machine client; the secret is returned once and only its hash kept."""
    uow.actor.require(Permission.TOKENS_MANAGE)
    user = get_user(uow, username)
    wanted = parse_scopes(scopes)
    beyond = wanted - permissions_of(set(user.roles))
    if beyond:
        raise InvalidInput(f"用户“{username}”本身不具备这些权限：{' '.join(sorted(beyond))}",
                           f"user {username} lacks: {' '.join(sorted(beyond))}", code="token.scope")
    if not 1 <= days <= 366:
        raise InvalidInput("令牌有效期须在1至366天之间", "token validity must be 1 to 366 days", code="token.days")
    secret = new_token()
    now = uow.clock.now()
    token_id = uow.accounts.add_token(user.id, name.strip() or "api", token_digest(secret), secret[:10], wanted,
                                      uow.actor.name, now, now + timedelta(days=days))
    uow.audit(AuditEvent("token.issue", "token", token_id, detail={
        "user": username, "scopes": sorted(wanted), "days": days}))
    uow.commit()
    token = uow.accounts.token(token_id)
    assert token is not None
    return secret, token


def revoke_token(uow: UnitOfWork, token_id: int) -> Token:
    token = uow.accounts.token(token_id)
    if token is None:
        raise NotFound("访问令牌", "token", token_id)
    if token.user_id != uow.actor.user_id:
        uow.actor.require(Permission.TOKENS_MANAGE)
    if token.revoked_at is None:
        uow.accounts.update_token(token_id, revoked_at=uow.clock.now())
        uow.audit(AuditEvent("token.revoke", "token", token_id))
        uow.commit()
    revoked = uow.accounts.token(token_id)
    assert revoked is not None
    return revoked


def actor_for_token(uow: UnitOfWork, secret: str, ip: str | None, request_id: str | None) -> Actor:
    """The actor a bearer token stands for: its user's roles narrowed to the token's scopes."""
    now = uow.clock.now()
    actor, touch = token_actor(uow.accounts.token_with_user(token_digest(secret)), now, ip, request_id)
    if touch and actor.token_id is not None:
        uow.accounts.update_token(actor.token_id, last_used_at=now)
        uow.commit()
    return actor


def token_actor(found: tuple[Token, User] | None, now: datetime, ip: str | None,
                request_id: str | None) -> tuple[Actor, bool]:
    """The actor of a token as found (token and user, or nothing), and whether its last use is worth
    recording (at most every ``TOKEN_TOUCH_INTERVAL``); a missing, revoked or expired token, or one whose
    account is disabled, is refused."""
    if found is None or found[0].revoked_at is not None or found[0].expires_at <= now:
        raise AuthenticationRequired("访问令牌无效、已过期或已吊销", "token invalid, expired or revoked",
                                     code="auth.token_invalid")
    token, user = found
    if not user.active:
        raise AuthenticationRequired("令牌所属账号已停用", "the token's account is disabled", code="auth.token_invalid")
    touch = token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL
    return Actor(name=user.username, via="token", user_id=user.id, roles=user.roles, department_id=user.department_id,
                 scopes=token.scopes, token_id=token.id, ip=ip, request_id=request_id), touch

