"""The stored publication windows (SQL listings) say exactly what the rules engine says, day by day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest

from tests.conftest import actor_of, make_department, make_user
from tests.factories import MARKET_REGULATOR_USCC, make_uscc, penalty_values
from xinyong.adapters.repositories.publication import ListingFilter, PublicationRepository
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.identifiers import IdType
from xinyong.domain.publication import Severity
from xinyong.domain.records import Classification, CreditRecord, Openness, Provenance, RecordStatus, SharingLevel
from xinyong.domain.subjects import Identifier, SubjectType
from xinyong.services import publication, records

AT = datetime(2026, 6, 15, 2, tzinfo=UTC)
CLASSES = ("administrative_penalty", "administrative_license", "serious_dishonesty_list", "credit_commitment",
           "social_insurance_arrears")
_serial = count(1)


def _subject(uow: Any, kind: SubjectType) -> int:
    n = next(_serial)
    if kind is SubjectType.PERSON:
        canonical = Identifier(IdType.PASSPORT, f"E{n:08d}")
    else:
        canonical = Identifier(IdType.USCC, make_uscc(f"9132100{n:08d}MA"[:17]))
    return uow.subjects.add(kind, canonical, f"主体{n}", None, [], date(2019, 1, 1), AT)


def _record(uow: Any, subject_id: int, info_class: str, classification: Classification, **core: Any) -> CreditRecord:
    status = core.pop("status", RecordStatus.ACTIVE)
    openness = core.pop("openness", Openness.PUBLIC)
    record = CreditRecord(id=uow.records.new_ids(1), subject_id=subject_id, info_class=info_class,
                          classification=classification, department_id=1, sharing=SharingLevel.UNCONDITIONAL,
                          openness=openness, provenance=Provenance(AT, "test"), status=status,
                          core={"doc_number": f"文号{next(_serial)}", **core})
    uow.records.add([record])
    return record


def _mixed_city(platform: Platform) -> None:
    """Penalties under each decree, expired ones, persons', repaired, corrected, restricted; licences,
    list entries that ended or run on, commitments, and a class shared with departments only."""
    with platform.uow(system_actor("test")) as uow:
        company = _subject(uow, SubjectType.ENTERPRISE)
        shop = _subject(uow, SubjectType.INDIVIDUAL_BUSINESS)
        person = _subject(uow, SubjectType.PERSON)
        pen = ("administrative_penalty", Classification.WARNING)
        for decided in (date(2020, 3, 10), date(2021, 1, 31), date(2022, 8, 31), date(2023, 6, 1), date(2024, 2, 29),
                        date(2025, 11, 30), date(2026, 4, 1), date(2026, 5, 20)):
            for who in (company, shop, person):
                _record(uow, who, *pen, decision_date=decided, category="fine", content="罚款人民币5000元",
                        authority_name="扬州市市场监督管理局", amount=Decimal("0.5"))
                _record(uow, who, *pen, decision_date=decided, category="revoke_licence", content="吊销营业执照",
                        authority_name="扬州市市场监督管理局")
            _record(uow, company, *pen, decision_date=decided, category="warning", content="警告")
            _record(uow, company, *pen, decision_date=decided, category="suspend_business",
                    content="责令停产停业，排放污染物超标", authority_name="扬州市生态环境局")
            _record(uow, company, *pen, decision_date=decided, category="fine", content="特种设备未检验，罚款",
                    authority_name="扬州市市场监督管理局")
            _record(uow, company, *pen, decision_date=decided, category="fine", status=RecordStatus.REPAIRED)
            _record(uow, company, *pen, decision_date=decided, category="fine", openness=Openness.RESTRICTED)
        old = _record(uow, company, *pen, decision_date=date(2026, 1, 5), category="fine")
        old.status, old.superseded_by = RecordStatus.CORRECTED, old.id + 1000
        uow.records.save_state(old)
        _record(uow, company, *pen, category="fine")  # no decision date
        for who in (company, person):
            _record(uow, who, "administrative_license", Classification.LICENCE, decision_date=date(2025, 1, 1))
            _record(uow, who, "administrative_license", Classification.LICENCE, decision_date=date(2026, 7, 1))
            for until in (date(2024, 1, 1), date(2026, 1, 1), date(2027, 1, 1), None):
                _record(uow, who, "serious_dishonesty_list", Classification.WARNING, decision_date=date(2024, 5, 5),
                        valid_to=until)
            _record(uow, who, "serious_dishonesty_list", Classification.WARNING, valid_to=date(2026, 12, 31))
            _record(uow, who, "credit_commitment", Classification.BASIC, decision_date=date(2025, 3, 3))
            _record(uow, who, "social_insurance_arrears", Classification.WARNING, decision_date=date(2025, 3, 3),
                    openness=Openness.RESTRICTED)
        uow.commit()


def _engine_says(platform: Platform, day: date) -> set[tuple[int, int]]:
    """What the rules engine shows on ``day``, record by record (persons never appear in listings)."""
    shown = set()
    with platform.uow(system_actor("test")) as uow:
        catalogue = platform.catalogue(uow)
        for subject_id in range(1, 10_000):
            subject = uow.subjects.get(subject_id)
            if subject is None:
                continue
            found = uow.records.for_subject(subject_id, current_only=False)
            for record, _ in publication.public_records(catalogue, platform.publication, found, subject.is_person,
                                                         day):
                if not subject.is_person:
                    shown.add((record.subject_id, record.id))
    return shown


def _sql_says(platform: Platform, day: date) -> set[tuple[int, int]]:
    with platform.uow(system_actor("test")) as uow:
        return PublicationRepository(uow.connection).public_ids(CLASSES, day)


DAYS = [date(2020, 3, 9), date(2020, 3, 10), date(2021, 3, 9), date(2021, 3, 10), date(2021, 2, 28),
        date(2023, 3, 10), date(2023, 3, 11), date(2024, 12, 31), date(2025, 11, 29), date(2026, 1, 1),
        date(2026, 1, 2), date(2026, 6, 15), date(2026, 8, 1), date(2027, 2, 27), date(2027, 3, 1),
        date(2027, 5, 20), date(2029, 4, 1), date(2030, 1, 1)]


def test_sql_listing_and_engine_agree_on_every_day(platform: Platform) -> None:
    _mixed_city(platform)
    with platform.uow(system_actor("test")) as uow:
        written = publication.refresh_publication(uow, platform.catalogue(uow), everything=True)
        uow.commit()
    assert written > 0
    ever = set()
    for day in DAYS:
        engine = _engine_says(platform, day)
        assert _sql_says(platform, day) == engine, day
        ever |= engine
    assert len(ever) > 20  # the days above do see public records come and go


def test_windows_carry_the_rule_set_and_severity(platform: Platform) -> None:
    _mixed_city(platform)
    with platform.uow(system_actor("test")) as uow:
        publication.refresh_publication(uow, platform.catalogue(uow), everything=True)
        uow.commit()
        rows = PublicationRepository(uow.connection).listing(
            ListingFilter(("administrative_penalty",)), date(2020, 6, 1), limit=50)
    assert rows and all(r.record.decision_date == date(2020, 3, 10) for r in rows)
    serious = [r for r in rows if r.record.core["category"] == "revoke_licence"]
    assert serious and all(r.severity == Severity.SERIOUS.value and r.public_until == date(2023, 3, 9)
                           for r in serious)
    assert all(r.subject_type != "person" for r in rows)


def test_a_changed_rule_file_recomputes_every_window(platform: Platform) -> None:
    _mixed_city(platform)
    with platform.uow(system_actor("test")) as uow:
        catalogue = platform.catalogue(uow)
        assert publication.ensure_current(uow, catalogue, platform.publication) is not None
        assert publication.ensure_current(uow, catalogue, platform.publication) is None
    day = date(2021, 6, 1)  # the 2019 general penalty of 2020-03-10 has ended under 12 months ...
    before = _sql_says(platform, day)
    longer = tuple(replace(r, windows={**r.windows, Severity.GENERAL: replace(r.windows[Severity.GENERAL],
                                                                            max_months=24)})
                   if r.code == "ndrc_2019_527" else r for r in platform.publication.rule_sets)
    platform.publication = replace(platform.publication, rule_sets=longer)
    with platform.uow(system_actor("test")) as uow:
        assert publication.ensure_current(uow, platform.catalogue(uow), platform.publication) is not None
    after = _sql_says(platform, day)  # ... and is shown again under a 24-month rule
    assert after > before
    assert after == _engine_says(platform, day)


def test_submitting_and_ending_a_record_keep_the_windows_current(platform: Platform) -> None:
    department = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    today = date(2026, 6, 15)
    with platform.uow(actor_of(platform, "scjg")) as uow:
        outcome = records.submit(uow, platform.catalogue(uow), "administrative_penalty", department,
                                 penalty_values(), "api")
    assert _sql_says(platform, today) == {(outcome.record.subject_id, outcome.record.id)}
    with platform.uow(actor_of(platform, "scjg")) as uow:
        newer = records.submit(uow, platform.catalogue(uow), "administrative_penalty", department,
                               penalty_values(cf_nr="罚款人民币叁万元"), "api").record
    assert _sql_says(platform, today) == {(newer.subject_id, newer.id)}  # the corrected version is gone
    with platform.uow(actor_of(platform, "scjg")) as uow:
        records.change_status(uow, newer.id, RecordStatus.REVOKED, "决定已被撤销")
    assert _sql_says(platform, today) == set()
    assert _sql_says(platform, today + timedelta(days=400)) == set()


@pytest.mark.parametrize("day", [date(2026, 6, 15)])
def test_the_listing_filters_by_department_date_and_category(platform: Platform, day: date) -> None:
    _mixed_city(platform)
    with platform.uow(system_actor("test")) as uow:
        publication.refresh_publication(uow, platform.catalogue(uow), everything=True)
        uow.commit()
        repository = PublicationRepository(uow.connection)
        every = repository.listing(ListingFilter(("administrative_penalty",)), day, limit=500)
        fines = repository.listing(ListingFilter(("administrative_penalty",), category="fine"), day, limit=500)
        recent = repository.listing(ListingFilter(("administrative_penalty",), date_from=date(2026, 1, 1)), day,
                                    limit=500)
        other = repository.listing(ListingFilter(("administrative_penalty",), department_id=99), day, limit=500)
    assert fines and {r.record.id for r in fines} < {r.record.id for r in every}
    assert recent and all(r.record.decision_date >= date(2026, 1, 1) for r in recent)
    assert other == []
    dates = [r.record.decision_date for r in every]
    assert dates == sorted(dates, reverse=True)
