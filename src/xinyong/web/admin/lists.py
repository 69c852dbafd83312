"""Lists and the joint rewards-and-punishments loop in the console: lists and their entries, entering,
exiting and revoking, derivation rules and the proposals to confirm, subscriptions and their delivery log,
and the state of the loop (发起-推送-响应-实施-反馈)."""

from __future__ import annotations

import io
from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Actor, Permission
from xinyong.domain.lists import Action, EntryStatus
from xinyong.errors import XinyongError
from xinyong.services import checks, lists, webhooks
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web.admin.common import ConsoleActor, console_router, done, page
from xinyong.web.forms import optional_date, optional_int, optional_text, page_number, required_int
from xinyong.web.templating import check_csrf

router = console_router()

Text = Annotated[str, Form()]
ListCodes = Annotated[list[str] | None, Form(alias="lists")]
PER_PAGE = 50
ACTIONS = {a.value: a.label for a in Action}
STATUSES = {s.value: s.label for s in EntryStatus}


def _lists_page(request: Request, actor: Actor, uow: UnitOfWork, platform: Platform, *,
                error: XinyongError | None = None, form: dict[str, str] | None = None,
                rule_error: XinyongError | None = None, rule_form: dict[str, str] | None = None) -> HTMLResponse:
    actor.require(Permission.LISTS_READ)
    book = lists.book(uow)
    failed = error or rule_error
    return page(request, "admin/lists.html", {
        "lists": book.lists.values(), "counts": lists.counts(uow), "rules": book.rules,
        "list_names": {code: found.name for code, found in book.lists.items()},
        "classes": platform.catalogue(uow).classes, "can_manage": actor.can(Permission.LISTS_MANAGE),
        "error": error, "form": form or {}, "rule_error": rule_error, "rule_form": rule_form or {},
    }, status_code=failed.status if failed else 200)


