"""Publication rules (公示规则): whether a record may be shown to the public on a given day, and why.

The rules change by decree (2019, 2023, 2026; see ``rules/publication.yaml``), so they are data: a
``PublicationPolicy`` holds effective-dated ``RuleSet``s. The rule set that governs a record is the one
in force on the record's decision date: a later decree does not re-open or shorten a window already
decided (no retroactive effect). Windows run from the decision date; at the end of the maximum window
the record is withdrawn simply because ``decide`` is asked about a later day, so no job has to run.

Three answers: ``PUBLIC`` (portal, public API, public reports), ``RESTRICTED`` (kept and shared with
authorised departments, never shown publicly) and ``HIDDEN`` (superseded, revoked, repaired or expired:
shown only in the archive with its status).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

from xinyong.domain.catalogue import InfoClass
from xinyong.domain.dated import check_distinct_dates, in_force
from xinyong.domain.records import CreditRecord, Openness, RecordStatus, SharingLevel


class Visibility(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"
    HIDDEN = "hidden"

    @property
    def label(self) -> str:
        return {"public": "公示中", "restricted": "不公示（仅共享）", "hidden": "不公示"}[self.value]


class Severity(StrEnum):
    """How serious the dishonest conduct behind a penalty is (失信行为严重程度)."""

    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"
    SPECIFIC_SERIOUS = "specific_serious"

    @property
    def label(self) -> str:
        return {"minor": "轻微失信", "general": "一般失信", "serious": "严重失信",
                "specific_serious": "特定严重失信"}[self.value]


class PublicationKind(StrEnum):
    """The catalogue's ``publication_rule`` of an info class."""

    PUBLIC = "public"  # basic information, commitments: public while the record stands
    LICENCE = "licence"  # 双公示 licences: public from the decision
    PENALTY = "penalty"  # 双公示 penalties: windows by severity
    LIST = "list"  # list entries: public from entry until the validity ends
    RESTRICTED = "restricted"  # shared with departments only


@dataclass(frozen=True)
class Window:
    """How long a penalty of one severity is shown, in months from the decision date."""

    min_months: int
    max_months: int
    repairable: bool = True
    published: bool = True

    def longer(self, other: Window) -> Window:
        """The longer of two windows (a decision with several penalty types takes the longest)."""
        return Window(
            max(self.min_months, other.min_months),
            max(self.max_months, other.max_months),
            self.repairable and other.repairable,
            self.published or other.published,
        )


@dataclass(frozen=True)
class FieldRule:
    """A regulatory field (领域) recognised by words in the authority's name or the penalty's content."""

    code: str
    label: str
    authority_words: tuple[str, ...] = ()
    content_words: tuple[str, ...] = ()

    def matches(self, authority: str, content: str) -> bool:
        return any(w in authority for w in self.authority_words) or any(w in content for w in self.content_words)


@dataclass(frozen=True)
class RuleSet:
    """One decree's publication rules for penalties."""

    code: str
    name: str
    source: str
    effective_from: date
    windows: dict[Severity, Window]
    category_severity: dict[str, Severity]
    default_severity: Severity = Severity.GENERAL
    specific_serious_categories: frozenset[str] = frozenset()
    specific_serious_fields: frozenset[str] = frozenset()
    specific_serious_conduct: tuple[str, ...] = ()
    min_months_by_field: dict[str, int] = field(default_factory=dict)

    def window(self, severity: Severity) -> Window:
        if severity in self.windows:
            return self.windows[severity]
        # A decree that knows no "minor" or "specific serious" grade treats them as its nearest one.
        fallback = {Severity.MINOR: Severity.GENERAL, Severity.SPECIFIC_SERIOUS: Severity.SERIOUS}
        return self.window(fallback[severity]) if severity in fallback else self.windows[Severity.GENERAL]


@dataclass(frozen=True)
class PublicationPolicy:
    rule_sets: tuple[RuleSet, ...]
    fields: tuple[FieldRule, ...] = ()

    def __post_init__(self) -> None:
        check_distinct_dates(self.rule_sets, "公示规则", "publication rule set")

    def rule_for(self, day: date) -> RuleSet:
        """The rule set in force on ``day`` (the earliest one for days before any took effect)."""
        return in_force(self.rule_sets, day)

    def fields_of(self, authority: str, content: str) -> frozenset[str]:
        return frozenset(f.code for f in self.fields if f.matches(authority, content))


