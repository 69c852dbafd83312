"""Validation of realistic rows against the default catalogue (``xinyong.domain.catalogue``).

Rows are keyed by item code, as the ingestion layer hands them over after mapping headers. Each test
starts from one valid row (``penalty_row`` / ``licence_row``) and changes the one cell it is about;
``TODAY`` is fixed so that "not in the future" does not depend on the clock.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from xinyong.domain.catalogue import Catalogue, InfoClass, ValidatedValues, parse_item, validate_values
from xinyong.errors import ConfigurationError
from xinyong.rules.catalogue_files import CODE_TABLES_FILE, load_catalogue_dir, load_default_catalogue

TODAY = date(2024, 6, 1)
USCC = "911522010783762860"  # real; its check character is 0
AUTHORITY_USCC = "11321000014088700Y"
CITIZEN_ID = "11010519491231002X"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_default_catalogue()


@pytest.fixture(scope="module")
def penalty(catalogue: Catalogue) -> InfoClass:
    return catalogue.classes["administrative_penalty"]


@pytest.fixture(scope="module")
def licence(catalogue: Catalogue) -> InfoClass:
    return catalogue.classes["administrative_license"]


def penalty_row(**overrides: object) -> dict[str, object]:
    """A fine on a company, as a market regulator sends it."""
    row: dict[str, object] = {
        "cf_xdr_mc": "扬州市广陵区某某食品有限公司",
        "cf_xdr_lb": "法人及非法人组织",
        "cf_xdr_shxym": USCC,
        "cf_frdb": "张三",
        "cf_wsh": "扬广市监罚〔2024〕12号",
        "cf_wfxw": "经营超过保质期的食品",
        "cf_sy": "当事人于2024年3月经营超过保质期的饮料12瓶。",
        "cf_yj": "《中华人民共和国食品安全法》第一百二十四条第一款",
        "cf_cflb": "罚款",
        "cf_nr": "罚款人民币伍万元整",
        "cf_nr_fk": "5",
        "cf_jdrq": "2024-04-15",
        "cf_yxq": "2024-05-15",
        "cf_gsjzq": "2025-04-15",
        "cf_cfjg": "扬州市广陵区市场监督管理局",
        "cf_cfjgdm": AUTHORITY_USCC,
        "cf_sjly": "扬州市广陵区市场监督管理局",
        "cf_sjlydm": AUTHORITY_USCC,
    }
    row.update(overrides)
    return row


def licence_row(**overrides: object) -> dict[str, object]:
    """A practising licence granted to a natural person."""
    row: dict[str, object] = {
        "xk_xdr_mc": "李四",
        "xk_xdr_lb": "自然人",
        "xk_xdr_zjlx": "身份证",
        "xk_xdr_zjhm": CITIZEN_ID,
        "xk_xkws": "律师执业证",
        "xk_wsh": "苏司律许〔2024〕88号",
        "xk_xklb": "认可",
        "xk_nr": "准予李四专职律师执业",
        "xk_jdrq": "2024-03-01",
        "xk_yxqz": "2024-03-01",
        "xk_yxqzi": "2099-12-31",
        "xk_xkjg": "江苏省司法厅",
        "xk_xkjgdm": AUTHORITY_USCC,
        "xk_lydw": "扬州市司法局",
        "xk_lydwdm": AUTHORITY_USCC,
    }
    row.update(overrides)
    return row


def codes(result: ValidatedValues) -> dict[str, str]:
    """field → problem code."""
    return {p.field: p.code for p in result.problems}


class TestPenaltyRow:
    def test_valid_row_passes(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(), catalogue, TODAY)
        assert result.ok, result.problems

    def test_split_puts_query_columns_in_core(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        core, extra = validate_values(penalty, penalty_row(), catalogue, TODAY).split(penalty)
        assert core["decision_date"] == date(2024, 4, 15)
        assert core["doc_number"] == "扬广市监罚〔2024〕12号"
        assert core["category"] == "fine"
        assert core["amount"] == Decimal("5")
        assert core["authority_name"] == "扬州市广陵区市场监督管理局"
        assert core["valid_to"] == date(2024, 5, 15)
        assert extra["cf_xdr_shxym"] == USCC
        assert extra["cf_gsjzq"] == "2025-04-15"

    def test_missing_required_item_is_named(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_wsh=""), catalogue, TODAY)
        assert codes(result) == {"cf_wsh": "item.required"}
        assert "行政处罚决定书文号" in result.problems[0].message

    def test_absent_required_item_is_reported(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        row = penalty_row()
        del row["cf_cfjg"]
        assert codes(validate_values(penalty, row, catalogue, TODAY)) == {"cf_cfjg": "item.required"}

    def test_every_problem_is_reported_not_only_the_first(self, penalty: InfoClass,
                                                          catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_wsh=None, cf_jdrq="昨天", cf_nr_fk="-1"),
                                 catalogue, TODAY)
        assert codes(result) == {"cf_wsh": "item.required", "cf_jdrq": "item.date",
                                 "cf_nr_fk": "item.minimum"}

    def test_bad_date_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_jdrq="2024-02-30"), catalogue, TODAY)
        assert codes(result) == {"cf_jdrq": "item.date"}

    def test_future_decision_date_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_jdrq="2024-06-02"), catalogue, TODAY)
        assert codes(result) == {"cf_jdrq": "item.future_date"}

    def test_decision_today_is_accepted(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        row = penalty_row(cf_jdrq="2024-06-01", cf_yxq="2024-07-01")
        assert validate_values(penalty, row, catalogue, TODAY).ok

    def test_negative_fine_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_nr_fk="-0.5"), catalogue, TODAY)
        assert codes(result) == {"cf_nr_fk": "item.minimum"}

    def test_fine_that_is_not_a_number_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_nr_fk="五万元"), catalogue, TODAY)
        assert codes(result) == {"cf_nr_fk": "item.number"}

    def test_fine_with_thousands_separator_is_read(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_nr_fk="1,250.5"), catalogue, TODAY)
        assert result.values["cf_nr_fk"] == Decimal("1250.5")

    @pytest.mark.parametrize("raw", ["罚款", "fine"])
    def test_penalty_category_by_label_or_code(self, penalty: InfoClass, catalogue: Catalogue,
                                               raw: str) -> None:
        result = validate_values(penalty, penalty_row(cf_cflb=raw), catalogue, TODAY)
        assert result.values["cf_cflb"] == "fine"

    def test_every_article_nine_category_resolves(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        for label in ("警告", "通报批评", "没收违法所得", "吊销许可证件", "责令停产停业", "限制从业", "行政拘留"):
            value, problem = parse_item(penalty.item("cf_cflb"), label, catalogue, TODAY)
            assert problem is None and value is not None, label

    def test_unknown_penalty_category_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_cflb="批评教育"), catalogue, TODAY)
        assert codes(result) == {"cf_cflb": "item.code"}

    def test_uscc_with_wrong_check_character_is_rejected(self, penalty: InfoClass,
                                                         catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_xdr_shxym="911522010783762861"), catalogue, TODAY)
        assert codes(result) == {"cf_xdr_shxym": "identifier.checksum"}

    def test_uscc_typed_in_full_width_lower_case_is_normalised(self, penalty: InfoClass,
                                                               catalogue: Catalogue) -> None:
        full_width = "９１１５２２０１０７８３７６２８６０"
        result = validate_values(penalty, penalty_row(cf_xdr_shxym=full_width), catalogue, TODAY)
        assert result.values["cf_xdr_shxym"] == USCC

    def test_subject_category_label_becomes_subject_type(self, penalty: InfoClass,
                                                         catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_xdr_lb="个体工商户"), catalogue, TODAY)
        assert result.values["cf_xdr_lb"] == "individual_business"

    def test_bad_legal_representative_id_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        row = penalty_row(cf_fr_zjlx="身份证", cf_fr_zjhm="110105194912310021")
        assert codes(validate_values(penalty, row, catalogue, TODAY)) == {"cf_fr_zjhm": "identifier.checksum"}

    def test_validity_before_decision_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_yxq="2024-04-14"), catalogue, TODAY)
        assert codes(result) == {"cf_yxq": "item.date_order"}

    def test_unknown_item_key_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_xzqh="321002"), catalogue, TODAY)
        assert codes(result) == {"cf_xzqh": "item.unknown"}

    def test_overlong_fact_is_rejected(self, penalty: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(penalty, penalty_row(cf_sy="事" * 2001), catalogue, TODAY)
        assert codes(result) == {"cf_sy": "item.too_long"}


class TestDates:
    @pytest.mark.parametrize("raw", [
        "2023-05-01",
        "2023/5/1",
        "2023年5月1日",
        "20230501",
        "２０２３－０５－０１",
        "2023-05-01 00:00:00",
        "2023-05-01T08:30:00",
        45047,
        "45047",
        date(2023, 5, 1),
    ])
    def test_common_date_forms_parse(self, penalty: InfoClass, catalogue: Catalogue, raw: object) -> None:
        value, problem = parse_item(penalty.item("cf_jdrq"), raw, catalogue, TODAY)
        assert (value, problem) == (date(2023, 5, 1), None)

    @pytest.mark.parametrize("raw", ["2023-13-01", "2023/2/29", "五月一日", "2023-05"])
    def test_impossible_dates_are_rejected(self, penalty: InfoClass, catalogue: Catalogue, raw: str) -> None:
        _, problem = parse_item(penalty.item("cf_jdrq"), raw, catalogue, TODAY)
        assert problem is not None and problem.code == "item.date"


class TestLicenceRow:
    def test_person_licence_passes(self, licence: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(licence, licence_row(), catalogue, TODAY)
        assert result.ok, result.problems
        assert result.values["xk_xdr_zjlx"] == "citizen_id"
        assert result.values["xk_xdr_lb"] == "person"

    def test_split_puts_validity_and_category_in_core(self, licence: InfoClass, catalogue: Catalogue) -> None:
        core, _ = validate_values(licence, licence_row(), catalogue, TODAY).split(licence)
        assert (core["valid_from"], core["valid_to"]) == (date(2024, 3, 1), date(2099, 12, 31))
        assert (core["category"], core["doc_number"]) == ("recognition", "苏司律许〔2024〕88号")

    def test_lower_case_check_character_is_normalised(self, licence: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(licence, licence_row(xk_xdr_zjhm="11010519491231002x"), catalogue, TODAY)
        assert result.values["xk_xdr_zjhm"] == CITIZEN_ID

    def test_invalid_citizen_id_is_rejected_on_the_number(self, licence: InfoClass,
                                                          catalogue: Catalogue) -> None:
        result = validate_values(licence, licence_row(xk_xdr_zjhm="110105194912310021"), catalogue, TODAY)
        assert [p.field for p in result.problems] == ["xk_xdr_zjhm"]
        assert result.problems[0].code.startswith("identifier.")
        assert "xk_xdr_zjhm" not in result.values

    def test_short_citizen_id_is_rejected(self, licence: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(licence, licence_row(xk_xdr_zjhm="1101051949123"), catalogue, TODAY)
        assert codes(result) == {"xk_xdr_zjhm": "identifier.length"}

    def test_passport_number_is_not_checked_as_citizen_id(self, licence: InfoClass,
                                                          catalogue: Catalogue) -> None:
        row = licence_row(xk_xdr_zjlx="护照号", xk_xdr_zjhm="e12345678")
        result = validate_values(licence, row, catalogue, TODAY)
        assert result.ok, result.problems
        assert result.values["xk_xdr_zjhm"] == "E12345678"

    def test_unknown_certificate_type_is_rejected(self, licence: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(licence, licence_row(xk_xdr_zjlx="驾驶证"), catalogue, TODAY)
        assert codes(result) == {"xk_xdr_zjlx": "item.code"}

    def test_validity_end_before_start_is_rejected(self, licence: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(licence, licence_row(xk_yxqzi="2024-02-28"), catalogue, TODAY)
        assert codes(result) == {"xk_yxqzi": "item.date_order"}
        assert "有效期自" in result.problems[0].message

    def test_missing_licence_category_is_named(self, licence: InfoClass, catalogue: Catalogue) -> None:
        result = validate_values(licence, licence_row(xk_xklb=" "), catalogue, TODAY)
        assert codes(result) == {"xk_xklb": "item.required"}

    def test_legacy_registration_number_must_have_fifteen_digits(self, licence: InfoClass,
                                                                 catalogue: Catalogue) -> None:
        row = licence_row(xk_xdr_lb="法人及非法人组织", xk_xdr_gszc="32100200012345")
        assert codes(validate_values(licence, row, catalogue, TODAY)) == {"xk_xdr_gszc": "identifier.format"}


class TestOtherClasses:
    def test_commitment_without_breach_details_passes(self, catalogue: Catalogue) -> None:
        info = catalogue.classes["credit_commitment"]
        row = {
            "cn_bm": "32100020240301000001", "cn_crmc": "扬州市某某建设工程有限公司", "cn_crlb": "法人及非法人组织",
            "cn_crdm": USCC, "cn_lx": "容缺受理型", "cn_sy": "建筑工程施工许可容缺受理",
            "cn_nr": "承诺在30日内补齐材料", "cn_wnzr": "撤销许可并记入信用档案", "cn_zcrq": "2024-03-01",
            "cn_yxq": "2024-03-31", "cn_lxzt": "部分履行", "cn_sldw": "扬州市行政审批局",
            "cn_sldwdm": AUTHORITY_USCC, "cn_gklx": "可向社会公开",
        }
        result = validate_values(info, row, catalogue, TODAY)
        assert result.ok, result.problems
        assert (result.values["cn_lx"], result.values["cn_gklx"]) == ("tolerance_acceptance", "public")

    def test_taxpayer_grade_by_letter(self, catalogue: Catalogue) -> None:
        info = catalogue.classes["a_grade_taxpayer"]
        row = {"ns_nsrsbh": USCC, "ns_nsrmc": "某某科技有限公司", "ns_pjnd": "2023", "ns_xydj": "A",
               "ns_pjjg": "国家税务总局扬州市税务局"}
        result = validate_values(info, row, catalogue, TODAY)
        assert result.ok, result.problems
        assert (result.values["ns_pjnd"], result.values["ns_xydj"]) == (2023, "A")

    def test_evaluation_year_must_be_whole(self, catalogue: Catalogue) -> None:
        item = catalogue.classes["a_grade_taxpayer"].item("ns_pjnd")
        _, problem = parse_item(item, "2023.5", catalogue, TODAY)
        assert problem is not None and problem.code == "item.number"

    def test_abnormal_operation_removal_before_entry_is_rejected(self, catalogue: Catalogue) -> None:
        info = catalogue.classes["abnormal_operation"]
        row = {"jy_qymc": "某某贸易有限公司", "jy_shxym": USCC, "jy_lryy": "未按照规定期限公示年度报告",
               "jy_lrrq": "2023-07-01", "jy_zcjdjg": "扬州市市场监督管理局", "jy_ycrq": "2023-06-30"}
        assert codes(validate_values(info, row, catalogue, TODAY)) == {"jy_ycrq": "item.date_order"}


def _write_catalogue(directory: Path, class_text: str, name: str = "broken.yaml") -> Path:
    (directory / CODE_TABLES_FILE).write_text(
        "code_tables:\n  - code: yes_no\n    name: 是否\n    values:\n      - {code: y, label: 是}\n",
        encoding="utf-8",
    )
    path = directory / name
    path.write_text(class_text, encoding="utf-8")
    return path


_CLASS_HEAD = """code: broken
name: 有误的信息类
classification: warning
subject_types: [enterprise]
items:
"""


class TestBrokenCatalogueFiles:
    def test_unknown_item_type_names_file_and_line(self, tmp_path: Path) -> None:
        path = _write_catalogue(tmp_path, _CLASS_HEAD + (
            "  - code: mc\n"          # line 6
            "    label: 名称\n"
            "  - code: je\n"          # line 8
            "    label: 金额\n"
            "    type: money\n"       # line 10
        ))
        with pytest.raises(ConfigurationError) as caught:
            load_catalogue_dir(tmp_path)
        assert f"{path}:10" in caught.value.message
        assert "items.1.type" in caught.value.message

    def test_duplicate_item_code_names_file_and_line(self, tmp_path: Path) -> None:
        path = _write_catalogue(tmp_path, _CLASS_HEAD + (
            "  - code: mc\n"          # line 6
            "    label: 名称\n"
            "  - code: mc\n"
            "    label: 名称二\n"
        ))
        with pytest.raises(ConfigurationError) as caught:
            load_catalogue_dir(tmp_path)
        assert f"{path}:6" in caught.value.message
        assert "duplicate item codes: mc" in caught.value.message_en

    def test_unknown_role_names_file_and_line(self, tmp_path: Path) -> None:
        path = _write_catalogue(tmp_path, _CLASS_HEAD + (
            "  - code: mc\n"
            "    label: 名称\n"
            "    role: subject_nickname\n"  # line 8
        ))
        with pytest.raises(ConfigurationError) as caught:
            load_catalogue_dir(tmp_path)
        assert f"{path}:8" in caught.value.message

    def test_invalid_yaml_names_file_and_line(self, tmp_path: Path) -> None:
        path = _write_catalogue(tmp_path, _CLASS_HEAD + (
            "  - code: mc\n"
            "    label: [名称\n"           # line 7: unclosed flow sequence
        ))
        with pytest.raises(ConfigurationError) as caught:
            load_catalogue_dir(tmp_path)
        assert str(path) in caught.value.message

    def test_unknown_code_table_names_item_and_table(self, tmp_path: Path) -> None:
        _write_catalogue(tmp_path, _CLASS_HEAD + (
            "  - code: lb\n"
            "    label: 类别\n"
            "    type: code\n"
            "    code_table: no_such_table\n"
        ))
        with pytest.raises(ConfigurationError) as caught:
            load_catalogue_dir(tmp_path)
        assert "broken.lb" in caught.value.message
        assert "no_such_table" in caught.value.message

    def test_duplicate_class_code_is_refused(self, tmp_path: Path) -> None:
        text = _CLASS_HEAD + "  - code: mc\n    label: 名称\n"
        _write_catalogue(tmp_path, text)
        (tmp_path / "broken_again.yaml").write_text(text, encoding="utf-8")
        with pytest.raises(ConfigurationError) as caught:
            load_catalogue_dir(tmp_path)
        assert "broken_again.yaml" in caught.value.message
