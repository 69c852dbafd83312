"""Batch credit review (信用审查): a department's list of names and/or USCCs checked for one matter.

Pure rules: which input row is which subject (by USCC, then by exact name, else candidates for a person
to resolve), which of a subject's records are hits for the matter (list memberships, penalties in the
matter's look-back window, other warning information), and the summary. The look-ups themselves are
the service's job (``services/reviews.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from xinyong.domain.identifiers import check_uscc, normalize
from xinyong.domain.publication import Decision, Visibility, add_months
from xinyong.domain.records import Classification, CreditRecord
from xinyong.errors import InvalidInput

MAX_ROWS = 50_000
NAME_HEADERS = ("名称", "企业名称", "主体名称", "单位名称", "组织名称", "name")
USCC_HEADERS = ("统一社会信用代码", "信用代码", "社会信用代码", "uscc")


@dataclass(frozen=True)
class Matter:
    """A government matter (事项) reviewed for: its look-back window and the classes that count as hits."""

    code: str
    name: str
    lookback_months: int
    description: str = ""
    penalty_classes: tuple[str, ...] = ()
    list_classes: tuple[str, ...] = ()
    other_classes: tuple[str, ...] = ()

    @property
    def classes(self) -> tuple[str, ...]:
        return self.penalty_classes + self.list_classes + self.other_classes

    def window_from(self, today: date) -> date:
        return add_months(today, -self.lookback_months)


@dataclass(frozen=True)
class ReportRules:
    issuer: str
    validity_days: int
    verify_base_url: str
    auto_approve_verified: bool = False


@dataclass(frozen=True)
class ReviewRules:
    report: ReportRules
    list_classes: tuple[str, ...]
    matters: dict[str, Matter]

    def matter(self, code: str) -> Matter:
        if code not in self.matters:
            names = "、".join(f"{m.code}（{m.name}）" for m in self.matters.values())
            raise InvalidInput(f"未知的审查事项“{code}”，可选：{names}", f"unknown matter {code}",
                               code="review.matter", field="matter")
        return self.matters[code]


class MatchStatus(StrEnum):
    MATCHED = "matched"
    AMBIGUOUS = "ambiguous"
    UNMATCHED = "unmatched"

    @property
    def label(self) -> str:
        return {"matched": "已匹配", "ambiguous": "有多个可能，需人工确认", "unmatched": "未找到"}[self.value]


@dataclass(frozen=True)
class ReviewInput:
    row: int
    name: str
    uscc: str | None
    problem: str | None = None  # e.g. a USCC whose check character is wrong


@dataclass(frozen=True)
class Candidate:
    subject_id: int
    name: str
    score: float


@dataclass
class Match:
    input: ReviewInput
    status: MatchStatus
    subject_id: int | None = None
    subject_name: str | None = None
    by: str | None = None  # uscc | name
    note: str | None = None
    candidates: list[Candidate] = field(default_factory=list)


def _column(headers: Sequence[str], wanted: tuple[str, ...]) -> int | None:
    keys = [h.strip().lower() for h in headers]
    for name in wanted:
        if name.lower() in keys:
            return keys.index(name.lower())
    return None


def parse_inputs(headers: Sequence[str], rows: Sequence[tuple[int, Sequence[str | None]]]) -> list[ReviewInput]:
    """The review list's rows: a name column and/or a USCC column, recognised by their headers."""
    name_at, uscc_at = _column(headers, NAME_HEADERS), _column(headers, USCC_HEADERS)
    if name_at is None and uscc_at is None:
        raise InvalidInput("名单须有“名称”或“统一社会信用代码”列", "the list needs a name or a USCC column",
                           code="review.columns", field="file")
    found: list[ReviewInput] = []
    for number, cells in rows:
        name = (cells[name_at] or "").strip() if name_at is not None and name_at < len(cells) else ""
        raw = (cells[uscc_at] or "").strip() if uscc_at is not None and uscc_at < len(cells) else ""
        if not name and not raw:
            continue
        uscc, problem = None, None
        if raw:
            value, issue = check_uscc(raw)
            uscc, problem = (normalize(raw), issue.message) if issue else (value, None)
        found.append(ReviewInput(number, name, uscc, problem))
    if not found:
        raise InvalidInput("名单中没有可审查的行", "the list has no rows to review", code="review.empty", field="file")
    if len(found) > MAX_ROWS:
        raise InvalidInput(f"单次审查不超过 {MAX_ROWS} 个主体，请拆分", f"at most {MAX_ROWS} subjects per review",
                           code="review.too_many", field="file")
    return found