@dataclass(frozen=True)
class PublicationFacts:
    """What the rules look at; built from a record, its info class and its subject."""

    kind: PublicationKind
    status: RecordStatus
    openness: Openness
    sharing: SharingLevel
    subject_is_person: bool
    decision_date: date | None = None
    valid_to: date | None = None
    categories: frozenset[str] = frozenset()
    amount: Decimal | None = None
    authority_name: str = ""
    content: str = ""


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    message_en: str


@dataclass(frozen=True)
class Decision:
    visibility: Visibility
    reasons: tuple[Reason, ...]
    shared: bool
    rule_set: RuleSet | None = None
    severity: Severity | None = None
    public_from: date | None = None
    public_until: date | None = None  # last day shown
    repairable: bool | None = None
    repair_from: date | None = None  # first day a repair may take the record down

    @property
    def is_public(self) -> bool:
        return self.visibility is Visibility.PUBLIC


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def categories_in(text: str, labels: dict[str, str]) -> frozenset[str]:
    """Penalty types named in a decision's content (``labels``: code → label, e.g. 罚款)."""
    return frozenset(code for code, label in labels.items() if label and label in text)


def facts_of(record: CreditRecord, info: InfoClass, subject_is_person: bool,
             penalty_labels: dict[str, str]) -> PublicationFacts:
    """The facts the rules need about ``record`` (``penalty_labels``: the 处罚类别 code table, code → label)."""
    core = record.core
    content = str(core.get("content") or "")
    categories = frozenset(c for c in (core.get("category"),) if c)
    if info.publication_rule == PublicationKind.PENALTY:
        categories |= categories_in(content, penalty_labels)
    return PublicationFacts(
        kind=PublicationKind(info.publication_rule),
        status=record.status,
        openness=record.openness,
        sharing=record.sharing,
        subject_is_person=subject_is_person,
        decision_date=core.get("decision_date"),
        valid_to=core.get("valid_to"),
        categories=categories,
        amount=core.get("amount"),
        authority_name=str(core.get("authority_name") or ""),
        content=content,
    )


def classify_penalty(facts: PublicationFacts, rule: RuleSet, fields: Iterable[str]) -> tuple[Severity, Window]:
    """The severity of a penalty and its window: each penalty type's window, the longest one winning."""
    fields = frozenset(fields)
    categories = facts.categories or frozenset({"other"})
    conduct = any(word in facts.content for word in rule.specific_serious_conduct)
    specific = bool(categories & rule.specific_serious_categories) and (
        bool(fields & rule.specific_serious_fields) or conduct
    )
    order = list(Severity)
    severity = Severity.SPECIFIC_SERIOUS if specific else max(
        (rule.category_severity.get(c, rule.default_severity) for c in categories), key=order.index
    )
    window = rule.window(severity)
    for category in categories:
        window = window.longer(rule.window(rule.category_severity.get(category, rule.default_severity)))
    field_minimum = max((rule.min_months_by_field.get(f, 0) for f in fields), default=0)
    if field_minimum > window.min_months:
        window = Window(field_minimum, max(window.max_months, field_minimum), window.repairable, window.published)
    return severity, window


_STATUS_REASONS = {
    RecordStatus.CORRECTED: ("publication.superseded", "已被更正后的新版本取代", "superseded by a corrected version"),
    RecordStatus.REVOKED: ("publication.revoked", "记录已撤销", "the record was revoked"),
    RecordStatus.REPAIRED: ("publication.repaired", "已完成信用修复，停止公示和共享",
                            "credit repaired: no longer published or shared"),
    RecordStatus.EXPIRED: ("publication.expired", "记录已到期", "the record has expired"),
}


