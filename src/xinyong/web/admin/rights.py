"""Console pages of subjects' rights: the case list (with overdue cases first), one case with the step its
user may take, reminders, statistics, and commitments' fulfilment for the accepting unit.

The credit office (``rights:handle``) accepts, decides and executes; a source department
(``rights:verify``) verifies and resolves its own records' cases and records its commitments' fulfilment.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from xinyong.adapters.notifier import notifier_of
from xinyong.api.deps import PlatformDep, UowDep
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Actor, Permission
from xinyong.domain.commitments import Fulfilment
from xinyong.domain.objections import ObjectionOutcome, ObjectionReason
from xinyong.domain.repair import STEP_LABELS, CaseKind, CaseStatus, Material
from xinyong.errors import InvalidInput, XinyongError
from xinyong.services import commitments, objections, records, repairs, rights_stats
from xinyong.services.bulletins import add_months, month_period
from xinyong.services.repairs import rules_of
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web.admin.common import ConsoleActor, console_router, done, page
from xinyong.web.forms import optional_date
from xinyong.web.templating import check_csrf

router = console_router()

Text = Annotated[str, Form()]
LABELS = {"kinds": {k.value: k.label for k in CaseKind}, "reasons": {r.value: r.label for r in ObjectionReason},
          "materials": {m.value: m.label for m in Material}, "steps": STEP_LABELS}


def _require_rights(actor: Actor) -> None:
    if not actor.can(Permission.RIGHTS_HANDLE):
        actor.require(Permission.RIGHTS_VERIFY)


@router.get("/rights", response_class=HTMLResponse)
def case_list(request: Request, actor: ConsoleActor, uow: UowDep, kind: str = "", status: str = "",
              overdue: str = "") -> HTMLResponse:
    _require_rights(actor)
    try:
        wanted_kind = CaseKind(kind) if kind else None
        wanted_status = CaseStatus(status) if status else None
    except ValueError:
        raise InvalidInput("筛选条件无效", "unknown filter value", code="request.filter") from None
    found = repairs.cases(uow, kind=wanted_kind, status=wanted_status, overdue=overdue == "1")
    today = uow.clock.today()
    names = {d.id: d.name for d in uow.accounts.departments()}
    return page(request, "admin/rights.html", {
        "cases": [{"case": c, "overdue": c.overdue(today), "department": names.get(c.department_id, "")}
                  for c in found],
        "filters": {"kind": kind, "status": status, "overdue": overdue}, "statuses": list(CaseStatus),
        "today": today, **LABELS,
    })


def _case_page(request: Request, uow: UnitOfWork, platform: Platform, case_no: str,
               error: XinyongError | None = None) -> HTMLResponse:
    view = repairs.case_detail(uow, case_no)
    record = uow.records.get(view.case.record_id)
    values = objections.record_values(platform.catalogue(uow), record) if record else {}
    info = platform.catalogue(uow).info_class(record.info_class) if record else None
    labels = {i.code: i.label for i in info.items} if info else {}
    actor = uow.actor
    return page(request, "admin/rights_case.html", {
        "view": view, "record": record, "values": values, "labels": labels, "class_name": info.name if info else "",
        "error": error, "outcomes": list(ObjectionOutcome),
        "can_handle": actor.can(Permission.RIGHTS_HANDLE),
        "can_verify": actor.can(Permission.RIGHTS_VERIFY) and (
            actor.via == "cli" or actor.department_id == view.case.department_id),
        **LABELS,
    }, status_code=error.status if error else 200)


@router.get("/rights/cases/{case_no}", response_class=HTMLResponse)
def case_page(request: Request, case_no: str, actor: ConsoleActor, uow: UowDep,
              platform: PlatformDep) -> HTMLResponse:
    _require_rights(actor)
    return _case_page(request, uow, platform, case_no)


@router.post("/rights/cases/{case_no}", response_class=HTMLResponse)
async def case_step(request: Request, case_no: str, actor: ConsoleActor, platform: PlatformDep) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    check_csrf(request, form.get("csrf_token"))
    _require_rights(actor)
    return await run_in_threadpool(_take_step, request, platform, actor, case_no, form)


def _take_step(request: Request, platform: Platform, actor: Actor, case_no: str, form: dict[str, str]) -> Response:
    action, note = form.get("action", ""), form.get("note", "")
    with platform.uow(actor) as uow:
        rules = rules_of(platform, uow)
        case = repairs.case_detail(uow, case_no).case
        try:
            if case.kind is CaseKind.REPAIR:
                steps = {
                    "accept": lambda: repairs.accept(uow, rules, case_no, True, note),
                    "refuse": lambda: repairs.accept(uow, rules, case_no, False, note),
                    "confirm": lambda: repairs.verify(uow, rules, case_no, True, note),
                    "deny": lambda: repairs.verify(uow, rules, case_no, False, note),
                    "approve": lambda: repairs.decide(uow, rules, case_no, True, note),
                    "reject": lambda: repairs.decide(uow, rules, case_no, False, note),
                    "execute": lambda: repairs.execute(uow, rules, case_no, notifier_of(platform)),
                }
            else:
                values = {k[2:]: v.strip() for k, v in form.items() if k.startswith("v_") and v.strip()}
                steps = {
                    "accept": lambda: objections.accept(uow, rules, case_no, True, note),
                    "refuse": lambda: objections.accept(uow, rules, case_no, False, note),
                    **{f"resolve_{o.value}": (lambda o=o: objections.resolve(
                        uow, rules, case_no, o, note, values if o is ObjectionOutcome.CORRECTED else None))
                       for o in ObjectionOutcome},
                }
            if action not in steps:
                raise InvalidInput("未知的办理操作", f"unknown action: {action}", code="case.action")
            updated = steps[action]()
        except XinyongError as exc:
            return _case_page(request, uow, platform, case_no, exc)
    return done(request, f"案件 {case_no}：{updated.status.label}", f"/admin/rights/cases/{case_no}")


@router.post("/rights/remind", response_class=HTMLResponse)
def remind(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
           csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    run = repairs.remind(uow, rules_of(platform, uow), notifier_of(platform))
    return done(request, f"已提醒 {len(run.reminded)} 件即将到期的案件，督办 {len(run.escalated)} 件逾期案件",
                "/admin/rights")


@router.get("/rights/statistics", response_class=HTMLResponse)
def statistics(request: Request, actor: ConsoleActor, uow: UowDep, month: str = "") -> HTMLResponse:
    _require_rights(actor)
    today = uow.clock.today()
    start, end = month_period(month.strip() or today.strftime("%Y-%m"))
    report = rights_stats.report(uow, start, end)
    return page(request, "admin/rights_stats.html", {
        "report": report, "month": start.strftime("%Y-%m"), "previous": add_months(start, -1).strftime("%Y-%m"),
        "next": add_months(start, 1).strftime("%Y-%m"), "has_next": add_months(start, 1) <= today,
    })


# -- commitments: fulfilment by the accepting unit -----------------------------------------------------

@router.get("/rights/commitments", response_class=HTMLResponse)
def commitment_list(request: Request, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    _require_rights(actor)
    found = records.browse(uow, info_class=commitments.COMMITMENT, limit=200) if (
        actor.can(Permission.RECORDS_READ_ALL) or actor.can(Permission.RECORDS_READ_OWN)) else []
    return page(request, "admin/rights_commitments.html", {
        "rows": [r for r in found if r.status.value == "active"],
        "fulfilment": {f.value: f.label for f in Fulfilment}, "can_record": actor.can(Permission.RIGHTS_VERIFY),
    })


@router.post("/rights/commitments/sync", response_class=HTMLResponse)
def sync_commitments(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
                     csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    result = commitments.sync_imported(uow, rules_of(platform, uow))
    return done(request, f"检查 {result.checked} 条承诺：调整公开类型 {result.openness_set} 条，记入违诺失信信息 "
                f"{result.breaches_filed} 条，信息不全 {len(result.incomplete)} 条", "/admin/rights/commitments")


def _commitment_page(request: Request, uow: UnitOfWork, platform: Platform, record_id: int,
                     form: dict[str, str] | None = None, error: XinyongError | None = None,
                     outcome: commitments.FulfilmentOutcome | None = None) -> HTMLResponse:
    record = records.get_record(uow, record_id).record
    if record.info_class != commitments.COMMITMENT:
        raise InvalidInput("该记录不是信用承诺", "not a commitment", code="commitment.class")
    return page(request, "admin/rights_commitment.html", {
        "record": record, "values": objections.record_values(platform.catalogue(uow), record),
        "options": list(Fulfilment), "form": form or {}, "error": error, "outcome": outcome,
    }, status_code=error.status if error else 200)


@router.get("/rights/commitments/{record_id}", response_class=HTMLResponse)
def commitment_page(request: Request, record_id: int, actor: ConsoleActor, uow: UowDep,
                    platform: PlatformDep) -> HTMLResponse:
    _require_rights(actor)
    return _commitment_page(request, uow, platform, record_id)


@router.post("/rights/commitments/{record_id}", response_class=HTMLResponse)
def record_fulfilment(request: Request, record_id: int, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
                      fulfilment: Text = "", unfulfilled: Text = "", liability: Text = "", determined_on: Text = "",
                      public_until: Text = "", csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    form = {"fulfilment": fulfilment, "unfulfilled": unfulfilled, "liability": liability,
            "determined_on": determined_on, "public_until": public_until}
    try:
        try:
            status = Fulfilment(fulfilment)
        except ValueError:
            raise InvalidInput("请选择履行状态", "choose a fulfilment status", code="commitment.fulfilment",
                               field="fulfilment") from None
        outcome = commitments.record_fulfilment(
            uow, rules_of(platform, uow), record_id, status, unfulfilled=unfulfilled, liability=liability,
            determined_on=optional_date(determined_on, "determined_on", "认定日期"),
            public_until=optional_date(public_until, "public_until", "公示截止日期"))
    except XinyongError as exc:
        return _commitment_page(request, uow, platform, record_id, form, exc)
    message = f"已记录履约情况（第 {outcome.commitment.version} 版）"
    if outcome.breach is not None:
        message += f"；已记入失信信息：记录 {outcome.breach.id}"
    return done(request, message, f"/admin/rights/commitments/{outcome.commitment.id}")
