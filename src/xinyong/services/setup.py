"""Setting a platform up: the schema, the default catalogue, and the three administrators."""

from __future__ import annotations

from dataclasses import dataclass

from xinyong.adapters.db import upgrade
from xinyong.adapters.passwords import new_password
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.rules.catalogue_files import default_catalogue_dir
from xinyong.services import accounts, catalogue

ADMINISTRATORS = (
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN),
    ("auditor", "安全审计员", Role.AUDITOR),
)


@dataclass
class Credentials:
    username: str
    password: str
    role: Role


def initialise(platform: Platform) -> list[Credentials]:
    """Idempotent: migrate to the latest schema, load the default catalogue on an empty platform, and
    create the three administrators if they do not exist (their passwords are returned once)."""
    upgrade(platform.engine)
    created: list[Credentials] = []
    with platform.uow(system_actor("init")) as uow:
        if not uow.catalogue.revisions():
            catalogue.import_catalogue(uow, default_catalogue_dir())
        for username, display_name, role in ADMINISTRATORS:
            if uow.accounts.user_by_name(username) is None:
                password = new_password()
                accounts.add_user(uow, platform.passwords, username, display_name, password)
                accounts.set_roles(uow, username, {role})
                created.append(Credentials(username, password, role))
    return created
