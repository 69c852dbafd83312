"""The portal in a real browser: Debian's headless Chromium driven by Playwright, against uvicorn
serving a test database on a free port. A visitor searches a company by part of its name, opens its
page, sees its published penalty and not an expired one; a person's ID appears only masked."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from tests.conftest import actor_of, make_department, make_user
from tests.factories import MARKET_REGULATOR_USCC, PERSON_ID, make_uscc, penalty_values
from xinyong.api.app import create_app
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role
from xinyong.services import records

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOP_USCC = make_uscc("92321000MA1ABCDE2")
SHOP_NAME = "扬州市广陵区小王便利店"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(platform: Platform) -> Iterator[str]:
    if platform.engine.dialect.name != "sqlite":
        pytest.skip("the browser scenarios run once, on SQLite; the rules are the same on PostgreSQL")
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests (scripts/test.sh installs it)")
    department = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    with platform.uow(actor_of(platform, "scjg")) as uow:
        catalogue = platform.catalogue(uow)
        records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(
            cf_xdr_mc="扬州市示例科技有限公司", cf_wfxw="销售不合格产品"), "api")
        records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(
            cf_wsh="扬市监罚〔2022〕7号", cf_jdrq="2022-01-10", cf_wfxw="过期的虚假宣传"), "api")
        records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(
            cf_xdr_mc=SHOP_NAME, cf_xdr_lb="个体工商户", cf_xdr_shxym=SHOP_USCC, cf_frdb="王小明",
            cf_fr_zjlx="身份证", cf_fr_zjhm=PERSON_ID, cf_wsh="扬市监罚〔2026〕31号", cf_wfxw="无照经营"), "api")
    port = _free_port()
    config = uvicorn.Config(create_app(platform), host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    for _ in range(100):
        if instance.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(server: str) -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
        tab = context.new_page()
        errors: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield tab
        browser.close()
        assert errors == []  # no CSP violation or missing asset


def test_search_by_part_of_the_name_open_the_page_see_the_published_penalty(page: object, server: str) -> None:
    tab = page
    tab.goto(server + "/")  # type: ignore[attr-defined]
    tab.fill("#q", "示例科技")  # type: ignore[attr-defined]
    tab.click("button[type=submit]")  # type: ignore[attr-defined]
    tab.wait_for_url("**/search?q=*")  # type: ignore[attr-defined]
    tab.click("text=扬州市示例科技有限公司")  # type: ignore[attr-defined]
    tab.wait_for_url("**/subjects/*")  # type: ignore[attr-defined]
    text = tab.inner_text("main")  # type: ignore[attr-defined]
    assert "扬市监罚〔2026〕12号" in text and "销售不合格产品" in text
    assert "过期的虚假宣传" not in text and "扬市监罚〔2022〕7号" not in text


def test_a_persons_id_appears_only_masked(page: object, server: str) -> None:
    tab = page
    tab.goto(server + "/publicity/penalties")  # type: ignore[attr-defined]
    tab.click(f"text={SHOP_NAME}")  # type: ignore[attr-defined]
    tab.wait_for_url("**/subjects/*")  # type: ignore[attr-defined]
    html = tab.content()  # type: ignore[attr-defined]
    assert "无照经营" in html
    assert PERSON_ID not in html and "王小明" not in html
    assert PERSON_ID[:4] + "*" * 10 + PERSON_ID[-4:] in html and "王*明" in html
