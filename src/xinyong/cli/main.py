"""Entry point of the ``xinyong`` console command."""

from __future__ import annotations

import click

from xinyong import __version__
from xinyong.cli import accounts, catalogue, ingest, lists, platform, publication, reports, rights, subjects


@click.group(help="Xinyong 公共信用信息平台 — command line")
@click.version_option(__version__, prog_name="xinyong")
def cli() -> None:
    pass


cli.add_command(platform.init)
cli.add_command(platform.demo)
cli.add_command(platform.serve)
cli.add_command(accounts.users)
cli.add_command(accounts.departments)
cli.add_command(catalogue.catalog)
cli.add_command(subjects.subjects)
cli.add_command(ingest.ingest)
cli.add_command(ingest.batch)
cli.add_command(rights.rights)
cli.add_command(lists.lists)
cli.add_command(reports.report)
cli.add_command(reports.review)
cli.add_command(publication.publication)
