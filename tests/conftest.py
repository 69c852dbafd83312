"""Fixtures shared by every tier.

Strategy: tests run on real databases, never on fakes of them. Each backend is migrated and
initialised (default catalogue, the three administrators) once per session into a *template*; each
test gets a fresh copy of it (a copied file on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL),
so tests are isolated and cheap. ``platform`` is parametrised over the backends: SQLite always,
PostgreSQL when ``XINYONG_TEST_POSTGRES_URL`` is set (the README's test command sets it, and sets
``XINYONG_TEST_REQUIRE_POSTGRES=1`` so that a missing server fails the run instead of skipping).

Tiers: ``tests/unit`` (pure domain and rule files, no database), ``tests/integration`` (services on
real databases), ``tests/e2e`` (HTTP through the FastAPI app: API and pages).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from xinyong.adapters.tables import subject, subject_gram
from xinyong.api.app import create_app
from xinyong.bootstrap import Platform, bootstrap
from xinyong.clock import FixedClock
from xinyong.domain.accounts import Actor, Role, system_actor
from xinyong.domain.names import name_grams
from xinyong.services import accounts
from xinyong.services.setup import initialise
from xinyong.settings import Settings

POSTGRES_URL = os.environ.get("XINYONG_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL or os.environ.get("XINYONG_TEST_REQUIRE_POSTGRES") else [])]
NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 in Beijing on a Monday


@dataclass
class Template:
    url: str
    admins: dict[str, str]


def _settings(data_dir: Path, url: str | None) -> Settings:
    # Cheap argon2 parameters keep the suite fast; production defaults are tested in unit tests.
    return Settings(data_dir=data_dir, database_url=url, argon2_time_cost=1, argon2_memory_kib=8192,
                    secret_key="t" * 40)


def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


def _postgres_command(url: str, sql: str) -> None:
    engine = create_engine(_admin_url(url).replace("postgresql://", "postgresql+psycopg://", 1),
                           isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(sql))
    engine.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Template]:
    found: dict[str, Template] = {}
    directory = tmp_path_factory.mktemp("template")
    sqlite_url = f"sqlite:///{directory / 'template.db'}"
    found["sqlite"] = _initialise_template(directory, sqlite_url)
    if "postgresql" in BACKENDS:
        if not POSTGRES_URL:
            pytest.fail("XINYONG_TEST_REQUIRE_POSTGRES is set but XINYONG_TEST_POSTGRES_URL is not")
        name = f"xinyong_tpl_{uuid.uuid4().hex[:8]}"
        _postgres_command(POSTGRES_URL, f'CREATE DATABASE "{name}"')
        url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        found["postgresql"] = _initialise_template(directory, url)
    yield found  # type: ignore[misc]
    if "postgresql" in found and POSTGRES_URL:
        _postgres_command(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{make_url(found["postgresql"].url).database}"')


def _initialise_template(directory: Path, url: str) -> Template:
    platform = bootstrap(_settings(directory, url), clock=FixedClock(NOW))
    admins = {c.username: c.password for c in initialise(platform)}
    platform.engine.dispose()
    return Template(url, admins)


@pytest.fixture(params=BACKENDS)
def platform(request: pytest.FixtureRequest, templates: dict[str, Template], tmp_path: Path) -> Iterator[Platform]:
    template = templates[request.param]
    if request.param == "sqlite":
        source = Path(make_url(template.url).database or "")
        shutil.copyfile(source, tmp_path / "xinyong.db")
        url = f"sqlite:///{tmp_path / 'xinyong.db'}"
    else:
        name = f"xinyong_t_{uuid.uuid4().hex[:12]}"
        _postgres_command(template.url, f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template.url).database}"')
        url = make_url(template.url).set(database=name).render_as_string(hide_password=False)
    built = bootstrap(_settings(tmp_path, url), clock=FixedClock(NOW))
    built.test_admins = template.admins  # type: ignore[attr-defined]
    yield built
    built.engine.dispose()
    if request.param == "postgresql":
        _postgres_command(template.url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def admins(platform: Platform) -> dict[str, str]:
    """Passwords of ``sysadmin``, ``secadmin`` and ``auditor``."""
    return platform.test_admins  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    with TestClient(create_app(platform)) as test_client:
        yield test_client


def actor_of(platform: Platform, username: str) -> Actor:
    with platform.uow(system_actor("test")) as uow:
        return accounts.actor_for_user(accounts.get_user(uow, username), "test")


def make_user(platform: Platform, username: str, roles: set[Role], department_uscc: str | None = None) -> str:
    """A user with ``roles``; returns the password."""
    password = f"{username}-Passw0rd!"
    with platform.uow(system_actor("test")) as uow:
        accounts.add_user(uow, platform.passwords, username, username, password, department_uscc)
        accounts.set_roles(uow, username, roles)
    return password


def make_department(platform: Platform, uscc: str, name: str) -> int:
    with platform.uow(system_actor("test")) as uow:
        return accounts.add_department(uow, uscc, name).id


def token_for(platform: Platform, username: str, scopes: list[str]) -> dict[str, str]:
    """Authorization headers carrying a fresh token of ``username`` with ``scopes``."""
    with platform.uow(system_actor("test")) as uow:
        secret, _ = accounts.issue_token(uow, username, "test", scopes, 30)
    return {"Authorization": f"Bearer {secret}"}


def login(client: TestClient, username: str, password: str) -> None:
    """Log in through the console's form (with its CSRF token)."""
    page = client.get("/admin/login")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post("/admin/login", data={"username": username, "password": password, "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text


def name_index_problems(platform: Platform) -> list[int]:
    """Subjects whose rows in the name index are not the grams of their current name (a person's: none)."""
    with platform.engine.connect() as connection:
        subjects = connection.execute(select(subject.c.id, subject.c.name, subject.c.subject_type)).all()
        held: dict[int, set[str]] = {}
        for subject_id, gram in connection.execute(select(subject_gram.c.subject_id, subject_gram.c.gram)):
            held.setdefault(subject_id, set()).add(gram)
    wrong = [r.id for r in subjects
             if held.pop(r.id, set()) != (set() if r.subject_type == "person" else set(name_grams(r.name)))]
    return wrong + sorted(held)  # and grams of subjects that do not exist
