"""A changed rules file makes the stored publication windows stale; init, serve and a command recompute."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xinyong.cli.main import cli


def test_a_rules_file_change_is_noticed_and_recomputed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("XINYONG_DATABASE_URL", raising=False)
    monkeypatch.delenv("XINYONG_PUBLICATION_RULES", raising=False)
    monkeypatch.setenv("XINYONG_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("XINYONG_ARGON2_MEMORY_KIB", "8192")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    assert runner.invoke(cli, ["publication", "status"]).exit_code == 0
    rules = Path(__file__).parents[2] / "src/xinyong/rules/publication.yaml"
    changed = tmp_path / "publication.yaml"
    changed.write_text(rules.read_text(encoding="utf-8").replace(
        "general: {min_months: 3, max_months: 12}", "general: {min_months: 3, max_months: 24}", 1), encoding="utf-8")
    monkeypatch.setenv("XINYONG_PUBLICATION_RULES", str(changed))
    stale = runner.invoke(cli, ["publication", "status"])
    assert stale.exit_code == 1 and "需要重新计算" in stale.output
    again = runner.invoke(cli, ["init"])
    assert again.exit_code == 0 and "重新计算公示期" in again.stderr
    assert runner.invoke(cli, ["publication", "status"]).exit_code == 0
    refreshed = runner.invoke(cli, ["publication", "refresh"])
    assert refreshed.exit_code == 0 and "已重新计算公示期" in refreshed.output