@router.get("/lists", response_class=HTMLResponse)
def lists_page(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    return _lists_page(request, actor, uow, platform)


@router.post("/lists", response_class=HTMLResponse)
def define_list(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep, code: Text = "",
                name: Text = "", kind: Text = "", description: Text = "", validity_days: Text = "",
                csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.LISTS_MANAGE)
    try:
        found = lists.define_list(uow, code, name, kind, description,
                                  optional_int(validity_days, "validity_days", "有效期天数"))
    except XinyongError as exc:
        return _lists_page(request, actor, uow, platform, error=exc, form={
            "code": code, "name": name, "kind": kind, "description": description, "validity_days": validity_days})
    return done(request, f"已新增名单：{found.name}", "/admin/lists")


@router.post("/lists/rules", response_class=HTMLResponse)
def add_rule(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep, code: Text = "",
             name: Text = "", list_code: Text = "", info_class: Text = "", min_records: Text = "",
             window_days: Text = "", effective_from: Text = "", csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.LISTS_MANAGE)
    try:
        rule = lists.add_rule(uow, code, name, list_code, info_class,
                              required_int(min_records, "min_records", "最少记录数"),
                              required_int(window_days, "window_days", "时间窗口天数"),
                              optional_date(effective_from, "effective_from", "生效日期"))
    except XinyongError as exc:
        return _lists_page(request, actor, uow, platform, rule_error=exc, rule_form={
            "code": code, "name": name, "list_code": list_code, "info_class": info_class, "min_records": min_records,
            "window_days": window_days, "effective_from": effective_from})
    return done(request, f"已新增派生规则：{rule.name}", "/admin/lists")


@router.post("/lists/sync")
def sync(request: Request, actor: ConsoleActor, uow: UowDep, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    found = lists.sync_from_records(uow)
    message = f"已从名单类信用记录生成 {found['created']} 个条目，更新 {found['updated']} 个"
    return done(request, message, "/admin/lists")


@router.post("/lists/propose")
def propose(request: Request, actor: ConsoleActor, uow: UowDep, csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    found = lists.propose_from_rules(uow)
    return done(request, f"派生规则提出 {sum(found.values())} 条列入建议，待确认", "/admin/lists")


@router.get("/lists/{code}", response_class=HTMLResponse)
def entries_page(request: Request, actor: ConsoleActor, uow: UowDep, code: str, status: str = "",
                 in_force: str = "", page_no: str = Query("1", alias="page")) -> HTMLResponse:
    number = page_number(page_no)
    rows, total = lists.browse(uow, code, status or None, bool(in_force), PER_PAGE, (number - 1) * PER_PAGE)
    query = "&".join(f"{k}={v}" for k, v in (("status", status), ("in_force", in_force)) if v)
    return page(request, "admin/lists_entries.html", {
        "list": lists.book(uow).list_def(code), "rows": rows, "total": total, "status": status,
        "in_force": in_force, "statuses": STATUSES, "page_no": number, "pages": max(1, -(-total // PER_PAGE)),
        "query": query, "today": uow.clock.today(),
    })


@router.get("/lists/entries/{entry_id}", response_class=HTMLResponse)
def entry_page(request: Request, actor: ConsoleActor, uow: UowDep, entry_id: int,
               error: XinyongError | None = None) -> HTMLResponse:
    view = lists.get_entry(uow, entry_id)
    return page(request, "admin/lists_entry.html", {
        "view": view, "today": uow.clock.today(), "statuses": STATUSES, "error": error,
        "can_manage": actor.can(Permission.LISTS_MANAGE),
    }, status_code=error.status if error else 200)


@router.post("/lists/entries/{entry_id}/{what}", response_class=HTMLResponse)
def change_entry(request: Request, actor: ConsoleActor, uow: UowDep, entry_id: int, what: str, reason: Text = "",
                 on: Text = "", authority: Text = "", doc_number: Text = "", valid_to: Text = "",
                 csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.LISTS_MANAGE)
    try:
        day = optional_date(on, "on", "日期")
        if what == "exit":
            lists.exit_entry(uow, entry_id, reason, day, optional_text(authority), optional_text(doc_number))
        elif what == "revoke":
            lists.revoke_entry(uow, entry_id, reason, day, optional_text(authority), optional_text(doc_number))
        elif what == "confirm":
            lists.confirm_proposal(uow, entry_id, optional_date(valid_to, "valid_to", "有效期至"),
                                   optional_text(doc_number), optional_text(authority))
        elif what == "reject":
            lists.reject_proposal(uow, entry_id, reason)
        else:
            return Response(status_code=404)
    except XinyongError as exc:
        return entry_page(request, actor, uow, entry_id, exc)
    labels = {"exit": "已移出", "revoke": "已撤销", "confirm": "已确认列入", "reject": "已不予采纳"}
    return done(request, labels[what], f"/admin/lists/entries/{entry_id}")


@router.get("/loop", response_class=HTMLResponse)
def loop_page(request: Request, actor: ConsoleActor, uow: UowDep, date_from: str = "",
              date_to: str = "") -> HTMLResponse:
    stats = checks.statistics(uow, optional_date(date_from, "date_from", "开始日期"),
                              optional_date(date_to, "date_to", "结束日期"))
    book = lists.book(uow)
    by_action = {a: sum(r["subjects"] for r in stats["checks"] if r["action"] == a) for a in ACTIONS}
    return page(request, "admin/lists_loop.html", {
        "stats": stats, "book": book, "actions": ACTIONS, "by_action": by_action,
        "recent": checks.recent(uow, 20), "deliveries": stats["deliveries"],
        "applied": sum(r["applied"] for r in stats["feedback"]),
        "reports": sum(r["reports"] for r in stats["feedback"]),
    })


EVENTS = {"entered": "列入", "exited": "移出", "revoked": "撤销", "expired": "期满"}
DELIVERY_STATES = {"pending": "待发送", "delivered": "已送达", "failed": "失败", "cancelled": "已取消（订阅停用）"}


def _subscriptions_page(request: Request, actor: Actor, uow: UnitOfWork, *, error: XinyongError | None = None,
                        form: dict[str, Any] | None = None) -> HTMLResponse:
    actor.require(Permission.SUBSCRIPTIONS_MANAGE)
    departments = {d.id: d.name for d in uow.accounts.departments()}
    return page(request, "admin/subscriptions.html", {
        "subscriptions": webhooks.subscriptions(uow), "deliveries": webhooks.deliveries(uow, PER_PAGE),
        "departments": departments, "own_department": actor.department_id,
        "list_names": {code: found.name for code, found in lists.book(uow).lists.items()},
        "events": EVENTS, "states": DELIVERY_STATES, "error": error, "form": form or {"lists": []},
    }, status_code=error.status if error else 200)


@router.get("/subscriptions", response_class=HTMLResponse)
def subscriptions_page(request: Request, actor: ConsoleActor, uow: UowDep) -> HTMLResponse:
    return _subscriptions_page(request, actor, uow)


@router.post("/subscriptions", response_class=HTMLResponse)
def subscribe(request: Request, actor: ConsoleActor, uow: UowDep, name: Text = "", url: Text = "",
              list_codes: ListCodes = None, every_subject: Text = "", department_id: Text = "",
              csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.SUBSCRIPTIONS_MANAGE)
    try:
        found, secret = webhooks.subscribe(uow, name, url.strip(), list_codes or None, every_subject == "1",
                                           optional_int(department_id, "department_id", "订阅部门"))
    except XinyongError as exc:
        return _subscriptions_page(request, actor, uow, error=exc, form={
            "name": name, "url": url, "lists": list_codes or [], "every_subject": every_subject,
            "department_id": department_id})
    department = uow.accounts.department(found["department_id"])
    book = lists.book(uow)
    return page(request, "admin/subscription_created.html", {
        "subscription": found, "secret": secret, "department": department.name if department else "",
        "list_names": [book.lists[c].name for c in found["lists"] or []],
    }, status_code=201)


@router.post("/subscriptions/watch", response_class=HTMLResponse)
def watch(request: Request, actor: ConsoleActor, uow: UowDep, subscription_id: Text = "", identifiers: Text = "",
          csrf_token: Text = "") -> Response:
    """Subjects a subscription watches, by their identifiers (one per line); all or none are added."""
    check_csrf(request, csrf_token)
    actor.require(Permission.SUBSCRIPTIONS_MANAGE)
    kept = {"watch_subscription": subscription_id, "identifiers": identifiers}
    try:
        added, before = webhooks.watch_identifiers(uow, required_int(subscription_id, "subscription_id", "订阅"),
                                                   identifiers.splitlines())
    except XinyongError as exc:
        return _subscriptions_page(request, actor, uow, error=exc, form={"lists": [], **kept})
    return done(request, f"已添加关注的主体 {added} 个（{before} 个此前已关注）", "/admin/subscriptions")


@router.post("/subscriptions/{subscription_id}/deactivate", response_class=HTMLResponse)
def deactivate(request: Request, subscription_id: int, actor: ConsoleActor, uow: UowDep,
               csrf_token: Text = "") -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.SUBSCRIPTIONS_MANAGE)
    try:
        stopped = webhooks.deactivate(uow, subscription_id)
    except XinyongError as exc:
        return _subscriptions_page(request, actor, uow, error=exc)
    return done(request, f"订阅“{stopped['name']}”已停用，取消待发送的推送 {stopped['cancelled_deliveries']} 条",
                "/admin/subscriptions")


@router.get("/loop/cases.csv")
def cases(request: Request, actor: ConsoleActor, uow: UowDep, date_from: str = "", date_to: str = "") -> Response:
    buffer = io.StringIO()
    checks.export_cases(uow, buffer, optional_date(date_from, "date_from", "开始日期"),
                        optional_date(date_to, "date_to", "结束日期"))
    return Response(buffer.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="joint-cases.csv"',
                             "cache-control": "no-store"})
