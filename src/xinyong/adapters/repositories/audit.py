from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from xinyong.adapters.tables import audit_log
from xinyong.domain.accounts import Actor
from xinyong.domain.audit import AuditEvent


def audit_rows(actor: Actor, events: list[AuditEvent], at: datetime) -> list[dict[str, Any]]:
    """The audit log's rows for what ``actor`` did at ``at``."""
    return [{"at": at, "actor_id": actor.user_id, "actor_name": actor.name, "via": actor.via,
             "token_id": actor.token_id, "ip": actor.ip, "request_id": actor.request_id, "action": e.action,
             "object_type": e.object_type, "object_id": None if e.object_id is None else str(e.object_id),
             "personal": e.personal, "detail": e.detail or None} for e in events]


class AuditRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def append(self, actor: Actor, events: list[AuditEvent], at: datetime) -> None:
        if not events:
            return
        self.connection.execute(insert(audit_log), audit_rows(actor, events, at))

    def entries(self, *, action: str | None = None, actor_name: str | None = None, personal: bool | None = None,
                limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        query = select(audit_log)
        if action:
            query = query.where(audit_log.c.action == action)
        if actor_name:
            query = query.where(audit_log.c.actor_name == actor_name)
        if personal is not None:
            query = query.where(audit_log.c.personal == personal)
        total = self.connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = self.connection.execute(query.order_by(audit_log.c.id.desc()).limit(limit).offset(offset))
        return total, [dict(r._mapping) for r in rows]
