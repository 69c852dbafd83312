"""The public JSON API (/api/v1/public/…): everything the portal shows, from the same services, under
the same publication rules; no login. It can never show what a page hides, because both read
``services/portal``.

The endpoints are anonymous, so there is no actor to resolve: each one makes a single trip to the
thread pool for its whole read (``_read``) instead of one per dependency, which matters under load."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel

from xinyong.adapters.jsontext import dumps
from xinyong.api.deps import client_ip, get_platform, request_id
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Actor
from xinyong.errors import NotFound
from xinyong.services import articles, portal, subjects
from xinyong.services.unit_of_work import UnitOfWork

router = APIRouter(prefix="/public", tags=["public"])
T = TypeVar("T")


class SubjectHit(BaseModel):
    id: int
    name: str
    subject_type: str
    canonical_id: str
    division_code: str | None = None


class Field(BaseModel):
    label: str
    value: str


class PublicRecordOut(BaseModel):
    id: int
    info_class: str
    class_name: str
    doc_number: str | None = None
    decision_date: date | None = None
    severity: str | None = None
    public_until: date | None = None
    fields: list[Field]
    flags: list[str] = []


class Section(BaseModel):
    key: str
    label: str
    records: list[PublicRecordOut]


class SubjectPageOut(BaseModel):
    id: int
    name: str
    subject_type: str
    canonical_id_type: str
    canonical_id: str
    division_code: str | None = None
    identifiers: list[Field]
    names: list[Field]
    sections: list[Section]


class ListingRow(BaseModel):
    record_id: int
    subject_id: int
    subject_name: str
    subject_code: str
    doc_number: str | None = None
    decision_date: date | None = None
    valid_to: date | None = None
    category: str | None = None
    content: str | None = None
    authority: str | None = None
    severity: str | None = None
    public_until: date | None = None


class ListingOut(BaseModel):
    page: int
    has_next: bool
    items: list[ListingRow]


class ArticleOut(BaseModel):
    id: int
    channel: str
    title: str
    published_on: date | None = None
    source: str | None = None
    body: str | None = None


class FiguresOut(BaseModel):
    organisations: int
    public_records_by_class: dict[str, int]


def _query(department_id: int | None, date_from: date | None, date_to: date | None, category: str | None,
           page: int) -> portal.ListingQuery:
    return portal.ListingQuery(department_id, date_from, date_to, category or None, page)


async def _read(request: Request, read: Callable[[UnitOfWork, Platform], T]) -> T:
    platform = get_platform(request)
    actor = Actor(name="public", via="web", ip=client_ip(request), request_id=request_id(request))

    def run() -> T:
        with platform.uow(actor) as uow:
            return read(uow, platform)

    return await run_in_threadpool(run)


@router.get("/figures", response_model=FiguresOut)
async def figures(request: Request) -> FiguresOut:
    """The home page's figures: organisations, and records public today by class."""
    def read(uow: UnitOfWork, platform: Platform) -> FiguresOut:
        by_type = subjects.counts(uow)
        return FiguresOut(organisations=sum(n for t, n in by_type.items() if t != "person"),
                          public_records_by_class=portal.public_counts(uow))
    return await _read(request, read)


@router.get("/search", response_model=list[SubjectHit])
async def search(request: Request, q: Annotated[str, Query(min_length=2, max_length=100)]) -> Response:
    """Organisations by part of the name (brackets and 有限责任公司/有限公司 folded) or by identifier (kept
    for ``XINYONG_PUBLIC_CACHE_SECONDS`` per server process, like subject pages)."""
    platform = get_platform(request)
    key = ("api-search", q.strip(), platform.clock.today())
    body = platform.pages.get(key)
    if body is None:
        body = await _read(request, lambda uow, platform: dumps(
            [{k: r[k] for k in SubjectHit.model_fields} for r in portal.search(uow, q)]))
        platform.pages.put(key, body)
    return Response(body, media_type="application/json")


@router.get("/subjects/{subject_id}", response_model=SubjectPageOut)
async def subject_page(subject_id: int, request: Request) -> Response:
    """A subject's public credit page: what the rules make public today, grouped as on the portal
    (kept for ``XINYONG_PUBLIC_CACHE_SECONDS`` per server process)."""
    platform = get_platform(request)
    key = ("api", subject_id, platform.clock.today())
    body = platform.pages.get(key)
    if body is None:
        body = await _read(request, lambda uow, platform: _page_body(portal.subject_page(
            uow, platform.catalogue(uow), subject_id)))
        platform.pages.put(key, body)
    return Response(body, media_type="application/json")


