"""The composition root: the one place where settings choose the database, clock and hasher.

Faces (API, web, CLI) receive a ``Platform`` and open units of work from it; tests build one with
``bootstrap(settings, clock=FixedClock(...))`` on SQLite or PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from xinyong.adapters.db import make_engine
from xinyong.adapters.passwords import Passwords
from xinyong.clock import Clock
from xinyong.domain.accounts import Actor
from xinyong.domain.catalogue import Catalogue
from xinyong.domain.publication import PublicationPolicy
from xinyong.rules.publication_files import default_policy, load_policy
from xinyong.services.page_cache import PageCache
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.settings import Settings, load_settings


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    clock: Clock
    passwords: Passwords
    publication: PublicationPolicy
    pages: PageCache = field(default_factory=lambda: PageCache(0))
    _catalogue: tuple[tuple[int, int], Catalogue] | None = field(default=None, repr=False)

    def uow(self, actor: Actor) -> UnitOfWork:
        return UnitOfWork(self.engine, actor, self.clock, self.publication, self.pages)

    def catalogue(self, uow: UnitOfWork) -> Catalogue:
        """The catalogue as saved, reloaded only when an administrator has changed it."""
        stamp = uow.catalogue.stamp()
        if self._catalogue is None or self._catalogue[0] != stamp:
            self._catalogue = (stamp, uow.catalogue.load())
        return self._catalogue[1]


def bootstrap(settings: Settings | None = None, clock: Clock | None = None) -> Platform:
    settings = settings or load_settings()
    if not settings.database_url:
        settings.ensure_data_dir()
    return Platform(
        settings=settings,
        engine=make_engine(settings.effective_database_url),
        clock=clock or Clock(),
        passwords=Passwords(settings.argon2_time_cost, settings.argon2_memory_kib),
        publication=load_policy(settings.publication_rules) if settings.publication_rules else default_policy(),
        pages=PageCache(settings.public_cache_seconds),
    )
