"""The public API and the portal's listings show the same things, under the publication rules;
articles are written in the console and shown escaped."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import actor_of, login, make_department, make_user
from tests.factories import (
    ENTERPRISE_USCC,
    MARKET_REGULATOR_USCC,
    PERSON_ID,
    make_uscc,
    penalty_values,
    person_penalty_values,
)
from xinyong.bootstrap import Platform, bootstrap
from xinyong.domain.accounts import Role
from xinyong.domain.identifiers import IdType
from xinyong.services import portal, records

OTHER_USCC = make_uscc("91321000MA1ABCDE1")


@pytest.fixture
def data(platform: Platform) -> dict[str, int]:
    department = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    with platform.uow(actor_of(platform, "scjg")) as uow:
        catalogue = platform.catalogue(uow)
        current = records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(), "api")
        expired = records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(
            cf_wsh="扬市监罚〔2022〕3号", cf_jdrq="2022-01-10", cf_wfxw="虚假宣传旧案"), "api")
        records.submit(uow, catalogue, "administrative_penalty", department, person_penalty_values(), "api")
        other = records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(
            cf_xdr_mc="扬州（江都）某某贸易有限责任公司", cf_xdr_shxym=OTHER_USCC, cf_wsh="扬市监罚〔2026〕20号",
            cf_cflb="警告", cf_nr="警告", cf_nr_fk=None), "api")
    return {"department": department, "enterprise": current.record.subject_id, "current": current.record.id,
            "expired": expired.record.id, "other": other.record.subject_id}


def test_api_and_page_show_the_same_public_penalties(client: TestClient, data: dict[str, int]) -> None:
    api = client.get("/api/v1/public/publicity/penalties").json()
    ids = {item["record_id"] for item in api["items"]}
    # Only the enterprise's current penalty: the 2022 one ended (12 months, 2019 rules), the person's is never public,
    # and a 2026 warning is a minor penalty that is not published.
    assert ids == {data["current"]}
    html = client.get("/publicity/penalties").text
    assert "扬市监罚〔2026〕12号" in html and "虚假宣传旧案" not in html and "张三明" not in html
    subject = client.get(f"/api/v1/public/subjects/{data['enterprise']}").json()
    shown = {r["id"] for s in subject["sections"] for r in s["records"]}
    assert shown == {data["current"]}
    penalty = next(r for s in subject["sections"] for r in s["records"])
    assert penalty["public_until"] == "2027-05-19" and penalty["severity"] == "general"
    assert {"label": "法定代表人", "value": "王*"} in penalty["fields"]


def test_listing_filters_paging_and_csv(client: TestClient, data: dict[str, int]) -> None:
    assert client.get("/api/v1/public/publicity/penalties", params={"department_id": 999}).json()["items"] == []
    assert client.get("/api/v1/public/publicity/penalties", params={"date_from": "2026-06-01"}).json()["items"] == []
    fines = client.get("/api/v1/public/publicity/penalties", params={"category": "fine"}).json()
    assert len(fines["items"]) == 1 and fines["has_next"] is False
    bad = client.get("/api/v1/public/publicity/penalties", params={"page": 100000})
    assert bad.status_code == 422 and "页码" in bad.json()["error"]["message"]
    csv = client.get("/publicity/penalties/export.csv")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    text = csv.content.decode("utf-8-sig")
    assert "扬市监罚〔2026〕12号" in text and ENTERPRISE_USCC in text and "虚假宣传旧案" not in text
    assert client.get("/api/v1/public/publicity/penalties/export.csv").text == csv.text
    assert client.get("/publicity/nothing").status_code == 404


def test_name_search_folds_brackets_and_company_forms(client: TestClient, data: dict[str, int]) -> None:
    for query in ("扬州(江都)某某贸易有限公司", "江都某某贸易", "扬州（江都）某某贸易有限责任公司",
                  "某某贸易 有限公司"):
        hits = client.get("/api/v1/public/search", params={"q": query}).json()
        assert [h["id"] for h in hits] == [data["other"]], query
    assert client.get("/api/v1/public/search", params={"q": PERSON_ID}).json() == []
    assert client.get("/api/v1/public/search", params={"q": "张三明"}).json() == []
    assert [h["id"] for h in client.get("/api/v1/public/search", params={"q": ENTERPRISE_USCC.lower()}).json()] == [
        data["enterprise"]]


def test_name_key_folds_what_people_type() -> None:
    assert portal.name_key("扬州（江都）某某有限责任公司") == portal.name_key("扬州(江都)某某有限公司")
    assert portal.name_key("ＡＢＣ 科技") == "ABC科技"


def test_a_person_page_does_not_exist_in_the_api(client: TestClient, platform: Platform,
                                                 data: dict[str, int]) -> None:
    with platform.uow(actor_of(platform, "scjg")) as uow:
        person = uow.subjects.id_by_identifier(IdType.CITIZEN_ID, PERSON_ID)
    assert client.get(f"/api/v1/public/subjects/{person}").status_code == 404
    assert client.get(f"/subjects/{person}").status_code == 404


def test_openapi_documents_the_public_api(client: TestClient) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/public/search", "/api/v1/public/subjects/{subject_id}",
                 "/api/v1/public/publicity/{kind}", "/api/v1/public/lists/{key}", "/api/v1/public/articles"):
        assert path in paths


def test_articles_are_written_in_the_console_and_shown_escaped(client: TestClient, platform: Platform) -> None:
    make_user(platform, "op", {Role.OPERATOR})
    login(client, "op", "op-Passw0rd!")
    form = client.get("/admin/articles/new").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    created = client.post("/admin/articles", data={
        "channel": "policy", "title": "关于<script>alert(1)</script>信用修复的通知",
        "body": "第一段<b>粗体</b>\n\n第二段", "csrf_token": token}, follow_redirects=False)
    assert created.status_code == 303
    article_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert client.get("/api/v1/public/articles", params={"channel": "policy"}).json() == []  # a draft
    published = client.post(f"/admin/articles/{article_id}/published", data={"published": "1", "csrf_token": token},
                            follow_redirects=False)
    assert published.status_code == 303
    client.cookies.clear()
    page = client.get(f"/articles/{article_id}").text
    assert "&lt;script&gt;" in page and "<script>" not in page and "&lt;b&gt;粗体&lt;/b&gt;" in page
    assert "<p>第二段</p>" in page
    listed = client.get("/api/v1/public/articles", params={"channel": "policy"}).json()
    assert [a["id"] for a in listed] == [article_id]
    assert client.get("/admin/articles").status_code in (303, 200)  # the public cannot manage articles


def test_articles_need_the_permission(client: TestClient, platform: Platform) -> None:
    make_user(platform, "rv", {Role.REVIEWER})
    login(client, "rv", "rv-Passw0rd!")
    assert client.get("/admin/articles").status_code == 403


def test_subject_pages_are_cached_until_this_process_commits_a_change(
        platform: Platform, client: TestClient, data: dict[str, int]) -> None:
    """A page is read once per ``public_cache_seconds``; another process's change waits for the entry to
    expire, a change committed through this process (it carries an audit entry) shows at once."""
    platform.pages.seconds = 60
    page = f"/api/v1/public/subjects/{data['enterprise']}"

    def shown() -> set[int]:
        return {r["id"] for s in client.get(page).json()["sections"] for r in s["records"]}

    assert shown() == {data["current"]}
    assert "扬市监罚〔2026〕12号" in client.get(f"/subjects/{data['enterprise']}").text
    other_process = bootstrap(platform.settings, clock=platform.clock)
    with other_process.uow(actor_of(platform, "scjg")) as uow:
        added = records.submit(uow, other_process.catalogue(uow), "administrative_penalty", data["department"],
                               penalty_values(cf_wsh="扬市监罚〔2026〕30号"), "api")
    other_process.engine.dispose()
    assert shown() == {data["current"]}  # still the cached page
    assert "扬市监罚〔2026〕30号" not in client.get(f"/subjects/{data['enterprise']}").text
    platform.pages.clear()  # what expiry does
    assert shown() == {data["current"], added.record.id}
    with platform.uow(actor_of(platform, "scjg")) as uow:
        newest = records.submit(uow, platform.catalogue(uow), "administrative_penalty", data["department"],
                                penalty_values(cf_wsh="扬市监罚〔2026〕31号"), "api")
    assert shown() == {data["current"], added.record.id, newest.record.id}
    assert "扬市监罚〔2026〕31号" in client.get(f"/subjects/{data['enterprise']}").text


def test_search_answers_are_cached_like_pages(platform: Platform, client: TestClient, data: dict[str, int]) -> None:
    platform.pages.seconds = 60

    def names() -> list[str]:
        return [h["name"] for h in client.get("/api/v1/public/search", params={"q": "新星商贸"}).json()]

    assert "扬州市新星商贸有限公司" not in names()
    other_process = bootstrap(platform.settings, clock=platform.clock)
    with other_process.uow(actor_of(platform, "scjg")) as uow:
        records.submit(uow, other_process.catalogue(uow), "administrative_penalty", data["department"], penalty_values(
            cf_xdr_mc="扬州市新星商贸有限公司", cf_xdr_shxym=make_uscc("91321000MA1XYWAB1"),
            cf_wsh="扬市监罚〔2026〕40号"), "api")
    other_process.engine.dispose()
    assert "扬州市新星商贸有限公司" not in names()  # the cached answer
    platform.pages.clear()  # what expiry does
    assert names()[0] == "扬州市新星商贸有限公司"
