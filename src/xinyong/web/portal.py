"""The public portal (信用门户): home page with figures, the one-stop query, and organisations' pages.

Everything here is public. Natural persons never appear: the search leaves them out and a person's
page does not exist for the portal. Credit records are not listed yet: a record becomes public only
when the publication rules decide so.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.domain.identifiers import PERSONAL_ID_TYPES
from xinyong.domain.subjects import SubjectType
from xinyong.errors import NotFound
from xinyong.services import subjects
from xinyong.web import forms  # noqa: F401  (registers the template filters)
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
ORGANISATION_TYPES = [t for t in SubjectType if not t.is_person]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    request.state.actor = uow.actor
    by_type = subjects.counts(uow)
    organisations = [(t.label, by_type.get(t.value, 0)) for t in ORGANISATION_TYPES]
    catalogue = platform.catalogue(uow)
    by_class = uow.records.counts_by_class()
    classes = []
    for code, info in catalogue.classes.items():
        classes.append((info.name, info.classification.label, by_class.get(code, 0)))
    classes.sort(key=lambda c: (-c[2], c[0]))
    departments = sum(1 for d in uow.accounts.departments() if d.active)
    return render(request, "portal/home.html", {
        "organisation_total": sum(n for _, n in organisations),
        "organisations": organisations,
        "record_total": sum(by_class.values()),
        "classes": classes,
        "class_count": len(catalogue.classes),
        "department_count": departments,
    })


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, uow: UowDep, q: str = "") -> HTMLResponse:
    request.state.actor = uow.actor
    query = q.strip()[:MAX_QUERY_LENGTH]
    results = None
    prompt = None
    if not query:
        prompt = "请输入企业等组织的名称（至少2个字）或18位统一社会信用代码进行查询。"
    elif len(query) < MIN_QUERY_LENGTH:
        prompt = f"查询内容过短，请至少输入{MIN_QUERY_LENGTH}个字。"
    else:
        rows = subjects.public_search(uow, query)
        # public_search leaves natural persons out already; the portal checks again, it never shows one.
        results = [
            {**row, "type_label": SubjectType(row["subject_type"]).label}
            for row in rows if not SubjectType(row["subject_type"]).is_person
        ]
    return render(request, "portal/search.html", {"q": query, "results": results, "prompt": prompt})


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def subject_page(request: Request, subject_id: int, uow: UowDep) -> HTMLResponse:
    request.state.actor = uow.actor
    subject = uow.subjects.get(subject_id)
    if subject is None or subject.is_person:
        # A person's page does not exist for the portal; saying "forbidden" would confirm the person.
        raise NotFound("信用主体", "subject", subject_id)
    identifiers = [i for i in subject.identifiers if i.id_type not in PERSONAL_ID_TYPES and i != subject.canonical]
    return render(request, "portal/subject.html", {"subject": subject, "identifiers": identifiers})
