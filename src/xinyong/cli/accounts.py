"""Users, roles, tokens and source departments from the console."""

from __future__ import annotations

import click

from xinyong.cli.common import console_actor, print_json, reports_errors
from xinyong.cli.common import platform as get_platform
from xinyong.domain.accounts import Role
from xinyong.services import accounts


@click.group(help="Manage users, their roles and API tokens.")
def users() -> None:
    pass


@users.command("list")
@reports_errors
def list_users() -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        for user in uow.accounts.users():
            roles = ",".join(sorted(r.label for r in user.roles)) or "（无角色）"
            state = "启用" if user.active else "停用"
            click.echo(f"{user.username:<20} {user.display_name:<12} {state}  {roles}")


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="display name (姓名)")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), help="repeatable")
@click.option("--department", "department_uscc", default=None, help="USCC of the user's source department")
@click.password_option(help="the user's password (asked for when omitted)")
@reports_errors
def add_user(username: str, display_name: str, roles: tuple[str, ...], department_uscc: str | None,
             password: str) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        accounts.add_user(uow, platform.passwords, username, display_name, password, department_uscc)
        if roles:
            accounts.set_roles(uow, username, {Role(r) for r in roles})
    click.echo(f"已添加用户 {username}")


@users.command("roles")
@click.argument("username")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), help="repeatable; none "
              "removes every role")
@reports_errors
def set_roles(username: str, roles: tuple[str, ...]) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        user = accounts.set_roles(uow, username, {Role(r) for r in roles})
    click.echo(f"{username} 的角色：{'、'.join(r.label for r in user.roles) or '无'}")


@users.command("password")
@click.argument("username")
@click.password_option()
@reports_errors
def set_password(username: str, password: str) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        accounts.set_password(uow, platform.passwords, username, password)
    click.echo(f"已重置 {username} 的密码")


@users.command("disable")
@click.argument("username")
@reports_errors
def disable(username: str) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        accounts.set_active(uow, username, False)
    click.echo(f"已停用 {username}")


@users.command("enable")
@click.argument("username")
@reports_errors
def enable(username: str) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        accounts.set_active(uow, username, True)
    click.echo(f"已启用 {username}（并清除登录失败次数）")


@users.command("token")
@click.argument("username")
@click.option("--scope", "scopes", multiple=True, required=True, help="e.g. records:submit (repeatable)")
@click.option("--name", default="api", show_default=True)
@click.option("--days", default=90, show_default=True, type=int)
@reports_errors
def issue_token(username: str, scopes: tuple[str, ...], name: str, days: int) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        secret, token = accounts.issue_token(uow, username, name, list(scopes), days)
    click.echo(f"令牌（只显示这一次）：{secret}")
    click.echo(f"编号 {token.id}，有效期至 {token.expires_at:%Y-%m-%d}，权限 {' '.join(sorted(token.scopes))}")


@users.command("revoke-token")
@click.argument("token_id", type=int)
@reports_errors
def revoke_token(token_id: int) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        accounts.revoke_token(uow, token_id)
    click.echo(f"已吊销令牌 {token_id}")


@click.group(help="Manage source departments (信源部门).")
def departments() -> None:
    pass


@departments.command("add")
@click.option("--uscc", required=True, help="the department's unified social credit code")
@click.option("--name", required=True, help="the department's name")
@click.option("--division", default=None, help="administrative division code (default: from the USCC)")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def add_department(uscc: str, name: str, division: str | None, as_json: bool) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        department = accounts.add_department(uow, uscc, name, division)
    if as_json:
        print_json(department.__dict__)
    else:
        click.echo(f"已登记信源部门 {department.name}（{department.uscc}），编号 {department.id}")


@departments.command("list")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def list_departments(as_json: bool) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        found = uow.accounts.departments()
    if as_json:
        print_json([d.__dict__ for d in found])
        return
    for d in found:
        click.echo(f"{d.id:>4}  {d.uscc}  {d.name}")
