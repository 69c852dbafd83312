"""The console's list pages, the loop page and the subscriptions page: an operator lists, exits, confirms,
adds derivation rules and subscriptions; a reviewer only reads."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.conftest import login, make_department, make_user
from tests.e2e.test_admin_pages import csrf
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, make_uscc
from xinyong.adapters.repositories.lists import ListRepository
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.identifiers import IdType
from xinyong.domain.subjects import Identifier, SubjectType
from xinyong.services import checks, lists, webhooks
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


SUBSCRIPTION = {"name": "市场监管业务系统", "url": "https://scjg.example.gov.cn/hooks/lists",
                "lists": ["serious_dishonesty", "abnormal_operation"], "every_subject": "1"}


class Refusing:
    """A receiver that answers 500: the delivery stays pending with its next attempt scheduled."""

    def send(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        return 500


def test_an_operator_adds_a_subscription_and_sees_its_secret_once(platform: Platform, client: TestClient) -> None:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    password = make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", password)
    assert 'href="/admin/subscriptions"' in client.get("/admin").text
    empty = client.get("/admin/subscriptions")
    assert empty.status_code == 200 and "尚无订阅" in empty.text and "尚无推送" in empty.text
    added = client.post("/admin/subscriptions", data={**SUBSCRIPTION, "department_id": str(department_id),
                                                      "csrf_token": csrf(client, "/admin/subscriptions")})
    assert added.status_code == 201
    with platform.uow(system_actor("test")) as uow:
        [stored] = ListRepository(uow.connection).subscriptions()
    assert stored["secret"] in added.text and "离开本页后将无法再次查看" in added.text
    assert "严重失信主体名单、经营异常名录" in added.text and "扬州市市场监督管理局" in added.text
    assert (stored["department_id"], stored["lists"], stored["every_subject"]) == (
        department_id, ["serious_dishonesty", "abnormal_operation"], True)
    listing = client.get("/admin/subscriptions").text
    assert stored["secret"] not in listing
    row = listing.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    for shown in ("市场监管业务系统", "https://scjg.example.gov.cn/hooks/lists", "严重失信主体名单、经营异常名录",
                  "全市主体", "扬州市市场监督管理局", "启用"):
        assert shown in row, shown


def test_the_delivery_log_shows_status_attempts_and_errors(platform: Platform, client: TestClient) -> None:
    make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    password = make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    login(client, "scjg", password)
    form = client.get("/admin/subscriptions").text
    assert 'name="department_id"' not in form  # a department's user subscribes for its own department
    added = client.post("/admin/subscriptions", data={
        "name": "", "url": "http://127.0.0.1:9/hook", "lists": ["serious_dishonesty"],
        "csrf_token": csrf(client, "/admin/subscriptions")})
    assert added.status_code == 201
    with platform.uow(system_actor("test")) as uow:
        [stored] = ListRepository(uow.connection).subscriptions()
    assert not stored["every_subject"]
    entry_id = _listed(platform)
    with platform.uow(system_actor("test")) as uow:
        subject_id = uow.subjects.id_by_identifier(IdType.USCC, ENTERPRISE_USCC)
        assert subject_id is not None
        webhooks.watch(uow, stored["id"], [subject_id])
    with platform.uow(system_actor("test")) as uow:  # the subject is watched now: both changes are queued
        lists.exit_entry(uow, entry_id, "信用修复")
        lists.add_entry(uow, "serious_dishonesty", subject_id, "再次严重失信", date(2026, 6, 10))
    report = webhooks.deliver_due(platform, Refusing())
    assert report.retrying == 2
    page = client.get("/admin/subscriptions").text
    assert "关注的主体（1 个）" in page
    log = page.split("最近推送记录（2 条）", 1)[1]
    rows = log.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("</tr>")
    for row, event in zip(rows[:2], ("列入", "移出"), strict=True):  # newest first
        for shown in ("http://127.0.0.1:9/hook", event, "严重失信主体名单 #", "待发送", '<td class="num">1</td>',
                      "2026-06-15 10:00:00", "2026-06-15 10:01:00", "HTTP 500"):
            assert shown in row, (event, shown)


def test_a_bad_subscription_is_shown_on_the_form_with_the_values_kept(platform: Platform,
                                                                      client: TestClient) -> None:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    password = make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", password)
    token = csrf(client, "/admin/subscriptions")
    bad = client.post("/admin/subscriptions", data={**SUBSCRIPTION, "url": "ftp://scjg.example.gov.cn/hooks",
                                                    "department_id": str(department_id), "csrf_token": token})
    assert bad.status_code == 422 and "回调地址须为 http(s) 网址" in bad.text
    assert 'value="市场监管业务系统"' in bad.text and 'value="ftp://scjg.example.gov.cn/hooks"' in bad.text
    assert 'value="serious_dishonesty" checked' in bad.text and 'value="abnormal_operation" checked' in bad.text
    assert 'value="red" checked' not in bad.text and 'name="every_subject" value="1" checked' in bad.text
    assert f'<option value="{department_id}" selected>' in bad.text
    nowhere = client.post("/admin/subscriptions", data={**SUBSCRIPTION, "csrf_token": token})
    assert nowhere.status_code == 422 and "请指定订阅所属部门" in nowhere.text
    with platform.uow(system_actor("test")) as uow:
        assert ListRepository(uow.connection).subscriptions() == []


def test_subscriptions_need_the_permission_and_the_form_token(platform: Platform, client: TestClient) -> None:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    password = make_user(platform, "rev", {Role.REVIEWER})
    login(client, "rev", password)
    assert 'href="/admin/subscriptions"' not in client.get("/admin").text
    assert client.get("/admin/subscriptions").status_code == 403
    refused = client.post("/admin/subscriptions", data={**SUBSCRIPTION, "department_id": str(department_id),
                                                        "csrf_token": csrf(client, "/admin/lists")})
    assert refused.status_code == 403
    client.cookies.clear()
    password = make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", password)
    forged = client.post("/admin/subscriptions", data={**SUBSCRIPTION, "department_id": str(department_id),
                                                       "csrf_token": "forged"})
    assert forged.status_code == 403 and "表单已过期或来源不明" in forged.text
    with platform.uow(system_actor("test")) as uow:
        assert ListRepository(uow.connection).subscriptions() == []


def test_a_department_stops_its_subscription_from_the_console(platform: Platform, client: TestClient) -> None:
    make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    password = make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    login(client, "scjg", password)
    added = client.post("/admin/subscriptions", data={
        "name": "市场监管业务系统", "url": "http://127.0.0.1:9/hook", "every_subject": "1",
        "csrf_token": csrf(client, "/admin/subscriptions")})
    assert added.status_code == 201
    _listed(platform)  # queues a delivery for the subscription
    with platform.uow(system_actor("test")) as uow:
        [stored] = ListRepository(uow.connection).subscriptions()
    path = f"/admin/subscriptions/{stored['id']}/deactivate"
    forged = client.post(path, data={"csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code in (400, 403)
    page = client.get("/admin/subscriptions").text
    assert f'action="{path}"' in page
    stopped = client.post(path, data={"csrf_token": csrf(client, "/admin/subscriptions")}, follow_redirects=True)
    assert stopped.status_code == 200
    assert "订阅“市场监管业务系统”已停用，取消待发送的推送 1 条" in stopped.text
    row = stopped.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "已停用" in row and f'action="{path}"' not in row
    assert "已取消（订阅停用）" in stopped.text
    again = client.post(path, data={"csrf_token": csrf(client, "/admin/subscriptions")})
    assert again.status_code == 409 and "该订阅已停用" in again.text


def test_subjects_are_watched_by_their_identifiers_all_or_none(platform: Platform, client: TestClient) -> None:
    make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    password = make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    login(client, "scjg", password)
    added = client.post("/admin/subscriptions", data={
        "name": "市场监管业务系统", "url": "http://127.0.0.1:9/hook",
        "csrf_token": csrf(client, "/admin/subscriptions")})
    assert added.status_code == 201
    _listed(platform)  # the subject of ENTERPRISE_USCC
    with platform.uow(system_actor("test")) as uow:
        [stored] = ListRepository(uow.connection).subscriptions()
    unknown = make_uscc("91321000MA1X2Y3W4")
    refused = client.post("/admin/subscriptions/watch", data={
        "subscription_id": str(stored["id"]), "identifiers": f"{ENTERPRISE_USCC}\n{unknown}\n12345",
        "csrf_token": csrf(client, "/admin/subscriptions")})
    assert refused.status_code == 422
    assert "均未添加" in refused.text and unknown in refused.text and "12345：无法识别的证件号码" in refused.text
    assert f"{ENTERPRISE_USCC}\n{unknown}\n12345</textarea>" in refused.text  # kept for correction
    with platform.uow(system_actor("test")) as uow:
        assert ListRepository(uow.connection).watched_counts([stored["id"]]) == {}
    watched = client.post("/admin/subscriptions/watch", data={
        "subscription_id": str(stored["id"]), "identifiers": f" {ENTERPRISE_USCC} \n\n",
        "csrf_token": csrf(client, "/admin/subscriptions")}, follow_redirects=True)
    assert watched.status_code == 200 and "已添加关注的主体 1 个（0 个此前已关注）" in watched.text
    assert "关注的主体（1 个）" in watched.text
