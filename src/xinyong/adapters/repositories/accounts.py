from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from xinyong.adapters.tables import api_token, app_user, department, user_role
from xinyong.domain.accounts import Permission, Role


@dataclass
class Department:
    id: int
    uscc: str
    name: str
    division_code: str | None
    active: bool


@dataclass
class User:
    id: int
    username: str
    display_name: str
    password_hash: str
    department_id: int | None
    active: bool
    failed_logins: int
    roles: frozenset[Role]


@dataclass
class Token:
    id: int
    user_id: int
    name: str
    prefix: str
    scopes: frozenset[Permission]
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


# A bearer token with its user and the user's roles (one row per role), built once: it is resolved on
# every machine client's request.
TOKEN_WITH_USER = (
    select(api_token, *(app_user.c[name].label(f"owner_{name}") for name in User.__dataclass_fields__
                        if name != "roles"), user_role.c.role)
    .join(app_user, app_user.c.id == api_token.c.user_id)
    .outerjoin(user_role, user_role.c.user_id == app_user.c.id)
    .where(api_token.c.token_hash == bindparam("token_hash")))


def token_of(m: Mapping[str, Any]) -> Token:
    data = {k: m[k] for k in Token.__dataclass_fields__ if k != "scopes"}
    return Token(**data, scopes=frozenset(Permission(s) for s in m["scopes"].split()))


def token_and_user(rows: Sequence[Mapping[str, Any]]) -> tuple[Token, User] | None:
    """The rows of ``TOKEN_WITH_USER`` (one per role) as the token and its user."""
    if not rows:
        return None
    m = rows[0]
    user = User(**{k: m[f"owner_{k}"] for k in User.__dataclass_fields__ if k != "roles"},
                roles=frozenset(Role(r["role"]) for r in rows if r["role"] is not None))
    return token_of(m), user


class AccountRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # departments
    def add_department(self, uscc: str, name: str, division_code: str | None, at: datetime) -> int:
        result = self.connection.execute(
            insert(department).values(uscc=uscc, name=name, division_code=division_code, active=True, created_at=at)
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def department(self, department_id: int) -> Department | None:
        row = self.connection.execute(select(department).where(department.c.id == department_id)).first()
        return Department(**{k: row._mapping[k] for k in Department.__dataclass_fields__}) if row else None

    def department_by_uscc(self, uscc: str) -> Department | None:
        row = self.connection.execute(select(department).where(department.c.uscc == uscc)).first()
        return Department(**{k: row._mapping[k] for k in Department.__dataclass_fields__}) if row else None

    def departments(self) -> list[Department]:
        rows = self.connection.execute(select(department).order_by(department.c.id))
        return [Department(**{k: r._mapping[k] for k in Department.__dataclass_fields__}) for r in rows]

    # users
    def add_user(self, username: str, display_name: str, password_hash: str, department_id: int | None,
                 at: datetime) -> int:
        result = self.connection.execute(
            insert(app_user).values(
                username=username, display_name=display_name, password_hash=password_hash,
                department_id=department_id, active=True, failed_logins=0, created_at=at, password_changed_at=at,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def _user(self, where: object) -> User | None:
        row = self.connection.execute(select(app_user).where(where)).first()  # type: ignore[arg-type]
        if row is None:
            return None
        roles = self.connection.execute(select(user_role.c.role).where(user_role.c.user_id == row.id)).scalars()
        data = {k: row._mapping[k] for k in User.__dataclass_fields__ if k != "roles"}
        return User(**data, roles=frozenset(Role(r) for r in roles))

    def user(self, user_id: int) -> User | None:
        return self._user(app_user.c.id == user_id)

    def user_by_name(self, username: str) -> User | None:
        return self._user(app_user.c.username == username)

    def users(self) -> list[User]:
        ids = self.connection.execute(select(app_user.c.id).order_by(app_user.c.id)).scalars().all()
        return [u for u in (self.user(i) for i in ids) if u is not None]

    def update_user(self, user_id: int, **values: object) -> None:
        self.connection.execute(update(app_user).where(app_user.c.id == user_id).values(**values))

    def set_roles(self, user_id: int, roles: set[Role], granted_by: str, at: datetime) -> None:
        self.connection.execute(delete(user_role).where(user_role.c.user_id == user_id))
        if roles:
            self.connection.execute(
                insert(user_role),
                [{"user_id": user_id, "role": r.value, "granted_at": at, "granted_by": granted_by} for r in roles],
            )

    # tokens
    def add_token(self, user_id: int, name: str, token_hash: str, prefix: str, scopes: frozenset[Permission],
                  created_by: str, at: datetime, expires_at: datetime) -> int:
        result = self.connection.execute(
            insert(api_token).values(
                user_id=user_id, name=name, token_hash=token_hash, prefix=prefix,
                scopes=" ".join(sorted(scopes)), created_at=at, created_by=created_by, expires_at=expires_at,
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    @staticmethod
    def _token(row: object) -> Token:
        return token_of(row._mapping)  # type: ignore[attr-defined]

    def token_with_user(self, token_hash: str) -> tuple[Token, User] | None:
        """A token and its user in one round trip."""
        rows = self.connection.execute(TOKEN_WITH_USER, {"token_hash": token_hash}).all()
        return token_and_user([r._mapping for r in rows])

    def token(self, token_id: int) -> Token | None:
        row = self.connection.execute(select(api_token).where(api_token.c.id == token_id)).first()
        return self._token(row) if row else None

    def tokens(self, user_id: int | None = None) -> list[Token]:
        query = select(api_token).order_by(api_token.c.id)
        if user_id is not None:
            query = query.where(api_token.c.user_id == user_id)
        return [self._token(r) for r in self.connection.execute(query)]

    def update_token(self, token_id: int, **values: object) -> None:
        self.connection.execute(update(api_token).where(api_token.c.id == token_id).values(**values))
