"""Collection bulletins (归集情况通报): counts, rejection reasons, timeliness on the working-day calendar,
completeness of optional items, overdue classes, scoping by department, and the Excel workbook."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.conftest import NOW, actor_of, make_department, make_user
from tests.factories import ENVIRONMENT_BUREAU_USCC, MARKET_REGULATOR_USCC, make_uscc, penalty_values
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.catalogue import UpdateCycle
from xinyong.errors import PermissionDenied
from xinyong.services import bulletins, ingest
from xinyong.services.bulletins import Bulletin, DepartmentBulletin, add_months, due_date, month_period

PENALTY = "administrative_penalty"
JUNE = (date(2026, 6, 1), date(2026, 6, 30))

# Decision dates against the platform's clock (received 2026-06-15, a Monday; deadline 7 working days):
# 06-05 → 6 working days, 06-10 → 3, 06-12 → 1 (timely); 06-01 → 10 and 05-20 → far beyond (late).
TIMELY_DATES = ["2026-06-05", "2026-06-10", "2026-06-12"]
LATE_DATES = ["2026-06-01", "2026-05-20"]


def labels(platform: Platform) -> dict[str, str]:
    with platform.uow(system_actor("test")) as uow:
        info = platform.catalogue(uow).info_class(PENALTY)
    assert info is not None
    return {item.code: item.label for item in info.items}


def write_file(platform: Platform, path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    """A department's CSV with the national Chinese headers (2021 layout)."""
    names = labels(platform)
    codes: list[str] = []
    for row in rows:
        codes += [c for c in row if c not in codes]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([names[c] for c in codes])
    for row in rows:
        writer.writerow([row.get(c, "") for c in codes])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def valid_rows() -> list[dict[str, Any]]:
    rows = []
    for n, decided in enumerate(TIMELY_DATES + LATE_DATES, start=1):
        extra: dict[str, Any] = {"bz": "现场检查发现"} if n % 2 else {"cf_frdb": None}
        rows.append(penalty_values(cf_wsh=f"扬市监罚〔2026〕{n}号", cf_jdrq=decided, **extra))
    return rows


def bad_rows() -> list[dict[str, Any]]:
    return [
        penalty_values(cf_wsh="扬市监罚〔2026〕91号", cf_xdr_mc=""),  # a required item empty
        penalty_values(cf_wsh="扬市监罚〔2026〕92号", cf_xdr_shxym="911522010783762861"),  # wrong check character
        penalty_values(cf_wsh="扬市监罚〔2026〕93号", cf_cflb="罚金"),  # not in the code table
    ]


@contextmanager
def clock_at(platform: Platform, moment: datetime) -> Iterator[None]:
    clock = platform.clock
    previous = clock.at  # type: ignore[attr-defined]
    clock.at = moment  # type: ignore[attr-defined]
    try:
        yield
    finally:
        clock.at = previous  # type: ignore[attr-defined]