def _page_body(view: portal.SubjectPage) -> bytes:
    """The page as plain data, encoded once (``SubjectPageOut`` documents it): validating it through
    pydantic again would cost more than reading it from the database."""
    s = view.subject
    return dumps({
        "id": s.id, "name": s.name, "subject_type": s.subject_type.value,
        "canonical_id_type": s.canonical.id_type.value, "canonical_id": s.canonical.value,
        "division_code": s.division_code,
        "identifiers": [{"label": i.id_type.label, "value": i.value} for i in view.identifiers],
        "names": [{"label": f"{n.valid_from}~{n.valid_to or ''}", "value": n.name} for n in s.names],
        "sections": [{"key": key, "label": label, "records": [{
            "id": r.record.id, "info_class": r.record.info_class, "class_name": r.class_name,
            "doc_number": r.record.doc_number, "decision_date": r.record.decision_date,
            "severity": r.severity.value if r.severity else None, "public_until": r.public_until,
            "fields": [{"label": a, "value": b} for a, b in r.fields], "flags": list(r.flags)}
            for r in rows]} for key, label, rows in view.sections]})


def _listing(request: Request, code: str, query: portal.ListingQuery) -> Awaitable[ListingOut]:
    def read(uow: UnitOfWork, platform: Platform) -> ListingOut:
        rows, has_next = portal.listing(uow, platform.catalogue(uow), code, query)
        return ListingOut(page=query.page, has_next=has_next,
                          items=[ListingRow(**{k: r[k] for k in ListingRow.model_fields}) for r in rows])
    return _read(request, read)


@router.get("/publicity/{kind}", response_model=ListingOut)
async def publicity(kind: str, request: Request, department_id: int | None = None, date_from: date | None = None,
                    date_to: date | None = None, category: str | None = None, page: int = 1) -> ListingOut:
    """双公示 listings: ``licences`` or ``penalties`` public today, newest decisions first, 20 a page."""
    if kind not in portal.DUAL:
        raise NotFound("公示栏目", "listing", kind)
    return await _listing(request, portal.DUAL[kind][0], _query(department_id, date_from, date_to, category, page))


@router.get("/publicity/{kind}/export.csv", response_class=Response)
async def publicity_csv(kind: str, request: Request, department_id: int | None = None,
                        date_from: date | None = None, date_to: date | None = None,
                        category: str | None = None) -> Response:
    """The same listing as CSV (UTF-8 with BOM, at most 10,000 rows: narrow the filters for more)."""
    if kind not in portal.DUAL:
        raise NotFound("公示栏目", "listing", kind)
    query = _query(department_id, date_from, date_to, category, 1)
    text = await _read(request, lambda uow, platform: portal.export_csv(
        uow, platform.catalogue(uow), portal.DUAL[kind][0], query))
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{kind}.csv"'})


@router.get("/lists/{key}", response_model=ListingOut)
async def list_entries(key: str, request: Request, date_from: date | None = None, date_to: date | None = None,
                       page: int = 1) -> ListingOut:
    """List pages: ``red``, ``serious``, ``abnormal``, ``debtors``, ``commitments`` (and ``attention``
    once the catalogue has the class)."""
    if key not in portal.LISTS:
        raise NotFound("名单", "list", key)
    code = portal.LISTS[key][0]

    def read(uow: UnitOfWork, platform: Platform) -> ListingOut:
        if platform.catalogue(uow).info_class(code) is None:
            raise NotFound("名单", "list", key)
        rows, has_next = portal.listing(uow, platform.catalogue(uow), code, _query(None, date_from, date_to, None,
                                                                                    page))
        return ListingOut(page=page, has_next=has_next,
                          items=[ListingRow(**{k: r[k] for k in ListingRow.model_fields}) for r in rows])
    return await _read(request, read)


@router.get("/articles", response_model=list[ArticleOut])
async def article_list(request: Request, channel: str = "policy", page: int = 1) -> list[ArticleOut]:
    """Published articles of a column: ``policy`` (政策法规), ``news`` (工作动态), ``cases`` (典型案例)."""
    if channel not in articles.CHANNELS:
        raise NotFound("栏目", "channel", channel)
    number = max(1, page)

    def read(uow: UnitOfWork, platform: Platform) -> list[ArticleOut]:
        found = articles.published(uow, channel, portal.PAGE_SIZE, (number - 1) * portal.PAGE_SIZE)
        return [ArticleOut(**{k: a[k] for k in ArticleOut.model_fields if k != "body"}) for a in found]
    return await _read(request, read)


@router.get("/articles/{article_id}", response_model=ArticleOut)
async def article(article_id: int, request: Request) -> ArticleOut:
    def read(uow: UnitOfWork, platform: Platform) -> ArticleOut:
        found = articles.published_one(uow, article_id)
        return ArticleOut(**{k: found[k] for k in ArticleOut.model_fields})
    return await _read(request, read)
