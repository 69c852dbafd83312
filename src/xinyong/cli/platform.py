"""Setting up, filling with the demo city, and serving."""

from __future__ import annotations

import click

from xinyong.cli.common import platform as get_platform
from xinyong.cli.common import reports_errors
from xinyong.cli.publication import ensure_current as ensure_publication_current
from xinyong.services.setup import Credentials, initialise


def _print_credentials(created: list[Credentials], platform_url: str | None = None) -> None:
    if not created:
        click.echo("管理员账号已存在（密码不再显示；忘记时用 `xinyong users password` 重置）。")
        return
    click.echo("已创建账号（密码只显示这一次，请妥善保存）：")
    for c in created:
        click.echo(f"  {c.role.label:<10} 用户名 {c.username:<16} 密码 {c.password}")
    if platform_url:
        click.echo(f"管理后台：{platform_url}/admin")


@click.command(help="Create or upgrade the database, load the default catalogue, create the administrators.")
@reports_errors
def init() -> None:
    platform = get_platform()
    created = initialise(platform)
    ensure_publication_current(platform)
    click.echo(f"数据库已就绪：{platform.engine.url.render_as_string(hide_password=True)}")
    _print_credentials(created)


@click.command(help="Build the demo city (扬州市) on an initialised platform.")
@click.option("--seed", default=1, show_default=True, help="random seed: the same seed builds the same city")
@click.option("--subjects", "subject_count", default=20000, show_default=True, help="number of credit subjects")
@click.option("--records", "record_count", type=int, default=None, help="number of records (default ≈5 per subject)")
@reports_errors
def demo(seed: int, subject_count: int, record_count: int | None) -> None:
    from xinyong.services.demo import build_demo

    platform = get_platform()
    created = initialise(platform)
    summary = build_demo(platform, seed=seed, subjects=subject_count, records=record_count,
                         progress=lambda message: click.echo(message, err=True))
    click.echo(f"示范城市已生成：{summary.subjects} 个主体，{summary.records} 条信用记录，"
               f"{summary.departments} 个信源部门，用时 {summary.seconds:.1f} 秒")
    logins = [*created, *summary.credentials]
    _print_credentials(logins)
    if platform.settings.demo:
        # Demo mode only: keep the logins beside the demo database (owner-readable) so that
        # scripts/demo.sh can show them again on the next start.
        path = platform.settings.ensure_data_dir() / "demo-credentials.txt"
        path.touch(mode=0o600)
        path.write_text("".join(f"{c.role.label}\t{c.username}\t{c.password}\n" for c in logins), encoding="utf-8")


@click.command(help="Serve the portal (/), the admin console (/admin) and the API (/api/v1).")
@click.option("--host", default=None, help="default: XINYONG_HOST or 127.0.0.1")
@click.option("--port", type=int, default=None, help="default: XINYONG_PORT or 8000")
@click.option("--workers", type=int, default=1, show_default=True)
@reports_errors
def serve(host: str | None, port: int | None, workers: int) -> None:
    import uvicorn

    platform = get_platform()
    from xinyong.adapters.db import is_initialised

    if not is_initialised(platform.engine):
        click.echo("数据库尚未初始化，请先运行 `xinyong init`", err=True)
        click.echo("database not initialised: run `xinyong init`", err=True)
        raise SystemExit(2)
    ensure_publication_current(platform)
    host = host or platform.settings.host
    port = port or platform.settings.port
    click.echo(f"门户 http://{host}:{port}/   管理后台 http://{host}:{port}/admin   API http://{host}:{port}/api/v1")
    uvicorn.run("xinyong.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info", proxy_headers=True)
