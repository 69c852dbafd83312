"""The JSON API over HTTP: one error shape, role boundaries, tokens, the audit trail."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import make_department, make_user, token_for
from tests.factories import (
    ENVIRONMENT_BUREAU_USCC,
    MARKET_REGULATOR_USCC,
    PERSON_ID,
    penalty_values,
    person_penalty_values,
)
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role

SUBMITTER_SCOPES = ["records:submit", "records:read_own", "catalog:read"]


@pytest.fixture
def market_submitter(platform: Platform) -> dict[str, str]:
    make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    return token_for(platform, "scjg", SUBMITTER_SCOPES)


def submit(client: TestClient, headers: dict[str, str], values: dict) -> dict:
    response = client.post("/api/v1/records", json={"info_class": "administrative_penalty", "values": values},
                           headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


class TestErrorShape:
    def test_validation_errors_have_the_pinned_shape(self, client: TestClient,
                                                     market_submitter: dict[str, str]) -> None:
        response = client.post("/api/v1/records", headers=market_submitter, json={
            "info_class": "administrative_penalty", "values": penalty_values(cf_jdrq="明天")})
        assert response.status_code == 422
        body = response.json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"code", "message", "message_en", "field", "problems"}
        assert body["error"]["code"] == "item.date" and body["error"]["field"] == "cf_jdrq"
        assert "处罚决定日期" in body["error"]["message"]
        assert body["error"]["problems"][0] == {"field": "cf_jdrq", "code": "item.date",
                                                "message": body["error"]["message"],
                                                "message_en": body["error"]["message_en"]}

    def test_malformed_requests_use_the_same_shape(self, client: TestClient,
                                                   market_submitter: dict[str, str]) -> None:
        response = client.post("/api/v1/records", headers=market_submitter, json={"values": "not an object"})
        assert response.status_code == 422
        assert {p["field"] for p in response.json()["error"]["problems"]} >= {"info_class", "values"}

    def test_unknown_paths_and_missing_tokens(self, client: TestClient) -> None:
        assert client.get("/api/v1/nowhere").json()["error"]["code"] == "not_found"
        response = client.get("/api/v1/records")
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission.denied"
        response = client.get("/api/v1/records", headers={"Authorization": "Bearer xy_forged"})
        assert response.status_code == 401 and response.json()["error"]["code"] == "auth.token_invalid"

    def test_openapi_is_published_and_no_cdn_docs(self, client: TestClient) -> None:
        spec = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/records" in spec["paths"] and "/api/v1/subjects/{subject_id}" in spec["paths"]
        assert client.get("/docs").status_code == 404


class TestDepartmentBoundary:
    def test_a_submitter_cannot_read_another_departments_data(self, platform: Platform, client: TestClient,
                                                              market_submitter: dict[str, str]) -> None:
        record = submit(client, market_submitter, penalty_values())["record"]
        make_department(platform, ENVIRONMENT_BUREAU_USCC, "扬州市生态环境局")
        make_user(platform, "sthj", {Role.SUBMITTER}, ENVIRONMENT_BUREAU_USCC)
        other = token_for(platform, "sthj", SUBMITTER_SCOPES)
        assert client.get(f"/api/v1/records/{record['id']}", headers=other).status_code == 404
        assert client.get("/api/v1/records", headers=other).json() == []
        assert client.get(f"/api/v1/subjects/{record['subject_id']}/records", headers=other).json() == []
        assert client.get(f"/api/v1/records/{record['id']}", headers=market_submitter).status_code == 200

    def test_a_submitter_cannot_submit_for_another_department(self, platform: Platform, client: TestClient,
                                                               market_submitter: dict[str, str]) -> None:
        make_department(platform, ENVIRONMENT_BUREAU_USCC, "扬州市生态环境局")
        response = client.post("/api/v1/records", headers=market_submitter, json={
            "info_class": "administrative_penalty", "values": penalty_values(),
            "department_uscc": ENVIRONMENT_BUREAU_USCC})
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission.department"

    def test_a_correction_is_a_new_version_over_the_api(self, client: TestClient,
                                                        market_submitter: dict[str, str]) -> None:
        first = submit(client, market_submitter, penalty_values())["record"]
        second = submit(client, market_submitter, penalty_values(cf_nr_fk="5"))
        assert second["outcome"] == "updated"
        detail = client.get(f"/api/v1/records/{first['id']}", headers=market_submitter).json()
        assert [(v["version"], v["status"], v["amount"]) for v in detail["versions"]] == [
            (1, "corrected", "2.000000"), (2, "active", "5.000000")]


class TestThreeAdministrators:
    def login(self, client: TestClient, platform: Platform, username: str) -> None:
        from tests.conftest import login

        login(client, username, platform.test_admins[username])  # type: ignore[attr-defined]

    def test_the_auditor_cannot_change_roles(self, platform: Platform, client: TestClient) -> None:
        make_user(platform, "clerk", {Role.OPERATOR})
        self.login(client, platform, "auditor")
        response = client.put("/api/v1/users/clerk/roles", json={"roles": ["operator", "reviewer"]},
                              headers={"X-CSRF-Token": self.csrf(client)})
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission.denied"
        assert client.get("/api/v1/audit").status_code == 200

    def test_the_system_administrator_cannot_read_the_audit_log(self, platform: Platform,
                                                                client: TestClient) -> None:
        self.login(client, platform, "sysadmin")
        response = client.get("/api/v1/audit")
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission.denied"

    def test_the_security_administrator_grants_roles_but_reads_no_audit(self, platform: Platform,
                                                                        client: TestClient) -> None:
        make_user(platform, "clerk", {Role.OPERATOR})
        self.login(client, platform, "secadmin")
        csrf = {"X-CSRF-Token": self.csrf(client)}
        response = client.put("/api/v1/users/clerk/roles", json={"roles": ["reviewer"]}, headers=csrf)
        assert response.status_code == 200 and response.json()["roles"] == ["reviewer"]
        assert client.get("/api/v1/audit").status_code == 403
        refused = client.put("/api/v1/users/clerk/roles", json={"roles": ["auditor", "operator"]}, headers=csrf)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "role.separation"

    def test_session_writes_to_the_api_need_the_csrf_header(self, platform: Platform, client: TestClient) -> None:
        make_user(platform, "clerk", {Role.OPERATOR})
        self.login(client, platform, "secadmin")
        response = client.put("/api/v1/users/clerk/roles", json={"roles": ["reviewer"]})
        assert response.status_code == 403 and response.json()["error"]["code"] == "csrf"

    def csrf(self, client: TestClient) -> str:
        page = client.get("/admin")
        return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


class TestTokens:
    def test_a_revoked_token_stops_working(self, platform: Platform, client: TestClient,
                                           market_submitter: dict[str, str]) -> None:
        assert client.get("/api/v1/records", headers=market_submitter).status_code == 200
        tokens = client.get("/api/v1/tokens", headers=market_submitter).json()
        assert len(tokens) == 1 and "token_hash" not in tokens[0]
        client.delete(f"/api/v1/tokens/{tokens[0]['id']}", headers=market_submitter)
        response = client.get("/api/v1/records", headers=market_submitter)
        assert response.status_code == 401

    def test_a_token_is_limited_to_its_scopes(self, platform: Platform, client: TestClient,
                                              market_submitter: dict[str, str]) -> None:
        read_only = token_for(platform, "scjg", ["records:read_own"])
        response = client.post("/api/v1/records", headers=read_only,
                               json={"info_class": "administrative_penalty", "values": penalty_values()})
        assert response.status_code == 403

    def test_a_token_cannot_exceed_its_users_roles(self, platform: Platform) -> None:
        from xinyong.errors import InvalidInput

        make_user(platform, "rev", {Role.REVIEWER})
        with pytest.raises(InvalidInput):
            token_for(platform, "rev", ["records:submit"])


class TestPersonalData:
    def test_reads_of_a_person_are_in_the_audit_log(self, platform: Platform, client: TestClient,
                                                    market_submitter: dict[str, str]) -> None:
        record = submit(client, market_submitter, person_penalty_values())["record"]
        make_user(platform, "op", {Role.OPERATOR})
        operator = token_for(platform, "op", ["subjects:read", "personal:read", "records:read_all"])
        found = client.get("/api/v1/subjects", params={"q": PERSON_ID}, headers=operator).json()
        assert [s["id"] for s in found] == [record["subject_id"]]
        assert client.get(f"/api/v1/subjects/{record['subject_id']}", headers=operator).status_code == 200
        from tests.conftest import login

        login(client, "auditor", platform.test_admins["auditor"])  # type: ignore[attr-defined]
        entries = client.get("/api/v1/audit", params={"personal": True, "actor": "op"}).json()["entries"]
        assert {e["action"] for e in entries} == {"subject.search", "subject.read"}
        assert all(e["via"] == "token" and e["ip"] for e in entries)
        assert client.get("/api/v1/audit", params={"action": "audit.read"}).json()["total"] >= 1