@pytest.fixture
def world(platform: Platform, tmp_path: Path) -> dict[str, Any]:
    market = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    environment = make_department(platform, ENVIRONMENT_BUREAU_USCC, "扬州市生态环境局")
    quiet = make_department(platform, make_uscc("11321000MB1928390"), "=SUM(1,2)扬州市交通运输局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    make_user(platform, "sthj", {Role.SUBMITTER}, ENVIRONMENT_BUREAU_USCC)
    make_user(platform, "op", {Role.OPERATOR})
    make_user(platform, "reviewer", {Role.REVIEWER})
    good = valid_rows()
    path = write_file(platform, tmp_path / "处罚.csv", good + bad_rows())
    report = ingest.ingest_file(platform, actor_of(platform, "scjg"), path, PENALTY, market, "处罚.csv")
    missing = write_file(platform, tmp_path / "缺列.csv",
                         [{k: v for k, v in penalty_values().items() if k != "cf_cfjg"}])
    with pytest.raises(ingest.BatchFailed):
        ingest.ingest_file(platform, actor_of(platform, "scjg"), missing, PENALTY, market, "缺列.csv")
    # The environment bureau last reported on 2026-06-01: a daily class is overdue by 06-15.
    with clock_at(platform, datetime(2026, 6, 1, 2, 0, tzinfo=UTC)):
        old = write_file(platform, tmp_path / "环境.csv", [penalty_values(
            cf_wsh="扬环罚〔2026〕3号", cf_jdrq="2026-05-28", cf_cfjg="扬州市生态环境局",
            cf_cfjgdm=ENVIRONMENT_BUREAU_USCC, cf_sjly="扬州市生态环境局", cf_sjlydm=ENVIRONMENT_BUREAU_USCC)])
        ingest.ingest_file(platform, actor_of(platform, "sthj"), old, PENALTY, environment, "环境.csv")
    return {"market": market, "environment": environment, "quiet": quiet, "report": report, "good": good}


def june(platform: Platform, username: str) -> Bulletin:
    with platform.uow(actor_of(platform, username)) as uow:
        return bulletins.bulletin(uow, platform.catalogue(uow), *JUNE)


def row_of(report: Bulletin, department_id: int) -> DepartmentBulletin:
    return next(r for r in report.departments if r.department_id == department_id)


def optional_completeness(platform: Platform, rows: list[dict[str, Any]]) -> float:
    with platform.uow(system_actor("test")) as uow:
        info = platform.catalogue(uow).info_class(PENALTY)
    assert info is not None
    optional = [item.code for item in info.items if not item.required]
    filled = sum(1 for row in rows for code in optional if row.get(code) not in (None, ""))
    return round(100 * filled / (len(optional) * len(rows)), 1)


class TestBulletin:
    def test_counts_per_department_and_city_wide(self, platform: Platform, world: dict[str, Any]) -> None:
        assert world["report"].accepted == 5 and world["report"].rejected == 3
        report = june(platform, "op")
        assert report.city_wide and report.as_of == date(2026, 6, 15)
        market = row_of(report, world["market"])
        assert (market.batches, market.failed, market.rows, market.accepted, market.rejected, market.held) == \
            (2, 1, 8, 5, 3, 0)
        environment = row_of(report, world["environment"])
        assert (environment.batches, environment.rows, environment.accepted) == (1, 1, 1)
        quiet = row_of(report, world["quiet"])
        assert quiet.batches == 0 and quiet.timeliness is None and quiet.completeness is None
        total = report.total
        assert (total.batches, total.failed, total.rows, total.accepted, total.rejected) == (3, 1, 9, 6, 3)

    def test_rejection_reasons_are_counted_by_code_with_chinese_labels(self, platform: Platform,
                                                                      world: dict[str, Any]) -> None:
        market = row_of(june(platform, "op"), world["market"])
        reasons = {r.code: (r.label, r.count) for r in market.reasons}
        assert reasons["item.required"] == ("必填项为空", 1)
        assert reasons["item.code"] == ("不在代码表中", 1)
        assert reasons["identifier.checksum"] == ("代码校验位错误", 1)
        assert sum(count for _, count in reasons.values()) == 3
        assert row_of(june(platform, "op"), world["environment"]).reasons == []

    def test_timeliness_counts_working_days_from_the_decision(self, platform: Platform,
                                                              world: dict[str, Any]) -> None:
        report = june(platform, "op")
        market = row_of(report, world["market"])
        assert (market.timely, market.late) == (3, 2)
        assert market.timeliness == 60.0
        # 2026-05-28 → 2026-06-01 is two working days: timely.
        assert row_of(report, world["environment"]).timeliness == 100.0
        assert report.total.timeliness == round(100 * 4 / 6, 1)

    def test_completeness_of_optional_items(self, platform: Platform, world: dict[str, Any]) -> None:
        market = row_of(june(platform, "op"), world["market"])
        assert market.completeness == optional_completeness(platform, world["good"])
        assert 0 < market.completeness < 100

    def test_a_department_behind_its_cycle_is_overdue(self, platform: Platform, world: dict[str, Any]) -> None:
        report = june(platform, "op")
        environment = row_of(report, world["environment"])
        assert [(o.info_class, o.last_received, o.due, o.days_late) for o in environment.overdue] == \
            [(PENALTY, date(2026, 6, 1), date(2026, 6, 2), 13)]
        assert row_of(report, world["market"]).overdue == []  # reported today: due the next working day
        assert row_of(report, world["quiet"]).overdue == []  # never submitted this class
        assert len(report.total.overdue) == 1

    def test_an_earlier_month_judges_at_its_own_end(self, platform: Platform, world: dict[str, Any]) -> None:
        with platform.uow(actor_of(platform, "op")) as uow:
            may = bulletins.bulletin(uow, platform.catalogue(uow), *month_period("2026-05"))
        assert may.as_of == date(2026, 5, 31)
        assert may.total.batches == 0 and may.total.overdue == []

    def test_a_submitter_sees_its_own_department_only(self, platform: Platform, world: dict[str, Any]) -> None:
        report = june(platform, "sthj")
        assert not report.city_wide
        assert [r.department_id for r in report.departments] == [world["environment"]]
        assert report.total.rows == 1 and report.total.reasons == []
        with platform.uow(actor_of(platform, "sthj")) as uow:
            monitored = bulletins.monitor(uow)
        assert [m.department_id for m in monitored] == [world["environment"]]

    def test_others_are_refused(self, platform: Platform, world: dict[str, Any]) -> None:
        with platform.uow(actor_of(platform, "reviewer")) as uow, pytest.raises(PermissionDenied):
            bulletins.bulletin(uow, platform.catalogue(uow), *JUNE)
        with platform.uow(actor_of(platform, "reviewer")) as uow, pytest.raises(PermissionDenied):
            bulletins.monitor(uow)


class TestMonitor:
    def test_the_latest_batch_per_department_and_those_that_never_reported(self, platform: Platform,
                                                                           world: dict[str, Any]) -> None:
        with platform.uow(actor_of(platform, "op")) as uow:
            rows = {m.department_id: m for m in bulletins.monitor(uow, platform.catalogue(uow))}
        market = rows[world["market"]]
        assert market.status == "failed" and market.filename == "缺列.csv" and market.error_message
        assert market.class_name == "行政处罚" and market.channel == "file"
        environment = rows[world["environment"]]
        assert environment.status == "done" and environment.accepted == 1
        assert environment.received_at == datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
        assert rows[world["quiet"]].batch_id is None
        assert market.received_at == NOW


class TestCycles:
    @pytest.mark.parametrize(("last", "cycle", "due"), [
        (date(2026, 6, 18), UpdateCycle.DAILY, date(2026, 6, 22)),  # the Dragon Boat Festival holiday
        (date(2026, 6, 12), UpdateCycle.REALTIME, date(2026, 6, 15)),  # over a weekend
        (date(2026, 6, 12), UpdateCycle.WEEKLY, date(2026, 6, 19)),
        (date(2026, 1, 31), UpdateCycle.MONTHLY, date(2026, 2, 28)),
        (date(2025, 11, 30), UpdateCycle.QUARTERLY, date(2026, 2, 28)),
        (date(2024, 2, 29), UpdateCycle.YEARLY, date(2025, 2, 28)),
    ])
    def test_due_dates(self, last: date, cycle: UpdateCycle, due: date) -> None:
        assert due_date(last, cycle) == due

    def test_months(self) -> None:
        assert add_months(date(2026, 1, 15), -1) == date(2025, 12, 15)
        assert month_period("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
        with pytest.raises(Exception, match="月份"):
            month_period("2026-13")


class TestWorkbook:
    def test_sheets_headers_and_neutralised_text(self, platform: Platform, world: dict[str, Any]) -> None:
        content = bulletins.bulletin_xlsx(june(platform, "op"))
        book = load_workbook(io.BytesIO(content))
        assert book.sheetnames == ["归集情况通报", "退回原因"]
        sheet = book["归集情况通报"]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0] == bulletins.BULLETIN_HEADER
        by_name = {r[0]: r for r in rows[1:] if r and r[0]}
        assert by_name["扬州市市场监督管理局"][1:7] == (2, 1, 8, 5, 3, 0)
        assert by_name["扬州市市场监督管理局"][7] == 60.0
        assert "行政处罚（逾期13天）" in by_name["扬州市生态环境局"][9]
        assert by_name["全市合计"][3] == 9
        # A department name that looks like a formula is text, never a formula.
        assert "'=SUM(1,2)扬州市交通运输局" in by_name
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
        reasons = list(book["退回原因"].iter_rows(values_only=True))
        assert reasons[0] == bulletins.REASONS_HEADER
        assert ("扬州市市场监督管理局", "必填项为空", "item.required", 1) in reasons
        assert ("全市合计", "不在代码表中", "item.code", 1) in reasons
