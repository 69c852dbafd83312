"""The public portal: home page figures, the one-stop query, organisations' pages; never a person."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.conftest import actor_of, make_department, make_user
from tests.factories import (
    ENTERPRISE_USCC,
    MARKET_REGULATOR_USCC,
    PERSON_ID,
    penalty_values,
    person_penalty_values,
)
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role
from xinyong.services import records

ENTERPRISE_NAME = "扬州市示例科技有限公司"
PERSON_NAME = "张三明"


@pytest.fixture
def data(platform: Platform) -> dict[str, int]:
    """A department, an enterprise and a natural person, each with a penalty."""
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    ids: dict[str, int] = {"department": department_id}
    with platform.uow(actor_of(platform, "scjg")) as uow:
        catalogue = platform.catalogue(uow)
        ids["enterprise"] = records.submit(uow, catalogue, "administrative_penalty", department_id,
                                           penalty_values(), "api").record.subject_id
        ids["person"] = records.submit(uow, catalogue, "administrative_penalty", department_id,
                                       person_penalty_values(), "api").record.subject_id
    return ids


def figure(html: str, label: str) -> int:
    """The number shown on the home page just before ``label``."""
    match = re.search(r'figure-value">([\d,]+)</span>\s*<span class="figure-label">' + re.escape(label), html)
    assert match, label
    return int(match.group(1).replace(",", ""))


class TestHome:
    def test_home_page_is_chinese_with_search_box_and_navigation(self, client: TestClient) -> None:
        response = client.get("/")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert '<html lang="zh-CN">' in html
        assert "公共信用信息平台" in html
        assert '<form class="search-form" action="/search" method="get"' in html
        assert '<label for="q"' in html and "名称或统一社会信用代码" in html
        assert 'href="/search"' in html and 'href="/admin/login"' in html
        assert 'class="skip-link" href="#main"' in html
        assert '<meta name="viewport"' in html
        for column in ('href="/publicity/licences"', 'href="/publicity/penalties"', 'href="/lists/red"',
                       'href="/lists/commitments"', 'href="/articles?channel=policy"'):
            assert column in html
        assert "栏目建设中" not in html  # no placeholders

    def test_figures_count_organisations_records_and_departments(self, client: TestClient,
                                                                data: dict[str, int]) -> None:
        html = client.get("/").text
        assert figure(html, "信用主体（组织）") == 1  # the person is not counted among organisations
        # the enterprise's penalty is public; the person's never is
        assert figure(html, "公示中的行政处罚（条）") == 1
        assert figure(html, "信源部门（个）") == 1
        assert ENTERPRISE_NAME in html  # among the latest penalties
        assert PERSON_NAME not in html and PERSON_ID not in html

    def test_an_empty_platform_shows_zeros(self, client: TestClient) -> None:
        html = client.get("/").text
        assert figure(html, "信用主体（组织）") == 0
        assert figure(html, "公示中的行政处罚（条）") == 0


class TestSearch:
    def test_by_part_of_the_name(self, client: TestClient, data: dict[str, int]) -> None:
        response = client.get("/search", params={"q": "示例科技"})
        assert response.status_code == 200
        assert ENTERPRISE_NAME in response.text
        assert ENTERPRISE_USCC in response.text
        assert f'href="/subjects/{data["enterprise"]}"' in response.text
        assert "法人和非法人组织" in response.text
        assert "152201" in response.text  # division code

    def test_by_uscc_typed_in_lower_case_with_spaces(self, client: TestClient, data: dict[str, int]) -> None:
        response = client.get("/search", params={"q": " 9115 2201 0783 7628 60 "})
        assert ENTERPRISE_NAME in response.text
        assert f'href="/subjects/{data["enterprise"]}"' in response.text

    def test_never_finds_a_natural_person(self, client: TestClient, data: dict[str, int]) -> None:
        for query in (PERSON_NAME, "张三", PERSON_ID, "11010519491231002x"):
            html = client.get("/search", params={"q": query}).text
            assert 'class="results"' not in html
            assert f'href="/subjects/{data["person"]}"' not in html
            assert "未查询到" in html
            if query != PERSON_NAME:  # the page repeats the query, nothing more about the person
                assert PERSON_NAME not in html

    def test_no_result_says_so(self, client: TestClient, data: dict[str, int]) -> None:
        html = client.get("/search", params={"q": "不存在的公司"}).text
        assert "未查询到与“不存在的公司”相关的信用主体" in html

    @pytest.mark.parametrize("query", ["", "  ", "扬"])
    def test_an_empty_or_too_short_query_prompts(self, client: TestClient, data: dict[str, int], query: str) -> None:
        response = client.get("/search", params={"q": query})
        assert response.status_code == 200
        assert 'class="prompt"' in response.text
        assert ENTERPRISE_NAME not in response.text

    def test_without_parameter(self, client: TestClient) -> None:
        response = client.get("/search")
        assert response.status_code == 200
        assert "请输入" in response.text

    def test_query_is_escaped(self, client: TestClient) -> None:
        html = client.get("/search", params={"q": "<script>alert(1)</script>"}).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;" in html


class TestSubjectPage:
    def test_an_organisation_shows_its_basic_information(self, client: TestClient, data: dict[str, int]) -> None:
        response = client.get(f"/subjects/{data['enterprise']}")
        assert response.status_code == 200
        html = response.text
        assert f"<h1>{ENTERPRISE_NAME}</h1>" in html
        assert ENTERPRISE_USCC in html and "统一社会信用代码" in html
        assert "法人和非法人组织" in html
        # The penalty decided on 2026-05-20 is public (general, 3-12 months under the 2026 rules); the
        # legal representative's name is masked.
        assert "扬市监罚〔2026〕12号" in html and "销售不合格产品" in html and "2027-05-19" in html
        assert "王*" in html and "王五" not in html

    def test_a_natural_person_does_not_exist_for_the_portal(self, client: TestClient,
                                                            data: dict[str, int]) -> None:
        response = client.get(f"/subjects/{data['person']}")
        assert response.status_code == 404
        assert PERSON_NAME not in response.text and PERSON_ID not in response.text
        assert "不存在" in response.text

    def test_an_unknown_subject_is_a_404_page(self, client: TestClient) -> None:
        response = client.get("/subjects/999999")
        assert response.status_code == 404
        assert '<html lang="zh-CN">' in response.text and "/static/css/site.css" in response.text

    def test_a_renamed_organisation_shows_its_name_history(self, client: TestClient, platform: Platform,
                                                           data: dict[str, int]) -> None:
        with platform.uow(actor_of(platform, "scjg")) as uow:
            records.submit(uow, platform.catalogue(uow), "administrative_penalty", data["department"],
                           penalty_values(cf_xdr_mc="扬州市新示例科技有限公司", cf_wsh="扬市监罚〔2026〕13号",
                                          cf_jdrq="2026-06-01"), "api")
        html = client.get(f"/subjects/{data['enterprise']}").text
        assert "<h1>扬州市新示例科技有限公司</h1>" in html
        assert ENTERPRISE_NAME in html  # the former name, in the history
        assert "2026-06-01" in html


class TestAssetsAndSecurity:
    PAGES = ("/", "/search?q=示例", "/search?q=x", "/subjects/999", "/admin/login")

    def test_css_is_served_by_the_platform(self, client: TestClient) -> None:
        html = client.get("/").text
        assert '<link rel="stylesheet" href="/static/css/site.css">' in html
        css = client.get("/static/css/site.css")
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert "@import" not in css.text and "url(http" not in css.text and "@font-face" not in css.text
        assert client.get("/static/img/emblem.svg").status_code == 200

    @pytest.mark.parametrize("path", PAGES)
    def test_no_external_assets_and_nothing_inline(self, client: TestClient, data: dict[str, int], path: str) -> None:
        response = client.get(path)
        html = response.text
        assert "http://" not in html and "https://" not in html
        assert "<script" not in html
        assert "<style" not in html
        assert not re.search(r"\sstyle\s*=", html)
        assert not re.search(r"\son[a-z]+\s*=", html)  # no inline event handlers either
        assert "default-src 'self'" in response.headers["content-security-policy"]
