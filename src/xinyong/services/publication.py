"""Use cases of the publication rules: what the public may see of a subject's records today, and why;
and the stored windows (``record_publication``) that listings of millions of records query instead of
asking the rules record by record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from xinyong.adapters.repositories.publication import PUBLICATION_COLUMNS, PublicationRepository
from xinyong.domain.audit import AuditEvent
from xinyong.domain.catalogue import Catalogue
from xinyong.domain.publication import (
    Decision,
    PublicationFacts,
    PublicationKind,
    PublicationPolicy,
    add_months,
    decide,
    facts_of,
)
from xinyong.domain.records import CreditRecord, RecordStatus
from xinyong.domain.subjects import SubjectType
from xinyong.rules.publication_files import default_policy
from xinyong.services import records as record_service
from xinyong.services.unit_of_work import UnitOfWork


def penalty_labels(catalogue: Catalogue) -> dict[str, str]:
    table = catalogue.code_tables.get("penalty_category")
    return {v.code: v.label for v in table.values} if table else {}


def decisions(catalogue: Catalogue, policy: PublicationPolicy, records: Iterable[CreditRecord],
              subject_is_person: bool, on: date) -> list[tuple[CreditRecord, Decision]]:
    """Each record of one subject with the rules' decision for ``on``."""
    labels = penalty_labels(catalogue)
    return [
        (record, decide(facts_of(record, record_service.info_class_or_error(catalogue, record.info_class),
                                 subject_is_person, labels), policy, on))
        for record in records
    ]


def public_records(catalogue: Catalogue, policy: PublicationPolicy, records: Iterable[CreditRecord],
                   subject_is_person: bool, on: date) -> list[tuple[CreditRecord, Decision]]:
    """Only what may be shown to the public on ``on`` (portal, public API, public reports)."""
    return [(r, d) for r, d in decisions(catalogue, policy, records, subject_is_person, on) if d.is_public]


# --- Stored windows: what listings of millions of records query --------------------------------------

STATE_NAME = "publication"
REFRESH_SUBJECTS = 20_000  # subjects per chunk when everything is recomputed
_PROBE = date(2000, 1, 1)  # any day: a record without dates is public on every day or on none


@dataclass(frozen=True)
class Window:
    """The days on which the rules say PUBLIC (``None``: unbounded), with the penalty's grading."""

    public_from: date | None
    public_until: date | None
    severity: str | None = None
    repairable: bool | None = None
    repair_from: date | None = None
    rule_set: str | None = None


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


class WindowCalculator:
    """``decide`` for many records at once. A record is public exactly on the days of one window (the
    rules' answer changes with the day only at its ends), so the window is read off one decision, taken on
    a day inside it (``tests/integration/test_publication_listing`` compares the result with ``decide``
    day by day). Penalties with the same facts apart from their decision date, under the same rule
    set, share severity and window lengths in months, so ``decide`` runs once per such group and the
    dates follow with the engine's own ``add_months``."""

    def __init__(self, catalogue: Catalogue, policy: PublicationPolicy) -> None:
        self.catalogue = catalogue
        self.policy = policy
        self.labels = penalty_labels(catalogue)
        self._penalties: dict[tuple[Any, ...], tuple[int, int | None, Decision] | None] = {}
        self._others: dict[tuple[Any, ...], tuple[bool, bool]] = {}

    def window(self, record: CreditRecord, subject_is_person: bool) -> Window | None:
        info = self.catalogue.info_class(record.info_class)
        if info is None:
            return None
        facts = facts_of(record, info, subject_is_person, self.labels)
        if facts.kind is PublicationKind.PENALTY and facts.decision_date is not None:
            return self._penalty(facts)
        # Other classes: public from the decision date and, for list entries, until the validity ends; the
        # answer depends on the dates only through which are given and whether the validity ends before
        # the decision, so ``decide`` runs once per such group.
        start, end = facts.decision_date, facts.valid_to
        key = (facts.kind, facts.status, facts.openness, facts.subject_is_person, start is None, end is None,
               start is not None and end is not None and end < start)
        if key not in self._others:
            decision = decide(facts, self.policy, start or end or _PROBE)
            self._others[key] = (decision.is_public, decision.public_until is not None)
        public, bounded = self._others[key]
        return Window(start, end if bounded else None) if public else None

    def _penalty(self, facts: PublicationFacts) -> Window | None:
        start = facts.decision_date
        assert start is not None
        rule = self.policy.rule_for(start)
        key = (rule.code, facts.status, facts.openness, facts.subject_is_person, facts.categories,
               facts.authority_name, facts.content)
        if key not in self._penalties:
            decision = decide(facts, self.policy, start)
            if not decision.is_public or decision.public_until is None:
                self._penalties[key] = None
            else:
                end = date.fromordinal(decision.public_until.toordinal() + 1)
                repair = _months_between(start, decision.repair_from) if decision.repair_from else None
                self._penalties[key] = (_months_between(start, end), repair, decision)
        known = self._penalties[key]
        if known is None:
            return None
        months, repair, decision = known
        until = date.fromordinal(add_months(start, months).toordinal() - 1)
        return Window(start, until, decision.severity.value if decision.severity else None, decision.repairable,
                      add_months(start, repair) if repair is not None else None, rule.code)


