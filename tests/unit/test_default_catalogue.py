"""The default public credit information catalogue (``rules/catalogue/*.yaml``) as shipped.

These tests pin the national layouts (2021 双公示 行政处罚 / 行政许可, the 20-field credit commitment
template) and the structural promises the rest of the platform relies on: every header departments
send resolves to one item, every code table the validator and the subject linker convert holds valid
codes, and every class can be exported and imported again unchanged.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from xinyong.domain.catalogue import Catalogue, InfoClass, ItemRole, ItemType
from xinyong.domain.identifiers import IdType
from xinyong.domain.records import CORE_COLUMNS, Openness
from xinyong.domain.subjects import SubjectType
from xinyong.rules.catalogue_files import (
    CODE_TABLES_FILE,
    dump_code_tables,
    dump_info_class,
    load_catalogue_dir,
    load_default_catalogue,
)

REQUIRED_CLASSES = (
    "enterprise_registration",
    "administrative_license",
    "administrative_penalty",
    "dishonest_judgment_debtor",
    "serious_dishonesty_list",
    "abnormal_operation",
    "red_list",
    "credit_commitment",
    "a_grade_taxpayer",
    "social_insurance_arrears",
)

# 行政处罚 (2021 双公示): national header → de-facto column code, in the order of the layout.
PENALTY_LAYOUT = {
    "行政相对人名称": "cf_xdr_mc",
    "行政相对人类别": "cf_xdr_lb",
    "行政相对人代码_1(统一社会信用代码)": "cf_xdr_shxym",
    "行政相对人代码_2(工商注册号)": "cf_xdr_gszc",
    "行政相对人代码_3(组织机构代码)": "cf_xdr_zzjg",
    "行政相对人代码_4(税务登记号)": "cf_xdr_swdj",
    "行政相对人代码_5(事业单位证书号)": "cf_xdr_sydw",
    "行政相对人代码_6(社会组织登记证号)": "cf_xdr_shzz",
    "法定代表人": "cf_frdb",
    "法定代表人证件类型": "cf_fr_zjlx",
    "法定代表人证件号码": "cf_fr_zjhm",
    "证件类型": "cf_xdr_zjlx",
    "证件号码": "cf_xdr_zjhm",
    "行政处罚决定书文号": "cf_wsh",
    "违法行为类型": "cf_wfxw",
    "违法事实": "cf_sy",
    "处罚依据": "cf_yj",
    "处罚类别": "cf_cflb",
    "处罚内容": "cf_nr",
    "罚款金额（万元）": "cf_nr_fk",
    "没收违法所得、没收非法财物的金额（万元）": "cf_nr_wfff",
    "暂扣或吊销证照名称及编号": "cf_nr_zkdx",
    "处罚决定日期": "cf_jdrq",
    "处罚有效期": "cf_yxq",
    "公示截止期": "cf_gsjzq",
    "处罚机关": "cf_cfjg",
    "处罚机关统一社会信用代码": "cf_cfjgdm",
    "数据来源单位": "cf_sjly",
    "数据来源单位统一社会信用代码": "cf_sjlydm",
    "备注": "bz",
}

# 行政许可 (2021 双公示): national header → de-facto column code, in the order of the layout.
LICENSE_LAYOUT = {
    "行政相对人名称": "xk_xdr_mc",
    "行政相对人类别": "xk_xdr_lb",
    "行政相对人代码_1(统一社会信用代码)": "xk_xdr_shxym",
    "行政相对人代码_2(工商注册号)": "xk_xdr_gszc",
    "行政相对人代码_3(组织机构代码)": "xk_xdr_zzjg",
    "行政相对人代码_4(税务登记号)": "xk_xdr_swdj",
    "行政相对人代码_5(事业单位证书号)": "xk_xdr_sydw",
    "行政相对人代码_6(社会组织登记证号)": "xk_xdr_shzz",
    "法定代表人": "xk_frdb",
    "法定代表人证件类型": "xk_fr_zjlx",
    "法定代表人身份证号": "xk_fr_zjhm",
    "证件类型": "xk_xdr_zjlx",
    "证件号码": "xk_xdr_zjhm",
    "行政许可决定文书名称": "xk_xkws",
    "行政许可决定文书号": "xk_wsh",
    "许可类别": "xk_xklb",
    "许可证书名称": "xk_xkzs",
    "许可编号": "xk_xkbh",
    "许可内容": "xk_nr",
    "许可决定日期": "xk_jdrq",
    "有效期自": "xk_yxqz",
    "有效期至": "xk_yxqzi",
    "许可机关": "xk_xkjg",
    "许可机关统一社会信用代码": "xk_xkjgdm",
    "当前状态": "xk_zt",
    "数据来源单位": "xk_lydw",
    "数据来源单位统一社会信用代码": "xk_lydwdm",
    "备注": "bz",
}

# Other spellings of the subject-code headers that departments send.
PENALTY_HEADER_VARIANTS = {
    "行政相对人代码_1（统一社会信用代码）": "cf_xdr_shxym",
    "行政相对人代码_1": "cf_xdr_shxym",
    "统一社会信用代码": "cf_xdr_shxym",
    "行政相对人代码_2": "cf_xdr_gszc",
    "行政相对人代码_3": "cf_xdr_zzjg",
    "行政相对人代码_4": "cf_xdr_swdj",
    "行政相对人代码_5": "cf_xdr_sydw",
    "行政相对人代码_6": "cf_xdr_shzz",
    "罚款金额(万元)": "cf_nr_fk",
}
LICENSE_HEADER_VARIANTS = {
    "行政相对人代码_1（统一社会信用代码）": "xk_xdr_shxym",
    "行政相对人代码_1": "xk_xdr_shxym",
    "统一社会信用代码": "xk_xdr_shxym",
    "法定代表人证件号码": "xk_fr_zjhm",
}

PENALTY_REQUIRED = {
    "cf_xdr_mc", "cf_xdr_lb", "cf_wsh", "cf_wfxw", "cf_sy", "cf_yj", "cf_cflb", "cf_nr", "cf_jdrq",
    "cf_cfjg", "cf_cfjgdm", "cf_sjly", "cf_sjlydm",
}
LICENSE_REQUIRED = {
    "xk_xdr_mc", "xk_xdr_lb", "xk_xkws", "xk_wsh", "xk_xklb", "xk_jdrq", "xk_yxqz", "xk_yxqzi",
    "xk_xkjg", "xk_xkjgdm", "xk_lydw", "xk_lydwdm",
}

COMMITMENT_LABELS = (
    "承诺编码", "承诺人名称", "承诺人类别", "承诺人代码", "承诺类型", "承诺事由", "承诺内容", "违诺责任",
    "承诺作出日期", "承诺有效期", "承诺履行状态", "未履行的承诺内容", "违诺责任追究内容", "认定日期", "认定单位",
    "认定单位代码", "受理单位", "受理单位代码", "公开类型", "备注",
)

# 《行政处罚法》(2021) art. 9, in the order of the article.
PENALTY_CATEGORIES = (
    "警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件", "降低资质等级", "吊销许可证件",
    "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留", "其他",
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_default_catalogue()


def _classes(catalogue: Catalogue) -> list[InfoClass]:
    return list(catalogue.classes.values())


def _resolve(info: InfoClass, header: str) -> list[str]:
    return [item.code for item in info.items if header in item.headers]


class TestLoading:
    def test_default_catalogue_loads_without_problems(self, catalogue: Catalogue) -> None:
        assert catalogue.problems() == []

    @pytest.mark.parametrize("code", REQUIRED_CLASSES)
    def test_required_class_exists(self, catalogue: Catalogue, code: str) -> None:
        assert catalogue.info_class(code) is not None

    def test_every_class_file_is_named_after_its_code(self, catalogue: Catalogue) -> None:
        directory = Path(__file__).resolve().parents[2] / "src" / "xinyong" / "rules" / "catalogue"
        names = {p.stem for p in directory.glob("*.yaml") if p.name != CODE_TABLES_FILE}
        assert names == set(catalogue.classes)

    def test_export_and_import_round_trip_unchanged(self, catalogue: Catalogue, tmp_path: Path) -> None:
        (tmp_path / CODE_TABLES_FILE).write_text(dump_code_tables(list(catalogue.code_tables.values())),
                                                 encoding="utf-8")
        for info in catalogue.classes.values():
            (tmp_path / f"{info.code}.yaml").write_text(dump_info_class(info), encoding="utf-8")
        again = load_catalogue_dir(tmp_path)
        assert again.classes == catalogue.classes
        assert again.code_tables == catalogue.code_tables


class TestNationalLayouts:
    def test_penalty_has_the_national_items_in_order(self, catalogue: Catalogue) -> None:
        penalty = catalogue.classes["administrative_penalty"]
        assert [i.code for i in penalty.items] == list(PENALTY_LAYOUT.values())

    def test_license_has_the_national_items_in_order(self, catalogue: Catalogue) -> None:
        licence = catalogue.classes["administrative_license"]
        assert [i.code for i in licence.items] == list(LICENSE_LAYOUT.values())

    @pytest.mark.parametrize("header", [*PENALTY_LAYOUT, *PENALTY_HEADER_VARIANTS])
    def test_penalty_header_resolves_to_its_item(self, catalogue: Catalogue, header: str) -> None:
        expected = PENALTY_LAYOUT.get(header) or PENALTY_HEADER_VARIANTS[header]
        assert _resolve(catalogue.classes["administrative_penalty"], header) == [expected]

    @pytest.mark.parametrize("header", [*LICENSE_LAYOUT, *LICENSE_HEADER_VARIANTS])
    def test_license_header_resolves_to_its_item(self, catalogue: Catalogue, header: str) -> None:
        expected = LICENSE_LAYOUT.get(header) or LICENSE_HEADER_VARIANTS[header]
        assert _resolve(catalogue.classes["administrative_license"], header) == [expected]

    def test_penalty_labels_are_the_national_headers(self, catalogue: Catalogue) -> None:
        penalty = catalogue.classes["administrative_penalty"]
        assert [i.label for i in penalty.items] == list(PENALTY_LAYOUT)

    def test_license_labels_are_the_national_headers(self, catalogue: Catalogue) -> None:
        licence = catalogue.classes["administrative_license"]
        assert [i.label for i in licence.items] == list(LICENSE_LAYOUT)

    def test_penalty_required_items_follow_the_national_layout(self, catalogue: Catalogue) -> None:
        penalty = catalogue.classes["administrative_penalty"]
        assert {i.code for i in penalty.items if i.required} == PENALTY_REQUIRED

    def test_license_required_items_follow_the_national_layout(self, catalogue: Catalogue) -> None:
        licence = catalogue.classes["administrative_license"]
        assert {i.code for i in licence.items if i.required} == LICENSE_REQUIRED

    @pytest.mark.parametrize(("code", "rule", "classification"), [
        ("administrative_penalty", "penalty", "warning"),
        ("administrative_license", "licence", "licence"),
    ])
    def test_dual_publicity_is_daily_within_seven_working_days(
        self, catalogue: Catalogue, code: str, rule: str, classification: str
    ) -> None:
        info = catalogue.classes[code]
        assert (info.deadline_working_days, info.update_cycle.value) == (7, "daily")
        assert (info.publication_rule, info.classification.value) == (rule, classification)

    def test_penalty_category_and_fine_are_typed(self, catalogue: Catalogue) -> None:
        penalty = catalogue.classes["administrative_penalty"]
        category, fine = penalty.item("cf_cflb"), penalty.item("cf_nr_fk")
        assert (category.type, category.code_table, category.column) == (ItemType.CODE, "penalty_category",
                                                                         "category")
        assert (fine.type, fine.minimum, fine.column) == (ItemType.DECIMAL, 0, "amount")

    def test_commitment_has_the_twenty_template_fields(self, catalogue: Catalogue) -> None:
        commitment = catalogue.classes["credit_commitment"]
        assert tuple(i.label for i in commitment.items) == COMMITMENT_LABELS

    def test_commitment_breach_details_are_optional_in_the_file(self, catalogue: Catalogue) -> None:
        commitment = catalogue.classes["credit_commitment"]
        assert not commitment.item("cn_wlxnr").required
        assert not commitment.item("cn_zjnr").required


class TestItems:
    @pytest.mark.parametrize("code", REQUIRED_CLASSES)
    def test_class_has_exactly_one_subject_name_item(self, catalogue: Catalogue, code: str) -> None:
        info = catalogue.classes[code]
        assert len([i for i in info.items if i.role is ItemRole.SUBJECT_NAME]) == 1

    def test_no_role_is_played_by_two_items(self, catalogue: Catalogue) -> None:
        # Only the legacy codes (工商注册号, 组织机构代码 …) share a role: they are all other codes of the subject.
        for info in _classes(catalogue):
            roles = [i.role for i in info.items if i.role not in (None, ItemRole.SUBJECT_OTHER_ID)]
            assert len(roles) == len(set(roles)), info.code

    def test_every_column_is_a_core_column_used_once(self, catalogue: Catalogue) -> None:
        for info in _classes(catalogue):
            columns = [i.column for i in info.items if i.column is not None]
            assert set(columns) <= set(CORE_COLUMNS), info.code
            assert len(columns) == len(set(columns)), info.code

    def test_decision_dates_may_not_be_in_the_future(self, catalogue: Catalogue) -> None:
        for info in _classes(catalogue):
            for item in info.items:
                if item.column == "decision_date":
                    assert item.type is ItemType.DATE and item.not_future, f"{info.code}.{item.code}"

    def test_date_columns_are_date_items(self, catalogue: Catalogue) -> None:
        for info in _classes(catalogue):
            for item in info.items:
                if item.column is not None and CORE_COLUMNS[item.column].__name__ == "date":
                    assert item.type is ItemType.DATE, f"{info.code}.{item.code}"

    def test_subject_id_is_an_optional_uscc(self, catalogue: Catalogue) -> None:
        for info in _classes(catalogue):
            item = info.item_by_role(ItemRole.SUBJECT_ID)
            if item is not None:
                assert (item.type, item.id_type, item.required) == (ItemType.IDENTIFIER, IdType.USCC, False)

    def test_authority_codes_are_validated_but_never_name_the_subject(self, catalogue: Catalogue) -> None:
        # The linker takes only subject_id / subject_other_id items as codes of the subject; an
        # authority's USCC is checked like any USCC but must not be attached to the subject it penalised.
        for info in _classes(catalogue):
            for item in info.items:
                if item.column == "authority_uscc":
                    assert (item.type, item.id_type) == (ItemType.IDENTIFIER, IdType.USCC), info.code
                    assert item.role is None, info.code

    def test_legacy_codes_are_other_codes_of_the_subject(self, catalogue: Catalogue) -> None:
        legacy = {IdType.REGISTRATION_NO, IdType.ORGANISATION_CODE, IdType.TAX_NO, IdType.INSTITUTION_CERT,
                  IdType.SOCIAL_ORG_CERT}
        for info in _classes(catalogue):
            for item in info.items:
                if item.type is ItemType.IDENTIFIER and item.id_type in legacy:
                    assert item.role is ItemRole.SUBJECT_OTHER_ID, f"{info.code}.{item.code}"

    def test_persons_can_be_named_by_certificate(self, catalogue: Catalogue) -> None:
        for info in _classes(catalogue):
            if SubjectType.PERSON in info.subject_types:
                cert_type = info.item_by_role(ItemRole.SUBJECT_CERT_TYPE)
                assert cert_type is not None and cert_type.code_table == "certificate_type", info.code
                assert info.item_by_role(ItemRole.SUBJECT_CERT_NO) is not None, info.code
                assert info.item_by_role(ItemRole.SUBJECT_CATEGORY) is not None, info.code

    def test_date_orders_name_date_items(self, catalogue: Catalogue) -> None:
        for info in _classes(catalogue):
            for order in info.date_orders:
                assert info.item(order.earlier).type is ItemType.DATE
                assert info.item(order.later).type is ItemType.DATE

    def test_license_validity_end_is_ordered_after_start(self, catalogue: Catalogue) -> None:
        orders = {(o.earlier, o.later) for o in catalogue.classes["administrative_license"].date_orders}
        assert ("xk_yxqz", "xk_yxqzi") in orders

    @pytest.mark.parametrize("code", REQUIRED_CLASSES)
    def test_class_declares_its_metadata(self, catalogue: Catalogue, code: str) -> None:
        info = catalogue.classes[code]
        assert info.name and info.name_en and info.description
        assert info.source_departments and info.effective_from is not None
        assert info.publication_rule


class TestCodeTables:
    def test_certificate_type_codes_are_id_types(self, catalogue: Catalogue) -> None:
        table = catalogue.code_tables["certificate_type"]
        assert {v.code for v in table.values} <= {t.value for t in IdType}
        assert table.resolve("身份证") == IdType.CITIZEN_ID.value

    def test_subject_category_codes_are_subject_types(self, catalogue: Catalogue) -> None:
        table = catalogue.code_tables["subject_category"]
        assert {v.code for v in table.values} == {t.value for t in SubjectType}
        assert table.resolve("法人及非法人组织") == SubjectType.ENTERPRISE.value
        assert table.resolve("自然人") == SubjectType.PERSON.value
        assert table.resolve("个体工商户") == SubjectType.INDIVIDUAL_BUSINESS.value

    def test_commitment_openness_codes_are_openness_values(self, catalogue: Catalogue) -> None:
        table = catalogue.code_tables["commitment_openness"]
        assert {v.code for v in table.values} == {o.value for o in Openness}

    def test_penalty_categories_follow_article_nine(self, catalogue: Catalogue) -> None:
        table = catalogue.code_tables["penalty_category"]
        assert tuple(v.label for v in table.values) == PENALTY_CATEGORIES
        assert all(v.code.isascii() for v in table.values)

    def test_labels_are_already_normalised(self, catalogue: Catalogue) -> None:
        # The validator NFKC-normalises a cell before the look-up, so a full-width label never matches.
        for table in catalogue.code_tables.values():
            for value in table.values:
                assert unicodedata.normalize("NFKC", value.label) == value.label, f"{table.code}: {value.label}"

    def test_labels_are_unique_within_a_table(self, catalogue: Catalogue) -> None:
        for table in catalogue.code_tables.values():
            labels = [v.label for v in table.values]
            assert len(labels) == len(set(labels)), table.code
