from __future__ import annotations

from fastapi import APIRouter, Query

from xinyong.api.deps import UowDep
from xinyong.api.schemas import ERRORS, AuditEntry, AuditPage
from xinyong.services import audit

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)


@router.get("")
def audit_log(uow: UowDep, action: str | None = None, actor: str | None = None, personal: bool | None = None,
              limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> AuditPage:
    """The append-only audit log (auditor only)."""
    total, rows = audit.entries(uow, action=action, actor_name=actor, personal=personal, limit=limit, offset=offset)
    return AuditPage(total=total, entries=[AuditEntry(**r) for r in rows])
