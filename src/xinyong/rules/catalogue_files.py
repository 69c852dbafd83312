"""The catalogue's file format (one YAML file per info class, plus ``code_tables.yaml``).

The default catalogue lives in ``rules/catalogue/``; an administrator exports, edits and imports the
same format (``xinyong catalog export|import``) without code changes.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from xinyong.domain.catalogue import (
    Catalogue,
    CodeTable,
    CodeValue,
    DataItem,
    DateOrder,
    InfoClass,
    ItemRole,
    ItemType,
    UpdateCycle,
)
from xinyong.domain.identifiers import IdType
from xinyong.domain.publication import PublicationKind
from xinyong.domain.records import Classification, Openness, SharingLevel
from xinyong.domain.subjects import SubjectType
from xinyong.errors import ConfigurationError
from xinyong.rules.yaml_source import load_model

CODE_TABLES_FILE = "code_tables.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CodeValueFile(_Strict):
    code: str
    label: str
    aliases: list[str] = []


class CodeTableFile(_Strict):
    code: str
    name: str
    values: list[CodeValueFile] = Field(min_length=1)

    @field_validator("values")
    @classmethod
    def _unique(cls, values: list[CodeValueFile]) -> list[CodeValueFile]:
        codes = [v.code for v in values]
        if len(codes) != len(set(codes)):
            raise ValueError("duplicate code in code table")
        return values


class CodeTablesFile(_Strict):
    code_tables: list[CodeTableFile]


class ItemFile(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    type: ItemType = ItemType.STRING
    required: bool = False
    aliases: list[str] = []
    code_table: str | None = None
    id_type: IdType | None = None
    role: ItemRole | None = None
    column: str | None = None
    max_length: int | None = None
    minimum: float | None = None
    not_future: bool = False
    description: str = ""


class DateOrderFile(_Strict):
    earlier: str
    later: str


class InfoClassFile(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_en: str = ""
    classification: Classification
    subject_types: list[SubjectType] = Field(min_length=1)
    update_cycle: UpdateCycle = UpdateCycle.MONTHLY
    deadline_working_days: int | None = None
    default_sharing: SharingLevel = SharingLevel.UNCONDITIONAL
    default_openness: Openness = Openness.PUBLIC
    publication_rule: PublicationKind = PublicationKind.PUBLIC
    source_departments: list[str] = []
    effective_from: date | None = None
    description: str = ""
    date_orders: list[DateOrderFile] = []
    items: list[ItemFile] = Field(min_length=1)

    @field_validator("items")
    @classmethod
    def _unique_items(cls, items: list[ItemFile]) -> list[ItemFile]:
        codes = [i.code for i in items]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"duplicate item codes: {', '.join(duplicates)}")
        return items

    def to_domain(self) -> InfoClass:
        data = self.model_dump(exclude={"items", "date_orders", "subject_types", "source_departments"})
        return InfoClass(
            **data,
            subject_types=tuple(self.subject_types),
            source_departments=tuple(self.source_departments),
            date_orders=tuple(DateOrder(o.earlier, o.later) for o in self.date_orders),
            items=tuple(DataItem(**{**i.model_dump(), "aliases": tuple(i.aliases)}) for i in self.items),
        )


def code_table_to_domain(table: CodeTableFile) -> CodeTable:
    return CodeTable(table.code, table.name, tuple(CodeValue(v.code, v.label, tuple(v.aliases)) for v in table.values))


def default_catalogue_dir() -> Path:
    return Path(str(resources.files("xinyong.rules") / "catalogue"))


def load_catalogue_dir(directory: Path) -> Catalogue:
    """Every ``*.yaml`` in ``directory``; refuses duplicate class codes and dangling references."""
    catalogue = Catalogue()
    tables_path = directory / CODE_TABLES_FILE
    if tables_path.exists():
        for table in load_model(tables_path, CodeTablesFile).code_tables:
            if table.code in catalogue.code_tables:
                raise ConfigurationError(f"代码表重复：{table.code}（{tables_path}）",
                                         f"duplicate code table {table.code} in {tables_path}")
            catalogue.code_tables[table.code] = code_table_to_domain(table)
    for path in sorted(directory.glob("*.yaml")):
        if path.name == CODE_TABLES_FILE:
            continue
        info = load_model(path, InfoClassFile).to_domain()
        if info.code in catalogue.classes:
            raise ConfigurationError(f"信息类编码重复：{info.code}（{path}）",
                                     f"duplicate info class {info.code} in {path}")
        catalogue.classes[info.code] = info
    problems = catalogue.problems()
    if problems:
        raise ConfigurationError(f"目录有误（{directory}）：" + "；".join(problems),
                                 f"catalogue in {directory} is inconsistent: " + "; ".join(problems))
    return catalogue


def load_default_catalogue() -> Catalogue:
    return load_catalogue_dir(default_catalogue_dir())


def info_class_file(info: InfoClass) -> InfoClassFile:
    """The file model of a domain info class (what the database stores and export writes)."""
    return InfoClassFile(
        **{k: v for k, v in info.__dict__.items() if k not in {"items", "date_orders"}},
        date_orders=[DateOrderFile(earlier=o.earlier, later=o.later) for o in info.date_orders],
        items=[ItemFile(**i.__dict__) for i in info.items],
    )


def dump_info_class(info: InfoClass) -> str:
    """The YAML text of one info class, in the format ``load_catalogue_dir`` reads."""
    data = info_class_file(info).model_dump(mode="json", exclude_defaults=True)
    data["classification"] = info.classification.value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def dump_code_tables(tables: list[CodeTable]) -> str:
    data = {"code_tables": [{"code": t.code, "name": t.name,
                             "values": [_code_value(v) for v in t.values]} for t in tables]}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _code_value(value: CodeValue) -> dict[str, object]:
    data: dict[str, object] = {"code": value.code, "label": value.label}
    if value.aliases:
        data["aliases"] = list(value.aliases)
    return data
