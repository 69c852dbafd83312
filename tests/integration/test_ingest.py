"""Collection of files and pushes: every row accepted or rejected with a reason, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select, update

from tests.conftest import actor_of, make_department, make_user
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, penalty_csv, penalty_values
from xinyong.adapters.tables import credit_record, ingest_batch
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role
from xinyong.rules.catalogue_files import load_default_catalogue
from xinyong.services import ingest
from xinyong.services.ingest import BatchFailed

BAD_USCC = "911522010783762861"


@pytest.fixture
def market(platform: Platform) -> int:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    return department_id


def ingest_bytes(platform: Platform, department_id: int, content: bytes, tmp_path: Path,
                 name: str = "upload.csv") -> ingest.BatchReport:
    path = tmp_path / name
    path.write_bytes(content)
    return ingest.ingest_file(platform, actor_of(platform, "scjg"), path, "administrative_penalty", department_id)


def records_count(platform: Platform) -> int:
    with platform.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(credit_record)).scalar_one()


def doc(n: int) -> str:
    return f"扬市监罚〔2026〕{n}号"


class TestEncodingsAndHeaders:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
    def test_chinese_headers_in_every_common_encoding(self, platform: Platform, market: int, tmp_path: Path,
                                                      encoding: str) -> None:
        rows = [penalty_values(cf_wsh=doc(n)) for n in range(1, 4)]
        report = ingest_bytes(platform, market, penalty_csv(rows, encoding=encoding), tmp_path)
        assert (report.rows, report.accepted, report.rejected, report.created) == (3, 3, 0, 3)
        with platform.uow(actor_of(platform, "scjg")) as uow:
            batch = uow.batches.get(report.batch_id)
        assert batch is not None and batch["encoding"] == ("UTF-8" if encoding.startswith("utf") else "GB18030")

    def test_gb18030_only_characters_survive(self, platform: Platform, market: int, tmp_path: Path) -> None:
        name = "扬州市䶮鑫科技有限公司"  # 䶮 is in GB18030 but not in GBK
        report = ingest_bytes(platform, market, penalty_csv([penalty_values(cf_xdr_mc=name)], encoding="gb18030"),
                              tmp_path)
        assert report.accepted == 1
        with platform.engine.connect() as connection:
            from xinyong.adapters.tables import subject

            assert connection.execute(select(subject.c.name)).scalar_one() == name

    def test_cf_codes_as_headers_and_a_title_row_above(self, platform: Platform, market: int,
                                                       tmp_path: Path) -> None:
        content = penalty_csv([penalty_values()], headers="code", title="2026年5月行政处罚信息报送表")
        report = ingest_bytes(platform, market, content, tmp_path)
        assert report.accepted == 1
        with platform.uow(actor_of(platform, "scjg")) as uow:
            assert uow.batches.get(report.batch_id)["header_row"] == 2  # type: ignore[index]

    def test_xlsx_with_title_row_and_excel_dates(self, platform: Platform, market: int, tmp_path: Path) -> None:
        from datetime import datetime

        from xinyong.rules.catalogue_files import load_default_catalogue

        info = load_default_catalogue().classes["administrative_penalty"]
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["扬州市市场监督管理局行政处罚信息"])
        sheet.append([item.label for item in info.items])
        values = penalty_values()
        values["cf_jdrq"] = datetime(2026, 5, 20)
        values["cf_nr_fk"] = 2.5
        sheet.append([values.get(item.code) for item in info.items])
        book.save(tmp_path / "upload.xlsx")
        report = ingest.ingest_file(platform, actor_of(platform, "scjg"), tmp_path / "upload.xlsx",
                                    "administrative_penalty", market)
        assert (report.accepted, report.rejected) == (1, 0)
        with platform.engine.connect() as connection:
            row = connection.execute(select(credit_record.c.decision_date, credit_record.c.amount)).one()
        assert str(row.decision_date) == "2026-05-20" and float(row.amount) == 2.5


class TestRejectsAndResubmission:
    def test_bad_rows_are_rejected_with_reasons_and_good_rows_kept(self, platform: Platform, market: int,
                                                                  tmp_path: Path) -> None:
        rows = [penalty_values(cf_wsh=doc(1)),
                penalty_values(cf_wsh=doc(2), cf_xdr_shxym=BAD_USCC),
                penalty_values(cf_wsh=doc(3), cf_jdrq="2026年13月1日"),
                penalty_values(cf_wsh=doc(4), cf_nr="=HYPERLINK(\"http://x\",\"点击\")"),
                penalty_values(cf_wsh=doc(5), cf_sy="<script>alert(1)</script>")]
        report = ingest_bytes(platform, market, penalty_csv(rows), tmp_path)
        assert (report.rows, report.accepted, report.rejected) == (5, 1, 4)
        with platform.uow(actor_of(platform, "scjg")) as uow:
            issues = {i["row_number"]: {p["code"] for p in i["problems"]} for i in uow.batches.issues(report.batch_id)}
        assert issues == {3: {"identifier.checksum"}, 4: {"item.date"}, 5: {"cell.formula"}, 6: {"cell.markup"}}

    def test_a_rejected_row_keeps_every_cell_exactly_and_all_its_reasons(self, platform: Platform, market: int,
                                                                         tmp_path: Path) -> None:
        awkward = '引号"与\\反斜杠\t制表\n换行，{"json":null}'
        rows = [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=BAD_USCC, cf_jdrq="2026年13月1日", cf_sy=awkward,
                               cf_wfxw="")]
        report = ingest_bytes(platform, market, penalty_csv(rows), tmp_path)
        assert report.rejected == 1
        info = load_default_catalogue().classes["administrative_penalty"]
        with platform.uow(actor_of(platform, "scjg")) as uow:
            (issue,) = uow.batches.issues(report.batch_id)
        sent = {item.label: rows[0].get(item.code, "") for item in info.items}
        assert issue["cells"] == {label: value if value != "" else None for label, value in sent.items()}
        assert [(p["field"], p["code"]) for p in issue["problems"]] == [
            ("cf_xdr_shxym", "identifier.checksum"), ("cf_wfxw", "item.required"), ("cf_jdrq", "item.date")]
        assert all(p["message"] and p["message_en"] for p in issue["problems"])

    def test_a_csv_row_with_more_cells_than_the_header_is_refused_alone(self, platform: Platform, market: int,
                                                                        tmp_path: Path) -> None:
        lines = penalty_csv([penalty_values(cf_wsh=doc(n)) for n in (1, 2, 3)]).decode().splitlines()
        lines[2] += ",,多出的内容"
        report = ingest_bytes(platform, market, ("\n".join(lines) + "\n").encode(), tmp_path)
        assert (report.rows, report.accepted, report.rejected) == (3, 2, 1)
        with platform.uow(actor_of(platform, "scjg")) as uow:
            issues = {i["row_number"]: {p["code"] for p in i["problems"]} for i in uow.batches.issues(report.batch_id)}
        assert issues == {3: {"row.extra_cells"}}

    def test_the_corrected_reject_file_is_accepted(self, platform: Platform, market: int, tmp_path: Path) -> None:
        rows = [penalty_values(cf_wsh=doc(1)), penalty_values(cf_wsh=doc(2), cf_xdr_shxym=BAD_USCC)]
        report = ingest_bytes(platform, market, penalty_csv(rows), tmp_path)
        with platform.uow(actor_of(platform, "scjg")) as uow:
            header, reject_rows = ingest.reject_file_rows(uow, report.batch_id)
        assert header[:2] == ["原行号", "错误原因"] and len(reject_rows) == 1
        assert "校验位" in reject_rows[0][1]
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        fixed = list(reject_rows[0])
        fixed[header.index("行政相对人代码_1(统一社会信用代码)")] = ENTERPRISE_USCC
        writer.writerow(fixed)
        again = ingest_bytes(platform, market, buffer.getvalue().encode("utf-8"), tmp_path, "fixed.csv")
        assert (again.accepted, again.rejected) == (1, 0)
        assert records_count(platform) == 2

    def test_same_document_number_updates_and_identical_rows_are_duplicates(self, platform: Platform, market: int,
                                                                            tmp_path: Path) -> None:
        first = ingest_bytes(platform, market, penalty_csv([penalty_values()]), tmp_path)
        assert first.created == 1
        rows = [penalty_values(), penalty_values(cf_nr_fk="3"), penalty_values(cf_nr_fk="3")]
        second = ingest_bytes(platform, market, penalty_csv(rows), tmp_path, "again.csv")
        assert (second.accepted, second.created, second.updated, second.duplicates) == (3, 0, 1, 2)
        with platform.engine.connect() as connection:
            columns = (credit_record.c.version, credit_record.c.status, credit_record.c.amount)
            versions = connection.execute(select(*columns).order_by(credit_record.c.version)).all()
        assert [(v, s) for v, s, _ in versions] == [(1, "corrected"), (2, "active")]
        assert float(versions[1].amount) == 3

    def test_empty_items_are_not_stored_and_older_rows_naming_them_still_compare_equal(
            self, platform: Platform, market: int, tmp_path: Path) -> None:
        ingest_bytes(platform, market, penalty_csv([penalty_values()]), tmp_path)
        with platform.engine.begin() as connection:
            stored = connection.execute(select(credit_record.c.extra)).scalar_one()
            stored = stored if isinstance(stored, dict) else json.loads(stored)
            assert stored["cf_wfxw"] == "销售不合格产品" and None not in stored.values()
            assert "cf_xdr_gszc" not in stored  # an empty item
            # A row stored before empty items were left out named every item of the class, as null.
            codes = [i.code for i in load_default_catalogue().classes["administrative_penalty"].items if not i.column]
            connection.execute(update(credit_record).values(extra=dict.fromkeys(codes) | stored))
        again = ingest_bytes(platform, market, penalty_csv([penalty_values()]), tmp_path, "again.csv")
        assert (again.duplicates, again.created, again.updated) == (1, 0, 0)
        changed = ingest_bytes(platform, market, penalty_csv([penalty_values(cf_wfxw="无证经营")]), tmp_path,
                               "changed.csv")
        assert (changed.duplicates, changed.updated) == (0, 1)

    def test_a_record_named_only_by_an_unknown_legacy_code_is_held(self, platform: Platform, market: int,
                                                                   tmp_path: Path) -> None:
        row = penalty_values(cf_xdr_shxym=None, cf_xdr_gszc="321000000123456")
        report = ingest_bytes(platform, market, penalty_csv([row]), tmp_path)
        assert (report.accepted, report.held, report.rejected) == (0, 1, 0)
        with platform.uow(actor_of(platform, "scjg")) as uow:
            held = uow.batches.issues(report.batch_id, "held")
        assert held[0]["problems"][0]["code"] == "link.held_for_review"


class TestWholeFileProblems:
    @pytest.mark.parametrize(("content", "code"), [
        (b"", "file.empty"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "file.format"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "file.xls"),
        ("行政相对人名称,处罚决定日期\n".encode() + b"\xff\xfe\xfd\x80\x81\n", "file.encoding"),
        ("标题一,标题二\n1,2\n".encode(), "file.no_header"),
    ])
    def test_unusable_files_fail_with_a_reason_and_leave_nothing(self, platform: Platform, market: int,
                                                                 tmp_path: Path, content: bytes, code: str) -> None:
        with pytest.raises(BatchFailed) as caught:
            ingest_bytes(platform, market, content, tmp_path)
        assert caught.value.code == code and caught.value.message
        assert records_count(platform) == 0
        with platform.engine.connect() as connection:
            batch = connection.execute(select(ingest_batch).where(ingest_batch.c.id == caught.value.batch_id)).one()
        assert (batch.status, batch.error_code) == ("failed", code)

    def test_missing_required_column_unknown_and_duplicate_headers(self, platform: Platform, market: int,
                                                                   tmp_path: Path) -> None:
        content = penalty_csv([penalty_values()], extra_columns={"无关列": "x", "处罚决定日期": "2026-05-20"})
        with pytest.raises(BatchFailed) as caught:
            ingest_bytes(platform, market, content, tmp_path)
        assert {p.code for p in caught.value.problems} == {"file.unknown_header", "file.duplicate_header"}
        header = "行政相对人名称,行政处罚决定书文号\n某公司,扬市监罚〔2026〕1号\n".encode()
        with pytest.raises(BatchFailed) as caught:
            ingest_bytes(platform, market, header, tmp_path)
        assert "file.missing_column" in {p.code for p in caught.value.problems}
        assert records_count(platform) == 0

    def test_a_file_over_the_size_limit_is_refused(self, platform: Platform, market: int, tmp_path: Path) -> None:
        platform.settings.max_upload_mb = 1
        big = penalty_csv([penalty_values(cf_wsh=doc(n)) for n in range(4000)])
        assert len(big) > 2**20
        with pytest.raises(BatchFailed) as caught:
            ingest_bytes(platform, market, big, tmp_path)
        assert caught.value.code == "file.too_large"


class TestPush:
    def test_bulk_push_is_idempotent_by_source_key(self, platform: Platform, market: int) -> None:
        actor = actor_of(platform, "scjg")
        items = [{"values": penalty_values(cf_wsh=doc(n)), "source_key": f"k{n}"} for n in range(3)]
        items.append({"values": penalty_values(cf_wsh=doc(9), cf_jdrq="bad"), "source_key": "k9"})
        report, outcomes = ingest.push_records(platform, actor, "administrative_penalty", market, items)
        assert (report.accepted, report.rejected) == (3, 1)
        assert outcomes[3]["status"] == "rejected" and outcomes[3]["problems"][0]["code"] == "item.date"
        again, _ = ingest.push_records(platform, actor, "administrative_penalty", market, items[:3])
        assert (again.duplicates, again.created) == (3, 0)
        changed = [{"values": penalty_values(cf_wsh=doc(0), cf_nr_fk="9"), "source_key": "k0"}]
        third, _ = ingest.push_records(platform, actor, "administrative_penalty", market, changed)
        assert third.updated == 1
        assert records_count(platform) == 4
