"""The portal's name search on the name index: partial, fuzzy, tolerant of 有限公司/有限责任公司 and
brackets, never a natural person; the index follows every subject created or renamed."""

from __future__ import annotations

import pytest

from tests.conftest import actor_of, make_department, make_user, name_index_problems
from tests.factories import MARKET_REGULATOR_USCC, make_uscc, penalty_values, person_penalty_values
from xinyong.adapters.db import downgrade, upgrade
from xinyong.adapters.repositories import names
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import PUBLIC, Role
from xinyong.services import portal, records

MACHINERY = "扬州（江都）恒达机械制造有限责任公司"
TRADING = "扬州恒达贸易有限公司"
EXAMPLE = "扬州市示例科技有限公司"


@pytest.fixture
def city(platform: Platform) -> dict[str, int]:
    department = make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    ids = {}
    with platform.uow(actor_of(platform, "scjg")) as uow:
        catalogue = platform.catalogue(uow)
        for n, (name, body) in enumerate(((MACHINERY, "91321012MA0000001"), (TRADING, "91321002MA0000002"),
                                          (EXAMPLE, "91321002MA0000003"))):
            outcome = records.submit(uow, catalogue, "administrative_penalty", department, penalty_values(
                cf_xdr_mc=name, cf_xdr_shxym=make_uscc(body), cf_wsh=f"扬市监罚〔2026〕{n + 30}号"), "api")
            ids[name] = outcome.record.subject_id
        person = records.submit(uow, catalogue, "administrative_penalty", department,
                                person_penalty_values(cf_xdr_mc="王恒达"), "api")
        ids["person"] = person.record.subject_id
    return ids | {"department": department}


def found(platform: Platform, query: str) -> list[int]:
    with platform.uow(PUBLIC) as uow:
        return [row["id"] for row in portal.search(uow, query)]


def test_part_of_the_name_finds_it(platform: Platform, city: dict[str, int]) -> None:
    assert found(platform, "恒达机械") == [city[MACHINERY]]
    assert found(platform, "示例科技") == [city[EXAMPLE]]
    assert set(found(platform, "恒达")) == {city[MACHINERY], city[TRADING]}


def test_limited_liability_company_and_limited_company_are_the_same(platform: Platform,
                                                                    city: dict[str, int]) -> None:
    assert found(platform, "扬州(江都)恒达机械制造有限公司") == [city[MACHINERY]]
    assert found(platform, "扬州市示例科技有限责任公司") == [city[EXAMPLE]]


def test_full_width_brackets_and_spaces_are_read_as_plain_ones(platform: Platform, city: dict[str, int]) -> None:
    assert found(platform, "（江都）恒达机械") == [city[MACHINERY]]
    assert found(platform, "【江都】恒达　机械") == [city[MACHINERY]]


def test_one_wrong_character_still_finds_the_name(platform: Platform, city: dict[str, int]) -> None:
    assert found(platform, "恒达机戒制造")[0] == city[MACHINERY]
    assert found(platform, "扬州市示列科技有限公司")[0] == city[EXAMPLE]
    assert found(platform, "风马牛不相及") == []


def test_a_person_is_never_found(platform: Platform, city: dict[str, int]) -> None:
    assert found(platform, "王恒达") == []
    assert city["person"] not in found(platform, "恒达")


def test_a_renamed_subject_is_found_by_its_new_name(platform: Platform, city: dict[str, int]) -> None:
    with platform.uow(actor_of(platform, "scjg")) as uow:
        records.submit(uow, platform.catalogue(uow), "administrative_penalty", city["department"], penalty_values(
            cf_xdr_mc="扬州瑞丰商贸有限公司", cf_xdr_shxym=make_uscc("91321002MA0000002"),
            cf_wsh="扬市监罚〔2026〕40号", cf_jdrq="2026-06-01"), "api")
    assert found(platform, "瑞丰商贸") == [city[TRADING]]
    assert city[TRADING] not in found(platform, "恒达贸易")
    assert name_index_problems(platform) == []


def test_a_query_of_common_grams_only_still_finds_names(platform: Platform, city: dict[str, int],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names, "GRAM_CAP", 1)  # every gram below is "common" in this small city
    assert found(platform, "恒达贸易") == [city[TRADING]]
    assert set(found(platform, "有限公司")) == {city[MACHINERY], city[TRADING], city[EXAMPLE]}


def test_the_migration_indexes_the_subjects_that_exist(platform: Platform, city: dict[str, int]) -> None:
    downgrade(platform.engine, "0006")
    upgrade(platform.engine)
    assert name_index_problems(platform) == []
    assert found(platform, "恒达机械") == [city[MACHINERY]]
