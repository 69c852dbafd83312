"""The demo city generator: deterministic, valid identifiers, realistic proportions, catalogue-conformant."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest
from stdnum.cn import ric, uscc

from xinyong.demo.city import CITY_CODE, DEPARTMENTS, DISTRICTS, ORGANISATION_DIVISIONS, area_codes_for_birth
from xinyong.demo.generate import BLOCK, blocks, generate, make_plan, subject_identifiers
from xinyong.demo.model import SUBJECT_TYPES, RecordBatch, SubjectBatch
from xinyong.domain.catalogue import Catalogue, ItemType, validate_values
from xinyong.domain.identifiers import check_organisation_code, check_registration_no
from xinyong.domain.linking import claim_subject
from xinyong.rules.catalogue_files import load_default_catalogue

TODAY = date(2026, 6, 15)
SUBJECTS = 20_000
WARNING_CLASSES = {"administrative_penalty", "dishonest_judgment_debtor", "serious_dishonesty_list",
                   "social_insurance_arrears"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_default_catalogue()


@pytest.fixture(scope="module")
def city(catalogue: Catalogue) -> list[tuple[SubjectBatch, RecordBatch]]:
    return list(generate(catalogue, seed=7, subjects=SUBJECTS, today=TODAY))


@pytest.fixture(scope="module")
def subjects(city: list[tuple[SubjectBatch, RecordBatch]]) -> dict[str, np.ndarray]:
    fields = ("kind", "canonical", "canonical_type", "name", "division", "uscc", "citizen_id", "since",
              "registration_no", "organisation_code", "dishonest")
    return {f: np.concatenate([getattr(s, f) for s, _ in city]) for f in fields}


@pytest.fixture(scope="module")
def records(city: list[tuple[SubjectBatch, RecordBatch]]) -> dict[str, np.ndarray]:
    fields = ("info_class", "category", "doc_number", "decision_date", "valid_from", "valid_to", "extra",
              "received_day", "department", "amount")
    found = {f: np.concatenate([getattr(r, f) for _, r in city]) for f in fields}
    found["subject"] = np.concatenate([s.ordinal[r.subject] for s, r in city])
    return found


def _plain(value: object) -> object:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _flat(batches: list[tuple[SubjectBatch, RecordBatch]]) -> str:
    """Everything generated, as text: equal texts mean byte-identical output."""
    return repr([[_plain(v) for v in (*vars(s).values(), *vars(r).values())] for s, r in batches])


def test_the_same_seed_and_sizes_give_the_same_city(catalogue: Catalogue) -> None:
    first = _flat(list(generate(catalogue, seed=3, subjects=BLOCK + 500, records=30_000, today=TODAY)))
    again = _flat(list(generate(catalogue, seed=3, subjects=BLOCK + 500, records=30_000, today=TODAY)))
    other = _flat(list(generate(catalogue, seed=4, subjects=BLOCK + 500, records=30_000, today=TODAY)))
    assert first == again
    assert first != other


def test_sizes_are_exact() -> None:
    assert sum(b.records for b in blocks(25_001, 123_457)) == 123_457
    assert sum(b.subjects for b in blocks(25_001, 123_457)) == 25_001
    assert sum(b.records for b in blocks(100)) == 500


def test_every_uscc_and_citizen_id_passes_python_stdnum(subjects: dict[str, np.ndarray]) -> None:
    organisations = [u for u in subjects["uscc"].tolist() if u is not None]
    persons = [c for c in subjects["citizen_id"].tolist() if c is not None]
    assert len(organisations) + len(persons) == SUBJECTS
    assert all(uscc.is_valid(u) for u in organisations)
    assert all(ric.is_valid(c) for c in persons)  # includes: the area code existed in the birth year
    assert all(uscc.is_valid(d.uscc) and d.uscc.startswith("11" + CITY_CODE) for d in DEPARTMENTS)


def test_citizen_ids_carry_a_yangzhou_area_code_of_their_birth_year(subjects: dict[str, np.ndarray]) -> None:
    for citizen_id in [c for c in subjects["citizen_id"].tolist() if c is not None][:3000]:
        year = int(citizen_id[6:10])
        assert any(citizen_id[:6] in area_codes_for_birth(d, year) for d in DISTRICTS)
    assert area_codes_for_birth(DISTRICTS[2], 2005) == ("321088",)  # 江都市 before 江都区 (2011)


def test_legacy_identifiers_are_valid_and_consistent(subjects: dict[str, np.ndarray]) -> None:
    for code, full in zip(subjects["organisation_code"].tolist(), subjects["uscc"].tolist(), strict=True):
        if code is not None:
            assert check_organisation_code(code)[1] is None and full[8:17] == code
    numbers = [n for n in subjects["registration_no"].tolist() if n is not None]
    assert numbers and all(check_registration_no(n)[1] is None for n in numbers)


def test_identifiers_are_unique(city: list[tuple[SubjectBatch, RecordBatch]]) -> None:
    pairs = [(t, v) for s, _ in city for _, t, v in subject_identifiers(s)]
    assert len(pairs) == len(set(pairs))


def test_organisations_are_registered_in_the_city(subjects: dict[str, np.ndarray]) -> None:
    prefixes = {"enterprise": {"91", "93"}, "individual_business": {"92"}, "institution": {"12"},
                "social_organisation": {"51", "52", "53"}}
    for kind, code, division in zip(subjects["kind"].tolist(), subjects["uscc"].tolist(),
                                    subjects["division"].tolist(), strict=True):
        if code is None:
            continue
        assert code[2:8] in ORGANISATION_DIVISIONS and code[2:8] == division
        assert code[:2] in prefixes[SUBJECT_TYPES[kind]]


def test_subject_mix_is_roughly_as_specified(subjects: dict[str, np.ndarray]) -> None:
    shares = np.bincount(subjects["kind"], minlength=5) / SUBJECTS
    assert np.allclose(shares, [0.45, 0.35, 0.17, 0.02, 0.01], atol=0.02)
    names = subjects["name"][subjects["kind"] != SUBJECT_TYPES.index("person")]
    assert len(set(names.tolist())) > 0.97 * len(names)  # organisation names are (nearly) unique


def test_most_subjects_are_clean_and_a_few_per_cent_dishonest(records: dict[str, np.ndarray]) -> None:
    warned = {s for s, c in zip(records["subject"].tolist(), records["info_class"].tolist(), strict=True)
              if c in WARNING_CLASSES}
    assert 0.03 <= len(warned) / SUBJECTS <= 0.05


def test_record_mix(records: dict[str, np.ndarray], subjects: dict[str, np.ndarray], catalogue: Catalogue) -> None:
    counts = Counter(records["info_class"].tolist())
    assert sum(counts.values()) == 5 * SUBJECTS
    assert set(counts) == set(make_plan(catalogue).classes)
    organisations = np.isin(subjects["kind"], [0, 1]).sum()
    assert counts["enterprise_registration"] == organisations
    assert counts.most_common(1)[0][0] == "administrative_license"
    penalties = records["category"][records["info_class"] == "administrative_penalty"].tolist()
    table = catalogue.code_tables["penalty_category"]
    assert set(penalties) == {v.code for v in table.values}  # every 处罚类别 occurs …
    assert (penalties.count("warning") + penalties.count("fine")) / len(penalties) > 0.75  # … mostly these
    fines = [float(a) for a, c in zip(records["amount"].tolist(), records["category"].tolist(), strict=True)
             if c == "fine"]
    assert 0.05 < float(np.median(fines)) < 2  # 万元: a few thousand yuan typically, a long tail
    assert max(fines) >= 10 * float(np.median(fines))


def test_dates_are_realistic(records: dict[str, np.ndarray]) -> None:
    decided = np.array([date.fromisoformat(d) for d in records["decision_date"].tolist()])
    assert decided.max() <= TODAY - timedelta(days=7)
    received = np.array([date(1970, 1, 1) + timedelta(days=int(d)) for d in records["received_day"].tolist()])
    assert (received >= decided).all() and (received < TODAY).all()
    for start, end in zip(records["valid_from"].tolist(), records["valid_to"].tolist(), strict=True):
        if start is not None and end is not None:
            assert start <= end
    later = decided[records["info_class"] != "enterprise_registration"]
    assert later.min() >= date(2016, 1, 1)


def test_document_numbers_are_unique_per_class_and_subject(records: dict[str, np.ndarray]) -> None:
    keys = [(c, s, d) for c, s, d in zip(records["info_class"].tolist(), records["subject"].tolist(),
                                         records["doc_number"].tolist(), strict=True) if d is not None]
    assert len(keys) == len(set(keys))
    penalties = [d for c, d in zip(records["info_class"].tolist(), records["doc_number"].tolist(), strict=True)
                 if c == "administrative_penalty"]
    assert all(d.endswith("号") and "〔20" in d for d in penalties)


def test_records_conform_to_the_catalogue(records: dict[str, np.ndarray], catalogue: Catalogue) -> None:
    for code, category, extra in zip(records["info_class"].tolist(), records["category"].tolist(),
                                     records["extra"].tolist(), strict=True):
        info = catalogue.classes[code]
        items = {i.code: i for i in info.items}
        assert set(json.loads(extra)) <= {i.code for i in info.items if not i.column}
        category_item = next((i for i in info.items if i.column == "category"), None)
        if category is not None and category_item is not None and category_item.type is ItemType.CODE:
            assert category in {v.code for v in catalogue.code_tables[category_item.code_table or ""].values}
        assert items


def test_a_sample_of_every_class_validates_and_links_to_its_subject(
        city: list[tuple[SubjectBatch, RecordBatch]], catalogue: Catalogue) -> None:
    subjects, batch = city[0]
    seen: Counter[str] = Counter()
    for i in range(len(batch)):
        code = batch.info_class[i]
        if seen[code] >= 150:
            continue
        seen[code] += 1
        info = catalogue.classes[code]
        raw = dict(json.loads(batch.extra[i]))
        for item in info.items:
            if item.column and getattr(batch, item.column)[i] is not None:
                raw[item.code] = getattr(batch, item.column)[i]
        checked = validate_values(info, raw, catalogue, TODAY)
        assert checked.ok, (code, [p.message for p in checked.problems])
        claim, problem = claim_subject(info, checked.values)
        assert problem is None and claim is not None
        subject = batch.subject[i]
        assert claim.subject_type.value == SUBJECT_TYPES[subjects.kind[subject]]
        assert claim.all_identifiers[0].value == subjects.canonical[subject]
    assert set(seen) == set(make_plan(catalogue).classes)


def test_some_enterprises_were_renamed(city: list[tuple[SubjectBatch, RecordBatch]]) -> None:
    subjects, _ = city[0]
    who, since, name, until = subjects.name_history()
    renamed = Counter(who.tolist())
    enterprises = int((subjects.kind == 0).sum())
    assert 0.04 * enterprises < sum(1 for n in renamed.values() if n > 1) < 0.15 * enterprises
    assert any(n == 3 for n in renamed.values())
    current = until < 0
    assert current.sum() == len(subjects) and (name[current] == subjects.name[who[current]]).all()
    assert len(set(zip(who.tolist(), since.tolist(), strict=True))) == len(who)  # (subject, valid_from) unique
