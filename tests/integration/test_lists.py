"""Lists as services on both databases: entries from collected records, derivation proposals that wait
for a person, administrators' own lists, lifecycle rules, and the portal's masked public view."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import actor_of, make_department, make_user
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, PERSON_ID, penalty_values
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.identifiers import IdType
from xinyong.domain.lists import EntryStatus
from xinyong.domain.subjects import Identifier, SubjectType
from xinyong.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinyong.services import checks, ingest, lists, records
from xinyong.services.checks import SubjectQuery

CLI = system_actor("test")


def _submit(platform: Platform, info_class: str, values: dict[str, str]) -> int:
    with platform.uow(CLI) as uow:
        existing = uow.accounts.department_by_uscc(MARKET_REGULATOR_USCC)
    department_id = existing.id if existing else make_department(platform, MARKET_REGULATOR_USCC, "市场监管局")
    with platform.uow(CLI) as uow:
        return records.submit(uow, platform.catalogue(uow), info_class, department_id, values, "api").record.id


def _abnormal(**overrides: str) -> dict[str, str]:
    values = {"jy_qymc": "扬州市示例科技有限公司", "jy_shxym": ENTERPRISE_USCC,
              "jy_lryy": "通过登记的住所或者经营场所无法联系",
              "jy_lrrq": "2025-03-01", "jy_lrwsh": "扬市监企异〔2025〕7号", "jy_zcjdjg": "扬州市市场监督管理局"}
    values.update(overrides)
    return values


class TestEntriesFromRecords:
    def test_an_abnormal_operation_record_and_its_removal(self, platform: Platform) -> None:
        _submit(platform, "abnormal_operation", _abnormal())  # accepting the record lists its subject
        with platform.uow(CLI) as uow:
            assert lists.sync_from_records(uow) == {"created": 0, "updated": 0}  # nothing left to catch up
            [(entry, subject)] = lists.browse(uow, "abnormal_operation")[0]
        assert entry.status is EntryStatus.LISTED and entry.in_force(date(2026, 6, 15))
        assert subject["identifier"] == ENTERPRISE_USCC and entry.reason.startswith("通过登记的住所")
        # The regulator corrects the record with a removal date: a new version, and the entry follows it.
        _submit(platform, "abnormal_operation", _abnormal(jy_ycyy="已依法补报年度报告", jy_ycrq="2026-06-01",
                                                          jy_ycjdjg="扬州市市场监督管理局"))
        with platform.uow(CLI) as uow:
            assert lists.sync_from_records(uow) == {"created": 0, "updated": 0}
            view = lists.get_entry(uow, entry.id)
        assert view.entry.status is EntryStatus.EXITED and view.entry.ended_on == date(2026, 6, 1)
        assert not view.entry.in_force(date(2026, 6, 15)) and view.entry.in_force(date(2026, 5, 31))
        assert [e["event"] for e in view.events] == ["listed", "corrected"]


class TestDerivationRules:
    def test_three_penalties_in_twelve_months_propose_key_attention(self, platform: Platform) -> None:
        for n, day in enumerate(("2025-09-01", "2026-01-10", "2026-05-20")):
            values = penalty_values(cf_wsh=f"扬市监罚〔2026〕{n + 1}号", cf_jdrq=day)
            _submit(platform, "administrative_penalty", values)
        with platform.uow(CLI) as uow:
            assert lists.propose_from_rules(uow) == {"penalties_3_in_12_months": 1}
            assert lists.propose_from_rules(uow) == {"penalties_3_in_12_months": 0}  # not proposed twice
            [(proposal, _)] = lists.browse(uow, "key_attention", status="proposed")[0]
            assert len(proposal.evidence) == 3
            subject_id = proposal.subject_id
            # Not in force until a person confirms it.
            answer = checks.check(uow, "licensing", SubjectQuery(ENTERPRISE_USCC))
            assert answer["action"] == "none"
            confirmed = lists.confirm_proposal(uow, proposal.id)
            assert confirmed.status is EntryStatus.LISTED
            assert confirmed.valid_to == date(2026, 6, 15) + timedelta(days=365)
            answer = checks.check(uow, "licensing", SubjectQuery(ENTERPRISE_USCC))
            assert answer["action"] == "prompt"
            assert len(answer["hits"][0]["records"]) == 3  # the records behind the hit
            with pytest.raises(Conflict):
                lists.confirm_proposal(uow, proposal.id)
            assert uow.subjects.id_by_identifier(IdType.USCC, ENTERPRISE_USCC) == subject_id

    def test_a_rejected_proposal_never_lists(self, platform: Platform) -> None:
        for n in range(3):
            _submit(platform, "administrative_penalty", penalty_values(cf_wsh=f"扬市监罚〔2026〕{n + 1}号"))
        with platform.uow(CLI) as uow:
            lists.propose_from_rules(uow)
            [(proposal, _)] = lists.browse(uow, "key_attention", status="proposed")[0]
            assert lists.reject_proposal(uow, proposal.id, "情节轻微").status is EntryStatus.REJECTED
            assert lists.browse(uow, "key_attention", in_force_only=True)[1] == 0


    def test_an_administrators_rule_proposes_and_bad_rules_are_refused_precisely(self, platform: Platform) -> None:
        for n in range(2):
            _submit(platform, "administrative_penalty", penalty_values(cf_wsh=f"扬市监罚〔2026〕{n + 1}号"))
        with platform.uow(CLI) as uow:
            rule = lists.add_rule(uow, " penalties_2_in_6_months ", " 六个月内两次行政处罚 ", "key_attention",
                                  "administrative_penalty", 2, 183)
            assert (rule.code, rule.name, rule.effective_from) == ("penalties_2_in_6_months", "六个月内两次行政处罚",
                                                                   date(2026, 6, 15))
            assert lists.propose_from_rules(uow)["penalties_2_in_6_months"] == 1
            for args, field in ((("坏代码", "x", "key_attention", "administrative_penalty", 2, 30), "code"),
                                (("r2", " ", "key_attention", "administrative_penalty", 2, 30), "name"),
                                (("r2", "x", "no_such_list", "administrative_penalty", 2, 30), "list"),
                                (("r2", "x", "key_attention", "no_such_class", 2, 30), "info_class"),
                                (("r2", "x", "key_attention", "administrative_penalty", 0, 30), "min_records"),
                                (("r2", "x", "key_attention", "administrative_penalty", 2, 0), "window_days")):
                with pytest.raises(InvalidInput) as refused:
                    lists.add_rule(uow, *args)  # type: ignore[arg-type]
                assert refused.value.field == field, args
            with pytest.raises(Conflict):
                lists.add_rule(uow, "penalties_3_in_12_months", "重复", "key_attention", "administrative_penalty", 3,
                               365)
            assert [r.code for r in lists.book(uow).rules] == ["penalties_3_in_12_months", "penalties_2_in_6_months"]


class TestAdministratorsLists:
    def test_an_industry_list_is_checked_but_triggers_no_measure_by_itself(self, platform: Platform) -> None:
        with platform.uow(CLI) as uow:
            subject_id = uow.subjects.add(SubjectType.ENTERPRISE, Identifier(IdType.USCC, ENTERPRISE_USCC), "示例公司",
                                          "321000", [], date(2020, 1, 1), uow.clock.now())
            uow.commit()
            defined = lists.define_list(uow, "construction_black", "建筑市场黑名单", "punishment",
                                        validity_days=730)
            assert not defined.builtin
            with pytest.raises(Conflict):
                lists.define_list(uow, "construction_black", "重复", "punishment")
            with pytest.raises(InvalidInput):
                lists.define_list(uow, "坏代码", "x", "punishment")
            lists.add_entry(uow, "construction_black", subject_id, "转包违法分包", date(2026, 6, 1))
            answer = checks.check(uow, "bidding", SubjectQuery(ENTERPRISE_USCC))
            assert answer["hits"][0]["list_name"] == "建筑市场黑名单" and answer["action"] == "none"
            with pytest.raises(Conflict):
                lists.add_entry(uow, "construction_black", subject_id, "再次列入", date(2026, 6, 2))


class TestLifecycle:
    def test_exit_needs_a_listed_entry_and_permissions_are_enforced(self, platform: Platform) -> None:
        make_user(platform, "viewer", {Role.REVIEWER})
        with platform.uow(CLI) as uow:
            subject_id = uow.subjects.add(SubjectType.ENTERPRISE, Identifier(IdType.USCC, ENTERPRISE_USCC), "示例公司",
                                          "321000", [], date(2020, 1, 1), uow.clock.now())
            uow.commit()
            entry = lists.add_entry(uow, "serious_dishonesty", subject_id, "严重失信", date(2026, 1, 1))
            assert entry.valid_to == date(2026, 1, 1) + timedelta(days=1095)  # the list's default validity
            lists.revoke_entry(uow, entry.id, "认定错误")
            with pytest.raises(Conflict):
                lists.exit_entry(uow, entry.id, "再移出")
        with platform.uow(actor_of(platform, "viewer")) as uow, pytest.raises(PermissionDenied):
            lists.add_entry(uow, "red", subject_id, "x", date(2026, 1, 1))


class TestPublicView:
    def test_public_entries_are_paged_and_persons_masked(self, platform: Platform) -> None:
        with platform.uow(CLI) as uow:
            person = uow.subjects.add(SubjectType.PERSON, Identifier(IdType.CITIZEN_ID, PERSON_ID), "张三明", "110105",
                                      [], date(2020, 1, 1), uow.clock.now())
            firm = uow.subjects.add(SubjectType.ENTERPRISE, Identifier(IdType.USCC, ENTERPRISE_USCC), "示例公司",
                                    "321000", [], date(2020, 1, 1), uow.clock.now())
            uow.commit()
            lists.add_entry(uow, "judgment_debtor", person, "旧案", date(2020, 1, 1), date(2021, 1, 1))  # expired
            lists.add_entry(uow, "judgment_debtor", person, "有履行能力而拒不履行", date(2026, 1, 1))
            lists.add_entry(uow, "judgment_debtor", firm, "有履行能力而拒不履行", date(2026, 2, 1))
            page = lists.public_entries(uow, "judgment_debtor", page=1, per_page=1)
            assert (page.total, page.pages, len(page.rows)) == (2, 2, 1)
            second = lists.public_entries(uow, "judgment_debtor", page=2, per_page=1).rows[0]
            assert [d.code for d in lists.public_lists(uow)] == [
                "serious_dishonesty", "judgment_debtor", "abnormal_operation", "red"]
            with pytest.raises(NotFound):
                lists.public_entries(uow, "key_attention")
        assert second["name"] == "张*明" and PERSON_ID not in second["identifier"]
        assert page.rows[0]["name"] == "示例公司"


def test_a_pushed_batch_of_a_list_class_lists_its_subjects_at_once(platform: Platform) -> None:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "市场监管局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    report, _ = ingest.push_records(platform, actor_of(platform, "scjg"), "abnormal_operation", department_id,
                                    [{"values": _abnormal(), "source_key": "jy-1"}])
    assert report.accepted == 1
    with platform.uow(CLI) as uow:
        [(entry, subject)] = lists.browse(uow, "abnormal_operation")[0]
        assert subject["identifier"] == ENTERPRISE_USCC and entry.in_force(date(2026, 6, 15))
