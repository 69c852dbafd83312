"""The console command as other tools use it: exit codes, output, errors in Chinese."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from stdnum.cn import ric, uscc

from tests.factories import MARKET_REGULATOR_USCC
from xinyong.cli.main import cli


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("XINYONG_DATABASE_URL", raising=False)
    monkeypatch.setenv("XINYONG_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("XINYONG_ARGON2_MEMORY_KIB", "8192")
    runner = CliRunner()

    def invoke(*args: str, expect: int = 0) -> str:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == expect, result.output + result.stderr
        return result.stdout if expect == 0 else result.stderr

    return invoke


class TestInit:
    def test_init_creates_the_three_administrators_once(self, run) -> None:  # type: ignore[no-untyped-def]
        first = run("init")
        assert "sysadmin" in first and "secadmin" in first and "auditor" in first
        assert "已存在" in run("init")

    def test_catalog_list_and_show(self, run) -> None:  # type: ignore[no-untyped-def]
        run("init")
        assert "administrative_penalty" in run("catalog", "list")
        shown = json.loads(run("catalog", "show", "administrative_penalty", "--json"))
        assert shown["items"][0]["code"] == "cf_xdr_mc"
        assert "信息类不存在：nope" in run("catalog", "show", "nope", expect=2)

    def test_catalog_export_edit_import(self, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        run("init")
        run("catalog", "export", str(tmp_path / "cat"))
        path = tmp_path / "cat" / "red_list.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("name: 守信激励对象(红名单)", "name: 红名单"),
                        encoding="utf-8")
        assert "red_list: 第2版" in run("catalog", "import", str(tmp_path / "cat"))
        assert "红名单" in run("catalog", "list")

    def test_a_broken_catalogue_file_is_refused_naming_file_and_line(self, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        run("init")
        directory = tmp_path / "bad"
        directory.mkdir()
        (directory / "x.yaml").write_text("code: x\nname: X\nclassification: nonsense\n", encoding="utf-8")
        error = run("catalog", "import", str(directory), expect=1)
        assert "x.yaml:3" in error


class TestDepartments:
    def test_add_and_list(self, run) -> None:  # type: ignore[no-untyped-def]
        run("init")
        added = json.loads(run("departments", "add", "--uscc", MARKET_REGULATOR_USCC, "--name", "扬州市市场监督管理局",
                               "--json"))
        assert added["uscc"] == MARKET_REGULATOR_USCC
        assert "扬州市市场监督管理局" in run("departments", "list")

    def test_a_wrong_check_character_is_refused_in_chinese(self, run) -> None:  # type: ignore[no-untyped-def]
        run("init")
        wrong = MARKET_REGULATOR_USCC[:-1] + ("0" if MARKET_REGULATOR_USCC[-1] != "0" else "1")
        error = run("departments", "add", "--uscc", wrong, "--name", "某局", expect=2)
        assert "校验位" in error and "identifier.checksum" in error


class TestDemoExport:
    def test_every_exported_identifier_passes_stdnum(self, run) -> None:  # type: ignore[no-untyped-def]
        run("init")
        run("demo", "--seed", "1", "--subjects", "400")
        rows = list(csv.DictReader(io.StringIO(run("subjects", "export", "--format", "csv"))))
        assert len(rows) == 400
        for row in rows:
            assert row["uscc"] or row["citizen_id"]
            if row["uscc"]:
                assert uscc.is_valid(row["uscc"]), row
            if row["citizen_id"]:
                assert ric.is_valid(row["citizen_id"]), row

    def test_the_same_seed_builds_the_same_city(self, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
        run("demo", "--seed", "7", "--subjects", "200")
        first = run("subjects", "export", "--format", "jsonl")
        monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "other"))
        run("demo", "--seed", "7", "--subjects", "200")
        assert run("subjects", "export", "--format", "jsonl") == first


class TestIngestContract:
    def test_ingest_batch_show_and_rejects(self, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        from tests.factories import penalty_csv, penalty_values

        run("init")
        run("departments", "add", "--uscc", MARKET_REGULATOR_USCC, "--name", "扬州市市场监督管理局")
        path = tmp_path / "penalties.csv"
        path.write_bytes(penalty_csv([penalty_values(), penalty_values(cf_wsh="扬市监罚〔2026〕2号", cf_jdrq="某天")],
                                     encoding="gbk"))
        report = json.loads(run("ingest", str(path), "--dataset", "administrative_penalty",
                                "--source", MARKET_REGULATOR_USCC, "--json"))
        assert {k: report[k] for k in ("rows", "accepted", "rejected", "updated", "duplicates")} == {
            "rows": 2, "accepted": 1, "rejected": 1, "updated": 0, "duplicates": 0}
        shown = json.loads(run("batch", "show", str(report["batch_id"]), "--json"))
        assert shown["rejected_rows"] == [{"row": 3, "kind": "rejected", "problems": [
            {"field": "cf_jdrq", "code": "item.date", "message": shown["rejected_rows"][0]["problems"][0]["message"]}]}]
        run("batch", "rejects", str(report["batch_id"]), "-o", str(tmp_path / "rejects.csv"))
        text = (tmp_path / "rejects.csv").read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith("原行号,错误原因,") and "处罚决定日期" in text

    def test_an_unusable_file_exits_non_zero_with_the_reason(self, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
        run("init")
        run("departments", "add", "--uscc", MARKET_REGULATOR_USCC, "--name", "扬州市市场监督管理局")
        path = tmp_path / "empty.csv"
        path.write_bytes(b"")
        error = run("ingest", str(path), "--dataset", "administrative_penalty", "--source", MARKET_REGULATOR_USCC,
                    expect=2)
        assert "文件为空" in error and "file.empty" in error
        error = run("ingest", str(path), "--dataset", "no_such_class", "--source", MARKET_REGULATOR_USCC, expect=2)
        assert "catalog.unknown_class" in error
