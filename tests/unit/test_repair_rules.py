"""Credit repair rules: deadlines in Chinese working days, the procedure chosen by the application date,
and eligibility (rules/repair.yaml with the publication windows of rules/publication.yaml)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from xinyong.domain.publication import PublicationFacts, PublicationKind, Severity, decide
from xinyong.domain.records import Openness, RecordStatus, SharingLevel
from xinyong.domain.repair import CaseKind, CaseStatus, Material, RepairTarget, eligibility
from xinyong.errors import ConfigurationError
from xinyong.rules.publication_files import default_policy
from xinyong.rules.repair_files import default_rights, load_rights

POLICY = default_policy()
RIGHTS = default_rights()


def penalty(decided: date, *categories: str, content: str = "罚款人民币5000元",
            person: bool = False) -> PublicationFacts:
    return PublicationFacts(
        kind=PublicationKind.PENALTY, status=RecordStatus.ACTIVE, openness=Openness.PUBLIC,
        sharing=SharingLevel.UNCONDITIONAL, subject_is_person=person, decision_date=decided,
        categories=frozenset(categories or ("fine",)), authority_name="扬州市市场监督管理局", content=content)


def target(facts: PublicationFacts, on: date, **changes: object) -> RepairTarget:
    built = RepairTarget(facts.kind, facts.status, decide(facts, POLICY, on), facts.subject_is_person,
                         facts.decision_date)
    return replace(built, **changes)  # type: ignore[arg-type]


class TestDeadlines:
    def test_national_day_2025_skips_the_holiday_and_counts_the_make_up_saturday(self) -> None:
        procedure = RIGHTS.procedure_for(date(2025, 9, 29))
        assert procedure.code == "ndrc_order_58_2023"
        # accept within 3 working days of Mon 29 Sep: 30 Sep, (1–8 Oct holiday), 9 Oct, 10 Oct
        assert procedure.due(CaseKind.REPAIR, CaseStatus.SUBMITTED, date(2025, 9, 29)) == date(2025, 10, 10)
        # 10 working days from Tue 30 Sep: Sat 11 Oct is a make-up workday, Sun 12 Oct is not
        assert procedure.total_due(CaseKind.REPAIR, date(2025, 9, 30)) == date(2025, 10, 21)
        # a step reached on the make-up Sunday 28 Sep counts from there
        assert procedure.due(CaseKind.REPAIR, CaseStatus.SUBMITTED, date(2025, 9, 28)) == date(2025, 10, 9)

    def test_spring_festival_2026_with_make_up_saturdays(self) -> None:
        procedure = RIGHTS.procedure_for(date(2026, 2, 13))
        # verify within 5 working days of Fri 13 Feb: Sat 14 Feb (make-up), 24, 25, 26, 27 Feb
        assert procedure.due(CaseKind.REPAIR, CaseStatus.ACCEPTED, date(2026, 2, 13)) == date(2026, 2, 27)
        # 10 working days from Thu 12 Feb: 13, 14, 24–28 Feb (28th a make-up Saturday), 2, 3, 4 Mar
        assert procedure.total_due(CaseKind.REPAIR, date(2026, 2, 12)) == date(2026, 3, 4)

    def test_decision_within_3_working_days_under_the_2026_rule(self) -> None:
        procedure = RIGHTS.procedure_for(date(2026, 5, 14))
        assert procedure.code == "ndrc_order_36_2026"
        assert procedure.repair.decide_working_days == 3
        # verified on Thu 14 May 2026: Fri 15, Mon 18, Tue 19 May
        assert procedure.due(CaseKind.REPAIR, CaseStatus.VERIFIED, date(2026, 5, 14)) == date(2026, 5, 19)
        # the same step under the 2023 rule: 2 working days
        assert RIGHTS.procedure_for(date(2026, 3, 5)).due(CaseKind.REPAIR, CaseStatus.VERIFIED,
                                                           date(2026, 3, 5)) == date(2026, 3, 9)

    def test_closed_cases_have_no_deadline(self) -> None:
        procedure = RIGHTS.procedure_for(date(2026, 6, 1))
        assert procedure.due(CaseKind.REPAIR, CaseStatus.EXECUTED, date(2026, 6, 1)) is None
        assert procedure.due(CaseKind.OBJECTION, CaseStatus.CORRECTED, date(2026, 6, 1)) is None


class TestProcedureByApplicationDate:
    def test_2023_and_2026_rules_chosen_by_the_application_date(self) -> None:
        assert RIGHTS.procedure_for(date(2023, 5, 1)).code == "ndrc_order_58_2023"
        assert RIGHTS.procedure_for(date(2026, 3, 31)).code == "ndrc_order_58_2023"
        assert RIGHTS.procedure_for(date(2026, 4, 1)).code == "ndrc_order_36_2026"
        assert RIGHTS.procedure_for(date(2019, 1, 1)).code == "ndrc_2019_527"

    def test_serious_cases_need_training_and_a_credit_report_in_2026_not_in_2023(self) -> None:
        in_2023 = RIGHTS.procedure_for(date(2025, 6, 1)).repair.materials_for(Severity.SERIOUS)
        in_2026 = RIGHTS.procedure_for(date(2026, 6, 1)).repair.materials_for(Severity.SERIOUS)
        assert Material.TRAINING_CERTIFICATE not in in_2023
        assert {Material.COMMITMENT, Material.TRAINING_CERTIFICATE, Material.CREDIT_REPORT} <= set(in_2026)
        general = RIGHTS.procedure_for(date(2026, 6, 1)).repair.materials_for(Severity.GENERAL)
        assert Material.COMMITMENT in general and Material.CREDIT_REPORT not in general

    def test_a_rule_file_without_a_commitment_is_refused_naming_the_line(self, tmp_path: Path) -> None:
        text = Path(str(RIGHTS_FILE)).read_text(encoding="utf-8").replace(
            "general: [commitment, fulfilment_proof]", "general: [fulfilment_proof]", 1)
        bad = tmp_path / "repair.yaml"
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigurationError, match=r"repair\.yaml"):
            load_rights(bad)


RIGHTS_FILE = Path(__file__).parents[2] / "src" / "xinyong" / "rules" / "repair.yaml"


class TestEligibility:
    def test_general_penalty_repairable_only_after_its_minimum_period(self) -> None:
        facts = penalty(date(2026, 4, 20))  # 2026 rule: general, minimum 3 months
        early = eligibility(target(facts, date(2026, 6, 15)), RIGHTS.procedure_for(date(2026, 6, 15)),
                            date(2026, 6, 15))
        assert not early.eligible and early.reasons[0].code == "repair.too_early"
        assert early.repair_from == date(2026, 7, 20) and "2026年07月20日" in early.message
        later = eligibility(target(facts, date(2026, 7, 20)), RIGHTS.procedure_for(date(2026, 7, 20)),
                            date(2026, 7, 20))
        assert later.eligible and later.severity is Severity.GENERAL
        assert later.materials == (Material.COMMITMENT, Material.FULFILMENT_PROOF)

    def test_specific_serious_penalty_is_not_repairable(self) -> None:
        facts = penalty(date(2024, 3, 1), "revoke_licence", content="吊销食品经营许可证，因制售假冒伪劣食品")
        result = eligibility(target(facts, date(2026, 6, 15)), RIGHTS.procedure_for(date(2026, 6, 15)),
                             date(2026, 6, 15))
        assert not result.eligible and result.reasons[0].code == "repair.not_repairable"
        assert "不予修复" in result.message

    def test_persons_penalties_and_pending_cases_are_refused_with_their_reason(self) -> None:
        facts = penalty(date(2025, 1, 1), person=True)
        person = eligibility(target(facts, date(2026, 6, 15)), RIGHTS.procedure_for(date(2026, 6, 15)),
                             date(2026, 6, 15))
        assert person.reasons[0].code == "repair.person"
        pending = eligibility(target(penalty(date(2025, 1, 1)), date(2026, 6, 15), pending_case="XF1"),
                              RIGHTS.procedure_for(date(2026, 6, 15)), date(2026, 6, 15))
        assert pending.reasons[0].code == "repair.pending"

    def test_licences_are_not_covered_and_repaired_records_need_nothing(self) -> None:
        licence = replace(penalty(date(2025, 1, 1)), kind=PublicationKind.LICENCE)
        assert eligibility(target(licence, date(2026, 6, 15)), RIGHTS.procedures[-1],
                           date(2026, 6, 15)).reasons[0].code == "repair.not_covered"
        repaired = replace(penalty(date(2025, 1, 1)), status=RecordStatus.REPAIRED)
        assert eligibility(target(repaired, date(2026, 6, 15)), RIGHTS.procedures[-1],
                           date(2026, 6, 15)).reasons[0].code == "repair.not_active"

    def test_good_information_such_as_the_red_list_is_not_covered(self) -> None:
        entry = replace(penalty(date(2025, 9, 1)), kind=PublicationKind.LIST, valid_to=date(2028, 9, 1))
        result = eligibility(target(entry, date(2026, 12, 1), dishonest=False), RIGHTS.procedures[-1],
                             date(2026, 12, 1))
        assert result.reasons[0].code == "repair.not_covered"

    def test_list_entries_after_the_configured_minimum(self) -> None:
        entry = replace(penalty(date(2025, 9, 1)), kind=PublicationKind.LIST, valid_to=date(2028, 9, 1))
        procedure = RIGHTS.procedure_for(date(2026, 6, 15))
        early = eligibility(target(entry, date(2026, 6, 15)), procedure, date(2026, 6, 15))
        assert early.reasons[0].code == "repair.too_early" and early.repair_from == date(2026, 9, 1)
        assert eligibility(target(entry, date(2026, 9, 1)), procedure, date(2026, 9, 1)).eligible
