"""Building the demo city on a fresh platform (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select
from stdnum.cn import ric, uscc

from tests.conftest import name_index_problems
from xinyong.adapters.tables import audit_log, credit_record, department, subject, subject_identifier, subject_name
from xinyong.bootstrap import Platform
from xinyong.clock import CHINA
from xinyong.demo.city import DEPARTMENTS
from xinyong.domain.accounts import Role, system_actor
from xinyong.errors import Conflict
from xinyong.services import accounts
from xinyong.services import demo as demo_service
from xinyong.services.demo import build_demo


def _count(platform: Platform, table: object, *where: object) -> int:
    with platform.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one())  # type: ignore[arg-type]


def test_build_demo_writes_what_it_reports(platform: Platform) -> None:
    messages: list[str] = []
    summary = build_demo(platform, seed=5, subjects=500, progress=messages.append)
    assert (summary.subjects, summary.records, summary.departments) == (500, 2500, len(DEPARTMENTS))
    assert _count(platform, subject) == 500
    assert _count(platform, credit_record) == 2500 + summary.rights_records
    assert _count(platform, subject_name) >= 500
    assert name_index_problems(platform) == []
    assert _count(platform, department) == len(DEPARTMENTS)
    assert sum(summary.records_by_class.values()) == 2500 and messages
    assert summary.generation_seconds > 0 and summary.write_seconds > 0
    with platform.engine.connect() as connection:
        identifiers = connection.execute(select(subject_identifier.c.id_type, subject_identifier.c.value)).all()
        stamps = connection.execute(select(credit_record.c.received_at).limit(20)).scalars().all()
        audit = connection.execute(select(audit_log.c.detail).where(audit_log.c.action == "demo.build")).scalars()
        assert [d["records"] for d in audit] == [2500]
    assert all(uscc.is_valid(v) for t, v in identifiers if t == "uscc")
    assert all(ric.is_valid(v) for t, v in identifiers if t == "citizen_id")
    assert all(s.tzinfo is not None and s.astimezone(CHINA).hour == 10 for s in stamps)  # 10:00 in Beijing
    roles = {c.username: c.role for c in summary.users}
    assert roles["operator"] is Role.OPERATOR and roles["reviewer"] is Role.REVIEWER
    submitters = [u for u, r in roles.items() if r is Role.SUBMITTER]
    assert len(submitters) == 3 and "scjg_submitter" in submitters
    with platform.uow(system_actor("test")) as uow:
        user = accounts.authenticate(uow, platform.passwords, "scjg_submitter",
                                     next(c.password for c in summary.users if c.username == "scjg_submitter"), 5)
        assert user.department_id is not None and user.roles == frozenset({Role.SUBMITTER})
        some = uow.subjects.get(1)
        assert some is not None
        records = uow.records.for_subject(1)
        assert all(r.provenance.channel == "demo" and r.root_id == r.id for r in records)


def test_a_second_build_is_refused(platform: Platform) -> None:
    build_demo(platform, seed=1, subjects=50)
    with pytest.raises(Conflict):
        build_demo(platform, seed=1, subjects=50)
    assert _count(platform, subject) == 50


def test_large_builds_defer_the_record_indexes_and_rebuild_them(platform: Platform,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo_service, "DEFER_INDEXES_FROM", 0)
    summary = build_demo(platform, seed=2, subjects=120, records=700)
    assert summary.records + summary.rights_records == _count(platform, credit_record) == 700 + summary.rights_records
    names = {ix["name"] for ix in inspect(platform.engine).get_indexes("credit_record")}
    assert {str(ix.name) for ix in credit_record.indexes} <= names


def test_the_demo_city_has_rights_cases_in_every_state(platform: Platform) -> None:
    summary = build_demo(platform, seed=5, subjects=500)
    assert {"repair:submitted", "repair:accepted", "repair:refused", "repair:verified", "repair:approved",
            "repair:rejected", "repair:executed", "objection:submitted", "objection:removed",
            "objection:rejected"} <= set(summary.rights_cases)
    assert summary.rights_cases["commitment:signed"] == 3
    # three commitments, two fulfilment versions and one breach record, and the imported ones' breaches
    assert summary.rights_records == 6 + summary.rights_cases["commitment:breach_imported"]


def test_build_demo_puts_list_records_on_their_lists(platform: Platform) -> None:
    from xinyong.adapters.tables import list_entry
    from xinyong.services import lists

    summary = build_demo(platform, seed=5, subjects=2000)
    list_classes = ("serious_dishonesty_list", "red_list", "abnormal_operation", "dishonest_judgment_debtor")
    expected = sum(summary.records_by_class.get(c, 0) for c in list_classes)
    assert summary.list_entries == expected > 0
    assert _count(platform, list_entry, list_entry.c.source == "record") == expected
    with platform.uow(system_actor("test")) as uow:
        counts = lists.counts(uow)
        assert counts["serious_dishonesty"]["in_force"] > 0
        assert lists.sync_from_records(uow) == {"created": 0, "updated": 0}  # idempotent
