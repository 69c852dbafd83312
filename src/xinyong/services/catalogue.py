"""The catalogue: reading it, and an administrator importing or exporting its files."""

from __future__ import annotations

from pathlib import Path

from xinyong.domain.accounts import Permission
from xinyong.domain.audit import AuditEvent
from xinyong.domain.catalogue import Catalogue, InfoClass
from xinyong.errors import ConfigurationError, NotFound
from xinyong.rules.catalogue_files import (
    CODE_TABLES_FILE,
    dump_code_tables,
    dump_info_class,
    info_class_file,
    load_catalogue_dir,
)
from xinyong.services.unit_of_work import UnitOfWork


def import_catalogue(uow: UnitOfWork, directory: Path) -> dict[str, int]:
    """Load a catalogue directory (validated as a whole first) and save every class; returns revisions."""
    uow.actor.require(Permission.CATALOG_MANAGE)
    catalogue = load_catalogue_dir(directory)
    existing = uow.catalogue.load()
    tables = {**existing.code_tables, **catalogue.code_tables}
    merged = Catalogue(classes={**existing.classes, **catalogue.classes}, code_tables=tables)
    problems = merged.problems()
    if problems:
        raise ConfigurationError(
            "目录有误：" + "；".join(problems), "catalogue is inconsistent: " + "; ".join(problems)
        )
    uow.catalogue.save_code_tables(list(catalogue.code_tables.values()))
    now = uow.clock.now()
    revisions: dict[str, int] = {}
    for info in catalogue.classes.values():
        revisions[info.code] = uow.catalogue.save_class(info_class_file(info), uow.actor.name, now)
    uow.audit(AuditEvent("catalog.import", "catalogue", None, detail={"revisions": revisions}))
    uow.commit()
    return revisions


def export_catalogue(uow: UnitOfWork, catalogue: Catalogue, directory: Path) -> list[Path]:
    """Write the catalogue as files an administrator can edit and import again."""
    uow.actor.require(Permission.CATALOG_READ)
    directory.mkdir(parents=True, exist_ok=True)
    written = [directory / CODE_TABLES_FILE]
    written[0].write_text(dump_code_tables(list(catalogue.code_tables.values())), encoding="utf-8")
    for info in catalogue.classes.values():
        path = directory / f"{info.code}.yaml"
        path.write_text(dump_info_class(info), encoding="utf-8")
        written.append(path)
    return written


def get_class(catalogue: Catalogue, code: str) -> InfoClass:
    info = catalogue.info_class(code)
    if info is None:
        raise NotFound("信息类", "info class", code)
    return info
