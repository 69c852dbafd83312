"""``xinyong report`` and ``xinyong review`` as an operator uses them at the server's console."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli import run  # noqa: F401  (the fixture)
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, penalty_csv, penalty_values


class TestReportCommands:
    def test_issue_verify_tamper_and_review(self, run, tmp_path: Path) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
        run("init")
        run("departments", "add", "--uscc", MARKET_REGULATOR_USCC, "--name", "扬州市市场监督管理局")
        path = tmp_path / "penalties.csv"
        path.write_bytes(penalty_csv([penalty_values()]))
        run("ingest", str(path), "--dataset", "administrative_penalty", "--source", MARKET_REGULATOR_USCC)
        out = run("report", "issue", "1", "--kind", "health", "-o", str(tmp_path / "r.pdf"))
        code = out.split("验证码 ", 1)[1].split()[0]
        assert "authentic" in run("report", "verify", code, "--pdf", str(tmp_path / "r.pdf"))
        data = bytearray((tmp_path / "r.pdf").read_bytes())
        data[200] ^= 0x01
        (tmp_path / "bad.pdf").write_bytes(bytes(data))
        run("report", "verify", code, "--pdf", str(tmp_path / "bad.pdf"), expect=1)
        listing = tmp_path / "list.csv"
        listing.write_text(f"统一社会信用代码\n{ENTERPRISE_USCC}\n", encoding="gbk")
        summary = json.loads(run("review", str(listing), "--matter", "bidding", "--xlsx", str(tmp_path / "r.xlsx")))
        assert summary["summary"]["with_negative"] == 1 and (tmp_path / "r.xlsx").stat().st_size > 0
        assert "审查事项" in run("review", str(listing), "--matter", "nope", expect=2)
