"""The reports and reviews rule file (``rules/review_matters.yaml``) and its strict loader."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.domain.review import Matter, ReportRules, ReviewRules
from xinyong.rules.yaml_source import load_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportFile(_Strict):
    issuer: str = Field(min_length=2)
    validity_days: int = Field(ge=1, le=366)
    verify_base_url: str = Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    auto_approve_verified: bool = False


class MatterFile(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    lookback_months: int = Field(ge=1, le=120)
    description: str = ""
    penalty_classes: list[str] = []
    list_classes: list[str] = []
    other_classes: list[str] = []


class ReviewFile(_Strict):
    report: ReportFile
    list_classes: list[str]
    matters: list[MatterFile] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ReviewFile:
        codes = [m.code for m in self.matters]
        if len(set(codes)) != len(codes):
            raise ValueError("two matters have the same code")
        return self

    def to_domain(self) -> ReviewRules:
        return ReviewRules(
            report=ReportRules(self.report.issuer, self.report.validity_days,
                               self.report.verify_base_url.rstrip("/"), self.report.auto_approve_verified),
            list_classes=tuple(self.list_classes),
            matters={m.code: Matter(m.code, m.name, m.lookback_months, m.description, tuple(m.penalty_classes),
                                    tuple(m.list_classes), tuple(m.other_classes)) for m in self.matters},
        )


def load_review_rules(path: Path) -> ReviewRules:
    return load_model(path, ReviewFile).to_domain()


@cache
def default_review_rules() -> ReviewRules:
    path = Path(str(resources.files("xinyong.rules") / "review_matters.yaml"))
    return load_review_rules(path)
