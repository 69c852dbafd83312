"""Subjects and their credit archives; credit records and their lineage.

The services decide who may see what (and audit reads of personal data); these pages only show what
they return. Personal identifiers are masked for users who may not read personal data.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.domain.accounts import Actor, Permission
from xinyong.domain.catalogue import Catalogue, InfoClass, ItemRole, ItemType
from xinyong.domain.masking import mask_identifier, mask_name
from xinyong.domain.records import Classification, CreditRecord
from xinyong.domain.subjects import Subject, SubjectType
from xinyong.services import publication, records, subjects
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web.admin.common import CHANNEL_LABELS, ConsoleActor, console_router, page
from xinyong.web.forms import PAGE_SIZE, display_value, optional_date, optional_int, optional_text, page_number

router = console_router()

EVENT_LABELS = {
    "corrected": "更正（产生新版本）", "revoked": "撤销", "repaired": "信用修复", "expired": "公示到期",
    "active": "恢复有效",
}


def _class_name(catalogue: Catalogue, code: str) -> str:
    info = catalogue.info_class(code)
    return info.name if info else code


def _department_names(uow: UnitOfWork) -> dict[int, str]:
    return {d.id: d.name for d in uow.accounts.departments()}


def _subject_label(subject: Subject | None, masked: bool = True) -> str:
    if subject is None:
        return "（主体不存在）"
    return mask_name(subject.name) if subject.is_person and masked else subject.name


@router.get("/subjects", response_class=HTMLResponse)
def subject_search(request: Request, actor: ConsoleActor, uow: UowDep, q: str = "") -> HTMLResponse:
    actor.require(Permission.SUBJECTS_READ)
    query = q.strip()[:100]
    results = None
    if query:
        results = [
            {**row, "type": SubjectType(row["subject_type"]),
             "shown_id": mask_identifier(row["canonical_id"]) if row["subject_type"] == SubjectType.PERSON.value
             else row["canonical_id"]}
            for row in subjects.search(uow, query)
        ]
    return page(request, "admin/subjects.html", {"q": query, "results": results,
                                                  "personal": actor.can(Permission.PERSONAL_READ)})


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def subject_archive(request: Request, subject_id: int, actor: ConsoleActor, uow: UowDep,
                    platform: PlatformDep) -> HTMLResponse:
    subject = subjects.get_subject(uow, subject_id)
    catalogue = platform.catalogue(uow)
    groups: list[tuple[Classification, list[dict[str, Any]]]] | None = None
    memberships: list[dict[str, Any]] = []
    timeline: list[tuple[Any, str, str]] = [(n.valid_from, "名称", f"启用名称“{n.name}”") for n in subject.names]
    if actor.can(Permission.RECORDS_READ_ALL) or actor.can(Permission.RECORDS_READ_OWN):
        found = records.records_of_subject(uow, subject_id)
        departments = _department_names(uow)
        decided = dict(zip([r.id for r in found], [d for _, d in publication.decisions(
            catalogue, platform.publication, found, subject.is_person, uow.clock.today())], strict=True))
        groups = []
        for classification in Classification:
            rows = [{**_record_row(r, catalogue, departments), "decision": decided[r.id]}
                    for r in found if r.classification is classification]
            if rows:
                groups.append((classification, rows))
        for r in found:
            info = catalogue.info_class(r.info_class)
            name = info.name if info else r.info_class
            if info is not None and info.publication_rule == "list":
                memberships.append({"record": r, "class_name": name, "decision": decided[r.id]})
            when = r.decision_date or r.provenance.received_at.date()
            timeline.append((when, name, f"{r.doc_number or ''} {r.status.label}".strip()))
    timeline.sort(key=lambda t: t[0], reverse=True)
    return page(request, "admin/subject.html", {"subject": subject, "groups": groups, "memberships": memberships,
                                                 "timeline": timeline})


def _record_row(record: CreditRecord, catalogue: Catalogue, departments: dict[int, str],
                subject: str | None = None) -> dict[str, Any]:
    info = catalogue.info_class(record.info_class)
    return {
        "record": record,
        "class_name": info.name if info else record.info_class,
        "category": _core_display(info, catalogue, "category", record.core.get("category")),
        "department": departments.get(record.department_id, str(record.department_id)),
        "subject": subject,
    }


def _core_display(info: InfoClass | None, catalogue: Catalogue, column: str, value: Any) -> str:
    """A core column's value as the catalogue labels it (a code shows its code-table label)."""
    if value is None:
        return ""
    item = next((i for i in info.items if i.column == column), None) if info else None
    return _item_display(item.type if item else None, item.code_table if item else None, catalogue, value)


def _item_display(item_type: ItemType | None, code_table: str | None, catalogue: Catalogue, value: Any) -> str:
    if item_type is ItemType.CODE and code_table and code_table in catalogue.code_tables:
        return catalogue.code_tables[code_table].label_of(str(value))
    return display_value(value)


