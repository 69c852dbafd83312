"""The unit of work: one transaction, its repositories, and the audit events it will write.

It rolls back unless ``commit()`` is called. Audit events are written in the same transaction as the
change they describe, so there is never a change without its audit entry, nor an entry for a change
that did not happen.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine

from xinyong.adapters.repositories.accounts import AccountRepository
from xinyong.adapters.repositories.audit import AuditRepository
from xinyong.adapters.repositories.batches import BatchRepository
from xinyong.adapters.repositories.catalogue import CatalogueRepository
from xinyong.adapters.repositories.records import RecordRepository
from xinyong.adapters.repositories.subjects import SubjectRepository
from xinyong.clock import Clock
from xinyong.domain.accounts import Actor
from xinyong.domain.audit import AuditEvent
from xinyong.domain.publication import PublicationPolicy
from xinyong.services.page_cache import PageCache


class UnitOfWork:
    connection: Connection
    accounts: AccountRepository
    audit_log: AuditRepository
    batches: BatchRepository
    catalogue: CatalogueRepository
    records: RecordRepository
    subjects: SubjectRepository

    def __init__(self, engine: Engine, actor: Actor, clock: Clock,
                 publication: PublicationPolicy | None = None, pages: PageCache | None = None) -> None:
        self.engine = engine
        self.actor = actor
        self.clock = clock
        self.publication = publication  # the rules in force, for services that store their answers
        self.pages = pages  # this process's cached public pages, dropped when a change is committed
        self._events: list[AuditEvent] = []

    def __enter__(self) -> UnitOfWork:
        self.connection = self.engine.connect()
        self._transaction = self.connection.begin()
        self.accounts = AccountRepository(self.connection)
        self.audit_log = AuditRepository(self.connection)
        self.batches = BatchRepository(self.connection)
        self.catalogue = CatalogueRepository(self.connection)
        self.records = RecordRepository(self.connection)
        self.subjects = SubjectRepository(self.connection)
        return self

    def audit(self, event: AuditEvent) -> None:
        self._events.append(event)

    def commit(self) -> None:
        self.audit_log.append(self.actor, self._events, self.clock.now())
        changed, self._events = bool(self._events), []
        self._transaction.commit()
        if changed and self.pages is not None:
            # Every change worth an audit entry may change what a public page shows: this process serves
            # it fresh at once (other processes within ``public_cache_seconds``).
            self.pages.clear()
        self._transaction = self.connection.begin()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self.connection.close()
