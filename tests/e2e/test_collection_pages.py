"""The collection pages: upload, batch page with reasons, reject file and resubmission, the online entry
form, column mappings, the bulletin and its Excel download, the monitor, and who sees what."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import login, make_department, make_user
from tests.factories import ENVIRONMENT_BUREAU_USCC, MARKET_REGULATOR_USCC, penalty_values
from xinyong.adapters.tables import credit_record
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor

PENALTY = "administrative_penalty"


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def password_of(username: str) -> str:
    return f"{username}-Passw0rd!"


def labels(platform: Platform) -> dict[str, str]:
    with platform.uow(system_actor("test")) as uow:
        info = platform.catalogue(uow).info_class(PENALTY)
    assert info is not None
    return {item.code: item.label for item in info.items}


def csv_bytes(header: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def penalty_file(platform: Platform, rows: list[dict[str, Any]], encoding: str = "gb18030",
                 rename: dict[str, str] | None = None) -> bytes:
    names = {**labels(platform), **(rename or {})}
    codes: list[str] = []
    for row in rows:
        codes += [c for c in row if c not in codes]
    return csv_bytes([names[c] for c in codes], [[row.get(c, "") for c in codes] for row in rows], encoding)


def upload(client: TestClient, content: bytes, filename: str = "处罚.csv", info_class: str = PENALTY) -> Any:
    token = csrf_of(client.get("/admin/batches/upload").text)
    return client.post("/admin/batches/upload", data={"info_class": info_class, "csrf_token": token},
                       files={"file": (filename, content, "text/csv")}, follow_redirects=False)


def batch_id_of(response: Any) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/admin/batches/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match[1])


def three_rows() -> list[dict[str, Any]]:
    return [
        penalty_values(cf_wsh="扬市监罚〔2026〕21号", cf_jdrq="2026-06-10"),
        penalty_values(cf_wsh="扬市监罚〔2026〕22号", cf_xdr_mc=""),
        penalty_values(cf_wsh="扬市监罚〔2026〕23号", cf_cflb="罚金"),
    ]


@pytest.fixture
def world(platform: Platform) -> dict[str, int]:
    market = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    environment = make_department(platform, ENVIRONMENT_BUREAU_USCC, "扬州市生态环境局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    make_user(platform, "sthj", {Role.SUBMITTER}, ENVIRONMENT_BUREAU_USCC)
    make_user(platform, "op", {Role.OPERATOR})
    make_user(platform, "reviewer", {Role.REVIEWER})
    return {"market": market, "environment": environment}


class TestUpload:
    def test_the_form(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        html = client.get("/admin/batches/upload").text
        assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
        assert 'value="扬州市市场监督管理局" readonly' in html
        assert f'<option value="{PENALTY}">行政处罚</option>' in html

    def test_a_gb18030_file_becomes_a_batch_with_counts_and_reasons(self, client: TestClient, platform: Platform,
                                                                   world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        batch_id = batch_id_of(upload(client, penalty_file(platform, three_rows())))
        page = client.get(f"/admin/batches/{batch_id}")
        assert page.status_code == 200
        html = page.text
        assert "文件已处理：共 3 行，接收 1 行，退回 2 行" in html
        assert '<span class="figure-value">3</span><span class="figure-label">总行数</span>' in html
        assert '<span class="figure-value">2</span><span class="figure-label">退回</span>' in html
        assert "gb18030" in html.lower() and "处罚.csv" in html and "scjg" in html
        assert "行政相对人名称：必填项为空" in html and "item.required" in html
        assert "不在代码表“处罚类别”中：罚金" in html and "item.code" in html
        assert "<details>" in html and "扬市监罚〔2026〕23号" in html  # the original cells, on demand
        assert f'href="/admin/batches/{batch_id}/rejects.csv"' in html
        assert "原样" in html  # how to resubmit
        # column mapping used: header → item label
        assert "行政处罚决定书文号" in html and "cf_wsh" in html
        listing = client.get("/admin/batches").text
        assert f'href="/admin/batches/{batch_id}"' in listing and "文件上传" in listing

    def test_the_reject_file_is_corrected_and_resubmitted(self, client: TestClient, platform: Platform,
                                                          world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        batch_id = batch_id_of(upload(client, penalty_file(platform, three_rows())))
        download = client.get(f"/admin/batches/{batch_id}/rejects.csv")
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment")
        assert download.content.startswith("\ufeff".encode())
        table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        header, rows = table[0], table[1:]
        assert header[:2] == ["原行号", "错误原因"]
        assert "行政相对人名称" in header and "行政处罚决定书文号" in header
        assert len(rows) == 2
        name = header.index("行政相对人名称")
        fixed = next(r for r in rows if r[name] == "")
        assert "必填项为空" in fixed[1]
        fixed[name] = "扬州市示例科技有限公司"
        again = batch_id_of(upload(client, csv_bytes(header, rows), "处罚-退回-修改.csv"))
        html = client.get(f"/admin/batches/{again}").text
        assert "文件已处理：共 2 行，接收 1 行，退回 1 行" in html
        with platform.uow(system_actor("test")) as uow:
            stored = uow.connection.execute(select(credit_record.c.batch_id).where(
                credit_record.c.doc_number == "扬市监罚〔2026〕22号")).all()
        assert [r.batch_id for r in stored] == [again]

    def test_a_file_that_cannot_be_used_shows_why_and_the_failed_batch(self, client: TestClient,
                                                                        platform: Platform,
                                                                        world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        rows = [{k: v for k, v in penalty_values().items() if k not in ("cf_cfjg", "cf_sjly")}]
        response = upload(client, penalty_file(platform, rows), "缺列.csv")
        assert response.status_code == 422
        html = response.text
        assert "缺少必填列“处罚机关”" in html and "缺少必填列“数据来源单位”" in html
        failed = re.search(r'失败批次 <a href="/admin/batches/(\d+)"', html)
        assert failed
        page = client.get(f"/admin/batches/{failed[1]}").text
        assert "失败" in page and "缺列.csv" in page

    def test_no_file_chosen(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        response = upload(client, b"", "")
        assert response.status_code == 422 and "请选择要上传的文件" in response.text

    def test_the_upload_needs_the_token_and_the_permission(self, client: TestClient, platform: Platform,
                                                           world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        forged = client.post("/admin/batches/upload", data={"info_class": PENALTY, "csrf_token": "forged"},
                             files={"file": ("a.csv", penalty_file(platform, three_rows()), "text/csv")})
        assert forged.status_code == 403
        client.cookies.clear()
        login(client, "op", password_of("op"))
        assert client.get("/admin/batches/upload").status_code == 403
        assert upload_status(client, platform) == 403


def upload_status(client: TestClient, platform: Platform) -> int:
    token = csrf_of(client.get("/admin").text)
    return client.post("/admin/batches/upload", data={"info_class": PENALTY, "csrf_token": token},
                       files={"file": ("a.csv", penalty_file(platform, three_rows()), "text/csv")}).status_code


class TestLineage:
    def test_the_record_page_links_to_its_batch_file_and_row(self, client: TestClient, platform: Platform,
                                                             world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        batch_id = batch_id_of(upload(client, penalty_file(platform, three_rows())))
        with platform.uow(system_actor("test")) as uow:
            record_id, row = uow.connection.execute(select(credit_record.c.id, credit_record.c.source_row).where(
                credit_record.c.batch_id == batch_id)).one()
            sha = uow.batches.get(batch_id)["file_sha256"]  # type: ignore[index]
        html = client.get(f"/admin/records/{record_id}").text
        assert f'href="/admin/batches/{batch_id}"' in html and sha in html and f"第 {row} 行" in html


class TestEntryForm:
    def test_the_form_is_generated_from_the_catalogue(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        assert f'href="/admin/entry/{PENALTY}"' in client.get("/admin/entry").text
        html = client.get(f"/admin/entry/{PENALTY}").text
        for label in ("行政相对人名称", "行政处罚决定书文号", "处罚类别", "处罚决定日期", "罚款金额（万元）", "备注"):
            assert label in html
        assert 'id="f-cf_jdrq" name="cf_jdrq" type="date"' in html
        assert '<option value="fine">罚款</option>' in html
        assert '<textarea id="f-cf_sy"' in html
        assert 'name="cf_nr_fk" type="text" inputmode="decimal"' in html
        assert 'name="cf_wsh" type="text" value="" maxlength="64"' in html
        assert html.index("行政相对人名称") < html.index("行政处罚决定书文号")  # subject fields first
        assert html.count('class="req"') >= 10

    def test_an_error_is_shown_beside_its_field_and_values_are_kept(self, client: TestClient, platform: Platform,
                                                                    world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        token = csrf_of(client.get(f"/admin/entry/{PENALTY}").text)
        values = penalty_values(cf_xdr_shxym="911522010783762861", cf_cflb="fine", cf_xdr_lb="enterprise")
        response = client.post(f"/admin/entry/{PENALTY}", data={**values, "csrf_token": token})
        assert response.status_code == 422
        html = response.text
        error = re.search(r'<p id="f-cf_xdr_shxym-error" class="field-error">([^<]+)</p>', html)
        assert error and "统一社会信用代码校验位错误" in error[1]
        assert 'aria-invalid="true" aria-describedby="f-cf_xdr_shxym-error"' in html
        assert 'value="911522010783762861"' in html and 'value="扬州市示例科技有限公司"' in html
        assert '<option value="fine" selected>' in html
        assert "经查，当事人销售的产品经抽检不合格。</textarea>" in html
        with platform.uow(system_actor("test")) as uow:
            assert uow.connection.execute(select(credit_record.c.id)).all() == []

    def test_a_valid_entry_stores_a_record_from_the_form_channel(self, client: TestClient, platform: Platform,
                                                                 world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        token = csrf_of(client.get(f"/admin/entry/{PENALTY}").text)
        values = penalty_values(cf_cflb="fine", cf_xdr_lb="enterprise", bz="")
        response = client.post(f"/admin/entry/{PENALTY}", data={**values, "csrf_token": token},
                               follow_redirects=False)
        assert response.status_code == 303
        with platform.uow(system_actor("test")) as uow:
            record_id, channel, department = uow.connection.execute(select(
                credit_record.c.id, credit_record.c.channel, credit_record.c.department_id)).one()
        assert channel == "form" and department == world["market"]
        page = client.get(response.headers["location"]).text
        assert f'href="/admin/records/{record_id}"' in page and "已新增信用记录" in page
        assert 'name="cf_xdr_mc" type="text" value=""' in page  # a fresh form

    def test_without_the_token_nothing_is_stored(self, client: TestClient, platform: Platform,
                                                 world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        response = client.post(f"/admin/entry/{PENALTY}", data=penalty_values())
        assert response.status_code == 403
        with platform.uow(system_actor("test")) as uow:
            assert uow.connection.execute(select(credit_record.c.id)).all() == []

    def test_an_unknown_class(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        assert client.get("/admin/entry/nothing").status_code == 422


class TestMappings:
    def test_a_department_saves_its_own_headers_and_uses_them(self, client: TestClient, platform: Platform,
                                                              world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        assert f'href="/admin/mappings/{PENALTY}"' in client.get("/admin/mappings").text
        form = client.get(f"/admin/mappings/{PENALTY}").text
        assert 'name="h_cf_wsh"' in form and "行政处罚决定书文号" in form
        response = client.post(f"/admin/mappings/{PENALTY}", data={
            "h_cf_wsh": "处罚文书编号", "h_cf_jdrq": "作出决定日期", "csrf_token": csrf_of(form)},
            follow_redirects=False)
        assert response.status_code == 303
        page = client.get(f"/admin/mappings/{PENALTY}").text
        assert 'value="处罚文书编号"' in page and "已保存“行政处罚”的列名映射（2 个表头）" in page
        with platform.uow(system_actor("test")) as uow:
            saved = uow.batches.mapping(world["market"], PENALTY)
        assert saved == {"处罚文书编号": "cf_wsh", "作出决定日期": "cf_jdrq"}
        content = penalty_file(platform, [penalty_values(cf_wsh="扬市监罚〔2026〕31号")],
                               rename={"cf_wsh": "处罚文书编号", "cf_jdrq": "作出决定日期"})
        batch_id = batch_id_of(upload(client, content))
        assert "接收 1 行，退回 0 行" in client.get(f"/admin/batches/{batch_id}").text

    def test_one_header_for_two_items_is_refused(self, client: TestClient, platform: Platform,
                                                 world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        form = client.get(f"/admin/mappings/{PENALTY}").text
        response = client.post(f"/admin/mappings/{PENALTY}", data={
            "h_cf_wsh": "编号", "h_cf_jdrq": "编号", "csrf_token": csrf_of(form)})
        assert response.status_code == 422 and "同时对应了" in response.text
        with platform.uow(system_actor("test")) as uow:
            assert uow.batches.mapping(world["market"], PENALTY) == {}


def upload_both(client: TestClient, platform: Platform) -> None:
    login(client, "scjg", password_of("scjg"))
    batch_id_of(upload(client, penalty_file(platform, three_rows())))
    client.cookies.clear()
    login(client, "sthj", password_of("sthj"))
    batch_id_of(upload(client, penalty_file(platform, [penalty_values(
        cf_wsh="扬环罚〔2026〕8号", cf_cfjg="扬州市生态环境局", cf_cfjgdm=ENVIRONMENT_BUREAU_USCC,
        cf_sjly="扬州市生态环境局", cf_sjlydm=ENVIRONMENT_BUREAU_USCC, cf_xdr_mc="")])))
    client.cookies.clear()


class TestBulletinPages:
    def test_the_credit_office_sees_every_department_and_downloads_the_workbook(
            self, client: TestClient, platform: Platform, world: dict[str, int]) -> None:
        upload_both(client, platform)
        login(client, "op", password_of("op"))
        page = client.get("/admin/bulletins")
        assert page.status_code == 200
        html = page.text
        assert "2026-06" in html and "扬州市市场监督管理局" in html and "扬州市生态环境局" in html
        assert "全市合计" in html and "必填项为空" in html and "不在代码表中" in html
        assert "100.0%" in html  # the one accepted row was decided on 06-10: timely
        assert 'href="/admin/bulletins.xlsx?month=2026-06"' in html
        download = client.get("/admin/bulletins.xlsx", params={"month": "2026-06"})
        assert download.status_code == 200
        assert download.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        assert download.headers["content-disposition"] == 'attachment; filename="bulletin-2026-06.xlsx"'
        book = load_workbook(io.BytesIO(download.content))
        assert book.sheetnames == ["归集情况通报", "退回原因"]
        assert {r[0] for r in book["归集情况通报"].iter_rows(values_only=True)} >= {
            "扬州市市场监督管理局", "扬州市生态环境局", "全市合计"}
        empty = client.get("/admin/bulletins", params={"month": "2026-05"}).text
        assert "本期没有被退回的数据" in empty
        assert client.get("/admin/bulletins", params={"month": "2026-13"}).status_code == 422

    def test_a_submitter_sees_its_own_department_only(self, client: TestClient, platform: Platform,
                                                      world: dict[str, int]) -> None:
        upload_both(client, platform)
        login(client, "sthj", password_of("sthj"))
        for path in ("/admin/bulletins", "/admin/monitor", "/admin/batches"):
            html = client.get(path).text
            assert "扬州市生态环境局" in html and "扬州市市场监督管理局" not in html, path
        book = load_workbook(io.BytesIO(client.get("/admin/bulletins.xlsx").content))
        assert "扬州市市场监督管理局" not in {r[0] for r in book["归集情况通报"].iter_rows(values_only=True)}
        with platform.uow(system_actor("test")) as uow:
            others = [b["id"] for b in uow.batches.recent(world["market"])]
        assert client.get(f"/admin/batches/{others[0]}").status_code == 404
        assert client.get(f"/admin/batches/{others[0]}/rejects.csv").status_code == 404

    def test_the_monitor_refreshes_and_lists_every_department(self, client: TestClient, platform: Platform,
                                                              world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        batch_id_of(upload(client, penalty_file(platform, three_rows())))
        client.cookies.clear()
        login(client, "op", password_of("op"))
        response = client.get("/admin/monitor")
        assert response.status_code == 200
        html = response.text
        assert '<meta http-equiv="refresh" content="30">' in html
        assert "扬州市市场监督管理局" in html and "扬州市生态环境局" in html and "从未报送" in html
        assert "已完成" in html and "行政处罚" in html

    def test_others_are_refused(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "reviewer", password_of("reviewer"))
        for path in ("/admin/bulletins", "/admin/bulletins.xlsx", "/admin/monitor", "/admin/batches",
                     "/admin/entry", "/admin/mappings"):
            assert client.get(path).status_code == 403, path


class TestMenuAndPages:
    def test_the_menu_by_permission(self, client: TestClient, world: dict[str, int]) -> None:
        login(client, "scjg", password_of("scjg"))
        menu = client.get("/admin").text
        for path in ("/admin/batches/upload", "/admin/entry", "/admin/mappings", "/admin/batches",
                     "/admin/bulletins", "/admin/monitor"):
            assert f'href="{path}"' in menu, path
        client.cookies.clear()
        login(client, "op", password_of("op"))
        menu = client.get("/admin").text
        assert 'href="/admin/bulletins"' in menu and 'href="/admin/batches/upload"' not in menu
        assert 'href="/admin/entry"' not in menu

    def test_login_gate(self, client: TestClient) -> None:
        for path in ("/admin/batches", "/admin/batches/upload", "/admin/entry", f"/admin/entry/{PENALTY}",
                     f"/admin/mappings/{PENALTY}", "/admin/bulletins", "/admin/bulletins.xlsx", "/admin/monitor",
                     "/admin/batches/1", "/admin/batches/1/rejects.csv"):
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"].startswith("/admin/login"), path

    @pytest.mark.parametrize("user", ["scjg", "op"])
    def test_no_external_assets_and_nothing_inline(self, client: TestClient, platform: Platform,
                                                   world: dict[str, int], user: str) -> None:
        login(client, "scjg", password_of("scjg"))
        batch_id = batch_id_of(upload(client, penalty_file(platform, three_rows())))
        client.cookies.clear()
        login(client, user, password_of(user))
        paths = ["/admin/batches", f"/admin/batches/{batch_id}", "/admin/bulletins", "/admin/monitor"]
        if user == "scjg":
            paths += ["/admin/batches/upload", "/admin/entry", f"/admin/entry/{PENALTY}", "/admin/mappings",
                      f"/admin/mappings/{PENALTY}"]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            html = response.text
            assert "http://" not in html and "https://" not in html, path
            assert "<script" not in html and "<style" not in html, path
            assert not re.search(r"\sstyle\s*=", html), path
            assert not re.search(r"\son[a-z]+\s*=", html), path
            assert '<link rel="stylesheet" href="/static/css/site.css">' in html