@router.get("/records", response_class=HTMLResponse)
def browse(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
           department_id: str = "", info_class: str = "", date_from: str = "", date_to: str = "",
           page_no: Annotated[str, Query(alias="page")] = "1") -> HTMLResponse:
    if not actor.can(Permission.RECORDS_READ_ALL):
        actor.require(Permission.RECORDS_READ_OWN)
    filters = {
        "department_id": optional_int(department_id, "department_id", "信源部门"),
        "info_class": optional_text(info_class),
        "date_from": optional_date(date_from, "date_from", "起始日期"),
        "date_to": optional_date(date_to, "date_to", "截止日期"),
    }
    number = page_number(page_no)
    found = records.browse(uow, **filters, limit=PAGE_SIZE + 1, offset=(number - 1) * PAGE_SIZE)
    catalogue = platform.catalogue(uow)
    departments = _department_names(uow)
    if not actor.can(Permission.RECORDS_READ_ALL):
        departments = {k: v for k, v in departments.items() if k == actor.department_id}
    seen: dict[int, Subject | None] = {}
    rows = []
    for record in found[:PAGE_SIZE]:
        if record.subject_id not in seen:
            seen[record.subject_id] = uow.subjects.get(record.subject_id)
        # Lists never show a person's full name; the record page does (and that read is audited).
        rows.append(_record_row(record, catalogue, departments, _subject_label(seen[record.subject_id])))
    query = {k: ("" if v is None else str(v)) for k, v in filters.items()}
    return page(request, "admin/records.html", {
        "rows": rows, "filters": query, "departments": departments,
        "classes": [(c.code, c.name) for c in catalogue.classes.values()],
        "page_no": number, "has_next": len(found) > PAGE_SIZE,
        "query": urlencode({k: v for k, v in query.items() if v}),
    })


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(request: Request, record_id: int, actor: ConsoleActor, uow: UowDep,
                platform: PlatformDep) -> HTMLResponse:
    view = records.get_record(uow, record_id)
    record = view.record
    catalogue = platform.catalogue(uow)
    info = catalogue.info_class(record.info_class)
    subject = uow.subjects.get(record.subject_id)
    personal = actor.can(Permission.PERSONAL_READ)
    department = uow.accounts.department(record.department_id)
    submitter = uow.accounts.user(record.provenance.submitter_id) if record.provenance.submitter_id else None
    batch = uow.records.batch(record.provenance.batch_id) if record.provenance.batch_id else None
    decision = None
    if info is not None and subject is not None:
        decision = publication.decisions(catalogue, platform.publication, [record], subject.is_person,
                                         uow.clock.today())[0][1]
    return page(request, "admin/record.html", {
        "record": record, "info": info, "decision": decision,
        "class_name": info.name if info else record.info_class,
        "subject": subject, "subject_name": _subject_label(subject, masked=not personal),
        "subject_link": actor.can(Permission.SUBJECTS_READ) and subject is not None
        and (not subject.is_person or personal),
        "items": _items(record, info, catalogue, actor, subject),
        "versions": view.versions,
        "events": [{**e, "label": EVENT_LABELS.get(e["event"], e["event"])} for e in view.events],
        "department": department, "submitter": submitter, "batch": batch,
        "channel": CHANNEL_LABELS.get(record.provenance.channel, record.provenance.channel),
    })


def _items(record: CreditRecord, info: InfoClass | None, catalogue: Catalogue, actor: Actor,
           subject: Subject | None) -> list[dict[str, Any]]:
    """Every data item the record carries, in catalogue order, with its label; unknown ones last."""
    masked_roles = set()
    if not actor.can(Permission.PERSONAL_READ):
        masked_roles.add(ItemRole.LEGAL_REP_CERT_NO)
        if subject is not None and subject.is_person:
            masked_roles |= {ItemRole.SUBJECT_CERT_NO, ItemRole.SUBJECT_ID, ItemRole.SUBJECT_NAME}
    rows: list[dict[str, Any]] = []
    shown: set[str] = set()
    for item in info.items if info else ():
        if item.column:
            value = record.core.get(item.column)
            where = "core"
        else:
            value = record.extra.get(item.code)
            where = "extra"
        shown.add(item.code)
        if value is None or value == "":
            continue
        text = _item_display(item.type, item.code_table, catalogue, value)
        if item.role in masked_roles:
            text = mask_name(text) if item.role is ItemRole.SUBJECT_NAME else mask_identifier(text)
        rows.append({"code": item.code, "label": item.label, "value": text, "where": where,
                     "column": item.column})
    for code, value in record.extra.items():
        if code not in shown:
            rows.append({"code": code, "label": code, "value": display_value(value), "where": "extra",
                         "column": None})
    return rows
