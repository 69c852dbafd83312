"""Submitting records: validation, subject linking, versions instead of overwrites, lineage, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.conftest import actor_of, make_department, make_user
from tests.factories import (
    ENTERPRISE_USCC,
    ENVIRONMENT_BUREAU_USCC,
    MARKET_REGULATOR_USCC,
    PERSON_ID,
    penalty_values,
    person_penalty_values,
)
from xinyong.adapters.tables import audit_log, credit_record
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role
from xinyong.domain.identifiers import IdType
from xinyong.domain.records import RecordStatus
from xinyong.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from xinyong.services import records, subjects


@pytest.fixture
def market(platform: Platform) -> int:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    return department_id


def submit(platform: Platform, username: str, department_id: int, values: dict) -> records.SubmitOutcome:
    with platform.uow(actor_of(platform, username)) as uow:
        return records.submit(uow, platform.catalogue(uow), "administrative_penalty", department_id, values, "api")


class TestSubmit:
    def test_a_valid_penalty_is_stored_under_a_new_subject(self, platform: Platform, market: int) -> None:
        outcome = submit(platform, "scjg", market, penalty_values())
        assert outcome.outcome == "created" and outcome.subject_created
        record = outcome.record
        assert record.core["doc_number"] == "扬市监罚〔2026〕12号"
        assert record.core["category"] == "fine"
        assert record.provenance.channel == "api" and record.provenance.submitter_id is not None
        with platform.uow(actor_of(platform, "scjg")) as uow:
            subject_id = uow.subjects.id_by_identifier(IdType.USCC, ENTERPRISE_USCC)
        assert subject_id == record.subject_id
        with platform.uow(actor_of(platform, "scjg")) as uow:
            subject = uow.subjects.get(subject_id)
        # The deciding authority's USCC is in the record but never becomes a code of the penalised subject.
        assert subject is not None and [i.value for i in subject.identifiers] == [ENTERPRISE_USCC]

    def test_a_legacy_code_links_to_the_subject_that_has_it(self, platform: Platform, market: int) -> None:
        first = submit(platform, "scjg", market, penalty_values(cf_xdr_gszc="321000000123456")).record
        second = submit(platform, "scjg", market, penalty_values(cf_xdr_shxym=None, cf_xdr_gszc="321000000123456",
                                                                 cf_wsh="扬市监罚〔2026〕14号")).record
        assert second.subject_id == first.subject_id

    def test_every_problem_of_a_row_is_reported_with_its_field(self, platform: Platform, market: int) -> None:
        with pytest.raises(InvalidInput) as caught:
            submit(platform, "scjg", market, penalty_values(cf_wsh=None, cf_jdrq="2026-13-01",
                                                            cf_xdr_shxym="911522010783762861"))
        found = {(p.field, p.code) for p in caught.value.problems}
        assert {("cf_wsh", "item.required"), ("cf_jdrq", "item.date"),
                ("cf_xdr_shxym", "identifier.checksum")} <= found
        assert all(p.message for p in caught.value.problems)

    def test_a_person_needs_a_valid_certificate(self, platform: Platform, market: int) -> None:
        with pytest.raises(InvalidInput) as caught:
            submit(platform, "scjg", market, person_penalty_values(cf_xdr_zjhm="11010519491231002Y"))
        assert any(p.code.startswith("identifier.") for p in caught.value.problems)
        with pytest.raises(InvalidInput) as caught:
            submit(platform, "scjg", market, person_penalty_values(cf_xdr_zjhm=None))
        assert any(p.code == "link.person_certificate" for p in caught.value.problems)

    def test_an_unknown_info_class_is_refused(self, platform: Platform, market: int) -> None:
        with platform.uow(actor_of(platform, "scjg")) as uow, pytest.raises(InvalidInput) as caught:
            records.submit(uow, platform.catalogue(uow), "no_such_class", market, {}, "api")
        assert caught.value.code == "catalog.unknown_class"

    def test_a_submitter_cannot_submit_for_another_department(self, platform: Platform, market: int) -> None:
        other = make_department(platform, ENVIRONMENT_BUREAU_USCC, "扬州市生态环境局")
        with pytest.raises(PermissionDenied):
            submit(platform, "scjg", other, penalty_values())


class TestVersions:
    def test_same_document_number_makes_a_new_version(self, platform: Platform, market: int) -> None:
        first = submit(platform, "scjg", market, penalty_values()).record
        second = submit(platform, "scjg", market, penalty_values(cf_nr_fk="3", cf_nr="罚款人民币叁万元"))
        assert second.outcome == "updated"
        assert second.record.root_id == first.id and second.record.version == 2
        with platform.uow(actor_of(platform, "scjg")) as uow:
            view = records.get_record(uow, first.id)
        assert [v.version for v in view.versions] == [1, 2]
        assert view.versions[0].status is RecordStatus.CORRECTED
        assert view.versions[0].core["content"] == "罚款人民币贰万元"  # the old content is kept as it was
        assert view.versions[0].superseded_by == second.record.id
        assert [e["event"] for e in view.events] == ["corrected"]

    def test_resubmitting_identical_content_changes_nothing(self, platform: Platform, market: int) -> None:
        first = submit(platform, "scjg", market, penalty_values()).record
        again = submit(platform, "scjg", market, penalty_values())
        assert again.outcome == "unchanged" and again.record.id == first.id

    def test_an_older_version_naming_empty_items_as_null_is_unchanged_content(self, platform: Platform,
                                                                              market: int) -> None:
        first = submit(platform, "scjg", market, penalty_values()).record
        assert "cf_xdr_gszc" not in first.extra and first.extra["cf_wfxw"] == "销售不合格产品"
        with platform.engine.begin() as connection:  # as rows were stored before empty items were left out
            connection.execute(update(credit_record).values(extra=first.extra | {"cf_xdr_gszc": None, "bz": None}))
        again = submit(platform, "scjg", market, penalty_values())
        assert again.outcome == "unchanged" and again.record.id == first.id

    def test_a_new_name_goes_into_the_name_history(self, platform: Platform, market: int) -> None:
        submit(platform, "scjg", market, penalty_values(cf_jdrq="2025-01-10"))
        record = submit(platform, "scjg", market, penalty_values(
            cf_xdr_mc="扬州市新示例科技有限公司", cf_wsh="扬市监罚〔2026〕13号", cf_jdrq="2026-02-01")).record
        make_user(platform, "op", {Role.OPERATOR})
        with platform.uow(actor_of(platform, "op")) as uow:
            subject = subjects.get_subject(uow, record.subject_id)
        assert subject.name == "扬州市新示例科技有限公司"
        assert [(n.name, n.valid_to is None) for n in subject.names] == [
            ("扬州市示例科技有限公司", False), ("扬州市新示例科技有限公司", True)]

    def test_revocation_keeps_content_and_records_the_event(self, platform: Platform, market: int) -> None:
        record = submit(platform, "scjg", market, penalty_values()).record
        with platform.uow(actor_of(platform, "scjg")) as uow:
            revoked = records.change_status(uow, record.id, RecordStatus.REVOKED, "行政复议撤销")
            with pytest.raises(Conflict):
                records.change_status(uow, record.id, RecordStatus.REPAIRED, "不可能")
        assert revoked.status is RecordStatus.REVOKED and revoked.core == record.core


class TestReadingBoundaries:
    def test_a_submitter_cannot_read_another_departments_record(self, platform: Platform, market: int) -> None:
        record = submit(platform, "scjg", market, penalty_values()).record
        make_department(platform, ENVIRONMENT_BUREAU_USCC, "扬州市生态环境局")
        make_user(platform, "sthj", {Role.SUBMITTER}, ENVIRONMENT_BUREAU_USCC)
        with platform.uow(actor_of(platform, "sthj")) as uow:
            with pytest.raises(NotFound):
                records.get_record(uow, record.id)
            assert records.browse(uow) == []
            assert records.records_of_subject(uow, record.subject_id) == []
            with pytest.raises(PermissionDenied):
                records.browse(uow, department_id=market)

    def test_reading_a_persons_record_is_audited(self, platform: Platform, market: int) -> None:
        record = submit(platform, "scjg", market, person_penalty_values()).record
        make_user(platform, "op", {Role.OPERATOR})
        with platform.uow(actor_of(platform, "op")) as uow:
            records.get_record(uow, record.id)
            subjects.get_subject(uow, record.subject_id)
        with platform.engine.connect() as connection:
            rows = connection.execute(select(audit_log).where(audit_log.c.personal.is_(True),
                                                              audit_log.c.actor_name == "op")).all()
        assert {r.action for r in rows} == {"record.read", "subject.read"}

    def test_persons_are_hidden_from_those_without_personal_permission(self, platform: Platform, market: int) -> None:
        record = submit(platform, "scjg", market, person_penalty_values()).record
        make_user(platform, "rev", {Role.REVIEWER})
        with platform.uow(actor_of(platform, "rev")) as uow:
            assert subjects.search(uow, PERSON_ID) == []
            with pytest.raises(PermissionDenied):
                subjects.get_subject(uow, record.subject_id)
