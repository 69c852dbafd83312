"""The stored publication windows: recompute them (after a rules-file change, or to be sure)."""

from __future__ import annotations

from time import perf_counter

import click

from xinyong.bootstrap import Platform
from xinyong.cli.common import console_actor, reports_errors
from xinyong.cli.common import platform as get_platform
from xinyong.services import publication as service


def ensure_current(platform: Platform) -> None:
    """Recompute every window when the rules or catalogue changed since they were computed (say so)."""
    with platform.uow(console_actor()) as uow:
        catalogue = platform.catalogue(uow)
        if service.publication_is_current(uow, catalogue, platform.publication):
            return
        click.echo("公示规则或目录已变化，正在重新计算公示期……", err=True)
        started = perf_counter()
        written = service.ensure_current(uow, catalogue, platform.publication)
    click.echo(f"已重新计算公示期：{written} 条可公示信息，用时 {perf_counter() - started:.1f} 秒", err=True)


@click.group(help="Publication windows computed by the rules (record_publication).")
def publication() -> None:
    pass


@publication.command(help="Recompute every record's publication window with the rules in force.")
@reports_errors
def refresh() -> None:
    platform = get_platform()
    started = perf_counter()
    with platform.uow(console_actor()) as uow:
        written = service.refresh_publication(uow, platform.catalogue(uow), platform.publication, everything=True)
        uow.commit()
    click.echo(f"已重新计算公示期：{written} 条可公示信息，用时 {perf_counter() - started:.1f} 秒")


@publication.command(help="Say whether the stored windows were computed with the rules in force.")
@reports_errors
def status() -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        current = service.publication_is_current(uow, platform.catalogue(uow), platform.publication)
    click.echo("公示期与现行规则一致" if current else "公示期需要重新计算：运行 xinyong publication refresh")
    if not current:
        raise SystemExit(1)
