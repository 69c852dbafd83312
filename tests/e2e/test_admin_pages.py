"""The admin console: login, CSRF, the login gate, separation of duties, and each duty's pages."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from tests.conftest import actor_of, login, make_department, make_user
from tests.factories import (
    ENTERPRISE_USCC,
    ENVIRONMENT_BUREAU_USCC,
    MARKET_REGULATOR_USCC,
    PERSON_ID,
    make_uscc,
    penalty_values,
    person_penalty_values,
)
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.services import accounts, records

PAGES = [
    "/admin", "/admin/subjects", "/admin/subjects/1", "/admin/records", "/admin/records/1", "/admin/departments",
    "/admin/users", "/admin/roles", "/admin/tokens", "/admin/audit", "/admin/catalog",
    "/admin/catalog/administrative_penalty", "/admin/account",
]


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def csrf(client: TestClient, path: str = "/admin/login") -> str:
    return csrf_of(client.get(path).text)


def post(client: TestClient, path: str, data: dict[str, object], form_page: str = "/admin") -> object:
    return client.post(path, data={**data, "csrf_token": csrf(client, form_page)}, follow_redirects=False)


def submit(platform: Platform, username: str, department_id: int, values: dict[str, object]) -> int:
    with platform.uow(actor_of(platform, username)) as uow:
        outcome = records.submit(uow, platform.catalogue(uow), "administrative_penalty", department_id, values,
                                 "api")
        return outcome.record.id


@pytest.fixture
def world(platform: Platform) -> dict[str, int]:
    """Two departments with a submitter each, an operator and a reviewer; penalties from both departments."""
    market = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    environment = make_department(platform, ENVIRONMENT_BUREAU_USCC, "扬州市生态环境局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    make_user(platform, "sthj", {Role.SUBMITTER}, ENVIRONMENT_BUREAU_USCC)
    make_user(platform, "op", {Role.OPERATOR})
    make_user(platform, "reviewer", {Role.REVIEWER})
    ids = {"market": market, "environment": environment}
    ids["market_record"] = submit(platform, "scjg", market, penalty_values())
    ids["environment_record"] = submit(platform, "sthj", environment, penalty_values(
        cf_wsh="扬环罚〔2026〕7号", cf_wfxw="超标排放污染物", cf_cfjg="扬州市生态环境局",
        cf_cfjgdm=ENVIRONMENT_BUREAU_USCC, cf_sjly="扬州市生态环境局", cf_sjlydm=ENVIRONMENT_BUREAU_USCC))
    ids["person_record"] = submit(platform, "scjg", market, person_penalty_values())
    with platform.uow(system_actor("test")) as uow:
        ids["enterprise"] = uow.records.get(ids["market_record"]).subject_id  # type: ignore[union-attr]
        ids["person"] = uow.records.get(ids["person_record"]).subject_id  # type: ignore[union-attr]
    return ids


def password_of(username: str) -> str:
    return f"{username}-Passw0rd!"


class TestLogin:
    def test_the_form_has_labelled_fields_and_a_csrf_token(self, client: TestClient) -> None:
        response = client.get("/admin/login")
        assert response.status_code == 200
        html = response.text
        assert '<label for="username">用户名</label>' in html and '<label for="password">密码</label>' in html
        assert len(csrf_of(html)) >= 32
        assert response.headers["cache-control"] == "no-store"

    def test_success_opens_the_dashboard_with_name_and_roles(self, client: TestClient,
                                                             admins: dict[str, str]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        response = client.get("/admin")
        assert response.status_code == 200
        assert "工作台" in response.text and "sysadmin" in response.text and "系统管理员" in response.text

    def test_a_wrong_password_is_refused_with_a_message(self, client: TestClient, admins: dict[str, str]) -> None:
        response = client.post("/admin/login", data={"username": "sysadmin", "password": "wrong-password",
                                                     "csrf_token": csrf(client)}, follow_redirects=False)
        assert response.status_code == 401
        assert "用户名或密码错误" in response.text
        assert 'value="sysadmin"' in response.text  # the username is kept, the password never
        assert client.get("/admin", follow_redirects=False).status_code == 303

    def test_an_unknown_user_is_refused_the_same_way(self, client: TestClient) -> None:
        response = client.post("/admin/login", data={"username": "nobody", "password": "whatever-123",
                                                     "csrf_token": csrf(client)}, follow_redirects=False)
        assert response.status_code == 401
        assert "用户名或密码错误" in response.text

    def test_empty_fields_ask_for_both(self, client: TestClient) -> None:
        response = client.post("/admin/login", data={"username": "", "password": "", "csrf_token": csrf(client)})
        assert response.status_code == 422
        assert "请输入用户名和密码" in response.text

    def test_without_csrf_token_is_forbidden(self, client: TestClient, admins: dict[str, str]) -> None:
        client.get("/admin/login")
        response = client.post("/admin/login", data={"username": "sysadmin", "password": admins["sysadmin"]},
                               follow_redirects=False)
        assert response.status_code == 403
        assert "表单已过期或来源不明" in response.text
        wrong = client.post("/admin/login", data={"username": "sysadmin", "password": admins["sysadmin"],
                                                  "csrf_token": "forged"}, follow_redirects=False)
        assert wrong.status_code == 403

    def test_csrf_token_changes_on_login(self, client: TestClient, admins: dict[str, str]) -> None:
        before = csrf(client)
        login(client, "sysadmin", admins["sysadmin"])
        assert csrf(client, "/admin") != before

    def test_a_disabled_account_cannot_log_in(self, client: TestClient, platform: Platform) -> None:
        make_user(platform, "op", {Role.OPERATOR})
        with platform.uow(system_actor("test")) as uow:
            accounts.set_active(uow, "op", False)
        response = client.post("/admin/login", data={"username": "op", "password": password_of("op"),
                                                     "csrf_token": csrf(client)}, follow_redirects=False)
        assert response.status_code == 401

    def test_next_brings_back_to_the_page_asked_for(self, client: TestClient, admins: dict[str, str]) -> None:
        gate = client.get("/admin/users?x=1", follow_redirects=False)
        assert gate.status_code == 303
        assert unquote(gate.headers["location"]) == "/admin/login?next=/admin/users?x=1"
        form = client.get(gate.headers["location"]).text
        assert 'name="next" value="/admin/users?x=1"' in form
        response = client.post("/admin/login", data={"username": "sysadmin", "password": admins["sysadmin"],
                                                     "csrf_token": csrf_of(form), "next": "/admin/users?x=1"},
                               follow_redirects=False)
        assert response.headers["location"] == "/admin/users?x=1"

    @pytest.mark.parametrize("target", ["https://evil.example/admin", "//evil.example/admin", "/admin\\@evil",
                                        "/search", "javascript:alert(1)", "/\\evil.example"])
    def test_next_never_leaves_the_console(self, client: TestClient, admins: dict[str, str], target: str) -> None:
        response = client.post("/admin/login", data={"username": "sysadmin", "password": admins["sysadmin"],
                                                     "csrf_token": csrf(client), "next": target},
                               follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/admin"

    def test_logout_needs_the_token_and_ends_the_session(self, client: TestClient, admins: dict[str, str]) -> None:
        login(client, "auditor", admins["auditor"])
        assert client.post("/admin/logout", data={}, follow_redirects=False).status_code == 403
        response = post(client, "/admin/logout", {})
        assert response.status_code == 303 and response.headers["location"] == "/admin/login"
        assert client.get("/admin", follow_redirects=False).status_code == 303

    def test_a_password_changed_elsewhere_ends_the_session(self, client: TestClient, platform: Platform) -> None:
        make_user(platform, "op", {Role.OPERATOR})
        login(client, "op", password_of("op"))
        with platform.uow(system_actor("test")) as uow:
            accounts.set_password(uow, platform.passwords, "op", "a-new-Passw0rd")
        assert client.get("/admin", follow_redirects=False).status_code == 303


class TestLoginGate:
    @pytest.mark.parametrize("path", PAGES)
    def test_every_page_redirects_to_login(self, client: TestClient, path: str) -> None:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/admin/login?next=")
        assert unquote(response.headers["location"].split("next=", 1)[1]) == path

    @pytest.mark.parametrize("path", ["/admin/departments", "/admin/users", "/admin/roles/op", "/admin/tokens",
                                      "/admin/tokens/1/revoke", "/admin/users/op/active", "/admin/account"])
    def test_every_form_redirects_to_login(self, client: TestClient, path: str) -> None:
        response = client.post(path, data={"csrf_token": csrf(client)}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/admin/login")

    def test_a_bearer_token_does_not_open_the_console(self, client: TestClient, platform: Platform) -> None:
        make_user(platform, "op", {Role.OPERATOR})
        with platform.uow(system_actor("test")) as uow:
            secret, _ = accounts.issue_token(uow, "op", "t", ["subjects:read"], 30)
        response = client.get("/admin/subjects", headers={"Authorization": f"Bearer {secret}"},
                              follow_redirects=False)
        assert response.status_code == 303


class TestSeparationOfDuties:
    def test_the_auditor_reads_the_audit_log_and_nothing_else(self, client: TestClient,
                                                              admins: dict[str, str]) -> None:
        login(client, "auditor", admins["auditor"])
        audit = client.get("/admin/audit")
        assert audit.status_code == 200
        assert "审计日志" in audit.text and "login" in audit.text
        for path in ("/admin/users", "/admin/departments", "/admin/roles", "/admin/tokens", "/admin/subjects",
                     "/admin/catalog"):
            response = client.get(path)
            assert response.status_code == 403, path
            assert "无权执行此操作" in response.text
        menu = client.get("/admin").text
        assert 'href="/admin/audit"' in menu and 'href="/admin/users"' not in menu

    def test_the_system_administrator_cannot_read_the_audit_log(self, client: TestClient,
                                                                 admins: dict[str, str]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/roles").status_code == 403
        menu = client.get("/admin").text
        for allowed in ("/admin/users", "/admin/departments", "/admin/catalog", "/admin/account"):
            assert f'href="{allowed}"' in menu
        for refused in ("/admin/audit", "/admin/roles", "/admin/tokens", "/admin/records"):
            assert f'href="{refused}"' not in menu

    def test_the_security_administrator_sets_roles(self, client: TestClient, platform: Platform,
                                                   admins: dict[str, str], world: dict[str, int]) -> None:
        login(client, "secadmin", admins["secadmin"])
        page = client.get("/admin/roles")
        assert page.status_code == 200
        assert 'value="operator"' in page.text and "信用办业务人员" in page.text
        response = post(client, "/admin/roles/reviewer", {"roles": ["operator", "reviewer"]}, "/admin/roles")
        assert response.status_code == 303
        with platform.uow(system_actor("test")) as uow:
            assert accounts.get_user(uow, "reviewer").roles == {Role.OPERATOR, Role.REVIEWER}
        assert "已设置用户 reviewer 的角色" in client.get("/admin/roles").text

    def test_roles_that_break_the_separation_are_refused_with_the_reason(
            self, client: TestClient, platform: Platform, admins: dict[str, str], world: dict[str, int]) -> None:
        login(client, "secadmin", admins["secadmin"])
        response = post(client, "/admin/roles/op", {"roles": ["auditor", "operator"]}, "/admin/roles")
        assert response.status_code == 422
        assert "三员分立" in response.text
        with platform.uow(system_actor("test")) as uow:
            assert accounts.get_user(uow, "op").roles == {Role.OPERATOR}

    def test_the_security_administrator_cannot_change_own_roles(self, client: TestClient,
                                                                admins: dict[str, str]) -> None:
        login(client, "secadmin", admins["secadmin"])
        response = post(client, "/admin/roles/secadmin", {"roles": ["system_admin"]}, "/admin/roles")
        assert response.status_code == 403
        assert "不能修改自己的角色" in response.text

    def test_the_security_administrator_cannot_add_departments(self, client: TestClient, platform: Platform,
                                                               admins: dict[str, str]) -> None:
        login(client, "secadmin", admins["secadmin"])
        assert client.get("/admin/departments").status_code == 403
        response = post(client, "/admin/departments", {"uscc": MARKET_REGULATOR_USCC, "name": "扬州市市场监督管理局"})
        assert response.status_code == 403
        with platform.uow(system_actor("test")) as uow:
            assert uow.accounts.departments() == []

    def test_a_submitter_sees_no_administration(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        for path in ("/admin/users", "/admin/audit", "/admin/subjects", f"/admin/subjects/{world['enterprise']}"):
            assert client.get(path).status_code == 403, path


class TestDepartmentsAndUsers:
    def test_the_system_administrator_adds_a_department(self, client: TestClient, platform: Platform,
                                                        admins: dict[str, str]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        uscc = make_uscc("11321000MB1234567")
        response = post(client, "/admin/departments", {"uscc": uscc.lower(), "name": "扬州市交通运输局"})
        assert response.status_code == 303
        page = client.get("/admin/departments").text
        assert "已新增信源部门：扬州市交通运输局" in page and uscc in page and "132100" in page

    def test_an_invalid_code_is_shown_on_the_form(self, client: TestClient, admins: dict[str, str]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        response = post(client, "/admin/departments", {"uscc": "911522010783762861", "name": "某局"})
        assert response.status_code == 422
        assert 'role="alert"' in response.text
        assert 'value="某局"' in response.text  # what was typed is kept

    def test_users_are_added_and_disabled(self, client: TestClient, platform: Platform, admins: dict[str, str],
                                          world: dict[str, int]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        response = post(client, "/admin/users", {"username": "wang.li", "display_name": "王立",
                                                 "password": "long-enough-pw",
                                                 "department_uscc": MARKET_REGULATOR_USCC})
        assert response.status_code == 303
        page = client.get("/admin/users").text
        assert "wang.li" in page and "王立" in page and "扬州市市场监督管理局" in page
        assert post(client, "/admin/users/wang.li/active", {"active": "0"}).status_code == 303
        with platform.uow(system_actor("test")) as uow:
            assert accounts.get_user(uow, "wang.li").active is False
        assert "已停用用户：wang.li" in client.get("/admin/users").text

    def test_a_weak_password_is_refused(self, client: TestClient, admins: dict[str, str]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        response = post(client, "/admin/users", {"username": "zhao", "display_name": "赵", "password": "short"})
        assert response.status_code == 422
        assert "密码至少10个字符" in response.text

    def test_the_administrator_cannot_disable_itself(self, client: TestClient, admins: dict[str, str]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        response = post(client, "/admin/users/sysadmin/active", {"active": "0"})
        assert response.status_code == 403
        assert "不能停用自己的账号" in response.text

    def test_a_form_with_a_wrong_token_is_refused(self, client: TestClient, platform: Platform,
                                                  admins: dict[str, str]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        response = client.post("/admin/departments", data={"uscc": MARKET_REGULATOR_USCC, "name": "x",
                                                            "csrf_token": "forged"})
        assert response.status_code == 403
        with platform.uow(system_actor("test")) as uow:
            assert uow.accounts.departments() == []


class TestRecords:
    def test_a_submitter_sees_only_its_departments_records(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        page = client.get("/admin/records")
        assert page.status_code == 200
        assert "扬市监罚〔2026〕12号" in page.text
        assert "扬环罚〔2026〕7号" not in page.text
        assert "扬州市生态环境局" not in page.text  # not even in the department filter
        assert client.get(f"/admin/records?department_id={world['environment']}").status_code == 403
        assert client.get(f"/admin/records/{world['environment_record']}").status_code == 404
        assert client.get(f"/admin/records/{world['market_record']}").status_code == 200

    def test_lists_mask_a_persons_name(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        page = client.get("/admin/records").text
        assert "张*明" in page and "张三明" not in page

    def test_the_operator_sees_all_departments_and_filters(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "op", password_of("op"))
        page = client.get("/admin/records").text
        assert "扬市监罚〔2026〕12号" in page and "扬环罚〔2026〕7号" in page
        only = client.get("/admin/records", params={"department_id": world["environment"],
                                                     "info_class": "administrative_penalty",
                                                     "date_from": "2026-05-01", "date_to": "2026-05-31"}).text
        assert "扬环罚〔2026〕7号" in only and "扬市监罚〔2026〕12号" not in only
        none = client.get("/admin/records", params={"date_from": "2026-06-01", "date_to": ""}).text
        assert "没有符合条件的信用记录" in none

    def test_a_bad_date_filter_is_explained(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "op", password_of("op"))
        response = client.get("/admin/records", params={"date_from": "2026-13-01"})
        assert response.status_code == 422
        assert "起始日期不是有效日期" in response.text

    def test_the_record_page_shows_items_provenance_and_versions(self, client: TestClient, platform: Platform,
                                                                 world: dict[str, int]) -> None:
        corrected = submit(platform, "scjg", world["market"], penalty_values(cf_nr_fk="3", cf_nr="罚款人民币叁万元"))
        assert corrected != world["market_record"]
        login(client, "op", password_of("op"))
        page = client.get(f"/admin/records/{corrected}")
        assert page.status_code == 200
        html = page.text
        assert "行政处罚决定书文号" in html and "扬市监罚〔2026〕12号" in html
        assert "罚款金额（万元）" in html and "罚款人民币叁万元" in html
        assert "违法行为类型" in html and "销售不合格产品" in html
        assert "处罚类别" in html and "罚款" in html
        assert "接口报送" in html and "scjg" in html  # channel and submitter
        assert "2026-06-15 10:00:00" in html  # received, in Beijing time
        assert "版本（2）" in html and "第 1 版" in html and "第 2 版" in html
        assert f'href="/admin/records/{world["market_record"]}"' in html
        assert "更正（产生新版本）" in html  # the lineage event
        old = client.get(f"/admin/records/{world['market_record']}").text
        assert "已更正" in old and f'href="/admin/records/{corrected}"' in old

    def test_a_submitter_sees_personal_identifiers_masked(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        html = client.get(f"/admin/records/{world['person_record']}").text
        assert PERSON_ID not in html and "张三明" not in html
        assert "1101**********002X" in html

    def test_the_operator_sees_the_person_and_the_read_is_audited(self, client: TestClient, platform: Platform,
                                                                  world: dict[str, int]) -> None:
        login(client, "op", password_of("op"))
        html = client.get(f"/admin/records/{world['person_record']}").text
        assert PERSON_ID in html and "张三明" in html
        with platform.uow(system_actor("test")) as uow:
            _, rows = uow.audit_log.entries(action="record.read")
        assert rows and rows[0]["personal"] and rows[0]["actor_name"] == "op"


class TestSubjects:
    def test_search_and_archive_grouped_by_classification(self, client: TestClient,
                                                          world: dict[str, int]) -> None:
        login(client, "op", password_of("op"))
        found = client.get("/admin/subjects", params={"q": "示例科技"}).text
        assert f'href="/admin/subjects/{world["enterprise"]}"' in found and ENTERPRISE_USCC in found
        archive = client.get(f"/admin/subjects/{world['enterprise']}")
        assert archive.status_code == 200
        html = archive.text
        assert "名称历史" in html and ENTERPRISE_USCC in html
        assert "警示（失信）信息（2）" in html
        assert f'href="/admin/records/{world["market_record"]}"' in html
        assert f'href="/admin/records/{world["environment_record"]}"' in html

    def test_the_operator_finds_persons_masked_in_the_list(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "op", password_of("op"))
        found = client.get("/admin/subjects", params={"q": PERSON_ID}).text
        assert f'href="/admin/subjects/{world["person"]}"' in found
        assert PERSON_ID not in found.replace(f'value="{PERSON_ID}"', "").replace(f"“{PERSON_ID}”", "")
        archive = client.get(f"/admin/subjects/{world['person']}").text
        assert PERSON_ID in archive and "张三明" in archive

    def test_a_reviewer_cannot_open_a_person_nor_see_records(self, client: TestClient,
                                                             world: dict[str, int]) -> None:
        login(client, "reviewer", password_of("reviewer"))
        assert client.get(f"/admin/subjects/{world['person']}").status_code == 403
        found = client.get("/admin/subjects", params={"q": "张三"}).text
        assert f'href="/admin/subjects/{world["person"]}"' not in found
        archive = client.get(f"/admin/subjects/{world['enterprise']}").text
        assert "当前账号无权查看信用记录" in archive


class TestTokens:
    def test_the_secret_is_shown_once_and_works(self, client: TestClient, platform: Platform,
                                                admins: dict[str, str], world: dict[str, int]) -> None:
        login(client, "secadmin", admins["secadmin"])
        form = client.get("/admin/tokens").text
        assert 'value="records:submit"' in form and 'value="users:manage"' not in form
        response = post(client, "/admin/tokens", {"username": "scjg", "name": "报送系统",
                                                  "scopes": ["records:submit", "records:read_own"], "days": "30"},
                        "/admin/tokens")
        assert response.status_code == 201
        assert response.headers["cache-control"] == "no-store"
        secret = re.search(r'<textarea id="secret"[^>]*>([^<]+)</textarea>', response.text).group(1)  # type: ignore[union-attr]
        assert len(secret) >= 20
        assert "离开本页后将无法再次查看" in response.text
        listing = client.get("/admin/tokens").text
        assert secret not in listing and "报送系统" in listing and secret[:10] in listing
        api = client.get("/api/v1/records", headers={"Authorization": f"Bearer {secret}"})
        assert api.status_code == 200

    def test_scopes_beyond_the_users_roles_are_refused(self, client: TestClient, admins: dict[str, str],
                                                       world: dict[str, int]) -> None:
        login(client, "secadmin", admins["secadmin"])
        response = post(client, "/admin/tokens", {"username": "scjg", "name": "x", "scopes": ["personal:read"],
                                                  "days": "30"}, "/admin/tokens")
        assert response.status_code == 422
        assert "本身不具备这些权限" in response.text

    def test_a_token_is_revoked(self, client: TestClient, platform: Platform, admins: dict[str, str],
                                world: dict[str, int]) -> None:
        with platform.uow(system_actor("test")) as uow:
            secret, token = accounts.issue_token(uow, "op", "批量查询", ["subjects:read"], 30)
        login(client, "secadmin", admins["secadmin"])
        response = post(client, f"/admin/tokens/{token.id}/revoke", {}, "/admin/tokens")
        assert response.status_code == 303
        assert "已吊销" in client.get("/admin/tokens").text
        assert client.get("/api/v1/subjects?q=x", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


class TestAudit:
    def test_filters_and_paging(self, client: TestClient, admins: dict[str, str], world: dict[str, int]) -> None:
        login(client, "auditor", admins["auditor"])
        logins = client.get("/admin/audit", params={"action": "login"}).text
        assert "auditor" in logins and "record.submit" not in logins.split("<tbody>", 1)[1]
        personal = client.get("/admin/audit", params={"personal": "yes"}).text
        body = personal.split("<tbody>", 1)[1]
        assert "record.submit" in body and "department.add" not in body
        by_actor = client.get("/admin/audit", params={"actor": "scjg"}).text
        assert "record.submit" in by_actor
        assert "第 1 页" in by_actor
        second = client.get("/admin/audit", params={"page": "2"})
        assert second.status_code == 200

    def test_reading_the_log_is_itself_audited(self, client: TestClient, platform: Platform,
                                               admins: dict[str, str]) -> None:
        login(client, "auditor", admins["auditor"])
        client.get("/admin/audit")
        with platform.uow(system_actor("test")) as uow:
            _, rows = uow.audit_log.entries(action="audit.read")
        assert rows and rows[0]["actor_name"] == "auditor"


class TestCatalogueAndAccount:
    def test_catalogue_list_and_class(self, client: TestClient, admins: dict[str, str]) -> None:
        login(client, "sysadmin", admins["sysadmin"])
        listing = client.get("/admin/catalog").text
        assert 'href="/admin/catalog/administrative_penalty"' in listing and "行政处罚" in listing
        page = client.get("/admin/catalog/administrative_penalty").text
        assert "cf_wsh" in page and "行政处罚决定书文号" in page and "doc_number" in page
        assert "处罚类别" in page and "penalty_category" in page and "相对人名称" in page
        assert client.get("/admin/catalog/nothing").status_code == 404

    def test_own_password_change(self, client: TestClient, platform: Platform) -> None:
        make_user(platform, "op", {Role.OPERATOR})
        login(client, "op", password_of("op"))
        wrong = post(client, "/admin/account", {"current": "not-it", "password": "brand-new-pw1",
                                                "confirm": "brand-new-pw1"})
        assert wrong.status_code == 422 and "当前密码不正确" in wrong.text
        mismatch = post(client, "/admin/account", {"current": password_of("op"), "password": "brand-new-pw1",
                                                   "confirm": "brand-new-pw2"})
        assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
        weak = post(client, "/admin/account", {"current": password_of("op"), "password": "short",
                                               "confirm": "short"})
        assert weak.status_code == 422 and "密码至少10个字符" in weak.text
        ok = post(client, "/admin/account", {"current": password_of("op"), "password": "brand-new-pw1",
                                             "confirm": "brand-new-pw1"})
        assert ok.status_code == 303
        page = client.get("/admin/account")  # this session stays valid
        assert page.status_code == 200 and "密码已修改" in page.text
        post(client, "/admin/logout", {})
        login(client, "op", "brand-new-pw1")


class TestPagesAreSelfContained:
    @pytest.mark.parametrize("user", ["sysadmin", "secadmin", "auditor", "op"])
    def test_no_external_assets_and_nothing_inline(self, client: TestClient, platform: Platform,
                                                   admins: dict[str, str], world: dict[str, int], user: str) -> None:
        login(client, user, admins.get(user) or password_of(user))
        for path in PAGES:
            path = path.replace("/subjects/1", f"/subjects/{world['enterprise']}")
            path = path.replace("/records/1", f"/records/{world['market_record']}")
            response = client.get(path)
            # A record out of reach is "not found" (the services do not disclose its existence).
            assert response.status_code in (200, 403, 404), (user, path, response.status_code)
            html = response.text
            assert "http://" not in html and "https://" not in html, path
            assert "<script" not in html and "<style" not in html, path
            assert not re.search(r"\sstyle\s*=", html), path
            assert not re.search(r"\son[a-z]+\s*=", html), path
            assert '<link rel="stylesheet" href="/static/css/site.css">' in html
            assert '<html lang="zh-CN">' in html
