"""Linking a batch's rows to subjects (主体名下归结果), column-wise: the tricky cases, checked in the database.

These outcomes were first asserted against the row-by-row linker that the polars joins replaced.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import actor_of, make_department, make_user, name_index_problems
from tests.factories import (
    MARKET_REGULATOR_USCC,
    PERSON_ID,
    make_uscc,
    penalty_csv,
    penalty_values,
    person_penalty_values,
)
from xinyong.adapters.tables import credit_record, record_publication, subject, subject_identifier, subject_name
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role
from xinyong.ingest.linking import SEEN_LIMIT, Seen
from xinyong.services import ingest

FIRST = make_uscc("91321002MA0000001")
SECOND = make_uscc("91321002MA0000002")
LEGACY = "321000000123456"
OTHER_LEGACY = "321000000654321"


@pytest.fixture
def market(platform: Platform) -> int:
    department_id = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    return department_id


def windowed(platform: Platform) -> set[int]:
    with platform.engine.connect() as connection:
        return set(connection.execute(select(record_publication.c.record_id)).scalars())


def current_records(platform: Platform) -> set[int]:
    with platform.engine.connect() as connection:
        return set(connection.execute(select(credit_record.c.id).where(credit_record.c.status == "active")).scalars())


def send(platform: Platform, department_id: int, rows: list[dict[str, str]], tmp_path: Path,
         name: str = "upload.csv") -> ingest.BatchReport:
    path = tmp_path / name
    path.write_bytes(penalty_csv(rows))
    return ingest.ingest_file(platform, actor_of(platform, "scjg"), path, "administrative_penalty", department_id)


def doc(n: int) -> str:
    return f"扬市监罚〔2026〕{n}号"


def subjects(platform: Platform) -> dict[str, tuple[int, str, str]]:
    """canonical id → (subject id, type, current name)."""
    with platform.engine.connect() as connection:
        rows = connection.execute(select(subject.c.canonical_id, subject.c.id, subject.c.subject_type,
                                         subject.c.name)).all()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def identifiers(platform: Platform) -> dict[tuple[str, str], int]:
    with platform.engine.connect() as connection:
        return {(t, v): s for t, v, s in connection.execute(select(subject_identifier)).all()}


def names(platform: Platform, subject_id: int) -> list[tuple[str, str, str | None]]:
    with platform.engine.connect() as connection:
        rows = connection.execute(select(subject_name.c.name, subject_name.c.valid_from, subject_name.c.valid_to)
                                  .where(subject_name.c.subject_id == subject_id)
                                  .order_by(subject_name.c.valid_from)).all()
    return [(n, str(f), None if t is None else str(t)) for n, f, t in rows]


def record_subjects(platform: Platform) -> dict[str, int]:
    with platform.engine.connect() as connection:
        return dict(connection.execute(select(credit_record.c.doc_number, credit_record.c.subject_id)).all())


def test_new_subjects_are_created_once_per_identifier(platform: Platform, market: int, tmp_path: Path) -> None:
    rows = [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=FIRST, cf_xdr_mc="甲公司"),
            penalty_values(cf_wsh=doc(2), cf_xdr_shxym=SECOND, cf_xdr_mc="乙公司"),
            penalty_values(cf_wsh=doc(3), cf_xdr_shxym=FIRST, cf_xdr_mc="甲公司"),
            person_penalty_values(cf_wsh=doc(4))]
    report = send(platform, market, rows, tmp_path)
    assert (report.accepted, report.created, report.held, report.rejected) == (4, 4, 0, 0)
    found = subjects(platform)
    assert set(found) == {FIRST, SECOND, PERSON_ID}
    assert found[PERSON_ID][1] == "person" and found[FIRST][1:] == ("enterprise", "甲公司")
    linked = record_subjects(platform)
    assert linked[doc(1)] == linked[doc(3)] == found[FIRST][0] and linked[doc(4)] == found[PERSON_ID][0]
    assert names(platform, found[FIRST][0]) == [("甲公司", "2026-05-20", None)]
    assert name_index_problems(platform) == []  # the new organisations are in the name index, the person is not


def test_a_changed_name_goes_into_the_name_history(platform: Platform, market: int, tmp_path: Path) -> None:
    send(platform, market, [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=FIRST, cf_xdr_mc="甲公司",
                                           cf_jdrq="2025-03-01")], tmp_path)
    rows = [penalty_values(cf_wsh=doc(2), cf_xdr_shxym=FIRST, cf_xdr_mc="甲新名公司", cf_jdrq="2026-01-10"),
            penalty_values(cf_wsh=doc(3), cf_xdr_shxym=FIRST, cf_xdr_mc="甲最新名公司", cf_jdrq="2026-04-02"),
            penalty_values(cf_wsh=doc(4), cf_xdr_shxym=SECOND, cf_xdr_mc="乙公司")]
    report = send(platform, market, rows, tmp_path, "second.csv")
    assert (report.accepted, report.created) == (3, 3)
    first_id, _, current = subjects(platform)[FIRST]
    assert current == "甲最新名公司"  # the latest row's name wins
    assert names(platform, first_id) == [("甲公司", "2025-03-01", "2026-04-02"), ("甲最新名公司", "2026-04-02", None)]
    again = send(platform, market, [penalty_values(cf_wsh=doc(5), cf_xdr_shxym=FIRST, cf_xdr_mc="甲最新名公司")],
                 tmp_path, "third.csv")
    assert again.accepted == 1 and len(names(platform, first_id)) == 2  # the same name changes nothing
    assert name_index_problems(platform) == []  # the index holds the latest name only


def test_legacy_codes_are_added_and_link_later_records(platform: Platform, market: int, tmp_path: Path) -> None:
    send(platform, market, [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=FIRST, cf_xdr_gszc=LEGACY)], tmp_path)
    first_id = subjects(platform)[FIRST][0]
    assert identifiers(platform) == {("uscc", FIRST): first_id, ("registration_no", LEGACY): first_id}
    rows = [penalty_values(cf_wsh=doc(2), cf_xdr_shxym=None, cf_xdr_gszc=LEGACY),
            penalty_values(cf_wsh=doc(3), cf_xdr_shxym=FIRST, cf_xdr_gszc=OTHER_LEGACY),
            penalty_values(cf_wsh=doc(4), cf_xdr_shxym=None, cf_xdr_gszc=OTHER_LEGACY)]
    report = send(platform, market, rows, tmp_path, "second.csv")
    # the third row names a code only added by this batch: held, not guessed
    assert (report.accepted, report.held, report.created) == (2, 1, 2)
    assert identifiers(platform)[("registration_no", OTHER_LEGACY)] == first_id
    assert record_subjects(platform) == {doc(1): first_id, doc(2): first_id, doc(3): first_id}
    with platform.uow(actor_of(platform, "scjg")) as uow:
        held = uow.batches.issues(report.batch_id, "held")
    assert [(h["row_number"], h["problems"][0]["code"]) for h in held] == [(4, "link.held_for_review")]
    resent = send(platform, market, [rows[2]], tmp_path, "third.csv")
    assert (resent.accepted, resent.held) == (1, 0)


def test_a_new_subject_keeps_its_legacy_codes(platform: Platform, market: int, tmp_path: Path) -> None:
    rows = [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=FIRST, cf_xdr_gszc=LEGACY),
            penalty_values(cf_wsh=doc(2), cf_xdr_shxym=FIRST, cf_xdr_gszc=OTHER_LEGACY)]
    report = send(platform, market, rows, tmp_path)
    assert (report.accepted, report.created) == (2, 2)
    first_id = subjects(platform)[FIRST][0]
    assert identifiers(platform) == {("uscc", FIRST): first_id, ("registration_no", LEGACY): first_id,
                                     ("registration_no", OTHER_LEGACY): first_id}


def test_codes_of_different_subjects_in_one_row_are_rejected(platform: Platform, market: int,
                                                              tmp_path: Path) -> None:
    send(platform, market, [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=FIRST),
                            penalty_values(cf_wsh=doc(2), cf_xdr_shxym=SECOND, cf_xdr_gszc=LEGACY)], tmp_path)
    report = send(platform, market, [penalty_values(cf_wsh=doc(3), cf_xdr_shxym=FIRST, cf_xdr_gszc=LEGACY),
                                     penalty_values(cf_wsh=doc(4), cf_xdr_shxym=FIRST)], tmp_path, "second.csv")
    assert (report.accepted, report.rejected) == (1, 1)
    with platform.uow(actor_of(platform, "scjg")) as uow:
        issues = uow.batches.issues(report.batch_id, "rejected")
    assert [(i["row_number"], i["problems"][0]["code"]) for i in issues] == [(2, "link.conflict")]


def test_a_canonical_code_added_to_a_known_subject_links_later_rows_to_it(platform: Platform, market: int,
                                                                           tmp_path: Path) -> None:
    """Row 1 links by a known legacy code and brings a new USCC; row 2 names only that USCC: same subject
    (the row-by-row linker wrote the USCC twice here, and the batch failed)."""
    send(platform, market, [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=SECOND, cf_xdr_gszc=LEGACY)], tmp_path)
    second_id = subjects(platform)[SECOND][0]
    report = send(platform, market, [penalty_values(cf_wsh=doc(2), cf_xdr_shxym=FIRST, cf_xdr_gszc=LEGACY),
                                     penalty_values(cf_wsh=doc(3), cf_xdr_shxym=FIRST)], tmp_path, "second.csv")
    assert (report.accepted, report.rejected) == (2, 0)
    assert FIRST not in subjects(platform)
    assert identifiers(platform)[("uscc", FIRST)] == second_id
    assert record_subjects(platform) == {doc(1): second_id, doc(2): second_id, doc(3): second_id}


def test_pushed_records_without_a_source_key_are_not_chained(platform: Platform, market: int) -> None:
    """Pushed rows of one subject without a source key are separate records, each version 1 and active."""
    items = [{"values": penalty_values(cf_wsh=doc(n))} for n in (1, 2, 3)]
    report, _ = ingest.push_records(platform, actor_of(platform, "scjg"), "administrative_penalty", market, items)
    assert (report.accepted, report.created, report.updated) == (3, 3, 0)
    with platform.engine.connect() as connection:
        rows = connection.execute(select(credit_record.c.version, credit_record.c.status,
                                         credit_record.c.superseded_by)).all()
    assert sorted(tuple(r) for r in rows) == [(1, "active", None)] * 3


def test_a_file_read_in_many_blocks_links_and_versions_across_them(platform: Platform, market: int, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of a few rows: subjects created by one block are found by the next; the same document number
    in a later block is a new version (or a duplicate), exactly as within one block."""
    from xinyong.adapters import tabular

    monkeypatch.setattr(tabular, "BLOCK_BYTES", 1500)
    rows = [penalty_values(cf_wsh=doc(n), cf_xdr_shxym=FIRST if n % 2 else SECOND) for n in range(12)]
    rows += [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=FIRST, cf_nr_fk="7"),  # changed: a new version
             penalty_values(cf_wsh=doc(2), cf_xdr_shxym=SECOND),  # identical: a duplicate
             penalty_values(cf_wsh=doc(20), cf_xdr_shxym=FIRST, cf_xdr_mc="甲改名公司", cf_jdrq="2026-06-01")]
    report = send(platform, market, rows, tmp_path)
    assert (report.rows, report.accepted, report.created, report.updated, report.duplicates) == (15, 15, 13, 1, 1)
    found = subjects(platform)
    assert set(found) == {FIRST, SECOND} and found[FIRST][2] == "甲改名公司"
    with platform.engine.connect() as connection:
        versions = connection.execute(select(credit_record.c.version, credit_record.c.status)
                                      .where(credit_record.c.doc_number == doc(1))
                                      .order_by(credit_record.c.version)).all()
    assert [tuple(v) for v in versions] == [(1, "corrected"), (2, "active")]
    # Written block by block (publication windows and the name index after the next block's look-ups), they
    # still agree with the records and names: one window per current version, none for the replaced one.
    assert windowed(platform) == current_records(platform)
    assert name_index_problems(platform) == []


