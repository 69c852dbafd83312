"""Reports and reviews end to end, as their users meet them: a PDF read back with pdftotext, its QR code
decoded with zbarimg and followed through the app, the self-service form, verification pages, the
operator's queue and the reviewer's upload."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.conftest import login, make_user, token_for
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
    qr_of_first_page,
)
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.records import RecordStatus
from xinyong.services import records


@pytest.fixture
def city(platform: Platform) -> City:
    return build_city(platform, market_regulator(platform))


def _csrf(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _issue(client: TestClient, platform: Platform, city: City) -> dict:
    make_user(platform, "op", {Role.OPERATOR})
    headers = token_for(platform, "op", ["reports:issue"])
    response = client.post("/api/v1/reports", json={"subject_id": city.subject_id, "kind": "public"}, headers=headers)
    assert response.status_code == 201, response.text
    meta = response.json()
    meta["pdf"] = client.get(meta["pdf_url"], headers=headers).content
    return meta


class TestReportPdf:
    def test_read_back_scan_the_qr_code_and_verify(self, client: TestClient, platform: Platform, city: City,
                                                   tmp_path: Path) -> None:
        report = _issue(client, platform, city)
        text = pdf_text(report["pdf"], tmp_path)
        assert COMPANY in text and CURRENT_PENALTY in text and EXPIRED_PENALTY not in text
        url = qr_of_first_page(report["pdf"], tmp_path)
        assert url.endswith(f"/verify/{report['code']}")
        page = client.get(urlsplit(url).path)
        assert page.status_code == 200 and 'data-verdict="authentic"' in page.text and "真实有效" in page.text
        assert report["pdf_sha256"] in page.text  # the published digest
        api = client.get(f"/api/v1/verify/{report['code']}").json()
        assert api["verdict"] == "authentic" and api["report"]["subject_name"] == COMPANY

    def test_a_changed_byte_fails_and_a_repair_supersedes(self, client: TestClient, platform: Platform,
                                                          city: City) -> None:
        report = _issue(client, platform, city)
        pdf = bytearray(report["pdf"])
        assert client.post(f"/api/v1/verify/{report['code']}", content=bytes(pdf)).json()["verdict"] == "authentic"
        assert client.post("/api/v1/verify", content=bytes(pdf)).json()["report"]["number"] == report["number"]
        pdf[-100] ^= 0x20
        assert client.post(f"/api/v1/verify/{report['code']}", content=bytes(pdf)).json()["verdict"] == "altered"
        assert client.post("/api/v1/verify", content=bytes(pdf)).json()["verdict"] == "altered"
        assert client.post("/api/v1/verify", content=b"").status_code == 422
        form = client.get("/verify")
        page = client.post("/verify", data={"csrf_token": _csrf(form.text), "code": ""},
                           files={"file": ("report.pdf", bytes(pdf), "application/pdf")})
        assert 'data-verdict="altered"' in page.text
        with platform.uow(system_actor("test")) as uow:
            records.change_status(uow, city.current_penalty_id, RecordStatus.REPAIRED, "信用修复")
        assert client.get(f"/api/v1/verify/{report['code']}").json()["verdict"] == "superseded"
        assert 'data-verdict="superseded"' in client.get(f"/verify/{report['code']}").text

    def test_the_public_cannot_issue_and_unknown_codes_are_404(self, client: TestClient, city: City) -> None:
        assert client.post("/api/v1/reports", json={"subject_id": city.subject_id}).status_code in (401, 403)
        assert client.get("/verify/AAAA-BBBB").status_code == 404
        assert client.get("/api/v1/verify/AAAA").json()["verdict"] == "not_found"


class TestSelfServicePages:
    def test_apply_follow_and_download(self, client: TestClient, platform: Platform, city: City,
                                       tmp_path: Path) -> None:
        form = client.get("/reports/apply")
        assert form.status_code == 200
        response = client.post("/reports/apply", data={
            "csrf_token": _csrf(form.text), "uscc": ENTERPRISE_USCC, "rep_name": LEGAL_REP, "rep_id": LEGAL_REP_ID,
            "channel": "email", "contact": "boss@example.com", "kind": "health"}, follow_redirects=False)
        assert response.status_code == 303
        status_page = client.get(response.headers["location"])
        assert "已出具" in status_page.text and CURRENT_PENALTY in status_page.text
        pdf = client.get(response.headers["location"] + "/report.pdf")
        assert pdf.headers["content-type"] == "application/pdf"
        assert "信用体检报告" in pdf_text(pdf.content, tmp_path)
        assert client.app.state.notifier.sent[-1][1] == "boss@example.com"  # type: ignore[attr-defined]
        token = response.headers["location"].rsplit("/", 1)[1]
        api = client.get(f"/api/v1/reports/applications/{token}").json()
        assert api["status"] == "issued" and api["report"]["kind"] == "health"
        assert client.get("/api/v1/reports/applications/not-a-token").status_code == 404

    def test_a_wrong_identity_is_refused_without_echoing_the_id(self, client: TestClient, city: City) -> None:
        form = client.get("/reports/apply")
        response = client.post("/reports/apply", data={
            "csrf_token": _csrf(form.text), "uscc": ENTERPRISE_USCC, "rep_name": "李四", "rep_id": LEGAL_REP_ID,
            "channel": "sms", "contact": "13800000000"})
        assert response.status_code == 403 and "身份核验未通过" in response.text
        assert LEGAL_REP_ID not in response.text


class TestConsole:
    def test_operator_issues_views_and_revokes(self, client: TestClient, platform: Platform, city: City) -> None:
        login(client, "op", make_user(platform, "op", {Role.OPERATOR}))
        queue = client.get("/admin/reports")
        assert queue.status_code == 200 and "企业自助申请" in queue.text
        issued = client.post("/admin/reports/issue", data={"csrf_token": _csrf(queue.text),
                                                          "subject_id": str(city.subject_id), "kind": "full"})
        assert issued.status_code == 200 and "公示状态" in issued.text and CURRENT_PENALTY in issued.text
        revoke_path = issued.url.path + "/revoke"
        page = client.post(revoke_path, data={"csrf_token": _csrf(issued.text), "reason": "出具有误"})
        assert "已撤销" in page.text

    def test_reviewer_uploads_a_list_and_downloads_both_outputs(self, client: TestClient, platform: Platform,
                                                                city: City, tmp_path: Path) -> None:
        login(client, "rv", make_user(platform, "rv", {Role.REVIEWER}))
        listing = client.get("/admin/reviews")
        csv = f"企业名称,统一社会信用代码\n{COMPANY},{ENTERPRISE_USCC}\n扬州示例科技公司,\n".encode()
        result = client.post("/admin/reviews", data={"csrf_token": _csrf(listing.text), "matter": "bidding"},
                             files={"file": ("list.csv", csv, "text/csv")})
        assert result.status_code == 200 and CURRENT_PENALTY in result.text and "需人工确认" in result.text
        path = result.url.path
        assert "信用审查报告" in pdf_text(client.get(path + "/pdf").content, tmp_path)
        book = load_workbook(io.BytesIO(client.get(path + "/xlsx").content))
        assert book.worksheets[0].cell(2, 5).value == COMPANY

    def test_a_submitter_sees_neither_page(self, client: TestClient, platform: Platform, city: City) -> None:
        login(client, "clerk", make_user(platform, "clerk", {Role.SUBMITTER}, MARKET_REGULATOR_USCC))
        assert client.get("/admin/reports").status_code == 403
        assert client.get("/admin/reviews").status_code == 403
