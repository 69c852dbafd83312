"""The publication rules engine on dated scenarios (rules/publication.yaml)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from xinyong.domain.publication import (
    PublicationFacts,
    PublicationKind,
    Severity,
    Visibility,
    add_months,
    categories_in,
    decide,
)
from xinyong.domain.records import Openness, RecordStatus, SharingLevel
from xinyong.errors import ConfigurationError
from xinyong.rules.catalogue_files import load_default_catalogue
from xinyong.rules.publication_files import default_policy, load_policy

POLICY = default_policy()


def penalty(decided: date, *categories: str, person: bool = False, authority: str = "扬州市市场监督管理局",
            content: str = "罚款人民币5000元", **changes: object) -> PublicationFacts:
    facts = PublicationFacts(
        kind=PublicationKind.PENALTY, status=RecordStatus.ACTIVE, openness=Openness.PUBLIC,
        sharing=SharingLevel.UNCONDITIONAL, subject_is_person=person, decision_date=decided,
        categories=frozenset(categories or ("fine",)), authority_name=authority, content=content,
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def test_add_months_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2020, 5, 10), 36) == date(2023, 5, 10)


def test_rule_in_force_is_chosen_by_the_decision_date() -> None:
    assert POLICY.rule_for(date(2020, 1, 1)).code == "ndrc_2019_527"
    assert POLICY.rule_for(date(2023, 4, 30)).code == "ndrc_2019_527"
    assert POLICY.rule_for(date(2023, 5, 1)).code == "ndrc_order_58_2023"
    assert POLICY.rule_for(date(2026, 3, 31)).code == "ndrc_order_58_2023"
    assert POLICY.rule_for(date(2026, 4, 1)).code == "ndrc_order_36_2026"


def test_2019_general_penalty_visible_at_11_months_gone_at_13() -> None:
    facts = penalty(date(2020, 3, 10))
    at_11 = decide(facts, POLICY, date(2021, 2, 10))
    assert at_11.visibility is Visibility.PUBLIC and at_11.severity is Severity.GENERAL
    assert at_11.public_until == date(2021, 3, 9) and at_11.repair_from == date(2020, 6, 10)
    gone = decide(facts, POLICY, date(2021, 4, 10))
    assert gone.visibility is Visibility.HIDDEN
    assert "publication.window_ended" in {r.code for r in gone.reasons}
    # the last day shown and the first day withdrawn
    assert decide(facts, POLICY, date(2021, 3, 9)).is_public
    assert not decide(facts, POLICY, date(2021, 3, 10)).is_public


def test_2019_serious_penalty_visible_at_2_years_11_months_gone_after_3_years() -> None:
    facts = penalty(date(2020, 1, 15), "revoke_licence", content="吊销营业执照")
    decision = decide(facts, POLICY, date(2022, 12, 15))
    assert decision.visibility is Visibility.PUBLIC and decision.severity is Severity.SERIOUS
    assert decision.repairable and decision.repair_from == date(2020, 7, 15)
    assert not decide(facts, POLICY, date(2023, 1, 15)).is_public


def test_specific_serious_is_not_repairable_and_stays_the_full_window() -> None:
    facts = penalty(date(2021, 6, 1), "suspend_business", authority="扬州市生态环境局", content="责令停产停业整治")
    decision = decide(facts, POLICY, date(2021, 9, 1))
    assert decision.severity is Severity.SPECIFIC_SERIOUS
    assert decision.repairable is False and decision.repair_from is None
    assert "publication.not_repairable" in {r.code for r in decision.reasons}
    assert decide(facts, POLICY, date(2024, 5, 31)).is_public
    assert not decide(facts, POLICY, date(2024, 6, 1)).is_public


def test_specific_serious_by_conduct_in_any_field() -> None:
    facts = penalty(date(2022, 1, 1), "revoke_licence", content="因围标串标吊销许可证")
    assert decide(facts, POLICY, date(2022, 2, 1)).severity is Severity.SPECIFIC_SERIOUS
    # the same conduct without licence revocation or closure is only general
    plain = penalty(date(2022, 1, 1), "fine", content="因围标串标罚款")
    assert decide(plain, POLICY, date(2022, 2, 1)).severity is Severity.GENERAL


def test_natural_person_penalty_is_never_public() -> None:
    facts = penalty(date(2026, 6, 1), person=True)
    for day in (date(2026, 6, 1), date(2026, 9, 1), date(2027, 1, 1)):
        decision = decide(facts, POLICY, day)
        assert decision.visibility is Visibility.RESTRICTED
        assert decision.shared
    assert "publication.person_penalty" in {r.code for r in decide(facts, POLICY, date(2026, 7, 1)).reasons}


def test_2023_rule_three_years_and_one_year_minimum_for_work_safety() -> None:
    general = penalty(date(2024, 1, 10))
    assert decide(general, POLICY, date(2026, 12, 1)).is_public
    assert not decide(general, POLICY, date(2027, 1, 10)).is_public
    assert decide(general, POLICY, date(2024, 2, 1)).repair_from == date(2024, 4, 10)
    safety = penalty(date(2024, 1, 10), authority="扬州市应急管理局")
    assert decide(safety, POLICY, date(2024, 2, 1)).repair_from == date(2025, 1, 10)


def test_several_penalty_types_take_the_longest_window() -> None:
    # 2026 rule: a warning alone is minor and not published; with a licence revocation it is serious.
    warning = penalty(date(2026, 5, 1), "warning", content="警告")
    assert decide(warning, POLICY, date(2026, 5, 2)).visibility is Visibility.RESTRICTED
    both = penalty(date(2026, 5, 1), "warning", "revoke_licence", content="警告并吊销许可证件")
    decision = decide(both, POLICY, date(2026, 5, 2))
    assert decision.is_public and decision.severity is Severity.SERIOUS
    assert decision.public_until == date(2029, 4, 30) and decision.repair_from == date(2027, 5, 1)


def test_penalty_types_are_also_read_from_the_content() -> None:
    labels = {v.code: v.label for v in load_default_catalogue().code_tables["penalty_category"].values}
    assert categories_in("罚款人民币2万元，没收违法所得3000元", labels) == {"fine", "confiscate_income"}


@pytest.mark.parametrize(("status", "code"), [
    (RecordStatus.REPAIRED, "publication.repaired"),
    (RecordStatus.REVOKED, "publication.revoked"),
    (RecordStatus.CORRECTED, "publication.superseded"),
])
def test_inactive_records_are_hidden_and_not_shared(status: RecordStatus, code: str) -> None:
    decision = decide(penalty(date(2026, 5, 1), status=status), POLICY, date(2026, 5, 2))
    assert decision.visibility is Visibility.HIDDEN and not decision.shared
    assert decision.reasons[0].code == code


def test_openness_and_sharing_are_respected() -> None:
    restricted = decide(penalty(date(2026, 5, 1), openness=Openness.RESTRICTED), POLICY, date(2026, 5, 2))
    assert restricted.visibility is Visibility.RESTRICTED
    unshared = decide(penalty(date(2026, 5, 1), sharing=SharingLevel.NONE), POLICY, date(2026, 5, 2))
    assert unshared.is_public and not unshared.shared


def test_licences_public_from_the_decision_and_lists_until_validity_ends() -> None:
    licence = PublicationFacts(PublicationKind.LICENCE, RecordStatus.ACTIVE, Openness.PUBLIC,
                               SharingLevel.UNCONDITIONAL, False, decision_date=date(2025, 3, 1))
    assert not decide(licence, POLICY, date(2025, 2, 28)).is_public
    assert decide(licence, POLICY, date(2030, 1, 1)).is_public
    entry = replace(licence, kind=PublicationKind.LIST, valid_to=date(2026, 12, 31))
    assert decide(entry, POLICY, date(2026, 12, 31)).is_public
    ended = decide(entry, POLICY, date(2027, 1, 1))
    assert ended.visibility is Visibility.HIDDEN and ended.reasons[0].code == "publication.list_ended"
    restricted = replace(licence, kind=PublicationKind.RESTRICTED)
    assert decide(restricted, POLICY, date(2026, 1, 1)).visibility is Visibility.RESTRICTED


def test_every_category_in_the_rules_exists_in_the_code_table() -> None:
    codes = {v.code for v in load_default_catalogue().code_tables["penalty_category"].values}
    for rule in POLICY.rule_sets:
        assert set(rule.category_severity) <= codes
        assert rule.specific_serious_categories <= codes


def test_a_rule_file_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "publication.yaml"
    path.write_text("rule_sets:\n  - code: x\n    name: x\n    source: x\n    effective_from: 2020-01-01\n"
                    "    windows: {general: {min_months: 3, max_months: 12}}\n"
                    "    min_months_by_field: {mining: 12}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="mining"):
        load_policy(path)


def test_a_window_shorter_than_its_minimum_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "publication.yaml"
    path.write_text("rule_sets:\n  - code: x\n    name: x\n    source: x\n    effective_from: 2020-01-01\n"
                    "    windows:\n      general: {min_months: 13, max_months: 12}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"publication.yaml:7"):
        load_policy(path)


def test_facts_of_a_record_read_categories_from_the_category_and_the_content() -> None:
    from datetime import UTC, datetime

    from xinyong.domain.publication import facts_of
    from xinyong.domain.records import Classification, CreditRecord, Provenance

    catalogue = load_default_catalogue()
    labels = {v.code: v.label for v in catalogue.code_tables["penalty_category"].values}
    record = CreditRecord(
        id=1, subject_id=2, info_class="administrative_penalty", classification=Classification.WARNING,
        department_id=3, sharing=SharingLevel.UNCONDITIONAL, openness=Openness.PUBLIC,
        provenance=Provenance(datetime(2026, 5, 2, tzinfo=UTC), "api"),
        core={"decision_date": date(2026, 5, 1), "category": "warning", "content": "警告，并吊销许可证件",
              "authority_name": "扬州市应急管理局"},
    )
    facts = facts_of(record, catalogue.info_class("administrative_penalty"), False, labels)  # type: ignore[arg-type]
    assert facts.kind is PublicationKind.PENALTY and facts.categories == {"warning", "revoke_licence"}
    decision = decide(facts, POLICY, date(2026, 5, 2))
    assert decision.severity is Severity.SPECIFIC_SERIOUS and decision.repairable is False