def policy_digest(catalogue: Catalogue, policy: PublicationPolicy) -> str:
    """What the stored windows depend on: the rule sets, and each class's publication rule and penalty types."""
    def plain(value: Any) -> Any:
        if isinstance(value, frozenset | set):
            return sorted(plain(v) for v in value)
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value if isinstance(value, str | int | bool | None) else str(value)

    content = {
        "rules": plain(asdict(policy)),
        "classes": {code: info.publication_rule for code, info in sorted(catalogue.classes.items())},
        "penalty_labels": plain(penalty_labels(catalogue)),
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _write_windows(repository: PublicationRepository, calculator: WindowCalculator, rows: list[Any],
                   types: dict[int, str]) -> int:
    columns: list[list[Any]] = [[] for _ in PUBLICATION_COLUMNS]
    for row in rows:
        record = repository.source_record(row)
        subject_type = types[record.subject_id]
        window = calculator.window(record, SubjectType(subject_type).is_person)
        if window is None:
            continue
        values = (record.subject_id, record.id, record.info_class, record.department_id, subject_type,
                  _iso(record.decision_date), record.core.get("category"), _iso(window.public_from),
                  _iso(window.public_until), window.severity, window.repairable, _iso(window.repair_from),
                  window.rule_set)
        for column, value in zip(columns, values, strict=True):
            column.append(value)
    return repository.write(columns) if columns[0] else 0


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def refresh_publication(uow: UnitOfWork, catalogue: Catalogue, policy: PublicationPolicy | None = None, *,
                        subject_ids: Sequence[int] | None = None, batch_id: int | None = None,
                        everything: bool = False) -> int:
    """Recompute the stored publication windows of some subjects' records (all versions, so a corrected
    version's window goes), of the subjects a batch wrote to, or of everything (chunk by chunk, and the
    rules' digest is stored). Runs inside the caller's transaction; returns the number of windows written."""
    policy = policy or uow.publication or default_policy()
    repository = PublicationRepository(uow.connection)
    calculator = WindowCalculator(catalogue, policy)
    if batch_id is not None:
        subject_ids = repository.subjects_of_batch(batch_id)
    if not everything:
        written = 0
        wanted = list(subject_ids or ())
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start:start + 1000]
            repository.clear(subject_ids=chunk)
            rows, types = repository.source_rows(subject_ids=chunk)
            written += _write_windows(repository, calculator, rows, types)
        return written
    repository.clear()
    written, last = 0, None
    while True:
        rows, types = repository.source_rows(after_subject=last, subject_limit=REFRESH_SUBJECTS)
        if not types:
            break
        written += _write_windows(repository, calculator, rows, types)
        last = max(types)
    repository.set_digest(STATE_NAME, policy_digest(catalogue, policy), uow.clock.now())
    uow.audit(AuditEvent("publication.refresh", "platform", None, detail={"windows": written}))
    return written


def withdraw_if_hidden(uow: UnitOfWork, record: CreditRecord) -> None:
    """A record that is no longer active (revoked, repaired, expired, corrected) is hidden on every day:
    its stored window goes at once, in the same transaction as the status change."""
    if record.status is not RecordStatus.ACTIVE:
        PublicationRepository(uow.connection).remove(record.subject_id, record.id)


def publication_is_current(uow: UnitOfWork, catalogue: Catalogue, policy: PublicationPolicy) -> bool:
    return PublicationRepository(uow.connection).digest(STATE_NAME) == policy_digest(catalogue, policy)


def ensure_current(uow: UnitOfWork, catalogue: Catalogue, policy: PublicationPolicy) -> int | None:
    """Recompute every window when the rules or the catalogue changed since the last full refresh;
    returns the windows written, or ``None`` when they were current. Commits."""
    if publication_is_current(uow, catalogue, policy):
        return None
    written = refresh_publication(uow, catalogue, policy, everything=True)
    uow.commit()
    return written
