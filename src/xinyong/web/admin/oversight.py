"""The audit log (the auditor's duty) and the public credit information catalogue (read only)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.domain.accounts import Permission
from xinyong.domain.catalogue import ItemType, UpdateCycle
from xinyong.services import audit, catalogue
from xinyong.web.admin.common import ConsoleActor, console_router, page
from xinyong.web.forms import PAGE_SIZE, optional_text, page_number

router = console_router()

ACTION_LABELS = {
    "login": "登录",
    "login.failed": "登录失败",
    "user.add": "新增用户",
    "user.roles": "设置角色",
    "user.enable": "启用用户",
    "user.disable": "停用用户",
    "user.password": "修改密码",
    "department.add": "新增信源部门",
    "token.issue": "签发令牌",
    "token.revoke": "吊销令牌",
    "record.submit": "报送记录",
    "record.correct": "更正记录",
    "record.read": "查看记录",
    "record.list": "查看主体记录",
    "record.revoked": "撤销记录",
    "record.repaired": "修复记录",
    "record.expired": "记录到期",
    "subject.read": "查看主体",
    "subject.search": "查询主体",
    "subject.export": "导出主体",
    "audit.read": "查阅审计日志",
    "catalog.import": "导入目录",
}
VIA_LABELS = {"web": "网页", "token": "令牌", "cli": "命令行", "test": "测试"}
PERSONAL_CHOICES = {"": None, "yes": True, "no": False}

ITEM_TYPE_LABELS = {
    ItemType.STRING: "字符串", ItemType.TEXT: "长文本", ItemType.DATE: "日期", ItemType.DECIMAL: "数值",
    ItemType.INTEGER: "整数", ItemType.CODE: "代码", ItemType.IDENTIFIER: "标识代码",
}
CYCLE_LABELS = {
    UpdateCycle.REALTIME: "实时", UpdateCycle.DAILY: "每日", UpdateCycle.WEEKLY: "每周",
    UpdateCycle.MONTHLY: "每月", UpdateCycle.QUARTERLY: "每季度", UpdateCycle.YEARLY: "每年",
}


@router.get("/audit", response_class=HTMLResponse)
def audit_log(request: Request, actor: ConsoleActor, uow: UowDep, action: str = "",
              actor_name: Annotated[str, Query(alias="actor")] = "",
              personal: str = "", page_no: Annotated[str, Query(alias="page")] = "1") -> HTMLResponse:
    actor.require(Permission.AUDIT_READ)
    number = page_number(page_no)
    personal = personal if personal in PERSONAL_CHOICES else ""
    filters = {"action": optional_text(action), "actor": optional_text(actor_name), "personal": personal}
    total, rows = audit.entries(uow, action=filters["action"], actor_name=filters["actor"],
                                personal=PERSONAL_CHOICES[personal], limit=PAGE_SIZE,
                                offset=(number - 1) * PAGE_SIZE)
    entries = [{**r, "action_label": ACTION_LABELS.get(r["action"], ""),
                "via_label": VIA_LABELS.get(r["via"], r["via"])} for r in rows]
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return page(request, "admin/audit.html", {
        "entries": entries, "total": total, "page_no": number, "pages": pages,
        "filters": {k: v or "" for k, v in filters.items()},
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "actions": sorted(ACTION_LABELS.items()),
    })


@router.get("/catalog", response_class=HTMLResponse)
def catalog(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    actor.require(Permission.CATALOG_READ)
    current = platform.catalogue(uow)
    revisions = uow.catalogue.revisions()
    return page(request, "admin/catalog.html", {
        "classes": list(current.classes.values()), "revisions": revisions, "cycles": CYCLE_LABELS,
        "code_tables": list(current.code_tables.values()),
    })


@router.get("/catalog/{code}", response_class=HTMLResponse)
def catalog_class(request: Request, code: str, actor: ConsoleActor, uow: UowDep,
                  platform: PlatformDep) -> HTMLResponse:
    actor.require(Permission.CATALOG_READ)
    current = platform.catalogue(uow)
    info = catalogue.get_class(current, code)
    used = sorted({i.code_table for i in info.items if i.code_table})
    return page(request, "admin/catalog_class.html", {
        "info": info, "revision": uow.catalogue.revisions().get(code), "cycles": CYCLE_LABELS,
        "types": ITEM_TYPE_LABELS, "code_tables": current.code_tables,
        "used_tables": [current.code_tables[c] for c in used if c in current.code_tables],
    })
