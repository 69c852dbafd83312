"""Subjects' rights from the console: reminders and overdue escalation, and the list of overdue cases.

``xinyong rights remind`` is safe to run from a scheduler as often as wanted: deadlines are computed from
the dates, each case is reminded at most once a day and escalated once per step.
"""

from __future__ import annotations

import click

from xinyong.adapters.notifier import notifier_of
from xinyong.cli.common import console_actor, print_json, reports_errors
from xinyong.cli.common import platform as get_platform
from xinyong.services import commitments, repairs


@click.group(help="Credit repair, objections and commitments (信用修复、异议处理、信用承诺).")
def rights() -> None:
    pass


@rights.command("remind")
@reports_errors
def remind() -> None:
    """Remind steps due soon and escalate overdue cases to the credit office (notices go to the log)."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        run = repairs.remind(uow, repairs.rules_of(platform, uow), notifier_of(platform))
    click.echo(f"已提醒 {len(run.reminded)} 件，督办逾期 {len(run.escalated)} 件 "
               f"(reminded {len(run.reminded)}, escalated {len(run.escalated)})")
    for case in run.escalated:
        click.echo(f"  逾期 {case.case_no} {case.status.label} 期限 {case.due_on}")


@rights.command("overdue")
@reports_errors
def overdue() -> None:
    """Open cases past the deadline of their current step, as JSON."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        found = repairs.cases(uow, overdue=True, limit=500)
    print_json([{"case_no": c.case_no, "kind": c.kind.value, "status": c.status.value, "due_on": c.due_on,
                 "department_id": c.department_id, "escalated_on": c.escalated_on} for c in found])


@rights.command("sync-commitments")
@reports_errors
def sync_commitments() -> None:
    """After file/API imports: apply each commitment's 公开类型 and file breaches of broken ones (idempotent)."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        done = commitments.sync_imported(uow, repairs.rules_of(platform, uow))
    click.echo(f"检查 {done.checked} 条承诺，调整公开类型 {done.openness_set} 条，"
               f"记入违诺失信信息 {done.breaches_filed} 条，信息不全未能记入 {len(done.incomplete)} 条")
