from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.api.schemas import ERRORS
from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.errors import ConfigurationError, InvalidInput, NotFound
from xinyong.rules.catalogue_files import InfoClassFile, info_class_file
from xinyong.services.catalogue import get_class

router = APIRouter(prefix="/catalog", tags=["catalogue"], responses=ERRORS)


@router.get("/classes")
def list_classes(uow: UowDep, platform: PlatformDep) -> list[dict[str, Any]]:
    """The catalogue's info classes (the catalogue itself is public)."""
    catalogue = platform.catalogue(uow)
    revisions = uow.catalogue.revisions()
    return [
        {"code": c.code, "name": c.name, "classification": c.classification.value, "items": len(c.items),
         "update_cycle": c.update_cycle.value, "revision": revisions.get(c.code)}
        for c in catalogue.classes.values()
    ]


@router.get("/classes/{code}")
def show_class(code: str, uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    return info_class_file(get_class(platform.catalogue(uow), code)).model_dump(mode="json")


@router.put("/classes/{code}")
def save_class(code: str, definition: InfoClassFile, uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    """Create or replace an info class (system administrator); checked against the whole catalogue."""
    uow.actor.require(Permission.CATALOG_MANAGE)
    if definition.code != code:
        raise InvalidInput("路径中的编码与定义中的编码不一致", "code in path and body differ", code="catalog.code")
    catalogue = platform.catalogue(uow)
    catalogue = type(catalogue)(classes={**catalogue.classes, code: definition.to_domain()},
                                code_tables=catalogue.code_tables)
    problems = catalogue.problems()
    if problems:
        raise ConfigurationError("目录有误：" + "；".join(problems), "; ".join(problems))
    revision = uow.catalogue.save_class(definition, uow.actor.name, uow.clock.now())
    uow.audit(AuditEvent("catalog.save", "info_class", code, detail={"revision": revision}))
    uow.commit()
    return {"code": code, "revision": revision}


@router.get("/code-tables/{code}")
def code_table(code: str, uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    table = platform.catalogue(uow).code_tables.get(code)
    if table is None:
        raise NotFound("代码表", "code table", code)
    return {"code": table.code, "name": table.name, "values": [v.__dict__ for v in table.values]}
