"""What every console page shares: the login gate, the menu by permission, labels, page rendering."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from xinyong.api.deps import ActorDep
from xinyong.domain.accounts import Actor, Permission
from xinyong.web.forms import login_url
from xinyong.web.templating import render

FLASH_KEY = "flash"


class LoginRequired(Exception):
    """Raised by the login gate; the console's routes turn it into a redirect to the login form."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class ConsoleRoute(APIRoute):
    """A route whose "not logged in" becomes ``303 /admin/login?next=…`` instead of an error page."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired as exc:
                return RedirectResponse(login_url(exc.next_path), status_code=303)

        return console_handler


def console_router() -> APIRouter:
    return APIRouter(prefix="/admin", include_in_schema=False, route_class=ConsoleRoute)


def console_actor(request: Request, actor: ActorDep) -> Actor:
    """The logged-in user of the console (session only: machine tokens do not open pages)."""
    request.state.actor = actor
    if actor.user_id is None or actor.via != "web":
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return actor


ConsoleActor = Annotated[Actor, Depends(console_actor)]


@dataclass(frozen=True)
class MenuItem:
    path: str
    label: str
    description: str
    any_of: tuple[Permission, ...] = ()

    def allowed(self, actor: Actor) -> bool:
        return not self.any_of or any(actor.can(p) for p in self.any_of)


MENU: tuple[MenuItem, ...] = (
    MenuItem("/admin", "工作台", "账号信息与可用功能"),
    MenuItem("/admin/subjects", "主体查询", "按名称或代码查询信用主体，查看信用档案", (Permission.SUBJECTS_READ,)),
    MenuItem("/admin/records", "信用记录", "按部门、信息类、日期浏览归集的信用记录",
             (Permission.RECORDS_READ_ALL, Permission.RECORDS_READ_OWN)),
    MenuItem("/admin/batches/upload", "上报数据", "上传 CSV 或 Excel 文件批量报送本部门数据",
             (Permission.RECORDS_SUBMIT,)),
    MenuItem("/admin/entry", "在线填报", "按目录逐条填报信用信息", (Permission.RECORDS_SUBMIT,)),
    MenuItem("/admin/mappings", "列名映射", "登记本部门文件的表头与目录数据项的对应关系", (Permission.RECORDS_SUBMIT,)),
    MenuItem("/admin/batches", "归集批次", "每次报送的处理结果、退回原因和退回文件",
             (Permission.RECORDS_READ_ALL, Permission.RECORDS_READ_OWN)),
    MenuItem("/admin/bulletins", "归集通报", "按月统计各部门报送量、退回原因、及时率、完整率和逾期情况",
             (Permission.RECORDS_READ_ALL, Permission.RECORDS_READ_OWN)),
    MenuItem("/admin/monitor", "报送监控", "各部门最近一次报送的实时情况",
             (Permission.RECORDS_READ_ALL, Permission.RECORDS_READ_OWN)),
    MenuItem("/admin/rights", "修复与异议", "信用修复、异议处理案件的受理、核实、决定和逾期督办",
             (Permission.RIGHTS_HANDLE, Permission.RIGHTS_VERIFY)),
    MenuItem("/admin/rights/commitments", "信用承诺履约", "受理单位认定信用承诺履行情况，违诺记入失信信息",
             (Permission.RIGHTS_VERIFY, Permission.RIGHTS_HANDLE)),
    MenuItem("/admin/rights/statistics", "修复与异议统计", "申请量、办结情况、修复率、平均办理工作日、逾期，按部门",
             (Permission.RIGHTS_HANDLE, Permission.RIGHTS_VERIFY)),
    MenuItem("/admin/lists", "名单管理", "红黑名单、重点关注名单的列入、移出、撤销与派生建议",
             (Permission.LISTS_READ,)),
    MenuItem("/admin/loop", "联合奖惩", "核查、反馈、推送的闭环运行情况与统计", (Permission.CHECKS_READ,)),
    MenuItem("/admin/subscriptions", "名单订阅", "名单变动的签名回调订阅与推送记录",
             (Permission.SUBSCRIPTIONS_MANAGE,)),
    MenuItem("/admin/reports", "信用报告", "出具和撤销信用报告，办理企业的报告申请", (Permission.REPORTS_ISSUE,)),
    MenuItem("/admin/reviews", "信用审查", "上传名单，按事项批量审查信用状况", (Permission.REVIEW,)),
    MenuItem("/admin/articles", "门户文章", "政策法规、工作动态、典型案例栏目的文章", (Permission.ARTICLES_MANAGE,)),
    MenuItem("/admin/catalog", "信息目录", "公共信用信息目录：信息类与数据项", (Permission.CATALOG_READ,)),
    MenuItem("/admin/departments", "信源部门", "信源部门列表与新增", (Permission.DEPARTMENTS_MANAGE,)),
    MenuItem("/admin/users", "用户管理", "新增用户，启用或停用账号", (Permission.USERS_MANAGE,)),
    MenuItem("/admin/roles", "角色授权", "为用户设置角色（三员分立）", (Permission.ROLES_GRANT,)),
    MenuItem("/admin/tokens", "访问令牌", "签发和吊销接口访问令牌", (Permission.TOKENS_MANAGE,)),
    MenuItem("/admin/audit", "审计日志", "查阅全部操作审计记录", (Permission.AUDIT_READ,)),
    MenuItem("/admin/account", "修改密码", "修改本人登录密码"),
)

PERMISSION_LABELS: dict[Permission, str] = {
    Permission.USERS_MANAGE: "用户管理",
    Permission.DEPARTMENTS_MANAGE: "信源部门管理",
    Permission.CATALOG_MANAGE: "目录管理",
    Permission.CATALOG_READ: "查看信息目录",
    Permission.ROLES_GRANT: "角色授权",
    Permission.TOKENS_MANAGE: "令牌管理",
    Permission.AUDIT_READ: "查阅审计日志",
    Permission.SUBJECTS_READ: "查询信用主体",
    Permission.RECORDS_READ_ALL: "查看全部信用记录",
    Permission.RECORDS_READ_OWN: "查看本部门信用记录",
    Permission.RECORDS_SUBMIT: "报送信用记录",
    Permission.PERSONAL_READ: "查看自然人信息",
    Permission.REVIEW: "信用审查",
    Permission.RIGHTS_HANDLE: "办理信用修复与异议",
    Permission.RIGHTS_VERIFY: "核实本部门信用修复与异议、承诺履约",
    Permission.LISTS_READ: "查看名单",
    Permission.LISTS_MANAGE: "名单管理（列入、移出、撤销、确认）",
    Permission.CHECKS_RUN: "联合奖惩核查（业务系统）",
    Permission.CHECKS_READ: "查看核查记录与统计",
    Permission.SUBSCRIPTIONS_MANAGE: "名单变动订阅",
    Permission.REPORTS_ISSUE: "出具信用报告、办理报告申请",
    Permission.REPORTS_FULL: "查看完整版信用报告",
    Permission.ARTICLES_MANAGE: "门户栏目文章管理",
}

CHANNEL_LABELS = {"api": "接口报送", "file": "文件上传", "form": "在线填报", "web": "页面填报", "cli": "命令行导入",
                  "demo": "示范数据"}


def menu_for(actor: Actor | None) -> list[MenuItem]:
    if actor is None or actor.user_id is None:
        return []
    return [item for item in MENU if item.allowed(actor)]


def flash(request: Request, message: str) -> None:
    """A one-time notice shown on the next page (after a redirect)."""
    request.session[FLASH_KEY] = message


def page(request: Request, template: str, context: dict[str, Any] | None = None,
         status_code: int = 200) -> HTMLResponse:
    """Render a console page with the menu and any pending notice; never cached (personal data)."""
    actor = getattr(request.state, "actor", None)
    current = request.url.path
    items = menu_for(actor)
    active = max((i.path for i in items if current == i.path or current.startswith(i.path + "/")),
                 key=len, default="/admin")
    response = render(request, template, {
        "menu": items, "active_menu": active, "notice": request.session.pop(FLASH_KEY, None),
        **(context or {}),
    }, status_code=status_code)
    response.headers["cache-control"] = "no-store"
    return response


def done(request: Request, message: str, to: str) -> RedirectResponse:
    """After a successful form: tell the user on the next page, and redirect (POST → 303 → GET)."""
    flash(request, message)
    return RedirectResponse(to, status_code=303)
