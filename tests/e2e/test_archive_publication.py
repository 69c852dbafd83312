"""The credit archive tells staff, for every record, whether and why it is public."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import actor_of, login, make_department, make_user
from tests.factories import MARKET_REGULATOR_USCC, penalty_values, person_penalty_values
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role
from xinyong.services import records


def test_archive_and_record_page_say_why(client: TestClient, platform: Platform) -> None:
    department = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    with platform.uow(actor_of(platform, "scjg")) as uow:
        catalogue = platform.catalogue(uow)
        current = records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(), "api").record
        old = records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(
            cf_wsh="扬市监罚〔2022〕3号", cf_jdrq="2022-01-10"), "api").record
        person = records.submit(uow, catalogue, "administrative_penalty", department, person_penalty_values(),
                                "api").record
    make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", "op-Passw0rd!")
    archive = client.get(f"/admin/subjects/{current.subject_id}").text
    assert "是否公示及原因" in archive and "时间线" in archive
    assert "公示中" in archive and "公示至2027-05-19" in archive
    assert "公示期已于2023-01-09届满，自动撤下" in archive  # the 2022 penalty, 12 months under the 2019 rules
    assert f"/admin/records/{old.id}" in archive
    page = client.get(f"/admin/records/{person.id}").text
    assert "自然人行政处罚信息不向社会公示" in page and "不公示（仅共享）" in page
    page = client.get(f"/admin/records/{current.id}").text
    assert "最早可申请修复：2026-08-20" in page