def match_inputs(inputs: Sequence[ReviewInput], by_uscc: Mapping[str, tuple[int, str]],
                 by_name: Mapping[str, list[int]], names: Mapping[int, str],
                 fuzzy: Callable[[str], list[Candidate]]) -> list[Match]:
    """Each input row's subject: by USCC first (a different name is noted), then by exact current name
    (one subject: matched; several: ambiguous), else the closest names as candidates for a person."""
    matches: list[Match] = []
    for item in inputs:
        if item.uscc and item.problem is None and item.uscc in by_uscc:
            subject_id, name = by_uscc[item.uscc]
            note = f"名单名称“{item.name}”与登记名称不一致" if item.name and item.name != name else None
            matches.append(Match(item, MatchStatus.MATCHED, subject_id, name, "uscc", note))
            continue
        note = item.problem or (f"统一社会信用代码 {item.uscc} 未找到" if item.uscc else None)
        ids = by_name.get(item.name, []) if item.name else []
        if len(ids) == 1:
            matches.append(Match(item, MatchStatus.MATCHED, ids[0], names[ids[0]], "name", note))
        elif ids:
            matches.append(Match(item, MatchStatus.AMBIGUOUS, note=note or "同名主体有多个",
                                 candidates=[Candidate(i, names[i], 100.0) for i in ids]))
        else:
            candidates = fuzzy(item.name) if item.name else []
            status = MatchStatus.AMBIGUOUS if candidates else MatchStatus.UNMATCHED
            matches.append(Match(item, status, note=note, candidates=candidates))
    return matches


class HitKind(StrEnum):
    LIST = "list"
    PENALTY = "penalty"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"list": "名单", "penalty": "行政处罚", "other": "其他失信信息"}[self.value]


@dataclass(frozen=True)
class Hit:
    kind: HitKind
    info_class: str
    class_name: str
    negative: bool
    doc_number: str
    decision_date: date | None
    authority: str
    content: str
    visibility: Visibility

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "info_class": self.info_class, "class_name": self.class_name,
                "negative": self.negative, "doc_number": self.doc_number,
                "decision_date": self.decision_date.isoformat() if self.decision_date else None,
                "authority": self.authority, "content": self.content, "visibility": self.visibility.value}


def hits_of(matter: Matter, decided: Sequence[tuple[CreditRecord, Decision]], class_names: Mapping[str, str],
            today: date) -> list[Hit]:
    """A subject's hits for ``matter``: records not hidden by the rules (a review is a department's use,
    so restricted records count), penalties only when decided within the look-back window."""
    window_from = matter.window_from(today)
    hits: list[Hit] = []
    for record, decision in decided:
        if decision.visibility is Visibility.HIDDEN or record.info_class not in matter.classes:
            continue
        if record.info_class in matter.penalty_classes:
            if record.decision_date is None or record.decision_date < window_from:
                continue
            kind = HitKind.PENALTY
        elif record.info_class in matter.list_classes:
            kind = HitKind.LIST
        else:
            kind = HitKind.OTHER
        core = record.core
        hits.append(Hit(kind, record.info_class, class_names.get(record.info_class, record.info_class),
                        record.classification in (Classification.WARNING, Classification.HINT),
                        str(core.get("doc_number") or ""), record.decision_date,
                        str(core.get("authority_name") or ""), str(core.get("content") or "")[:200],
                        decision.visibility))
    hits.sort(key=lambda h: (list(HitKind).index(h.kind), h.decision_date or date.min), reverse=False)
    return hits


@dataclass
class Summary:
    rows: int
    matched: int  # rows
    subjects: int  # distinct subjects matched
    ambiguous: int
    unmatched: int
    with_hits: int
    with_negative: int
    by_kind: dict[str, int]

    @property
    def negative_share(self) -> float:
        """Share of matched subjects with at least one negative (dishonest) hit, in percent."""
        return round(100.0 * self.with_negative / self.subjects, 1) if self.subjects else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "matched": self.matched, "subjects": self.subjects, "ambiguous": self.ambiguous,
                "unmatched": self.unmatched, "with_hits": self.with_hits, "with_negative": self.with_negative,
                "negative_share": self.negative_share, "by_kind": self.by_kind}


def summarise(matches: Sequence[Match], hits: Mapping[int, list[Hit]]) -> Summary:
    matched = [m for m in matches if m.status is MatchStatus.MATCHED]
    subjects = {m.subject_id for m in matched}
    by_kind: dict[str, int] = {k.value: 0 for k in HitKind}
    for subject_id in subjects:
        for kind in {h.kind.value for h in hits.get(subject_id or 0, [])}:
            by_kind[kind] += 1
    return Summary(
        rows=len(matches), matched=len(matched), subjects=len(subjects),
        ambiguous=sum(m.status is MatchStatus.AMBIGUOUS for m in matches),
        unmatched=sum(m.status is MatchStatus.UNMATCHED for m in matches),
        with_hits=sum(1 for s in subjects if hits.get(s or 0)),
        with_negative=sum(1 for s in subjects if any(h.negative for h in hits.get(s or 0, []))),
        by_kind=by_kind,
    )
