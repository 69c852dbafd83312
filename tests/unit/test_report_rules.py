"""Pure rules of reports and reviews: what each report kind shows, verdicts, digests, matching, hits."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from xinyong.adapters import pdf
from xinyong.domain.identifiers import IdType
from xinyong.domain.publication import Decision, Reason, Visibility
from xinyong.domain.records import Classification, CreditRecord, Openness, Provenance, RecordStatus, SharingLevel
from xinyong.domain.reports import (
    Document,
    ReportKind,
    Verdict,
    check_identity,
    compose,
    source_digest,
    verdict,
)
from xinyong.domain.review import Candidate, MatchStatus, Matter, ReviewInput, hits_of, match_inputs, parse_inputs
from xinyong.domain.subjects import Identifier, Subject, SubjectType
from xinyong.errors import ConfigurationError, InvalidInput
from xinyong.rules.catalogue_files import load_default_catalogue
from xinyong.rules.review_files import default_review_rules, load_review_rules

CATALOGUE = load_default_catalogue()
SUBJECT = Subject(1, SubjectType.ENTERPRISE, Identifier(IdType.USCC, "911522010783762860"), "示例公司")
TODAY = date(2026, 6, 15)


def record(record_id: int, info_class: str = "administrative_penalty", doc: str = "罚〔2026〕1号",
           day: date = date(2026, 5, 1), status: RecordStatus = RecordStatus.ACTIVE, **extra: str) -> CreditRecord:
    info = CATALOGUE.classes[info_class]
    return CreditRecord(record_id, 1, info_class, info.classification, 1, SharingLevel.UNCONDITIONAL, Openness.PUBLIC,
                        Provenance(datetime(2026, 6, 1, tzinfo=UTC), "api"), status=status,
                        core={"doc_number": doc, "decision_date": day, "authority_name": "市场监管局"}, extra=extra)


def decision(visibility: Visibility, message: str = "依规公示") -> Decision:
    return Decision(visibility, (Reason("x", message, message),), shared=True)


def _texts(sections: list) -> str:
    return " ".join(Document("t", "s", [], sections).texts())


DECIDED = [(record(1, doc="公开〔1〕"), decision(Visibility.PUBLIC)),
           (record(2, doc="共享〔2〕"), decision(Visibility.RESTRICTED, "该类信息仅在部门间共享")),
           (record(3, doc="修复〔3〕"), decision(Visibility.HIDDEN, "已完成信用修复"))]


class TestComposition:
    def test_the_public_report_shows_public_records_and_says_what_it_left_out(self) -> None:
        text = _texts(compose(ReportKind.PUBLIC, SUBJECT, DECIDED, CATALOGUE, ()))
        assert "公开〔1〕" in text and "共享〔2〕" not in text and "修复〔3〕" not in text
        assert "该类信息仅在部门间共享：1 条" in text and "已完成信用修复：1 条" in text

    def test_the_full_report_adds_restricted_records_never_hidden_ones(self) -> None:
        sections = compose(ReportKind.FULL, SUBJECT, DECIDED, CATALOGUE, ())
        text = _texts(sections)
        assert "公开〔1〕" in text and "共享〔2〕" in text and "修复〔3〕" not in text
        assert "不公示（仅共享）" in text

    def test_list_classes_go_to_the_list_section(self) -> None:
        entry = (record(4, "abnormal_operation", doc="异常〔4〕"), decision(Visibility.PUBLIC))
        sections = compose(ReportKind.PUBLIC, SUBJECT, [entry], CATALOGUE, ("abnormal_operation",))
        lists = next(s for s in sections if s.title.startswith("四"))
        assert lists.grids[0].rows[0][0] == CATALOGUE.classes["abnormal_operation"].name

    def test_red_list_entries_are_good_information(self) -> None:
        entry = (record(5, "red_list", doc="红〔5〕"), decision(Visibility.PUBLIC))
        sections = compose(ReportKind.PUBLIC, SUBJECT, [entry], CATALOGUE, ("red_list",))
        good = next(s for s in sections if s.title.startswith("六"))
        assert good.grids and good.grids[0].rows[0][0] == CATALOGUE.classes["red_list"].name

    def test_the_document_survives_its_snapshot(self) -> None:
        document = Document("t", "s", [("a", "b")], compose(ReportKind.PUBLIC, SUBJECT, DECIDED, CATALOGUE, ()))
        assert Document.from_json(document.as_json()) == document


class TestVerification:
    @pytest.mark.parametrize(("status", "then", "pdf", "day", "expected"), [
        ("issued", "a", None, TODAY, Verdict.AUTHENTIC),
        ("issued", "a", True, TODAY, Verdict.AUTHENTIC),
        ("issued", "a", False, TODAY, Verdict.ALTERED),
        ("revoked", "b", None, date(2027, 1, 1), Verdict.REVOKED),
        ("issued", "b", None, date(2027, 1, 1), Verdict.SUPERSEDED),
        ("issued", "a", None, date(2027, 1, 1), Verdict.EXPIRED),
    ])
    def test_verdicts_in_order(self, status: str, then: str, pdf: bool | None, day: date, expected: Verdict) -> None:
        assert verdict(status, date(2026, 7, 15), day, then, "a", pdf) is expected

    def test_the_source_digest_changes_when_a_record_is_repaired(self) -> None:
        before = source_digest(SUBJECT, [record(1), record(2)])
        assert source_digest(SUBJECT, [record(2), record(1)]) == before
        assert source_digest(SUBJECT, [record(1, status=RecordStatus.REPAIRED), record(2)]) != before


class TestIdentity:
    def test_name_and_id_against_the_records(self) -> None:
        on_file = [record(1, "enterprise_registration", qy_fddbr="王五"),
                   record(2, cf_fr_zjhm="11010519491231002X")]
        assert check_identity(on_file, CATALOGUE, "王五", "11010519491231002x").verified
        wrong = check_identity(on_file, CATALOGUE, "李四", "11010519491231002X")
        assert wrong.contradicted and not wrong.verified
        unknown = check_identity(on_file[:1], CATALOGUE, "王五", "11010519491231002X")
        assert not unknown.verified and not unknown.contradicted and "人工核验" in unknown.summary


class TestReviewMatching:
    def test_headers_and_bad_codes(self) -> None:
        inputs = parse_inputs(["序号", "企业名称", "统一社会信用代码"],
                              [(2, ["1", "甲公司", "911522010783762860"]), (3, ["2", "", ""]),
                               (4, ["3", "乙公司", "911522010783762861"])])
        assert [i.row for i in inputs] == [2, 4] and inputs[1].problem
        with pytest.raises(InvalidInput):
            parse_inputs(["甲", "乙"], [(2, ["x", "y"])])

    def test_uscc_then_exact_name_then_candidates(self) -> None:
        inputs = [ReviewInput(2, "旧名称", "911522010783762860"), ReviewInput(3, "丙公司", None),
                  ReviewInput(4, "丁公司", None), ReviewInput(5, "戊公司", None), ReviewInput(6, "无名", None)]
        matches = match_inputs(inputs, {"911522010783762860": (1, "甲公司")}, {"丙公司": [3], "丁公司": [4, 5]},
                               {3: "丙公司", 4: "丁公司", 5: "丁公司"},
                               lambda name: [Candidate(9, "戊有限公司", 85.0)] if name == "戊公司" else [])
        assert [m.status for m in matches] == [MatchStatus.MATCHED, MatchStatus.MATCHED, MatchStatus.AMBIGUOUS,
                                               MatchStatus.AMBIGUOUS, MatchStatus.UNMATCHED]
        assert matches[0].note and "不一致" in matches[0].note

    def test_penalties_count_only_inside_the_window(self) -> None:
        matter = Matter("m", "事项", 12, penalty_classes=("administrative_penalty",),
                        list_classes=("serious_dishonesty_list",))
        decided = [(record(1, day=date(2026, 1, 1)), decision(Visibility.PUBLIC)),
                   (record(2, day=date(2024, 1, 1)), decision(Visibility.RESTRICTED)),
                   (record(3, day=date(2026, 2, 1)), decision(Visibility.HIDDEN)),
                   (record(4, "serious_dishonesty_list", day=date(2020, 1, 1)), decision(Visibility.PUBLIC))]
        hits = hits_of(matter, decided, {}, TODAY)
        assert [(h.kind.value, h.decision_date) for h in hits] == [("list", date(2020, 1, 1)),
                                                                   ("penalty", date(2026, 1, 1))]
        assert all(h.negative for h in hits)
        assert CATALOGUE.classes["red_list"].classification is Classification.GOOD


class TestRuleFile:
    def test_the_default_file_loads(self) -> None:
        rules = default_review_rules()
        assert {"honours", "special_funds", "bidding"} <= set(rules.matters)
        assert rules.report.validity_days > 0

    def test_a_bad_file_names_its_line(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.yaml"
        path.write_text("report:\n  issuer: 中心\n  validity_days: 0\n  verify_base_url: http://x\n"
                        "list_classes: []\nmatters:\n  - {code: a, name: A, lookback_months: 12}\n", encoding="utf-8")
        with pytest.raises(ConfigurationError, match=r"bad.yaml:3"):
            load_review_rules(path)


class TestFont:
    def test_a_machine_without_a_chinese_font_gets_a_clear_error(self, monkeypatch: pytest.MonkeyPatch) -> None:
        pdf.installed_fonts.cache_clear()
        monkeypatch.setattr(pdf, "FONT_CANDIDATES", (("/nonexistent/font.ttc", 0),))
        with pytest.raises(ConfigurationError, match="fonts-noto-cjk"):
            pdf.find_font()
        pdf.installed_fonts.cache_clear()

    def test_a_rare_character_picks_a_font_that_has_it(self) -> None:
        fonts = pdf.installed_fonts()
        rare = {"𠀀"}  # CJK Extension B
        chosen = pdf.choose_font(set("扬州") | rare)
        if any(ord("𠀀") in pdf._face(f).unicodes for f in fonts):
            assert ord("𠀀") in pdf._face(chosen).unicodes
        assert pdf.choose_font(set("扬州")) == fonts[0]


class TestLongTables:
    def test_every_row_is_printed_and_the_header_repeats_on_each_page(self, tmp_path: Path) -> None:
        import subprocess

        from xinyong.domain.reports import Grid, Section

        rows = [[str(i), f"公司{i:04d}" + ("很长的名称" * 8 if i % 50 == 0 else ""), "行政处罚 1 条"]
                for i in range(pdf.LONG_GRID_ROWS + 50)]
        document = Document("审查", "名单", [], [Section("发现", grids=[Grid(["行号", "主体名称", "记录"], rows,
                                                                               [10, 60, 30])])])
        path = tmp_path / "long.pdf"
        path.write_bytes(pdf.render_pdf(document, "footer"))
        text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
        assert all(f"公司{i:04d}" in text for i in range(len(rows)))
        pages = text.split("\f")
        assert len([p for p in pages if p.strip()]) > 2
        assert all("主体名称" in p for p in pages[1:] if p.strip())
