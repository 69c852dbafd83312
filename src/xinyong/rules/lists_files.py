"""The file format of lists, matters, memoranda, measures and derivation rules (``rules/lists/*.yaml``).

Strict models: an unknown key, a measure naming a list or matter that does not exist, or a duplicate
code is refused with the file and line, when the platform starts rather than at the first check.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from xinyong.domain.lists import (
    DerivationRule,
    ListDef,
    ListKind,
    Matter,
    Measure,
    MeasureBook,
    Memorandum,
    Mode,
    RecordMapping,
)
from xinyong.errors import ConfigurationError
from xinyong.rules.yaml_source import load_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordMappingFile(_Strict):
    reason: Literal["content", "category"] = "content"
    legal_basis_item: str | None = None
    status_item: str | None = None
    valid_to: Literal["validity", "exit"] = "validity"
    exit_reason_item: str | None = None
    exit_authority_item: str | None = None


class ListFile(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    name: str
    kind: ListKind
    record_class: str | None = None
    from_records: RecordMappingFile | None = None
    validity_days: int | None = Field(default=None, gt=0)
    description: str = ""
    public: bool = False
    effective_from: date


class RuleFile(_Strict):
    code: str
    name: str
    list: str
    info_class: str
    min_records: int = Field(ge=1)
    window_days: int = Field(ge=1)
    effective_from: date
    effective_to: date | None = None


class ListsFile(_Strict):
    lists: list[ListFile] = Field(min_length=1)
    derivation_rules: list[RuleFile] = []


class MatterFile(_Strict):
    code: str
    name: str
    department: str


class MattersFile(_Strict):
    matters: list[MatterFile] = Field(min_length=1)


class MeasureFile(_Strict):
    code: str
    content: str
    department: str
    legal_basis: str
    mode: Mode
    lists: list[str] = Field(min_length=1)
    matters: list[str] = Field(min_length=1)
    effective_from: date | None = None
    effective_to: date | None = None


class MemorandumFile(_Strict):
    code: str
    name: str
    document_number: str
    initiator: str
    signatories: list[str] = []
    kind: ListKind
    effective_from: date
    effective_to: date | None = None
    measures: list[MeasureFile] = Field(min_length=1)


class MeasuresFile(_Strict):
    memoranda: list[MemorandumFile] = Field(min_length=1)


def default_lists_dir() -> Path:
    return Path(str(resources.files("xinyong.rules") / "lists"))


def _unique(kind: str, codes: list[str], path: Path) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ConfigurationError(f"{path}：{kind}代码重复：{code}", f"{path}: duplicate {kind} code {code}")
        seen.add(code)


def load_measure_book(directory: Path) -> MeasureBook:
    """``lists.yaml``, ``matters.yaml`` and ``measures.yaml`` of ``directory`` as one checked book."""
    lists_path, matters_path, measures_path = (directory / n for n in ("lists.yaml", "matters.yaml", "measures.yaml"))
    lists_file = load_model(lists_path, ListsFile)
    matters_file = load_model(matters_path, MattersFile)
    measures_file = load_model(measures_path, MeasuresFile)
    _unique("名单", [x.code for x in lists_file.lists], lists_path)
    _unique("事项", [x.code for x in matters_file.matters], matters_path)
    _unique("措施", [m.code for memo in measures_file.memoranda for m in memo.measures], measures_path)
    lists = {x.code: ListDef(x.code, x.name, x.kind, x.description, x.record_class, x.validity_days, True,
                             x.effective_from,
                             RecordMapping(**x.from_records.model_dump()) if x.from_records else None, x.public)
             for x in lists_file.lists}
    matters = {x.code: Matter(x.code, x.name, x.department) for x in matters_file.matters}
    memoranda: dict[str, Memorandum] = {}
    measures: list[Measure] = []
    for memo in measures_file.memoranda:
        memoranda[memo.code] = Memorandum(memo.code, memo.name, memo.document_number, memo.initiator,
                                          tuple(memo.signatories), memo.kind, memo.effective_from, memo.effective_to)
        for m in memo.measures:
            for name, known, refs in (("名单", lists, m.lists), ("事项", matters, m.matters)):
                missing = [r for r in refs if r not in known]
                if missing:
                    raise ConfigurationError(
                        f"{measures_path}：措施 {m.code} 引用了不存在的{name}：{', '.join(missing)}",
                        f"{measures_path}: measure {m.code} names unknown {missing}")
            kinds = {lists[c].kind for c in m.lists}
            if memo.kind is ListKind.REWARD and kinds != {ListKind.REWARD}:
                raise ConfigurationError(f"{measures_path}：激励措施 {m.code} 只能对应激励类名单",
                                         f"{measures_path}: reward measure {m.code} must name reward lists only")
            measures.append(Measure(m.code, memo.code, m.content, m.department, m.legal_basis, m.mode, memo.kind,
                                    frozenset(m.lists), frozenset(m.matters),
                                    m.effective_from or memo.effective_from, m.effective_to or memo.effective_to))
    rules = []
    for r in lists_file.derivation_rules:
        if r.list not in lists:
            raise ConfigurationError(f"{lists_path}：派生规则 {r.code} 引用了不存在的名单 {r.list}",
                                     f"{lists_path}: rule {r.code} names unknown list {r.list}")
        rules.append(DerivationRule(r.code, r.name, r.list, r.info_class, r.min_records, r.window_days,
                                    r.effective_from, r.effective_to))
    return MeasureBook(lists, matters, memoranda, measures, rules)


@cache
def default_measure_book() -> MeasureBook:
    return load_measure_book(default_lists_dir())
