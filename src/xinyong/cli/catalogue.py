"""The public credit information catalogue from the console."""

from __future__ import annotations

from pathlib import Path

import click

from xinyong.cli.common import console_actor, print_json, reports_errors
from xinyong.cli.common import platform as get_platform
from xinyong.rules.catalogue_files import info_class_file
from xinyong.services import catalogue as catalogue_service


@click.group(help="Show, export and import the catalogue (公共信用信息目录).")
def catalog() -> None:
    pass


@catalog.command("list")
@reports_errors
def list_classes() -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        catalogue = platform.catalogue(uow)
        revisions = uow.catalogue.revisions()
    for info in catalogue.classes.values():
        click.echo(f"{info.code:<28} {info.name:<14} {info.classification.label:<10} "
                   f"{len(info.items):>3} 项  第{revisions.get(info.code, 0)}版")


@catalog.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def show_class(code: str, as_json: bool) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        info = catalogue_service.get_class(platform.catalogue(uow), code)
    if as_json:
        print_json(info_class_file(info).model_dump(mode="json"))
        return
    click.echo(f"{info.name}（{info.code}）  {info.classification.label}  更新周期 {info.update_cycle.value}")
    for item in info.items:
        flags = "必填" if item.required else "    "
        column = f"→{item.column}" if item.column else ""
        click.echo(f"  {item.code:<16} {flags} {item.type.value:<10} {item.label} {column}")


@catalog.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def export(directory: Path) -> None:
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        written = catalogue_service.export_catalogue(uow, platform.catalogue(uow), directory)
    click.echo(f"已导出 {len(written)} 个文件到 {directory}")


@catalog.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@reports_errors
def import_(directory: Path) -> None:
    """Import every class file in DIRECTORY (validated as a whole; nothing is saved if any file is wrong)."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        revisions = catalogue_service.import_catalogue(uow, directory)
    for code, revision in revisions.items():
        click.echo(f"{code}: 第{revision}版")
