"""Collection stores the publication windows of what it writes itself (without reading the subjects'
records back): they must be exactly what a full recomputation from the records gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import actor_of, make_department, make_user
from tests.factories import MARKET_REGULATOR_USCC, make_uscc, penalty_csv, penalty_values, person_penalty_values
from xinyong.adapters.tables import record_publication
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.services import ingest, publication

# Decision dates under each rule set, month ends (the window's months clamp to the month's end), a leap day.
DAYS = ["2020-03-10", "2021-01-31", "2023-04-30", "2023-05-31", "2024-02-29", "2025-08-31", "2026-04-30",
        "2026-05-20"]
CATEGORIES = ["警告", "罚款", "吊销许可证件", "没收违法所得", "责令停产停业", "通报批评"]
CONTENTS = ["罚款人民币贰万元", "因超标排放污染物，罚款人民币拾万元", "电梯未经检验即投入使用，罚款", "警告"]
AUTHORITIES = ["扬州市市场监督管理局", "扬州市生态环境局"]


def _windows(platform: Platform) -> list[tuple[Any, ...]]:
    with platform.engine.connect() as connection:
        return sorted(tuple(r) for r in connection.execute(select(record_publication)))


def _rows() -> list[dict[str, Any]]:
    rows = []
    for n in range(60):
        person = n % 5 == 0
        make = person_penalty_values if person else penalty_values
        rows.append(make(
            cf_xdr_mc=f"扬州市窗口{n % 17}有限公司" if not person else "张三明",
            cf_xdr_shxym=None if person else make_uscc(f"91321002MA{n % 17:07d}"[:17]),
            cf_wsh=f"扬市监罚〔2026〕{n}号", cf_jdrq=DAYS[n % len(DAYS)], cf_cflb=CATEGORIES[n % len(CATEGORIES)],
            cf_nr=CONTENTS[n % len(CONTENTS)], cf_cfjg=AUTHORITIES[n % len(AUTHORITIES)]))
    return rows


def test_the_windows_a_batch_stores_are_those_a_full_refresh_computes(platform: Platform, tmp_path: Path) -> None:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    actor = actor_of(platform, "scjg")
    first = tmp_path / "first.csv"
    first.write_bytes(penalty_csv(_rows()))
    ingest.ingest_file(platform, actor, first, "administrative_penalty", department_id)
    # A second file corrects some of them (new versions replace the old windows), twice for one of them
    # in the same file, and repeats others unchanged (duplicates).
    again = _rows()[:12]
    changed = [{**row, "cf_cflb": "吊销许可证件", "cf_jdrq": "2025-01-31"} for row in again[:6]]
    second = tmp_path / "second.csv"
    second.write_bytes(penalty_csv([*changed, {**changed[0], "cf_nr": "警告"}, *again[6:]]))
    report = ingest.ingest_file(platform, actor, second, "administrative_penalty", department_id)
    assert (report.updated, report.duplicates) == (7, 6)
    ingest.push_records(platform, actor, "abnormal_operation", department_id, [
        {"values": {"jy_qymc": "扬州市窗口1有限公司", "jy_shxym": make_uscc("91321002MA0000001"),
                    "jy_lryy": "通过登记的住所或者经营场所无法联系", "jy_lrrq": "2025-03-01",
                    "jy_lrwsh": f"扬市监企异〔2025〕{n}号", "jy_zcjdjg": "扬州市市场监督管理局"},
         "source_key": f"jy-{n}"} for n in range(3)])
    stored = _windows(platform)
    assert len(stored) > 40
    with platform.uow(system_actor("test")) as uow:
        publication.refresh_publication(uow, platform.catalogue(uow), everything=True)
        uow.commit()
    assert _windows(platform) == stored
