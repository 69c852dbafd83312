"""``xinyong lists``: sync, propose and deliver at the server's console."""

from __future__ import annotations

import json

from tests.e2e.test_cli import run  # noqa: F401  (the fixture)


def test_lists_commands_on_an_empty_platform(run) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    run("init")
    assert json.loads(run("lists", "sync")) == {"created": 0, "updated": 0}
    assert json.loads(run("lists", "propose")) == {"penalties_3_in_12_months": 0}
    report = json.loads(run("lists", "deliver"))
    assert report["delivered"] == 0 and report["errors"] == []
