"""Statistics of repair and objection cases (信用修复、异议处理情况统计): applications, outcomes, repair
rate, average handling time in Chinese working days, overdue cases, per source department.

Computed from the cases submitted in a period (one indexed range query, then Python): a month of a city
is thousands of cases, not millions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from xinyong.domain.accounts import Permission
from xinyong.domain.calendar import working_days_between
from xinyong.domain.repair import Case, CaseKind, CaseStatus
from xinyong.services.repairs import repository
from xinyong.services.unit_of_work import UnitOfWork

REPAIRED = CaseStatus.EXECUTED
NOT_REPAIRED = frozenset({CaseStatus.REFUSED, CaseStatus.REJECTED})


@dataclass
class Row:
    name: str
    repair_applications: int = 0
    repaired: int = 0
    not_repaired: int = 0
    objections: int = 0
    objections_upheld: int = 0  # corrected or removed
    objections_rejected: int = 0
    open: int = 0
    overdue: int = 0
    handling_days: list[int] = field(default_factory=list)
    by_status: Counter[str] = field(default_factory=Counter)

    @property
    def repair_rate(self) -> float | None:
        """Repaired among repair applications decided (executed, refused or rejected), in percent."""
        decided = self.repaired + self.not_repaired
        return round(100 * self.repaired / decided, 1) if decided else None

    @property
    def average_handling_days(self) -> float | None:
        return round(sum(self.handling_days) / len(self.handling_days), 1) if self.handling_days else None

    def add(self, case: Case, today: date) -> None:
        self.by_status[case.status.value] += 1
        if case.kind is CaseKind.REPAIR:
            self.repair_applications += 1
            self.repaired += case.status is REPAIRED
            self.not_repaired += case.status in NOT_REPAIRED
        else:
            self.objections += 1
            self.objections_upheld += case.status in (CaseStatus.CORRECTED, CaseStatus.REMOVED)
            self.objections_rejected += case.status in (CaseStatus.REFUSED, CaseStatus.REJECTED)
        if case.status.is_open:
            self.open += 1
            self.overdue += case.overdue(today)
        elif case.closed_on is not None:
            self.handling_days.append(working_days_between(case.submitted_on, case.closed_on))


@dataclass
class RightsReport:
    start: date
    end: date
    as_of: date
    total: Row
    departments: list[Row]
    city_wide: bool


def report(uow: UnitOfWork, start: date, end: date) -> RightsReport:
    """The period's figures: the credit office sees every department, a department only its own."""
    department_id = None
    if not uow.actor.can(Permission.RIGHTS_HANDLE):
        uow.actor.require(Permission.RIGHTS_VERIFY)
        department_id = uow.actor.department_id
    today = uow.clock.today()
    names = {d.id: d.name for d in uow.accounts.departments()}
    total = Row("合计")
    rows: dict[int, Row] = {}
    for case in repository(uow).in_period(start, end, department_id):
        total.add(case, today)
        rows.setdefault(case.department_id, Row(names.get(case.department_id, str(case.department_id)))).add(
            case, today)
    ordered = sorted(rows.values(), key=lambda r: (-(r.repair_applications + r.objections), r.name))
    return RightsReport(start, end, today, total, ordered, department_id is None)
