"""Batch credit review on both databases: matching by USCC and name, hits in the window, outputs."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.factories import ENTERPRISE_USCC
from tests.report_fixtures import (
    COMPANY,
    CURRENT_PENALTY,
    EXPIRED_PENALTY,
    City,
    build_city,
    market_regulator,
    pdf_text,
)
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import system_actor
from xinyong.errors import InvalidInput
from xinyong.services import reviews


@pytest.fixture
def city(platform: Platform) -> City:
    return build_city(platform, market_regulator(platform))


def _xlsx(rows: list[list[str]], path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "企业名称", "统一社会信用代码"])
    for index, row in enumerate(rows, start=1):
        sheet.append([index, *row])
    book.save(path)
    return path


def _run(platform: Platform, path: Path, matter: str = "honours") -> dict:
    with platform.uow(system_actor("test")) as uow:
        return reviews.review_file(uow, platform, matter, path, path.name, "2026年度评优")


class TestBatchReview:
    def test_matches_hits_and_people_to_ask(self, platform: Platform, city: City, tmp_path: Path) -> None:
        path = _xlsx([[COMPANY, ENTERPRISE_USCC], [COMPANY, ""], ["扬州示例科技有限公司", ""],
                      ["不存在的公司", ""], ["某公司", "911522010783762861"]], tmp_path / "list.xlsx")
        result = _run(platform, path)
        by_row = {r["row"]: r for r in result["results"]}
        assert by_row[2]["status"] == "matched" and by_row[2]["by"] == "uscc"
        assert by_row[3]["status"] == "matched" and by_row[3]["by"] == "name"
        assert by_row[4]["status"] == "ambiguous" and by_row[4]["candidates"][0]["name"] == COMPANY
        assert by_row[5]["status"] == "unmatched"
        assert by_row[6]["status"] == "unmatched" and "校验位" in by_row[6]["note"]
        docs = [h["doc_number"] for h in by_row[2]["hits"]]
        assert CURRENT_PENALTY in docs and EXPIRED_PENALTY not in docs  # outside the window
        summary = result["summary"]
        assert (summary["rows"], summary["matched"], summary["with_negative"]) == (5, 2, 1)
        assert summary["negative_share"] == 100.0

    def test_is_kept_and_exported_as_pdf_and_xlsx(self, platform: Platform, city: City, tmp_path: Path) -> None:
        result = _run(platform, _xlsx([[COMPANY, ENTERPRISE_USCC], ["=HYPERLINK(\"x\")", ""]], tmp_path / "l.xlsx"))
        with platform.uow(system_actor("test")) as uow:
            kept = reviews.get_review(uow, result["id"])
        assert kept["inputs"][0]["uscc"] == ENTERPRISE_USCC and kept["file_sha256"]
        text = pdf_text(reviews.review_pdf(kept), tmp_path)
        assert COMPANY in text and "行政处罚 1 条" in text and "信用审查报告" in text
        sheet = load_workbook(io.BytesIO(reviews.review_xlsx(kept))).worksheets[0]
        cells = [[c.value for c in row] for row in sheet.iter_rows()]
        assert cells[1][4] == COMPANY and cells[1][7] == "是"
        assert cells[2][1].startswith("'=")  # a formula in the uploaded list is neutralised on the way out

    def test_a_list_without_known_columns_is_refused(self, platform: Platform, city: City, tmp_path: Path) -> None:
        path = tmp_path / "bad.csv"
        path.write_text("甲,乙\n1,2\n", encoding="utf-8")
        with pytest.raises(InvalidInput):
            _run(platform, path)

    def test_an_unknown_matter_is_refused(self, platform: Platform, city: City, tmp_path: Path) -> None:
        with pytest.raises(InvalidInput, match="审查事项"):
            _run(platform, _xlsx([[COMPANY, ""]], tmp_path / "l.xlsx"), matter="nothing")
