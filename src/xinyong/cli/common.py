"""What every command shares: the platform, the console actor, and error reporting."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from xinyong.bootstrap import Platform, bootstrap
from xinyong.domain.accounts import Actor, system_actor
from xinyong.errors import XinyongError

F = TypeVar("F", bound=Callable[..., Any])


def platform() -> Platform:
    return bootstrap()


def console_actor() -> Actor:
    """Commands run at the server's console act as ``cli`` (like root on that machine); all audited."""
    return system_actor("cli")


def reports_errors(function: F) -> F:
    """Turn a XinyongError into its Chinese message (and code) on stderr and a non-zero exit."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except XinyongError as error:
            click.echo(f"错误 [{error.code}]：{error.message}", err=True)
            click.echo(f"error [{error.code}]: {error.message_en}", err=True)
            for problem in error.problems:
                click.echo(f"  - {problem.field}: {problem.message} [{problem.code}]", err=True)
            sys.exit(2 if error.status < 500 else 1)

    return wrapper  # type: ignore[return-value]


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
