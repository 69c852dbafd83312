"""The public portal (信用门户): home, one-stop query, subjects' public credit pages, 双公示 listings with
CSV export, list pages, commitment publicity and the policy and news columns.

Everything here is public and passes the publication rules (``services/portal``); natural persons
never appear. The public JSON API (``api/routers/public.py``) serves the same data from the same
services, so it cannot show what a page hides.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.domain.subjects import SubjectType
from xinyong.errors import NotFound
from xinyong.services import articles, portal, subjects
from xinyong.web import forms  # noqa: F401  (registers the template filters)
from xinyong.web.forms import optional_date, optional_int, optional_text, page_number
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
ORGANISATION_TYPES = [t for t in SubjectType if not t.is_person]
SEVERITY_LABELS = {"minor": "轻微失信", "general": "一般失信", "serious": "严重失信",
                   "specific_serious": "特定严重失信"}
Page = Annotated[str, Query(alias="page")]


def _lists(platform: PlatformDep, uow: UowDep) -> list[tuple[str, str]]:
    catalogue = platform.catalogue(uow)
    return [(key, label) for key, (code, label) in portal.LISTS.items() if catalogue.info_class(code)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    request.state.actor = uow.actor
    catalogue = platform.catalogue(uow)
    by_type = subjects.counts(uow)
    organisations = [(t.label, by_type.get(t.value, 0)) for t in ORGANISATION_TYPES]
    public = portal.public_counts(uow)
    latest = {key: portal.listing(uow, catalogue, code, portal.ListingQuery())[0][:5]
              for key, (code, _) in portal.DUAL.items()}
    return render(request, "portal/home.html", {
        "organisation_total": sum(n for _, n in organisations),
        "organisations": organisations,
        "public": public,
        "licence_total": public.get("administrative_license", 0),
        "penalty_total": public.get("administrative_penalty", 0),
        "class_count": len(catalogue.classes),
        "department_count": sum(1 for d in uow.accounts.departments() if d.active),
        "latest": latest, "lists": _lists(platform, uow),
        "columns": [(key, label, articles.published(uow, key, 5)) for key, label in articles.CHANNELS.items()],
    })


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, uow: UowDep, platform: PlatformDep, q: str = "") -> HTMLResponse:
    request.state.actor = uow.actor
    query = q.strip()[:MAX_QUERY_LENGTH]
    results = None
    prompt = None
    if not query:
        prompt = "请输入企业等组织的名称（至少2个字）或18位统一社会信用代码进行查询。"
    elif len(query) < MIN_QUERY_LENGTH:
        prompt = f"查询内容过短，请至少输入{MIN_QUERY_LENGTH}个字。"
    else:
        key = ("portal-search", query, platform.clock.today())
        results = platform.pages.get(key)
        if results is None:
            results = [{**row, "type_label": SubjectType(row["subject_type"]).label}
                       for row in portal.search(uow, query)]
            platform.pages.put(key, results)
    return render(request, "portal/search.html", {"q": query, "results": results, "prompt": prompt,
                                                  "limit": portal.SEARCH_LIMIT})


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def subject_page(request: Request, subject_id: int, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    request.state.actor = uow.actor
    key = ("portal", subject_id, platform.clock.today())  # the view is shared, the HTML is per visitor (CSRF)
    view = platform.pages.get(key)
    if view is None:
        view = portal.subject_page(uow, platform.catalogue(uow), subject_id)
        platform.pages.put(key, view)
    return render(request, "portal/subject.html", {"page": view, "subject": view.subject,
                                                   "identifiers": view.identifiers, "severities": SEVERITY_LABELS})


def _listing_query(department_id: str, date_from: str, date_to: str, category: str,
                   page_no: str) -> portal.ListingQuery:
    return portal.ListingQuery(
        department_id=optional_int(department_id, "department_id", "决定部门"),
        date_from=optional_date(date_from, "date_from", "起始日期"),
        date_to=optional_date(date_to, "date_to", "截止日期"),
        category=optional_text(category), page=page_number(page_no),
    )


def _kind(kind: str) -> tuple[str, str]:
    if kind not in portal.DUAL:
        raise NotFound("公示栏目", "listing", kind)
    return portal.DUAL[kind]


@router.get("/publicity/{kind}", response_class=HTMLResponse)
def publicity(request: Request, kind: str, uow: UowDep, platform: PlatformDep, department_id: str = "",
              date_from: str = "", date_to: str = "", category: str = "", page_no: Page = "1") -> HTMLResponse:
    request.state.actor = uow.actor
    code, label = _kind(kind)
    catalogue = platform.catalogue(uow)
    query = _listing_query(department_id, date_from, date_to, category, page_no)
    rows, has_next = portal.listing(uow, catalogue, code, query)
    filters = {"department_id": department_id, "date_from": date_from, "date_to": date_to, "category": category}
    info = catalogue.info_class(code)
    item = next((i for i in info.items if i.column == "category"), None) if info else None
    table = catalogue.code_tables.get(item.code_table) if item and item.code_table else None
    return render(request, "portal/publicity.html", {
        "kind": kind, "label": label, "rows": rows, "has_next": has_next, "page_no": query.page,
        "filters": filters, "query": urlencode({k: v for k, v in filters.items() if v}),
        "departments": [(d.id, d.name) for d in uow.accounts.departments() if d.active],
        "categories": [(v.code, v.label) for v in table.values] if table else [],
        "severities": SEVERITY_LABELS,
    })


@router.get("/publicity/{kind}/export.csv")
def publicity_csv(kind: str, uow: UowDep, platform: PlatformDep, department_id: str = "", date_from: str = "",
                  date_to: str = "", category: str = "") -> Response:
    code, _ = _kind(kind)
    query = _listing_query(department_id, date_from, date_to, category, "1")
    text = portal.export_csv(uow, platform.catalogue(uow), code, query)
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{kind}.csv"'})


@router.get("/lists/{key}", response_class=HTMLResponse)
def list_page(request: Request, key: str, uow: UowDep, platform: PlatformDep, date_from: str = "",
              date_to: str = "", page_no: Page = "1") -> HTMLResponse:
    request.state.actor = uow.actor
    catalogue = platform.catalogue(uow)
    if key not in portal.LISTS or catalogue.info_class(portal.LISTS[key][0]) is None:
        raise NotFound("名单", "list", key)
    code, label = portal.LISTS[key]
    query = _listing_query("", date_from, date_to, "", page_no)
    rows, has_next = portal.listing(uow, catalogue, code, query)
    filters = {"date_from": date_from, "date_to": date_to}
    return render(request, "portal/list.html", {
        "key": key, "label": label, "rows": rows, "has_next": has_next, "page_no": query.page, "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}), "lists": _lists(platform, uow),
    })


@router.get("/articles", response_class=HTMLResponse)
def article_list(request: Request, uow: UowDep, channel: str = "policy", page_no: Page = "1") -> HTMLResponse:
    request.state.actor = uow.actor
    if channel not in articles.CHANNELS:
        raise NotFound("栏目", "channel", channel)
    number = page_number(page_no)
    found = articles.published(uow, channel, portal.PAGE_SIZE + 1, (number - 1) * portal.PAGE_SIZE)
    return render(request, "portal/articles.html", {
        "channel": channel, "label": articles.CHANNELS[channel], "channels": articles.CHANNELS,
        "articles": found[:portal.PAGE_SIZE], "has_next": len(found) > portal.PAGE_SIZE, "page_no": number,
    })


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: int, uow: UowDep) -> HTMLResponse:
    request.state.actor = uow.actor
    found = articles.published_one(uow, article_id)
    return render(request, "portal/article.html", {
        "article": found, "label": articles.CHANNELS.get(found["channel"], ""),
        "paragraphs": articles.paragraphs(found["body"]),
    })
