"""Lists from the console: entries from collected list records, derivation proposals, webhook delivery."""

from __future__ import annotations

import time

import click

from xinyong.cli.common import console_actor, print_json, reports_errors
from xinyong.cli.common import platform as get_platform
from xinyong.services import lists as list_service
from xinyong.services import webhooks


@click.group(help="Lists and joint rewards and punishments (名单与联合奖惩).")
def lists() -> None:
    pass


@lists.command("sync")
@reports_errors
def sync() -> None:
    """Turn collected records of list classes into list entries (idempotent; run after ingest)."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        print_json(list_service.sync_from_records(uow))


@lists.command("propose")
@reports_errors
def propose() -> None:
    """Run the derivation rules; proposals wait for a person to confirm them in the console."""
    platform = get_platform()
    with platform.uow(console_actor()) as uow:
        print_json(list_service.propose_from_rules(uow))


@lists.command("deliver")
@click.option("--loop", "forever", is_flag=True, help="Keep running, every --interval seconds.")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(1, 3600))
@reports_errors
def deliver(forever: bool, interval: int) -> None:
    """Send due webhook deliveries (and expiry notices), retrying failures with back-off."""
    platform = get_platform()
    while True:
        print_json(webhooks.deliver_due(platform).__dict__)
        if not forever:
            return
        time.sleep(interval)
