"""What the audit log says happened: built by services, written when the unit of work commits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AuditEvent:
    action: str
    object_type: str | None = None
    object_id: str | int | None = None
    personal: bool = False
    detail: dict[str, Any] = field(default_factory=dict)
