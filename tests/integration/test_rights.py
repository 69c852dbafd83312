"""Subjects' rights through the services, on SQLite and PostgreSQL: repair end to end (and refusals with
their reasons), objections with the pending flag, commitments and breaches, reminders, statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.conftest import actor_of, make_department, make_user
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, make_uscc, penalty_values
from xinyong.adapters.notifier import LogNotifier
from xinyong.bootstrap import Platform
from xinyong.clock import FixedClock
from xinyong.domain.accounts import PUBLIC, Actor, Role, system_actor
from xinyong.domain.commitments import Fulfilment
from xinyong.domain.objections import ObjectionOutcome
from xinyong.domain.records import RecordStatus
from xinyong.domain.repair import CaseStatus
from xinyong.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinyong.services import commitments, objections, publication, records, repairs, rights_stats

OTHER_USCC = make_uscc("11321000MB1928390")
MATERIALS = {"fulfilment_proof": "罚款缴款书 No.2025-778"}


@pytest.fixture
def world(platform: Platform) -> dict[str, Any]:
    market = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_department(platform, OTHER_USCC, "扬州市生态环境局")
    make_user(platform, "office", {Role.OPERATOR})
    make_user(platform, "market", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    make_user(platform, "other", {Role.SUBMITTER}, OTHER_USCC)
    return {"market": market, "office": actor_of(platform, "office"), "dept": actor_of(platform, "market"),
            "other": actor_of(platform, "other")}


def add_penalty(platform: Platform, department_id: int, **values: Any) -> int:
    with platform.uow(system_actor("test")) as uow:
        return records.submit(uow, platform.catalogue(uow), "administrative_penalty", department_id,
                              penalty_values(**values), "api").record.id


def run(platform: Platform, actor: Actor, function: Any, *args: Any, **kwargs: Any) -> Any:
    with platform.uow(actor) as uow:
        return function(uow, repairs.rules_of(platform, uow), *args, **kwargs)


def public_ids(platform: Platform, subject_id: int) -> set[int]:
    with platform.uow(PUBLIC) as uow:
        shown = publication.public_records(platform.catalogue(uow), platform.publication,
                                           uow.records.for_subject(subject_id), False, uow.clock.today())
    return {r.id for r, _ in shown}


def apply(platform: Platform, record_id: int, **overrides: Any) -> tuple[Any, str]:
    details: dict[str, Any] = {"subject_code": ENTERPRISE_USCC.lower(), "applicant_name": "王五",
                               "applicant_contact": "13800000000", "materials": MATERIALS,
                               "commitment": "本单位承诺已纠正失信行为，今后守法经营。"}
    details.update(overrides)
    return run(platform, PUBLIC, repairs.apply, record_id, **details)


class TestRepair:
    def test_repaired_penalty_leaves_public_view_the_same_day(self, platform: Platform,
                                                              world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2025-12-01", cf_wsh="扬市监罚〔2025〕88号")
        with platform.uow(PUBLIC) as uow:
            subject_id = uow.records.get(record_id).subject_id  # type: ignore[union-attr]
        assert record_id in public_ids(platform, subject_id)
        assert run(platform, PUBLIC, repairs.check_eligibility, record_id).eligible
        case, code = apply(platform, record_id)
        assert case.status is CaseStatus.SUBMITTED and case.procedure == "ndrc_order_36_2026"
        assert case.due_on == date(2026, 6, 17)  # 2 working days from Mon 15 June
        with pytest.raises(PermissionDenied):
            run(platform, world["dept"], repairs.accept, case.case_no, True)
        run(platform, world["office"], repairs.accept, case.case_no, True)
        with pytest.raises(PermissionDenied):
            run(platform, world["other"], repairs.verify, case.case_no, True)
        run(platform, world["dept"], repairs.verify, case.case_no, True)
        run(platform, world["office"], repairs.decide, case.case_no, True)
        notifier = LogNotifier()
        run(platform, world["office"], repairs.execute, case.case_no, notifier)
        assert record_id not in public_ids(platform, subject_id)
        with platform.uow(PUBLIC) as uow:
            assert uow.records.get(record_id).status is RecordStatus.REPAIRED  # type: ignore[union-attr]
            view = repairs.status_for_applicant(uow, case.case_no, code)
            assert view.case.status is CaseStatus.EXECUTED and view.case.closed_on == date(2026, 6, 15)
            assert [e["step"] for e in view.events] == ["submitted", "accepted", "verified", "approved", "executed"]
            with pytest.raises(NotFound):
                repairs.status_for_applicant(uow, case.case_no, "wrong-code")
            actions = {row["action"] for row in uow.audit_log.entries(limit=100)[1]}
        assert [n.topic for n in notifier.sent] == ["record.repaired"]
        assert {"repair.submit", "repair.accepted", "repair.verified", "repair.approved", "repair.executed",
                "record.repaired"} <= actions

    def test_general_penalty_repairable_only_after_its_minimum_period(self, platform: Platform,
                                                                     world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2026-05-20")  # 2026 rule: 3 months
        with pytest.raises(Conflict) as refused:
            apply(platform, record_id)
        assert refused.value.code == "repair.too_early" and "2026年08月20日" in refused.value.message
        assert isinstance(platform.clock, FixedClock)
        platform.clock.at = datetime(2026, 8, 20, 2, 0, tzinfo=UTC)
        case, _ = apply(platform, record_id)
        assert case.status is CaseStatus.SUBMITTED

    def test_specific_serious_penalty_refused_with_the_reason(self, platform: Platform,
                                                             world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2024-03-01", cf_cflb="吊销许可证件",
                                cf_nr="吊销食品经营许可证", cf_wsh="扬市监罚〔2024〕3号")
        result = run(platform, PUBLIC, repairs.check_eligibility, record_id)
        assert not result.eligible and result.reasons[0].code == "repair.not_repairable"
        with pytest.raises(Conflict) as refused:
            apply(platform, record_id)
        assert refused.value.code == "repair.not_repairable" and "不予修复" in refused.value.message

    def test_applicant_code_and_materials_are_checked(self, platform: Platform, world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2025-12-01")
        with pytest.raises(InvalidInput, match=r"repair\.applicant"):
            apply(platform, record_id, subject_code=OTHER_USCC)
        with pytest.raises(InvalidInput) as missing:
            apply(platform, record_id, materials={})
        assert missing.value.problems[0].field == "materials.fulfilment_proof"
        apply(platform, record_id)
        with pytest.raises(Conflict, match=r"repair\.pending"):
            apply(platform, record_id)

    def test_refusal_needs_reasons_and_rejection_keeps_the_record(self, platform: Platform,
                                                                 world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2025-12-01")
        case, _ = apply(platform, record_id)
        run(platform, world["office"], repairs.accept, case.case_no, True)
        with pytest.raises(InvalidInput):
            run(platform, world["dept"], repairs.verify, case.case_no, False)
        run(platform, world["dept"], repairs.verify, case.case_no, False, "罚款尚未缴清")
        with pytest.raises(Conflict, match=r"repair\.not_verified"):
            run(platform, world["office"], repairs.decide, case.case_no, True)
        done = run(platform, world["office"], repairs.decide, case.case_no, False, "罚款尚未缴清，不予修复")
        assert done.status is CaseStatus.REJECTED
        with platform.uow(PUBLIC) as uow:
            assert uow.records.get(record_id).status is RecordStatus.ACTIVE  # type: ignore[union-attr]


class TestObjections:
    def test_flag_while_pending_and_removal(self, platform: Platform, world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2026-05-20")
        case, code = run(platform, PUBLIC, objections.file, record_id, reason_type="revoked_still_published",
                         reason="该处罚已被复议撤销", applicant_name="李四", applicant_contact="lisi@example.com",
                         is_subject=False)
        with platform.uow(PUBLIC) as uow:
            assert objections.pending_objection_record_ids(uow, [record_id, 999]) == {record_id}
        run(platform, world["office"], objections.accept, case.case_no, True)
        with platform.uow(PUBLIC) as uow:
            assert objections.pending_objection_record_ids(uow, [record_id]) == {record_id}
        run(platform, world["dept"], objections.resolve, case.case_no, ObjectionOutcome.REMOVED, "经核实已撤销")
        with platform.uow(PUBLIC) as uow:
            assert objections.pending_objection_record_ids(uow, [record_id]) == set()
            assert uow.records.get(record_id).status is RecordStatus.REVOKED  # type: ignore[union-attr]
            view = repairs.status_for_applicant(uow, case.case_no, code)
        assert view.case.status is CaseStatus.REMOVED and view.case.outcome_note == "经核实已撤销"

    def test_correction_makes_a_new_version(self, platform: Platform, world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2026-05-20")
        case, _ = run(platform, PUBLIC, objections.file, record_id, reason_type="content_error",
                      reason="罚款金额有误", applicant_name="王五", applicant_contact="13800000000", is_subject=True)
        run(platform, world["office"], objections.accept, case.case_no, True)
        with platform.uow(world["dept"]) as uow:
            values = objections.record_values(platform.catalogue(uow), uow.records.get(record_id))  # type: ignore[arg-type]
        values["cf_nr_fk"] = "1"
        done = run(platform, world["dept"], objections.resolve, case.case_no, ObjectionOutcome.CORRECTED,
                   "金额更正为1万元", values)
        assert done.status is CaseStatus.CORRECTED and done.result_record_id != record_id
        with platform.uow(PUBLIC) as uow:
            old, new = uow.records.get(record_id), uow.records.get(done.result_record_id)
        assert old.status is RecordStatus.CORRECTED and new.version == 2  # type: ignore[union-attr]

    def test_bad_type_and_persons_records_refused(self, platform: Platform, world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2026-05-20")
        with pytest.raises(InvalidInput, match=r"objection\.reason_type"):
            run(platform, PUBLIC, objections.file, record_id, reason_type="dislike", reason="x",
                applicant_name="a", applicant_contact="b", is_subject=False)
        person = add_penalty(platform, world["market"], cf_xdr_mc="张三明", cf_xdr_lb="自然人", cf_xdr_shxym=None,
                             cf_frdb=None, cf_xdr_zjlx="身份证", cf_xdr_zjhm="11010519491231002X",
                             cf_wsh="扬市监罚〔2026〕99号")
        with pytest.raises(NotFound):
            run(platform, PUBLIC, objections.file, person, reason_type="other", reason="x", applicant_name="a",
                applicant_contact="b", is_subject=False)


def commitment_values(**overrides: Any) -> dict[str, Any]:
    values = {"cn_crmc": "扬州市示例科技有限公司", "cn_crlb": "法人及非法人组织", "cn_crdm": ENTERPRISE_USCC,
              "cn_lx": "容缺受理型", "cn_sy": "食品经营许可容缺受理", "cn_nr": "30日内补齐食品安全管理制度文本",
              "cn_wnzr": "自愿接受撤销许可", "cn_yxq": "2026-07-15", "cn_sldw": "扬州市市场监督管理局",
              "cn_sldwdm": MARKET_REGULATOR_USCC, "cn_gklx": "可向社会公开"}
    values.update(overrides)
    return values


class TestCommitments:
    def test_broken_commitment_becomes_dishonest_information_under_the_subject(
            self, platform: Platform, world: dict[str, Any]) -> None:
        signed = run(platform, PUBLIC, commitments.sign, commitment_values())
        assert signed.doc_number.startswith("321000" + "20260615")  # type: ignore[union-attr]
        hidden = run(platform, PUBLIC, commitments.sign, commitment_values(cn_gklx="不可公开", cn_sy="另一事项"))
        shown = run(platform, PUBLIC, commitments.public_commitments, signed.subject_id)
        assert {r.id for r, _ in shown} == {signed.id} and hidden.id not in {r.id for r, _ in shown}
        with pytest.raises(InvalidInput) as missing:
            run(platform, world["dept"], commitments.record_fulfilment, signed.id, Fulfilment.UNFULFILLED)
        assert {p.field for p in missing.value.problems} == {"cn_wlxnr", "cn_zjnr"}
        with pytest.raises(PermissionDenied):
            run(platform, world["other"], commitments.record_fulfilment, signed.id, Fulfilment.FULFILLED)
        outcome = run(platform, world["dept"], commitments.record_fulfilment, signed.id, Fulfilment.UNFULFILLED,
                      unfulfilled="未在30日内补齐材料", liability="撤销许可并记入信用记录")
        assert outcome.breach is not None and outcome.breach.info_class == "commitment_breach"
        assert outcome.commitment.version == 2 and outcome.commitment.extra["cn_lxzt"] == "unfulfilled"
        shown = run(platform, PUBLIC, commitments.public_commitments, signed.subject_id)
        assert outcome.breach.id in {r.id for r, _ in shown}
        assert outcome.breach.core["valid_to"] == date(2027, 6, 15)

    def test_signing_checks_the_accepting_unit_and_fulfilment_fields(self, platform: Platform,
                                                                   world: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput) as refused:
            run(platform, PUBLIC, commitments.sign, commitment_values(cn_sldwdm=ENTERPRISE_USCC, cn_lxzt="全部履行"))
        assert {p.field for p in refused.value.problems} == {"cn_sldwdm", "cn_lxzt"}


class TestDeadlinesAndStatistics:
    def test_overdue_cases_are_escalated_once_and_counted(self, platform: Platform, world: dict[str, Any]) -> None:
        record_id = add_penalty(platform, world["market"], cf_jdrq="2025-12-01")
        case, _ = apply(platform, record_id)
        notifier = LogNotifier()
        first = run(platform, world["office"], repairs.remind, notifier)
        assert [c.case_no for c in first.reminded] == [] and first.escalated == []
        platform.clock.at = datetime(2026, 6, 16, 2, 0, tzinfo=UTC)  # type: ignore[attr-defined]
        soon = run(platform, world["office"], repairs.remind, notifier)
        assert [c.case_no for c in soon.reminded] == [case.case_no]
        platform.clock.at = datetime(2026, 6, 18, 2, 0, tzinfo=UTC)  # type: ignore[attr-defined]
        late = run(platform, world["office"], repairs.remind, notifier)
        again = run(platform, world["office"], repairs.remind, notifier)
        assert [c.case_no for c in late.escalated] == [case.case_no] and again.escalated == []
        assert [n.topic for n in notifier.sent] == ["case.reminder", "case.escalated"]
        with platform.uow(world["office"]) as uow:
            assert [c.case_no for c in repairs.cases(uow, overdue=True)] == [case.case_no]
            report = rights_stats.report(uow, date(2026, 6, 1), date(2026, 6, 30))
        assert report.total.repair_applications == 1 and report.total.overdue == 1
        assert report.departments[0].name == "扬州市市场监督管理局"
        with platform.uow(world["other"]) as uow:
            assert repairs.cases(uow) == []
            assert rights_stats.report(uow, date(2026, 6, 1), date(2026, 6, 30)).total.repair_applications == 0

    def test_repair_rate_and_handling_days(self, platform: Platform, world: dict[str, Any]) -> None:
        first = add_penalty(platform, world["market"], cf_jdrq="2025-12-01", cf_wsh="扬市监罚〔2025〕1号")
        second = add_penalty(platform, world["market"], cf_jdrq="2025-12-02", cf_wsh="扬市监罚〔2025〕2号")
        done, _ = apply(platform, first)
        refused, _ = apply(platform, second)
        run(platform, world["office"], repairs.accept, refused.case_no, False, "材料不全")
        run(platform, world["office"], repairs.accept, done.case_no, True)
        platform.clock.at = datetime(2026, 6, 17, 2, 0, tzinfo=UTC)  # type: ignore[attr-defined]
        run(platform, world["dept"], repairs.verify, done.case_no, True)
        run(platform, world["office"], repairs.decide, done.case_no, True)
        run(platform, world["office"], repairs.execute, done.case_no, LogNotifier())
        with platform.uow(world["office"]) as uow:
            report = rights_stats.report(uow, date(2026, 6, 1), date(2026, 6, 30))
        assert report.total.repaired == 1 and report.total.not_repaired == 1
        assert report.total.repair_rate == 50.0
        assert report.total.average_handling_days == 1.0  # 0 (refused the same day) and 2 working days
        assert report.total.by_status == {"executed": 1, "refused": 1}


class TestImportedCommitments:
    def test_sync_applies_openness_and_files_breaches_once(self, platform: Platform, world: dict[str, Any]) -> None:
        imported = commitment_values(cn_bm="32100020260601000001", cn_zcrq="2026-05-01", cn_gklx="不可公开",
                                     cn_lxzt="全部未履行", cn_wlxnr="未补齐材料", cn_zjnr="撤销许可",
                                     cn_rdrq="2026-06-10", cn_yxq="2026-06-01")
        with platform.uow(system_actor("test")) as uow:
            record = records.submit(uow, platform.catalogue(uow), "credit_commitment", world["market"], imported,
                                    "file").record
        assert record.openness.value == "public"  # the class default until the sync runs
        first = run(platform, world["office"], commitments.sync_imported)
        assert (first.checked, first.openness_set, first.breaches_filed) == (1, 1, 1)
        again = run(platform, world["office"], commitments.sync_imported)
        assert (again.openness_set, again.breaches_filed) == (0, 0)
        with platform.uow(PUBLIC) as uow:
            assert uow.records.get(record.id).openness.value == "not_public"  # type: ignore[union-attr]
            breach = uow.records.current_by_doc_number("commitment_breach", "32100020260601000001", record.subject_id)
        assert breach is not None and breach.core["valid_to"] == date(2027, 6, 10)
        shown = {r.id for r, _ in run(platform, PUBLIC, commitments.public_commitments, record.subject_id)}
        assert shown == {breach.id}
        with pytest.raises(PermissionDenied):
            run(platform, world["dept"], commitments.sync_imported)

    def test_sync_walks_every_page(self, platform: Platform, world: dict[str, Any]) -> None:
        """Pages are spans of subjects, so each commitment is seen once whatever the span."""
        with platform.uow(system_actor("test")) as uow:
            for n in range(5):
                records.submit(uow, platform.catalogue(uow), "credit_commitment", world["market"], commitment_values(
                    cn_bm=f"3210002026060100001{n}", cn_zcrq="2026-05-01", cn_gklx="不可公开",
                    cn_crmc=f"扬州市示例{n}号有限公司", cn_crdm=make_uscc(f"91321000MA1X2Y3W{n}")), "file")
        for span in (1, 2, 10_000):
            with platform.engine.begin() as connection:
                connection.exec_driver_sql("UPDATE credit_record SET openness = 'public' "
                                           "WHERE info_class = 'credit_commitment'")
            outcome = run(platform, world["office"], commitments.sync_imported, subjects_per_page=span)
            assert (outcome.checked, outcome.openness_set) == (5, 5)
