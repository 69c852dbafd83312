"""Credit reports on both databases: what each kind shows, verification verdicts, the self-service flow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import actor_of, make_user
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC
from tests.report_fixtures import (
    COMPANY,
    CURRENT_PENALTY,
    EXPIRED_PENALTY,
    LEGAL_REP,
    LEGAL_REP_ID,
    City,
    build_city,
    market_regulator,
    pdf_text,
)
from xinyong.adapters.notifiers import OutboxNotifier
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import PUBLIC, Role, system_actor
from xinyong.domain.records import RecordStatus
from xinyong.domain.reports import ReportKind, Verdict
from xinyong.errors import PermissionDenied
from xinyong.services import records, reports


@pytest.fixture
def city(platform: Platform) -> City:
    return build_city(platform, market_regulator(platform))


def _issue(platform: Platform, city: City, kind: ReportKind = ReportKind.PUBLIC) -> dict:
    with platform.uow(system_actor("test")) as uow:
        return reports.issue(uow, platform, city.subject_id, kind)


def _verify(platform: Platform, code: str, pdf: bytes | None = None) -> reports.Verification:
    with platform.uow(PUBLIC) as uow:
        return reports.verify(uow, platform, code, pdf)


class TestPublicReport:
    def test_the_pdf_shows_the_name_and_published_penalties_but_not_an_expired_one(
            self, platform: Platform, city: City, tmp_path: Path) -> None:
        report = _issue(platform, city)
        text = pdf_text(report["pdf"], tmp_path)
        assert COMPANY in text
        assert CURRENT_PENALTY in text
        assert EXPIRED_PENALTY not in text
        assert report["number"] in text
        assert "公示期已于" in text  # the statement of what is not shown, and why
        assert "第1页/共" in text.replace(" ", "")

    def test_report_numbers_and_codes_are_unique(self, platform: Platform, city: City) -> None:
        first, second = _issue(platform, city), _issue(platform, city)
        assert first["number"] != second["number"] and first["code"] != second["code"]

    def test_the_full_report_needs_its_permission(self, platform: Platform, city: City) -> None:
        make_user(platform, "clerk", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
        with pytest.raises(PermissionDenied), platform.uow(actor_of(platform, "clerk")) as uow:
            reports.issue(uow, platform, city.subject_id, ReportKind.FULL)


class TestVerification:
    def test_a_fresh_report_is_authentic_and_its_pdf_matches(self, platform: Platform, city: City) -> None:
        report = _issue(platform, city)
        result = _verify(platform, report["code"], report["pdf"])
        assert result.verdict is Verdict.AUTHENTIC
        assert result.report and result.report["pdf_sha256"] == result.pdf_sha256

    def test_one_changed_byte_is_detected(self, platform: Platform, city: City) -> None:
        report = _issue(platform, city)
        altered = bytearray(report["pdf"])
        altered[len(altered) // 2] ^= 0x01
        assert _verify(platform, report["code"], bytes(altered)).verdict is Verdict.ALTERED
        with platform.uow(PUBLIC) as uow:
            assert reports.verify_file(uow, bytes(altered)).verdict is Verdict.ALTERED
            assert reports.verify_file(uow, report["pdf"]).verdict is Verdict.AUTHENTIC

    def test_a_repaired_record_makes_the_old_report_superseded(self, platform: Platform, city: City) -> None:
        report = _issue(platform, city)
        with platform.uow(system_actor("test")) as uow:
            records.change_status(uow, city.current_penalty_id, RecordStatus.REPAIRED, "信用修复完成")
        assert _verify(platform, report["code"]).verdict is Verdict.SUPERSEDED
        assert _verify(platform, _issue(platform, city)["code"]).verdict is Verdict.AUTHENTIC

    def test_expired_revoked_and_unknown(self, platform: Platform, city: City) -> None:
        report = _issue(platform, city)
        assert _verify(platform, "NOPE-NOPE").verdict is Verdict.NOT_FOUND
        clock = platform.clock
        original = clock.at  # type: ignore[attr-defined]
        clock.at = original + timedelta(days=60)  # type: ignore[attr-defined]
        assert _verify(platform, report["code"]).verdict is Verdict.EXPIRED
        clock.at = original  # type: ignore[attr-defined]
        with platform.uow(system_actor("test")) as uow:
            reports.revoke(uow, report["id"], "出具有误")
        assert _verify(platform, report["code"].lower()).verdict is Verdict.REVOKED


class TestSelfService:
    def test_a_verified_applicant_gets_the_report_at_once_and_a_logged_notice(
            self, platform: Platform, city: City) -> None:
        notifier = OutboxNotifier()
        with platform.uow(PUBLIC) as uow:
            application, token = reports.apply(uow, platform, notifier, uscc=ENTERPRISE_USCC.lower(),
                                               rep_name=LEGAL_REP, rep_id=LEGAL_REP_ID, channel="email",
                                               contact="boss@example.com")
        assert application["status"] == "issued" and application["identity_check"]["verified"]
        assert notifier.sent and "已出具" in notifier.sent[-1][2]
        with platform.uow(PUBLIC) as uow:
            _, report = reports.application_by_token(uow, token)
        assert report is not None and report["kind"] == "public" and report["pdf"].startswith(b"%PDF")
        with platform.uow(system_actor("test")) as uow:
            log = reports.application_messages(uow, application["id"])
        assert [m["status"] for m in log] == ["logged"]

    def test_a_wrong_legal_representative_is_refused(self, platform: Platform, city: City) -> None:
        with pytest.raises(PermissionDenied), platform.uow(PUBLIC) as uow:
            reports.apply(uow, platform, OutboxNotifier(), uscc=ENTERPRISE_USCC, rep_name="李四",
                          rep_id=LEGAL_REP_ID, channel="sms", contact="13800000000")

    def test_an_unconfirmable_id_waits_for_an_operator(self, platform: Platform, city: City) -> None:
        with platform.uow(system_actor("test")) as uow:
            records.change_status(uow, city.current_penalty_id, RecordStatus.REVOKED, "撤销")
        notifier = OutboxNotifier()
        with platform.uow(PUBLIC) as uow:
            application, token = reports.apply(uow, platform, notifier, uscc=ENTERPRISE_USCC, rep_name=LEGAL_REP,
                                               rep_id=LEGAL_REP_ID, channel="sms", contact="13800000000",
                                               kind=ReportKind.HEALTH)
        assert application["status"] == "pending"
        with platform.uow(system_actor("test")) as uow:
            assert [a["id"] for a in reports.pending_applications(uow)] == [application["id"]]
            decided = reports.decide(uow, platform, notifier, application["id"], True, "已核验营业执照原件")
        assert decided["status"] == "issued"
        with platform.uow(PUBLIC) as uow:
            _, report = reports.application_by_token(uow, token)
        assert report is not None and report["kind"] == "health"
        assert len(notifier.sent) == 2


class TestHealthCheck:
    def test_lists_each_negative_record_with_its_end_and_repair(
            self, platform: Platform, city: City, tmp_path: Path) -> None:
        text = pdf_text(_issue(platform, city, ReportKind.HEALTH)["pdf"], tmp_path)
        assert CURRENT_PENALTY in text
        assert "可申请修复" in text
        assert EXPIRED_PENALTY not in text


class TestMessageLog:
    def test_a_failed_delivery_is_logged_and_the_application_kept(self, platform: Platform, city: City) -> None:
        class Broken:
            def send(self, channel: str, recipient: str, subject: str, body: str) -> str:
                raise OSError("gateway down")

        with platform.uow(PUBLIC) as uow:
            application, _ = reports.apply(uow, platform, Broken(), uscc=ENTERPRISE_USCC, rep_name=LEGAL_REP,
                                           rep_id=LEGAL_REP_ID, channel="sms", contact="13800000000")
        assert application["status"] == "issued"
        with platform.uow(system_actor("test")) as uow:
            log = reports.application_messages(uow, application["id"])
        assert log[0]["status"] == "failed" and "gateway down" in log[0]["error"]


class TestApplicationInput:
    @pytest.mark.parametrize(("channel", "contact"), [("email", "not-an-address"), ("sms", "12345"), ("fax", "1")])
    def test_a_bad_contact_is_refused(self, platform: Platform, city: City, channel: str, contact: str) -> None:
        from xinyong.errors import InvalidInput

        with pytest.raises(InvalidInput, match="有效的电子邮箱"), platform.uow(PUBLIC) as uow:
            reports.apply(uow, platform, OutboxNotifier(), uscc=ENTERPRISE_USCC, rep_name=LEGAL_REP,
                          rep_id=LEGAL_REP_ID, channel=channel, contact=contact)

    def test_a_wrong_check_digit_is_refused_with_both_problems(self, platform: Platform, city: City) -> None:
        from xinyong.errors import InvalidInput

        with pytest.raises(InvalidInput) as caught, platform.uow(PUBLIC) as uow:
            reports.apply(uow, platform, OutboxNotifier(), uscc=ENTERPRISE_USCC[:-1] + "1", rep_name=LEGAL_REP,
                          rep_id=LEGAL_REP_ID[:-1] + "1", channel="sms", contact="13800000000")
        assert {p.field for p in caught.value.problems} == {"uscc", "rep_id"}
