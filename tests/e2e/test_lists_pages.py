"""The console's list pages and the loop page: an operator lists, exits, confirms; a reviewer only reads."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.conftest import login, make_user
from tests.e2e.test_admin_pages import csrf
from tests.factories import ENTERPRISE_USCC
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.identifiers import IdType
from xinyong.domain.subjects import Identifier, SubjectType
from xinyong.services import checks, lists
from xinyong.services.checks import SubjectQuery


def _listed(platform: Platform) -> int:
    with platform.uow(system_actor("test")) as uow:
        subject_id = uow.subjects.add(SubjectType.ENTERPRISE, Identifier(IdType.USCC, ENTERPRISE_USCC),
                                      "扬州市示例科技有限公司", "321000", [], date(2020, 1, 1), uow.clock.now())
        uow.commit()
        entry = lists.add_entry(uow, "serious_dishonesty", subject_id, "虚开增值税专用发票", date(2026, 5, 1),
                                doc_number="扬税失信〔2026〕1号")
        checks.check(uow, "government_procurement", SubjectQuery(ENTERPRISE_USCC))
        return entry.id


def test_operator_sees_lists_exits_an_entry_and_the_loop(platform: Platform, client: TestClient) -> None:
    entry_id = _listed(platform)
    password = make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", password)
    overview = client.get("/admin/lists")
    assert overview.status_code == 200 and "严重失信主体名单" in overview.text and "运行派生规则" in overview.text
    listing = client.get("/admin/lists/serious_dishonesty?in_force=1")
    assert "扬州市示例科技有限公司" in listing.text and "扬税失信〔2026〕1号" in listing.text
    page = client.get(f"/admin/lists/entries/{entry_id}")
    assert page.status_code == 200 and "今日在列" in page.text
    refused = client.post(f"/admin/lists/entries/{entry_id}/exit", data={"reason": "x", "csrf_token": "forged"},
                          follow_redirects=False)
    assert refused.status_code in (400, 403)
    token = csrf(client, f"/admin/lists/entries/{entry_id}")
    exited = client.post(f"/admin/lists/entries/{entry_id}/exit", data={"reason": "信用修复", "csrf_token": token},
                         follow_redirects=False)
    assert exited.status_code == 303
    assert "今日在列" not in client.get(f"/admin/lists/entries/{entry_id}").text
    loop = client.get("/admin/loop")
    assert loop.status_code == 200 and "拦截 1" in loop.text and "政府采购" in loop.text
    export = client.get("/admin/loop/cases.csv")
    assert export.status_code == 200 and export.text.startswith("\ufeff核查编号")
    assert "扬州市示例科技有限公司" in export.text


def test_a_reviewer_reads_lists_but_cannot_change_them(platform: Platform, client: TestClient) -> None:
    entry_id = _listed(platform)
    password = make_user(platform, "rev", {Role.REVIEWER})
    login(client, "rev", password)
    assert "运行派生规则" not in client.get("/admin/lists").text
    token = csrf(client, f"/admin/lists/entries/{entry_id}")
    response = client.post(f"/admin/lists/entries/{entry_id}/revoke", data={"reason": "x", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 403
    assert client.get("/admin/loop").status_code == 403


RULE = {"code": "penalties_2_in_6_months", "name": "六个月内受到两次行政处罚", "list_code": "key_attention",
        "info_class": "administrative_penalty", "min_records": "2", "window_days": "183", "effective_from": ""}


def test_an_operator_adds_a_derivation_rule_in_the_console(platform: Platform, client: TestClient) -> None:
    password = make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", password)
    assert "新增派生规则" in client.get("/admin/lists").text
    added = client.post("/admin/lists/rules", data={**RULE, "csrf_token": csrf(client, "/admin/lists")},
                        follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/admin/lists"
    overview = client.get("/admin/lists").text
    assert "已新增派生规则：六个月内受到两次行政处罚" in overview
    assert "六个月内受到两次行政处罚（<code>penalties_2_in_6_months</code>" in overview
    assert "183 天内“行政处罚”记录不少于 2 条，建议列入“重点关注名单”（自 2026-06-15 起）" in overview
    with platform.uow(system_actor("test")) as uow:
        [rule] = [r for r in lists.book(uow).rules if r.code == "penalties_2_in_6_months"]
    assert (rule.list_code, rule.info_class, rule.min_records, rule.window_days, rule.builtin) == (
        "key_attention", "administrative_penalty", 2, 183, False)


def test_a_bad_rule_is_shown_on_the_form_with_the_values_kept(platform: Platform, client: TestClient) -> None:
    password = make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", password)
    token = csrf(client, "/admin/lists")
    bad = client.post("/admin/lists/rules", data={**RULE, "window_days": "0", "csrf_token": token})
    assert bad.status_code == 422
    assert "时间窗口天数须为正数" in bad.text
    assert 'value="penalties_2_in_6_months"' in bad.text and 'value="六个月内受到两次行政处罚"' in bad.text
    assert 'value="2"' in bad.text and 'value="0"' in bad.text
    assert '<option value="key_attention" selected>' in bad.text
    assert '<option value="administrative_penalty" selected>' in bad.text
    not_a_number = client.post("/admin/lists/rules", data={**RULE, "min_records": "两", "csrf_token": token})
    assert not_a_number.status_code == 422 and "最少记录数应为数字：两" in not_a_number.text
    taken = client.post("/admin/lists/rules", data={**RULE, "code": "penalties_3_in_12_months", "csrf_token": token})
    assert taken.status_code == 409 and "规则代码已存在：penalties_3_in_12_months" in taken.text
    assert 'value="penalties_3_in_12_months"' in taken.text
    with platform.uow(system_actor("test")) as uow:
        assert [r.code for r in lists.book(uow).rules] == ["penalties_3_in_12_months"]


def test_adding_a_rule_needs_the_permission_and_the_form_token(platform: Platform, client: TestClient) -> None:
    password = make_user(platform, "rev", {Role.REVIEWER})
    login(client, "rev", password)
    overview = client.get("/admin/lists")
    assert overview.status_code == 200 and "新增派生规则" not in overview.text
    refused = client.post("/admin/lists/rules", data={**RULE, "csrf_token": csrf(client, "/admin/lists")},
                          follow_redirects=False)
    assert refused.status_code == 403
    client.cookies.clear()
    password = make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", password)
    forged = client.post("/admin/lists/rules", data={**RULE, "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403 and "表单已过期或来源不明" in forged.text
    with platform.uow(system_actor("test")) as uow:
        assert [r.code for r in lists.book(uow).rules] == ["penalties_3_in_12_months"]
