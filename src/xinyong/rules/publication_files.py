"""The publication rules' file format (``rules/publication.yaml``) and its loader."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.domain.publication import FieldRule, PublicationPolicy, RuleSet, Severity, Window
from xinyong.errors import ConfigurationError
from xinyong.rules.yaml_source import load_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WindowFile(_Strict):
    min_months: int = Field(ge=0)
    max_months: int = Field(ge=0)
    repairable: bool = True
    published: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> WindowFile:
        if self.max_months < self.min_months:
            raise ValueError("max_months is shorter than min_months")
        return self


class SpecificSeriousFile(_Strict):
    categories: list[str] = []
    fields: list[str] = []
    conduct: list[str] = []


class RuleSetFile(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    source: str
    effective_from: date
    windows: dict[Severity, WindowFile]
    default_severity: Severity = Severity.GENERAL
    category_severity: dict[str, Severity] = {}
    specific_serious: SpecificSeriousFile = SpecificSeriousFile()
    min_months_by_field: dict[str, int] = {}

    @model_validator(mode="after")
    def _general_window(self) -> RuleSetFile:
        if Severity.GENERAL not in self.windows:
            raise ValueError("a rule set needs a window for general penalties")
        return self

    def to_domain(self) -> RuleSet:
        return RuleSet(
            code=self.code, name=self.name, source=self.source, effective_from=self.effective_from,
            windows={s: Window(**w.model_dump()) for s, w in self.windows.items()},
            category_severity=dict(self.category_severity), default_severity=self.default_severity,
            specific_serious_categories=frozenset(self.specific_serious.categories),
            specific_serious_fields=frozenset(self.specific_serious.fields),
            specific_serious_conduct=tuple(self.specific_serious.conduct),
            min_months_by_field=dict(self.min_months_by_field),
        )


class FieldFile(_Strict):
    code: str
    label: str
    authority_words: list[str] = []
    content_words: list[str] = []


class PublicationFile(_Strict):
    fields: list[FieldFile] = []
    rule_sets: list[RuleSetFile] = Field(min_length=1)

    def to_domain(self) -> PublicationPolicy:
        known = {f.code for f in self.fields}
        for rule in self.rule_sets:
            unknown = (set(rule.specific_serious.fields) | set(rule.min_months_by_field)) - known
            if unknown:
                raise ConfigurationError(f"公示规则 {rule.code} 引用了未定义的领域：{'、'.join(sorted(unknown))}",
                                         f"rule set {rule.code} names undefined fields: {', '.join(sorted(unknown))}")
        return PublicationPolicy(
            tuple(r.to_domain() for r in self.rule_sets),
            tuple(FieldRule(f.code, f.label, tuple(f.authority_words), tuple(f.content_words)) for f in self.fields),
        )


def load_policy(path: Path) -> PublicationPolicy:
    return load_model(path, PublicationFile).to_domain()


@cache
def default_policy() -> PublicationPolicy:
    return load_policy(Path(str(resources.files("xinyong.rules") / "publication.yaml")))
