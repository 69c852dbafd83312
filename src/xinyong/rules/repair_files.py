"""The subjects' rights rules' file format (``rules/repair.yaml``) and its strict loader."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xinyong.domain.publication import Severity
from xinyong.domain.repair import Material, ObjectionSteps, Procedure, RepairSteps, RightsPolicy
from xinyong.rules.yaml_source import load_model

WorkingDays = Field(ge=0, le=60)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RepairFile(_Strict):
    accept_working_days: int = WorkingDays
    verify_working_days: int = WorkingDays
    decide_working_days: int = WorkingDays
    execute_working_days: int = WorkingDays
    total_working_days: int = Field(ge=1, le=120)
    list_min_months: int = Field(ge=0, le=120)
    materials: dict[Severity, list[Material]]

    @model_validator(mode="after")
    def _consistent(self) -> RepairFile:
        if Severity.GENERAL not in self.materials:
            raise ValueError("materials need an entry for general penalties")
        if any(Material.COMMITMENT not in m for m in self.materials.values()):
            raise ValueError("a public repair commitment is required for every severity")
        steps = self.accept_working_days + self.verify_working_days + self.decide_working_days
        if steps > self.total_working_days:
            raise ValueError("accept + verify + decide exceed total_working_days")
        return self


class ObjectionFile(_Strict):
    accept_working_days: int = WorkingDays
    verify_working_days: int = WorkingDays


class ProcedureFile(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    source: str
    effective_from: date
    repair: RepairFile
    objection: ObjectionFile
    remind_before_working_days: int = Field(default=1, ge=0, le=10)

    def to_domain(self) -> Procedure:
        r = self.repair
        return Procedure(
            code=self.code, name=self.name, source=self.source, effective_from=self.effective_from,
            repair=RepairSteps(r.accept_working_days, r.verify_working_days, r.decide_working_days,
                               r.execute_working_days, r.total_working_days, r.list_min_months,
                               {s: tuple(m) for s, m in r.materials.items()}),
            objection=ObjectionSteps(self.objection.accept_working_days, self.objection.verify_working_days),
            remind_before_working_days=self.remind_before_working_days,
        )


class CommitmentsFile(_Strict):
    breach_publication_months: int = Field(default=12, ge=1, le=120)


class RightsFile(_Strict):
    procedures: list[ProcedureFile] = Field(min_length=1)
    commitments: CommitmentsFile = CommitmentsFile()

    def to_domain(self) -> RightsPolicy:
        return RightsPolicy(tuple(p.to_domain() for p in self.procedures),
                            self.commitments.breach_publication_months)


def load_rights(path: Path) -> RightsPolicy:
    return load_model(path, RightsFile).to_domain()


@cache
def default_rights() -> RightsPolicy:
    return load_rights(Path(str(resources.files("xinyong.rules") / "repair.yaml")))
