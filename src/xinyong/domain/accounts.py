"""Roles, permissions and the acting user: who may do what.

三员分立 (separation of the three administrators): the system administrator runs accounts,
departments and the catalogue; the security administrator grants roles and tokens; the auditor reads
the audit log. None of them holds another's permissions, nor any business role, and nobody may
change or delete the audit log (the database refuses it too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from xinyong.errors import InvalidInput, PermissionDenied


class Permission(StrEnum):
    USERS_MANAGE = "users:manage"
    DEPARTMENTS_MANAGE = "departments:manage"
    CATALOG_MANAGE = "catalog:manage"
    CATALOG_READ = "catalog:read"
    ROLES_GRANT = "roles:grant"
    TOKENS_MANAGE = "tokens:manage"
    AUDIT_READ = "audit:read"
    SUBJECTS_READ = "subjects:read"
    RECORDS_READ_ALL = "records:read_all"
    RECORDS_READ_OWN = "records:read_own"
    RECORDS_SUBMIT = "records:submit"
    PERSONAL_READ = "personal:read"
    REVIEW = "review"
    RIGHTS_HANDLE = "rights:handle"  # credit office: accept, decide and execute repairs and objections
    RIGHTS_VERIFY = "rights:verify"  # source department: verify cases on its own records, commitment fulfilment
    LISTS_READ = "lists:read"
    LISTS_MANAGE = "lists:manage"
    CHECKS_RUN = "checks:run"
    CHECKS_READ = "checks:read"
    SUBSCRIPTIONS_MANAGE = "subscriptions:manage"
    REPORTS_ISSUE = "reports:issue"
    REPORTS_FULL = "reports:full"
    ARTICLES_MANAGE = "articles:manage"


class Role(StrEnum):
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDITOR = "auditor"
    OPERATOR = "operator"
    SUBMITTER = "submitter"
    REVIEWER = "reviewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.SYSTEM_ADMIN: "系统管理员",
    Role.SECURITY_ADMIN: "安全管理员",
    Role.AUDITOR: "安全审计员",
    Role.OPERATOR: "信用办业务人员",
    Role.SUBMITTER: "部门报送人员",
    Role.REVIEWER: "信用审查人员",
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {Permission.USERS_MANAGE, Permission.DEPARTMENTS_MANAGE, Permission.CATALOG_MANAGE, Permission.CATALOG_READ}
    ),
    Role.SECURITY_ADMIN: frozenset({Permission.ROLES_GRANT, Permission.TOKENS_MANAGE}),
    Role.AUDITOR: frozenset({Permission.AUDIT_READ}),
    Role.OPERATOR: frozenset(
        {Permission.CATALOG_READ, Permission.SUBJECTS_READ, Permission.RECORDS_READ_ALL, Permission.PERSONAL_READ,
         Permission.RIGHTS_HANDLE, Permission.LISTS_READ, Permission.LISTS_MANAGE, Permission.CHECKS_READ,
         Permission.SUBSCRIPTIONS_MANAGE, Permission.REPORTS_ISSUE, Permission.REPORTS_FULL,
         Permission.ARTICLES_MANAGE}
    ),
    Role.SUBMITTER: frozenset(
        {Permission.CATALOG_READ, Permission.RECORDS_SUBMIT, Permission.RECORDS_READ_OWN, Permission.RIGHTS_VERIFY,
         Permission.LISTS_READ, Permission.CHECKS_RUN, Permission.SUBSCRIPTIONS_MANAGE}
    ),
    Role.REVIEWER: frozenset({Permission.CATALOG_READ, Permission.SUBJECTS_READ, Permission.REVIEW,
                              Permission.LISTS_READ, Permission.CHECKS_RUN, Permission.REPORTS_FULL}),
}

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})

# Scopes a machine token may carry: any permission of a business role. Administrator permissions are
# never granted to tokens; administrators act through the console.
TOKEN_SCOPES = frozenset(
    p for role in Role if role not in ADMIN_ROLES for p in ROLE_PERMISSIONS[role]
)


def check_role_set(roles: set[Role], department_id: int | None) -> None:
    """Refuse combinations that break the separation of duties."""
    admin = roles & ADMIN_ROLES
    if admin and len(roles) > 1:
        raise InvalidInput(
            "三员分立：系统管理员、安全管理员、审计员不得相互兼任，也不得兼任业务角色",
            "separation of duties: an administrator role cannot be combined with any other role",
            code="role.separation",
        )
    if Role.SUBMITTER in roles and department_id is None:
        raise InvalidInput("部门报送人员必须属于一个信源部门", "a submitter must belong to a department",
                           code="role.needs_department")


def permissions_of(roles: set[Role]) -> frozenset[Permission]:
    return frozenset(p for role in roles for p in ROLE_PERMISSIONS[role])


def parse_scopes(raw: str | list[str]) -> frozenset[Permission]:
    items = raw.split() if isinstance(raw, str) else raw
    scopes: set[Permission] = set()
    for item in items:
        try:
            scope = Permission(item)
        except ValueError:
            raise InvalidInput(f"未知的令牌权限范围：{item}", f"unknown scope: {item}", code="token.scope") from None
        if scope not in TOKEN_SCOPES:
            raise InvalidInput(f"管理权限不能授予访问令牌：{item}", f"scope not allowed on tokens: {item}",
                               code="token.scope")
        scopes.add(scope)
    if not scopes:
        raise InvalidInput("访问令牌至少需要一个权限范围", "a token needs at least one scope", code="token.scope")
    return frozenset(scopes)


@dataclass(frozen=True)
class Actor:
    """Whoever is acting: a logged-in user, a machine token, the CLI at the server, or the public."""

    name: str
    via: str
    user_id: int | None = None
    roles: frozenset[Role] = frozenset()
    department_id: int | None = None
    scopes: frozenset[Permission] | None = None
    token_id: int | None = None
    ip: str | None = None
    request_id: str | None = None
    permissions: frozenset[Permission] = field(init=False)

    def __post_init__(self) -> None:
        granted = permissions_of(set(self.roles))
        if self.scopes is not None:
            granted = granted & self.scopes
        object.__setattr__(self, "permissions", granted)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"无权执行此操作（需要权限 {permission.value}）",
                f"permission {permission.value} required",
            )

    def can_read_department(self, department_id: int) -> bool:
        if self.can(Permission.RECORDS_READ_ALL):
            return True
        return self.can(Permission.RECORDS_READ_OWN) and self.department_id == department_id


PUBLIC = Actor(name="public", via="web")


def system_actor(name: str = "cli") -> Actor:
    """The operator at the server's console (``xinyong`` commands): trusted like root, always audited."""
    return Actor(name=name, via="cli", roles=frozenset(Role), scopes=None)
