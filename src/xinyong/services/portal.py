"""What the public portal and the public API show. Everything here passes the publication rules:
a subject's page and the listings read the windows the rules stored (``record_publication``, what
``domain/publication.decide`` answered on every write), so a page and a listing always agree, and
natural persons never appear. Personal data inside a
company's records (a legal representative's name and ID) is masked."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz, process

from xinyong.adapters.exports import write_csv
from xinyong.adapters.repositories.names import search_names, subject_rows
from xinyong.adapters.repositories.publication import Listed, ListingFilter, PublicationRepository
from xinyong.domain.catalogue import Catalogue, InfoClass, ItemRole, ItemType
from xinyong.domain.identifiers import PERSONAL_ID_TYPES, guess_id_type, normalize
from xinyong.domain.masking import mask_identifier, mask_name
from xinyong.domain.names import key_grams, name_key
from xinyong.domain.publication import Severity
from xinyong.domain.records import CreditRecord
from xinyong.domain.subjects import Subject
from xinyong.errors import InvalidInput, NotFound
from xinyong.services.unit_of_work import UnitOfWork

SEARCH_LIMIT = 20
SEARCH_CANDIDATES = 300
FUZZY_CUTOFF = 70  # rapidfuzz partial_ratio: one wrong character in four is 75
PAGE_SIZE = 20
MAX_PAGE = 500
EXPORT_LIMIT = 10_000

# The portal's sections: 双公示 listings, and the lists (a class is listed when the catalogue has it).
DUAL = {"licences": ("administrative_license", "行政许可"), "penalties": ("administrative_penalty", "行政处罚")}
LISTS = {
    "red": ("red_list", "红名单"),
    "serious": ("serious_dishonesty_list", "严重失信主体名单"),
    "attention": ("key_attention_list", "重点关注名单"),
    "abnormal": ("abnormal_operation", "经营异常名录"),
    "debtors": ("dishonest_judgment_debtor", "失信被执行人"),
    "commitments": ("credit_commitment", "信用承诺公示"),
}
_MASK_NAME = {ItemRole.LEGAL_REP_NAME}
_MASK_ID = {ItemRole.LEGAL_REP_CERT_NO, ItemRole.SUBJECT_CERT_NO}
_HIDDEN_ROLES = {ItemRole.SUBJECT_NAME, ItemRole.SUBJECT_CATEGORY, ItemRole.SUBJECT_ID, ItemRole.SUBJECT_OTHER_ID}


def search(uow: UnitOfWork, text: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Organisations by identifier, or by name (``domain/names`` folds both sides: full-width forms,
    brackets, spaces, 有限责任公司). Names containing the words come first (exact, then starting with
    them, then the closest and shortest); when no name contains them, the names closest to them (a typo
    still finds its name). Never natural persons."""
    text = text.strip()[:100]
    if not text:
        return []
    id_type = guess_id_type(text)
    if id_type is not None:
        subject_id = uow.subjects.id_by_identifier(id_type, normalize(text))
        found = uow.subjects.get(subject_id) if subject_id is not None else None
        if found is None or found.is_person:
            return []
        return [{"id": found.id, "name": found.name, "subject_type": found.subject_type.value,
                 "canonical_id": found.canonical.value, "canonical_id_type": found.canonical.id_type.value,
                 "division_code": found.division_code}]
    key = name_key(text)
    if len(key) < 2:
        return []
    found = search_names(uow.connection, key_grams(key), SEARCH_CANDIDATES)
    folded = [name_key(name) for _, name, _ in found]
    containing = [i for i, name in enumerate(folded) if key in name]
    if containing:
        containing.sort(key=lambda i: (folded[i] != key, not folded[i].startswith(key), len(folded[i]), -found[i][2],
                                       found[i][1]))
        best = containing
    else:
        scores = process.cdist([key], folded, scorer=fuzz.partial_ratio, score_cutoff=FUZZY_CUTOFF)[0] if found else []
        best = sorted((i for i, score in enumerate(scores) if score), key=lambda i: (
            -scores[i], -found[i][2], len(folded[i]), found[i][1]))
    return subject_rows(uow.connection, [found[i][0] for i in best[:limit]])


@dataclass
class PublicRecord:
    record: CreditRecord
    class_name: str
    severity: Severity | None
    public_until: date | None  # last day shown
    repairable: bool | None
    fields: list[tuple[str, str]]
    flags: tuple[str, ...] = ()


@dataclass
class SubjectPage:
    subject: Subject
    identifiers: list[Any]
    sections: list[tuple[str, str, list[PublicRecord]]] = field(default_factory=list)


SECTIONS = (
    ("basic", "基础信息", lambda info: info.publication_rule == "public" and info.code != "credit_commitment"),
    ("licences", "行政许可", lambda info: info.publication_rule == "licence"),
    ("penalties", "行政处罚", lambda info: info.publication_rule == "penalty"),
    ("lists", "名单信息", lambda info: info.publication_rule == "list"),
    ("commitments", "信用承诺", lambda info: info.code == "credit_commitment"),
)


OBJECTION_PENDING = "异议处理中"


