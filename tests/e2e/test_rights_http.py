"""Subjects' rights over HTTP: the JSON API end to end, the public /rights pages, the console's case
handling and statistics, and the CLI reminder command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tests.conftest import login, make_department, make_user, token_for
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, penalty_values
from xinyong.bootstrap import Platform
from xinyong.cli.main import cli
from xinyong.domain.accounts import Role, system_actor
from xinyong.services import publication, records


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def world(platform: Platform) -> dict[str, Any]:
    market = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "office", {Role.OPERATOR})
    make_user(platform, "market", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    with platform.uow(system_actor("test")) as uow:
        record = records.submit(uow, platform.catalogue(uow), "administrative_penalty", market,
                                penalty_values(cf_jdrq="2025-12-01"), "api").record
    return {"record": record, "office": token_for(platform, "office", ["rights:handle"]),
            "dept": token_for(platform, "market", ["rights:verify", "records:submit"])}


def is_public(platform: Platform, record_id: int, subject_id: int) -> bool:
    with platform.uow(system_actor("test")) as uow:
        shown = publication.public_records(platform.catalogue(uow), platform.publication,
                                           uow.records.for_subject(subject_id), False, uow.clock.today())
    return record_id in {r.id for r, _ in shown}


class TestApi:
    def test_repair_end_to_end_and_gone_from_public_view(self, platform: Platform, client: TestClient,
                                                          world: dict[str, Any]) -> None:
        record = world["record"]
        checked = client.get(f"/api/v1/repairs/eligibility/{record.id}").json()
        assert checked["eligible"] and checked["materials"] == ["commitment", "fulfilment_proof"]
        created = client.post("/api/v1/repairs", json={
            "record_id": record.id, "subject_code": ENTERPRISE_USCC, "applicant_name": "王五",
            "applicant_contact": "13800000000", "commitment": "承诺守法经营",
            "materials": {"fulfilment_proof": "缴款书"}})
        assert created.status_code == 201, created.text
        case_no, code = created.json()["case_no"], created.json()["query_code"]
        assert client.get(f"/api/v1/repairs/{case_no}").status_code == 401 or \
            client.get(f"/api/v1/repairs/{case_no}").status_code == 403
        refused = client.post(f"/api/v1/repairs/{case_no}/accept", json={"yes": True}, headers=world["dept"])
        assert refused.status_code == 403 and refused.json()["error"]["message"]
        assert client.post(f"/api/v1/repairs/{case_no}/accept", json={"yes": True},
                           headers=world["office"]).status_code == 200
        assert client.post(f"/api/v1/repairs/{case_no}/verify", json={"yes": True},
                           headers=world["dept"]).status_code == 200
        assert client.post(f"/api/v1/repairs/{case_no}/decide", json={"yes": True},
                           headers=world["office"]).json()["status"] == "approved"
        assert is_public(platform, record.id, record.subject_id)
        executed = client.post(f"/api/v1/repairs/{case_no}/execute", headers=world["office"])
        assert executed.json()["status"] == "executed"
        assert not is_public(platform, record.id, record.subject_id)
        applicant = client.get(f"/api/v1/repairs/{case_no}", params={"query_code": code}).json()
        assert applicant["status_label"] == "已修复，停止公示" and len(applicant["events"]) == 5
        stats = client.get("/api/v1/rights/statistics", params={"start": "2026-06-01", "end": "2026-06-30"},
                           headers=world["office"]).json()
        assert stats["total"]["repaired"] == 1 and stats["total"]["repair_rate"] == 100.0

    def test_objection_pending_flag_over_the_api(self, client: TestClient, world: dict[str, Any]) -> None:
        record = world["record"]
        created = client.post("/api/v1/objections", json={
            "record_id": record.id, "reason_type": "wrong_subject", "reason": "不是本公司", "applicant_name": "赵六",
            "applicant_contact": "zhao@example.com"})
        assert created.status_code == 201, created.text
        assert client.get("/api/v1/objections/pending", params={"record_ids": f"{record.id},7"}).json() == [record.id]
        case_no = created.json()["case_no"]
        client.post(f"/api/v1/objections/{case_no}/accept", json={"yes": True}, headers=world["office"])
        resolved = client.post(f"/api/v1/objections/{case_no}/resolve", headers=world["dept"],
                               json={"outcome": "rejected", "note": "经核实主体无误"})
        assert resolved.json()["status"] == "rejected"
        assert client.get("/api/v1/objections/pending", params={"record_ids": str(record.id)}).json() == []

    def test_commitment_signed_then_broken(self, platform: Platform, client: TestClient,
                                           world: dict[str, Any]) -> None:
        signed = client.post("/api/v1/commitments", json={
            "cn_crmc": "扬州市示例科技有限公司", "cn_crlb": "法人及非法人组织", "cn_crdm": ENTERPRISE_USCC,
            "cn_lx": "证明事项型", "cn_sy": "以承诺替代无犯罪记录证明", "cn_nr": "承诺所述情况属实",
            "cn_sldwdm": MARKET_REGULATOR_USCC, "cn_gklx": "可向社会公开"})
        assert signed.status_code == 201, signed.text
        record_id = signed.json()["id"]
        assert "provenance" not in signed.json()
        with platform.uow(system_actor("test")) as uow:
            subject_id = uow.records.get(record_id).subject_id  # type: ignore[union-attr]
        broken = client.post(f"/api/v1/commitments/{record_id}/fulfilment", headers=world["dept"], json={
            "fulfilment": "partially_fulfilled", "unfulfilled": "证明材料与事实不符", "liability": "撤销办理结果"})
        assert broken.status_code == 200, broken.text
        breach_id = broken.json()["breach"]["id"]
        shown = client.get("/api/v1/commitments", params={"subject_id": subject_id}).json()
        assert breach_id in {r["id"] for r in shown}


class TestPages:
    def test_public_repair_and_case_status_pages(self, client: TestClient, world: dict[str, Any]) -> None:
        record = world["record"]
        page = client.get("/rights/repair", params={"record_id": record.id})
        assert page.status_code == 200 and "可以申请信用修复" in page.text
        posted = client.post("/rights/repair", data={
            "csrf_token": csrf_of(page.text), "record_id": str(record.id), "subject_code": ENTERPRISE_USCC,
            "applicant_name": "王五", "applicant_contact": "13800000000", "commitment": "承诺守法经营",
            "fulfilment_proof": ""})
        assert posted.status_code == 422 and "履行法定义务" in posted.text
        posted = client.post("/rights/repair", data={
            "csrf_token": csrf_of(page.text), "record_id": str(record.id), "subject_code": ENTERPRISE_USCC,
            "applicant_name": "王五", "applicant_contact": "13800000000", "commitment": "承诺守法经营",
            "fulfilment_proof": "缴款书"})
        assert posted.status_code == 200 and "受理编号" in posted.text
        case_no = posted.text.split("受理编号：<strong>", 1)[1].split("<", 1)[0]
        code = posted.text.split("查询码：<strong><code>", 1)[1].split("<", 1)[0]
        status = client.post("/rights/case", data={"csrf_token": csrf_of(page.text), "case_no": case_no,
                                                   "query_code": code})
        assert "已提交，待受理" in status.text
        wrong = client.post("/rights/case", data={"csrf_token": csrf_of(page.text), "case_no": case_no,
                                                  "query_code": "nope"})
        assert wrong.status_code == 404
        no_csrf = client.post("/rights/case", data={"case_no": case_no, "query_code": code})
        assert no_csrf.status_code == 403

    def test_commitment_and_objection_forms(self, client: TestClient, world: dict[str, Any]) -> None:
        form = client.get("/rights/commitment")
        assert form.status_code == 200 and "扬州市市场监督管理局" in form.text
        signed = client.post("/rights/commitment", data={
            "csrf_token": csrf_of(form.text), "cn_crmc": "扬州市示例科技有限公司", "cn_crlb": "法人及非法人组织",
            "cn_crdm": ENTERPRISE_USCC, "cn_lx": "主动型", "cn_sy": "主动承诺", "cn_nr": "诚信经营",
            "cn_sldwdm": MARKET_REGULATOR_USCC, "cn_gklx": "可向社会公开"})
        assert "承诺已签署" in signed.text
        objection = client.get("/rights/objection", params={"record_id": world["record"].id})
        filed = client.post("/rights/objection", data={
            "csrf_token": csrf_of(objection.text), "record_id": str(world["record"].id),
            "reason_type": "content_error", "reason": "金额有误", "applicant_name": "王五",
            "applicant_contact": "13800000000", "is_subject": "yes"})
        assert filed.status_code == 200 and "异议处理申请已提交" in filed.text

    def test_console_handles_a_case_and_shows_statistics(self, platform: Platform, client: TestClient,
                                                         world: dict[str, Any]) -> None:
        created = client.post("/api/v1/repairs", json={
            "record_id": world["record"].id, "subject_code": ENTERPRISE_USCC, "applicant_name": "王五",
            "applicant_contact": "1380000", "commitment": "承诺", "materials": {"fulfilment_proof": "缴款书"}})
        case_no = created.json()["case_no"]
        login(client, "office", "office-Passw0rd!")
        listing = client.get("/admin/rights")
        assert case_no in listing.text and "修复与异议" in listing.text
        case = client.get(f"/admin/rights/cases/{case_no}")
        assert "受理，转信源部门核实" in case.text
        accepted = client.post(f"/admin/rights/cases/{case_no}", data={
            "csrf_token": csrf_of(case.text), "action": "accept", "note": ""}, follow_redirects=True)
        assert "已受理，待信源部门核实" in accepted.text
        assert "合计" in client.get("/admin/rights/statistics").text
        reminded = client.post("/admin/rights/remind", data={"csrf_token": csrf_of(case.text)},
                               follow_redirects=True)
        assert "督办" in reminded.text


def test_cli_remind_runs_on_an_initialised_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("XINYONG_DATABASE_URL", raising=False)
    monkeypatch.setenv("XINYONG_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("XINYONG_ARGON2_MEMORY_KIB", "8192")
    runner = CliRunner()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    result = runner.invoke(cli, ["rights", "remind"])
    assert result.exit_code == 0 and "督办逾期 0 件" in result.stdout
    assert runner.invoke(cli, ["rights", "overdue"]).stdout.strip() == "[]"


def test_portal_and_public_api_flag_a_record_under_objection_and_link_to_the_forms(
        client: TestClient, world: dict[str, Any]) -> None:
    record = world["record"]
    page = client.get(f"/subjects/{record.subject_id}").text
    assert "异议处理中" not in page
    assert f"/rights/objection?record_id={record.id}" in page and f"/rights/repair?record_id={record.id}" in page
    filed = client.post("/api/v1/objections", json={
        "record_id": record.id, "reason_type": "content_error", "reason": "罚款金额有误",
        "applicant_name": "李四", "applicant_contact": "lisi@example.com", "is_subject": False})
    assert filed.status_code == 201, filed.text
    assert "异议处理中" in client.get(f"/subjects/{record.subject_id}").text
    shown = client.get(f"/api/v1/public/subjects/{record.subject_id}").json()
    flagged = [r for section in shown["sections"] for r in section["records"] if r["flags"]]
    assert [r["flags"] for r in flagged] == [["异议处理中"]]
