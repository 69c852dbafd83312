"""Reading the audit log: the auditor's duty alone, and itself audited."""

from __future__ import annotations

from typing import Any

from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.services.unit_of_work import UnitOfWork


def entries(uow: UnitOfWork, *, action: str | None = None, actor_name: str | None = None,
            personal: bool | None = None, limit: int = 100, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    uow.actor.require(Permission.AUDIT_READ)
    total, rows = uow.audit_log.entries(action=action, actor_name=actor_name, personal=personal,
                                        limit=min(max(limit, 1), 1000), offset=max(offset, 0))
    uow.audit(AuditEvent("audit.read", "audit_log", None,
                         detail={"action": action, "actor": actor_name, "offset": offset}))
    uow.commit()
    return total, rows