def subject_page(uow: UnitOfWork, catalogue: Catalogue, subject_id: int) -> SubjectPage:
    """A subject's public credit page: only what the rules make public today, each record flagged
    "异议处理中" while an objection against it is being handled."""
    subject = uow.subjects.get(subject_id)
    if subject is None or subject.is_person:
        # A person's page does not exist for the public; "forbidden" would confirm the person exists.
        raise NotFound("信用主体", "subject", subject_id)
    shown = PublicationRepository(uow.connection).public_of_subject(subject_id, uow.clock.today())
    identifiers = [i for i in subject.identifiers if i.id_type not in PERSONAL_ID_TYPES and i != subject.canonical]
    page = SubjectPage(subject, identifiers)
    for key, label, belongs in SECTIONS:
        rows = []
        for item in shown:
            info = catalogue.info_class(item.record.info_class)
            if info is not None and belongs(info):
                rows.append(PublicRecord(item.record, info.name, Severity(item.severity) if item.severity else None,
                                         item.public_until, item.repairable,
                                         public_fields(item.record, info, catalogue),
                                         (OBJECTION_PENDING,) if item.objection_pending else ()))
        page.sections.append((key, label, rows))
    return page


def public_fields(record: CreditRecord, info: InfoClass, catalogue: Catalogue) -> list[tuple[str, str]]:
    """The record's items as the public sees them: the subject's own identity items left out (the page
    names the subject), personal names and ID numbers masked."""
    shown = []
    for item in info.items:
        if item.role in _HIDDEN_ROLES:
            continue
        value = record.core.get(item.column) if item.column else record.extra.get(item.code)
        if value is None or value == "":
            continue
        if item.type is ItemType.CODE and item.code_table and item.code_table in catalogue.code_tables:
            text = catalogue.code_tables[item.code_table].label_of(str(value))
        else:
            text = value.isoformat() if isinstance(value, date) else str(value)
        if item.role in _MASK_NAME:
            text = mask_name(text)
        elif item.role in _MASK_ID:
            text = mask_identifier(text)
        shown.append((item.label, text))
    return shown


@dataclass(frozen=True)
class ListingQuery:
    department_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    category: str | None = None
    page: int = 1

    def checked(self) -> ListingQuery:
        if self.page < 1 or self.page > MAX_PAGE:
            raise InvalidInput(f"页码应在1到{MAX_PAGE}之间，请缩小筛选范围", f"page must be 1-{MAX_PAGE}",
                               code="listing.page", field="page")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput("起始日期不能晚于截止日期", "date_from is after date_to", code="listing.dates",
                               field="date_from")
        return self


def _spec(info_class: str, query: ListingQuery) -> ListingFilter:
    return ListingFilter((info_class,), query.department_id, query.date_from, query.date_to, query.category or None)


def listing(uow: UnitOfWork, catalogue: Catalogue, info_class: str, query: ListingQuery) -> tuple[list[dict[str, Any]],
                                                                                                   bool]:
    """One page of what is public today in one class (newest decisions first), and whether more follow."""
    query = query.checked()
    info = catalogue.info_class(info_class)
    if info is None:
        raise NotFound("信息类", "info_class", info_class)
    rows = PublicationRepository(uow.connection).listing(_spec(info_class, query), uow.clock.today(),
                                                         PAGE_SIZE + 1, (query.page - 1) * PAGE_SIZE)
    return [_public_row(r, info, catalogue) for r in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def _public_row(row: Listed, info: InfoClass, catalogue: Catalogue, fields: bool = True) -> dict[str, Any]:
    record = row.record
    category = record.core.get("category")
    item = next((i for i in info.items if i.column == "category"), None)
    if category and item and item.code_table and item.code_table in catalogue.code_tables:
        category = catalogue.code_tables[item.code_table].label_of(str(category))
    return {
        "record_id": record.id, "subject_id": record.subject_id, "subject_name": row.subject_name,
        "subject_type": row.subject_type, "subject_code": row.subject_code,
        "doc_number": record.core.get("doc_number"), "decision_date": record.core.get("decision_date"),
        "valid_to": record.core.get("valid_to"), "category": category,
        "content": record.core.get("content"), "authority": record.core.get("authority_name"),
        "public_until": row.public_until, "severity": row.severity, "department_id": record.department_id,
        "fields": public_fields(record, info, catalogue) if fields else [],
    }


def export_csv(uow: UnitOfWork, catalogue: Catalogue, info_class: str, query: ListingQuery) -> str:
    """What the listing shows, as CSV (at most ``EXPORT_LIMIT`` rows; narrow the filters for more)."""
    info = catalogue.info_class(info_class)
    if info is None:
        raise NotFound("信息类", "info_class", info_class)
    query = query.checked()
    rows = PublicationRepository(uow.connection).iter_listing(_spec(info_class, query), uow.clock.today(),
                                                              EXPORT_LIMIT)
    header = ["主体名称", "统一社会信用代码", "决定文书号", "决定日期", "类别", "内容", "决定机关", "公示截止日期"]
    stream = io.StringIO()
    write_csv(stream, header, (
        (r["subject_name"], r["subject_code"], r["doc_number"], r["decision_date"], r["category"], r["content"],
         r["authority"], r["public_until"] or r["valid_to"] or "")
        for r in (_public_row(row, info, catalogue, fields=False) for row in rows)))
    return stream.getvalue()


_FIGURES: dict[str, tuple[float, dict[str, int]]] = {}
FIGURES_SECONDS = 300


def public_counts(uow: UnitOfWork) -> dict[str, int]:
    """Records public today per class; counted at most every five minutes (a count of millions of rows
    is not worth doing for every visit of the home page)."""
    cached = _FIGURES.get(str(uow.engine.url))
    if cached and time.monotonic() - cached[0] < FIGURES_SECONDS:
        return cached[1]
    counts = PublicationRepository(uow.connection).counts_by_class(uow.clock.today())
    _FIGURES[str(uow.engine.url)] = (time.monotonic(), counts)
    return counts
