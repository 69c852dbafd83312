"""Use cases of the publication rules: what the public may see of a subject's records today, and why;
and the stored windows (``record_publication``) that listings of millions of records query instead of
asking the rules record by record."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from xinyong.adapters.repositories.publication import PUBLICATION_COLUMNS, PublicationRepository
from xinyong.domain.audit import AuditEvent
from xinyong.domain.catalogue import Catalogue, InfoClass
from xinyong.domain.publication import (
    Decision,
    PublicationFacts,
    PublicationKind,
    PublicationPolicy,
    add_months,
    decide,
    facts_of,
)
from xinyong.domain.records import CORE_COLUMNS, CreditRecord, Openness, Provenance, RecordStatus
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


    def windows(self, info: InfoClass, records: pl.DataFrame) -> pl.DataFrame:
        """``window`` for many new records of one class at once, as rows of ``record_publication``.

        ``records``: subject_id, id, department_id, subject_type, status, openness and the core columns.
        Rows that agree on everything ``window`` groups by (for penalties: the rule set in force on the
        decision date, the subject being a person, category, authority and content; otherwise which dates
        are given and their order) get the answer ``window`` gives for the group's first row, their own
        dates following in months with polars' calendar arithmetic (which clamps to the month's end like
        ``add_months``); so the Python rules run once per group, not once per record."""
        rows = records.filter((pl.col("status") == RecordStatus.ACTIVE.value)
                              & (pl.col("openness") == Openness.PUBLIC.value))
        if rows.height == 0:
            return pl.DataFrame(schema=_WINDOW_SCHEMA)
        people = {kind: SubjectType(kind).is_person for kind in rows["subject_type"].unique().to_list()}
        penalty = info.publication_rule == PublicationKind.PENALTY
        rules = ({day: self.policy.rule_for(day).code for day in rows["decision_date"].drop_nulls().unique().to_list()}
                 if penalty else {})
        start, end = pl.col("decision_date"), pl.col("valid_to")
        keyed = rows.with_columns(
            pl.col("subject_type").replace_strict(people, return_dtype=pl.Boolean).alias("_person"),
            start.replace_strict(rules, default=None, return_dtype=pl.String).alias("_rule"),
            start.is_null().alias("_no_start"), end.is_null().alias("_no_end"),
            (end < start).fill_null(False).alias("_ends_before"),
        )
        key = ["_person", "_rule", "_no_start", "_no_end", "_ends_before"]
        if penalty:
            key += ["category", "authority_name", "content"]
        firsts = keyed.group_by(key, maintain_order=True).first()
        terms: dict[str, list[Any]] = {name: [] for name in _TERMS}
        for row in firsts.iter_rows(named=True):
            for name, value in zip(_TERMS, self._terms(info, row), strict=True):
                terms[name].append(value)
        grouped = firsts.select(key).with_columns(pl.DataFrame(terms, schema=_TERMS))
        joined = keyed.join(grouped, on=key, how="left", nulls_equal=True, maintain_order="left")
        return joined.filter("_public").select(
            "subject_id", pl.col("id").alias("record_id"), pl.lit(info.code).alias("info_class"), "department_id",
            "subject_type", "decision_date", "category", start.alias("public_from"),
            pl.when(pl.col("_months").is_not_null())
            .then(start.dt.offset_by(pl.format("{}mo", "_months")).dt.offset_by("-1d"))
            .when("_bounded").then(end).alias("public_until"),
            pl.col("_severity").alias("severity"), pl.col("_repairable").alias("repairable"),
            pl.when(pl.col("_repair").is_not_null()).then(start.dt.offset_by(pl.format("{}mo", "_repair")))
            .alias("repair_from"),
            pl.col("_rule_set").alias("rule_set"),
        ).cast(_WINDOW_SCHEMA)  # type: ignore[arg-type]

    def _terms(self, info: InfoClass, row: dict[str, Any]) -> tuple[Any, ...]:
        """What a group's first row says for the whole group: public or not; for penalties the window's
        length and the repair delay in months, otherwise whether the validity bounds it."""
        core = {c: row[c] for c in CORE_COLUMNS if row.get(c) is not None}
        record = CreditRecord(id=row["id"], subject_id=row["subject_id"], info_class=info.code,
                              classification=info.classification, department_id=row["department_id"],
                              sharing=info.default_sharing, openness=Openness.PUBLIC, provenance=_NO_PROVENANCE,
                              status=RecordStatus.ACTIVE, core=core)
        window = self.window(record, row["_person"])
        if window is None:
            return False, None, None, False, None, None, None
        start = core.get("decision_date")
        if window.rule_set is not None and start is not None and window.public_until is not None:
            months = _months_between(start, window.public_until + timedelta(days=1))
            repair = _months_between(start, window.repair_from) if window.repair_from else None
            return True, months, repair, False, window.severity, window.repairable, window.rule_set
        return True, None, None, window.public_until is not None, None, None, None


_TERMS = {"_public": pl.Boolean, "_months": pl.Int64, "_repair": pl.Int64, "_bounded": pl.Boolean,
          "_severity": pl.String, "_repairable": pl.Boolean, "_rule_set": pl.String}
_WINDOW_SCHEMA = {"subject_id": pl.Int64, "record_id": pl.Int64, "info_class": pl.String, "department_id": pl.Int64,
                  "subject_type": pl.String, "decision_date": pl.Date, "category": pl.String,
                  "public_from": pl.Date, "public_until": pl.Date, "severity": pl.String,
                  "repairable": pl.Boolean, "repair_from": pl.Date, "rule_set": pl.String}
_NO_PROVENANCE = Provenance(received_at=datetime(1970, 1, 1, tzinfo=UTC), channel="")


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
                        subject_ids: Sequence[int] | None = None, everything: bool = False) -> int:
    """Recompute the stored publication windows of some subjects' records (all versions, so a corrected
    version's window goes), or of everything (chunk by chunk, and the rules' digest is stored). Runs
    inside the caller's transaction; returns the number of windows written. (A batch stores the windows
    of what it writes itself: ``store_new_windows``.)"""
    policy = policy or uow.publication or default_policy()
    repository = PublicationRepository(uow.connection)
    calculator = WindowCalculator(catalogue, policy)
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


def calculator(uow: UnitOfWork, catalogue: Catalogue) -> WindowCalculator:
    """The calculator for the rules in force (the platform's, or the defaults)."""
    return WindowCalculator(catalogue, uow.publication or default_policy())


def store_new_windows(uow: UnitOfWork, calculator: WindowCalculator, info: InfoClass, department_id: int,
                      current: pl.DataFrame, types: pl.DataFrame, replaced: pl.DataFrame) -> int:
    """The windows of records a batch has just written (``current``: subject_id, id and the core columns
    of the current versions among them; ``types``: the subjects' types), and none any more for the
    versions they replaced: what ``refresh_publication`` of the batch's subjects stores, without reading
    their records back (windows depend on the record and its subject's type only)."""
    repository = PublicationRepository(uow.connection)
    repository.remove_many(replaced)
    if current.height == 0:
        return 0
    windows = calculator.windows(info, current.join(types, on="subject_id").with_columns(
        pl.lit(department_id, pl.Int64).alias("department_id"), pl.lit(RecordStatus.ACTIVE.value).alias("status"),
        pl.lit(info.default_openness.value).alias("openness")))
    return repository.write_frame(windows)


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