def decide(facts: PublicationFacts, policy: PublicationPolicy, on: date) -> Decision:
    """Whether the record described by ``facts`` is public on ``on``, and why."""
    shared = facts.status is RecordStatus.ACTIVE and facts.sharing is not SharingLevel.NONE
    if facts.status is not RecordStatus.ACTIVE:
        return Decision(Visibility.HIDDEN, (Reason(*_STATUS_REASONS[facts.status]),), shared=False)
    if facts.kind is PublicationKind.PENALTY:
        return _decide_penalty(facts, policy, on, shared)
    reasons: list[Reason] = []
    visibility = Visibility.PUBLIC
    public_from = facts.decision_date
    public_until: date | None = None
    if facts.kind is PublicationKind.RESTRICTED:
        visibility = Visibility.RESTRICTED
        reasons.append(Reason("publication.restricted_class", "该类信息仅在部门间共享，不向社会公示",
                              "this class of information is shared with departments only"))
    elif facts.kind is PublicationKind.LIST and facts.valid_to is not None:
        public_until = facts.valid_to
        if on > facts.valid_to:
            visibility = Visibility.HIDDEN
            reasons.append(Reason("publication.list_ended", f"名单有效期已于{facts.valid_to:%Y-%m-%d}届满",
                                  f"the list entry ended on {facts.valid_to:%Y-%m-%d}"))
    if visibility is Visibility.PUBLIC and public_from is not None and on < public_from:
        visibility = Visibility.HIDDEN
        reasons.append(Reason("publication.not_yet", "尚未到公示开始日期", "not yet due for publication"))
    visibility = _openness(facts, visibility, reasons)
    if visibility is Visibility.PUBLIC:
        reasons.append(Reason("publication.public", "依规公示", "published under the rules"))
    return Decision(visibility, tuple(reasons), shared, public_from=public_from, public_until=public_until)


def _openness(facts: PublicationFacts, visibility: Visibility, reasons: list[Reason]) -> Visibility:
    if visibility is not Visibility.PUBLIC:
        return visibility
    if facts.openness is not Openness.PUBLIC:
        reasons.append(Reason("publication.openness", f"公开属性为“{facts.openness.label}”",
                              f"the record's openness is {facts.openness.value}"))
        return Visibility.RESTRICTED
    return visibility


def _decide_penalty(facts: PublicationFacts, policy: PublicationPolicy, on: date, shared: bool) -> Decision:
    if facts.decision_date is None:
        reason = Reason("publication.no_decision_date", "缺少处罚决定日期，无法确定公示期限",
                        "no decision date: the publication window cannot be set")
        return Decision(Visibility.RESTRICTED, (reason,), shared)
    rule = policy.rule_for(facts.decision_date)
    severity, window = classify_penalty(facts, rule, policy.fields_of(facts.authority_name, facts.content))
    start = facts.decision_date
    end = add_months(start, window.max_months)  # first day no longer shown
    until = date.fromordinal(end.toordinal() - 1)
    repair_from = add_months(start, window.min_months)
    template = Decision(Visibility.HIDDEN, (), shared, rule, severity, start, until, window.repairable,
                        repair_from if window.repairable else None)
    reasons: list[Reason] = [Reason(
        "publication.rule", f"适用{rule.name}（{rule.source}），{severity.label}，公示{_months(window)}",
        f"{rule.code}: {severity.value}, shown {window.min_months}-{window.max_months} months")]
    if facts.subject_is_person:
        reasons.append(Reason("publication.person_penalty", "自然人行政处罚信息不向社会公示",
                              "penalties of natural persons are never published"))
        return replace(template, visibility=Visibility.RESTRICTED, reasons=tuple(reasons))
    if not window.published:
        reasons.append(Reason("publication.minor", "轻微失信行为的行政处罚信息原则上不公示",
                              "penalties for minor dishonesty are not published"))
        return replace(template, visibility=Visibility.RESTRICTED, reasons=tuple(reasons))
    if on < start:
        reasons.append(Reason("publication.not_yet", "尚未到公示开始日期", "not yet due for publication"))
        return replace(template, reasons=tuple(reasons))
    if on >= end:
        reasons.append(Reason("publication.window_ended", f"公示期已于{until:%Y-%m-%d}届满，自动撤下",
                              f"the publication window ended on {until:%Y-%m-%d}; withdrawn automatically"))
        return replace(template, reasons=tuple(reasons))
    visibility = _openness(facts, Visibility.PUBLIC, reasons)
    if visibility is Visibility.PUBLIC:
        reasons.append(Reason("publication.public", f"公示至{until:%Y-%m-%d}", f"shown until {until:%Y-%m-%d}"))
    if not window.repairable:
        reasons.append(Reason("publication.not_repairable", "属于特定严重失信行为，公示期内不予修复",
                              "specific serious dishonesty: cannot be repaired during the window"))
    return replace(template, visibility=visibility, reasons=tuple(reasons))


def _months(window: Window) -> str:
    def text(months: int) -> str:
        return f"{months // 12}年" if months % 12 == 0 and months >= 12 else f"{months}个月"
    if window.min_months == window.max_months:
        return text(window.max_months)
    return f"最短{text(window.min_months)}、最长{text(window.max_months)}"
