"""Use cases of the publication rules: what the public may see of a subject's records today, and why."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from xinyong.domain.catalogue import Catalogue
from xinyong.domain.publication import Decision, PublicationPolicy, decide, facts_of
from xinyong.domain.records import CreditRecord
from xinyong.services.records import info_class_or_error


def penalty_labels(catalogue: Catalogue) -> dict[str, str]:
    table = catalogue.code_tables.get("penalty_category")
    return {v.code: v.label for v in table.values} if table else {}


def decisions(catalogue: Catalogue, policy: PublicationPolicy, records: Iterable[CreditRecord],
              subject_is_person: bool, on: date) -> list[tuple[CreditRecord, Decision]]:
    """Each record of one subject with the rules' decision for ``on``."""
    labels = penalty_labels(catalogue)
    return [
        (record, decide(facts_of(record, info_class_or_error(catalogue, record.info_class), subject_is_person,
                                 labels), policy, on))
        for record in records
    ]


def public_records(catalogue: Catalogue, policy: PublicationPolicy, records: Iterable[CreditRecord],
                   subject_is_person: bool, on: date) -> list[tuple[CreditRecord, Decision]]:
    """Only what may be shown to the public on ``on`` (portal, public API, public reports)."""
    return [(r, d) for r, d in decisions(catalogue, policy, records, subject_is_person, on) if d.is_public]