@pytest.mark.parametrize("limit", [SEEN_LIMIT, 1])
def test_later_blocks_link_by_what_earlier_blocks_learnt(platform: Platform, market: int, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """Later blocks take identifiers from what the batch already looked up or wrote (not from the database):
    a legacy code given to a new subject, a name changed by an earlier block (no second rename when the
    new name comes again, a rename back when the old one does). The same when the batch keeps only one
    identifier in memory and looks the others up."""
    from xinyong.adapters import tabular

    monkeypatch.setattr(tabular, "BLOCK_BYTES", 64)  # one row per block
    monkeypatch.setattr(ingest, "Seen", partial(Seen, limit=limit))
    rows = [penalty_values(cf_wsh=doc(1), cf_xdr_shxym=FIRST, cf_xdr_mc="甲公司", cf_xdr_gszc=LEGACY,
                           cf_jdrq="2025-01-01"),
            penalty_values(cf_wsh=doc(2), cf_xdr_shxym=FIRST, cf_xdr_mc="甲公司", cf_jdrq="2025-02-01"),
            penalty_values(cf_wsh=doc(3), cf_xdr_shxym=FIRST, cf_xdr_mc="甲新名公司", cf_jdrq="2026-03-01"),
            penalty_values(cf_wsh=doc(4), cf_xdr_shxym=FIRST, cf_xdr_mc="甲新名公司", cf_jdrq="2026-04-01"),
            penalty_values(cf_wsh=doc(5), cf_xdr_shxym=None, cf_xdr_mc="甲新名公司", cf_xdr_gszc=LEGACY),
            penalty_values(cf_wsh=doc(6), cf_xdr_shxym=FIRST, cf_xdr_mc="甲公司", cf_jdrq="2026-05-01"),
            # corrected in the very next block: its first version's window must go
            penalty_values(cf_wsh=doc(6), cf_xdr_shxym=FIRST, cf_xdr_mc="甲公司", cf_jdrq="2026-05-01", cf_nr_fk="9")]
    report = send(platform, market, rows, tmp_path)
    assert (report.accepted, report.created, report.updated, report.held) == (7, 6, 1, 0)
    found = subjects(platform)
    first_id = found[FIRST][0]
    assert set(found) == {FIRST} and found[FIRST][2] == "甲公司"
    assert names(platform, first_id) == [("甲公司", "2025-01-01", "2026-03-01"),
                                         ("甲新名公司", "2026-03-01", "2026-05-01"), ("甲公司", "2026-05-01", None)]
    assert record_subjects(platform) == {doc(n): first_id for n in range(1, 7)}
    assert windowed(platform) == current_records(platform)
    assert name_index_problems(platform) == []
