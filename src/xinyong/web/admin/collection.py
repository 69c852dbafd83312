"""Collection (归集) pages: uploading a file, the batches and their rejected rows, the reject file,
the online entry form (填报) generated from the catalogue, and a department's own column mapping.

The services decide who may submit or see what; these pages translate forms and show what they return.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from xinyong.adapters.exports import write_csv
from xinyong.api.deps import PlatformDep, UowDep
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Actor, Permission
from xinyong.domain.catalogue import Catalogue, DataItem, InfoClass, ItemRole, ItemType
from xinyong.domain.mapping import header_key
from xinyong.errors import FieldProblem, InvalidInput, PermissionDenied, XinyongError
from xinyong.services import ingest, records
from xinyong.services.bulletins import reason_label
from xinyong.services.unit_of_work import UnitOfWork
from xinyong.web.admin.common import CHANNEL_LABELS, ConsoleActor, console_router, done, page
from xinyong.web.forms import PAGE_SIZE, page_number
from xinyong.web.templating import check_csrf

router = console_router()

Text = Annotated[str, Form()]

CHANNELS = CHANNEL_LABELS
STATUS_LABELS = {"processing": "处理中", "done": "已完成", "failed": "失败"}
KIND_LABELS = {"rejected": "退回", "held": "待核实"}
OUTCOME_LABELS = {"created": "已新增信用记录", "updated": "已更正（生成新版本）",
                  "unchanged": "与已有记录完全相同，未重复保存"}
ISSUES_PER_PAGE = 100

SUBJECT_ROLES = {ItemRole.SUBJECT_NAME, ItemRole.SUBJECT_CATEGORY, ItemRole.SUBJECT_ID, ItemRole.SUBJECT_OTHER_ID,
                 ItemRole.SUBJECT_CERT_TYPE, ItemRole.SUBJECT_CERT_NO}
LEGAL_REP_ROLES = {ItemRole.LEGAL_REP_NAME, ItemRole.LEGAL_REP_CERT_TYPE, ItemRole.LEGAL_REP_CERT_NO}


def _class_name(catalogue: Catalogue, code: str | None) -> str:
    info = catalogue.info_class(code or "")
    return info.name if info else (code or "")


def _own_department(uow: UnitOfWork, actor: Actor) -> Any:
    """The submitter's own department (pages submit for it only)."""
    actor.require(Permission.RECORDS_SUBMIT)
    department = uow.accounts.department(actor.department_id) if actor.department_id is not None else None
    if department is None:
        raise PermissionDenied("账号不属于任何信源部门，不能报送", "your account belongs to no department",
                               code="permission.department")
    return department


def _classes(catalogue: Catalogue) -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in catalogue.classes.values()]


def _info(catalogue: Catalogue, code: str) -> InfoClass:
    return records.info_class_or_error(catalogue, code)


# -- batches --------------------------------------------------------------------------------------

def _batch_row(batch: dict[str, Any], catalogue: Catalogue, departments: dict[int, str]) -> dict[str, Any]:
    return {**batch, "class_name": _class_name(catalogue, batch["info_class"]),
            "department": departments.get(batch["department_id"], str(batch["department_id"])),
            "channel_label": CHANNELS.get(batch["channel"], batch["channel"]),
            "status_label": STATUS_LABELS.get(batch["status"], batch["status"]),
            "accepted_total": (batch["created"] or 0) + (batch["updated"] or 0) + (batch["duplicates"] or 0)}


@router.get("/batches", response_class=HTMLResponse)
def batches(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
            page_no: Annotated[str, Query(alias="page")] = "1") -> HTMLResponse:
    number = page_number(page_no)
    found = ingest.recent_batches(uow, PAGE_SIZE + 1, (number - 1) * PAGE_SIZE)
    catalogue = platform.catalogue(uow)
    departments = {d.id: d.name for d in uow.accounts.departments()}
    return page(request, "admin/batches.html", {
        "rows": [_batch_row(b, catalogue, departments) for b in found[:PAGE_SIZE]],
        "page_no": number, "has_next": len(found) > PAGE_SIZE,
        "can_submit": actor.can(Permission.RECORDS_SUBMIT),
    })


def _upload_page(request: Request, uow: UnitOfWork, platform: Platform, actor: Actor, *, info_class: str = "",
                 error: XinyongError | None = None, failed_batch: int | None = None) -> HTMLResponse:
    department = _own_department(uow, actor)
    catalogue = platform.catalogue(uow)
    return page(request, "admin/batch_upload.html", {
        "classes": _classes(catalogue), "info_class": info_class, "department": department,
        "max_mb": platform.settings.max_upload_mb, "error": error, "failed_batch": failed_batch,
    }, status_code=error.status if error else 200)


@router.get("/batches/upload", response_class=HTMLResponse)
def upload_form(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
                info_class: str = "") -> HTMLResponse:
    return _upload_page(request, uow, platform, actor, info_class=info_class[:64])


@router.post("/batches/upload", response_class=HTMLResponse)
def upload(request: Request, actor: ConsoleActor, platform: PlatformDep, info_class: Text = "",
           csrf_token: Text = "", file: Annotated[UploadFile | None, File()] = None) -> Response:
    check_csrf(request, csrf_token)
    actor.require(Permission.RECORDS_SUBMIT)
    with platform.uow(actor) as uow:
        department_id = _own_department(uow, actor).id
    error: XinyongError | None = None
    failed_batch = None
    if file is None or not file.filename:
        error = InvalidInput("请选择要上传的文件", "choose a file to upload", code="file.missing", field="file")
    elif not info_class:
        error = InvalidInput("请选择信息类", "choose an info class", code="request.info_class", field="info_class")
    else:
        try:
            with tempfile.TemporaryDirectory(prefix="xinyong-upload-") as directory:
                path = Path(directory) / "upload"
                with path.open("wb") as target:
                    shutil.copyfileobj(file.file, target, 1 << 20)
                report = ingest.ingest_file(platform, actor, path, info_class, department_id, file.filename)
        except ingest.BatchFailed as exc:
            error, failed_batch = exc, exc.batch_id
        except XinyongError as exc:
            error = exc
        else:
            return done(request, f"文件已处理：共 {report.rows} 行，接收 {report.accepted} 行，"
                        f"退回 {report.rejected} 行，待核实 {report.held} 行", f"/admin/batches/{report.batch_id}")
    with platform.uow(actor) as uow:
        return _upload_page(request, uow, platform, actor, info_class=info_class, error=error,
                            failed_batch=failed_batch)


def _labels(info: InfoClass | None) -> dict[str, str]:
    return {item.code: item.label for item in info.items} if info else {}


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def batch_page(request: Request, batch_id: int, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
               page_no: Annotated[str, Query(alias="page")] = "1") -> HTMLResponse:
    batch = ingest.batch_detail(uow, batch_id)
    catalogue = platform.catalogue(uow)
    info = catalogue.info_class(batch["info_class"])
    labels = _labels(info)
    department = uow.accounts.department(batch["department_id"])
    issues = batch.pop("issues")
    number = page_number(page_no)
    pages = max((len(issues) + ISSUES_PER_PAGE - 1) // ISSUES_PER_PAGE, 1)
    number = min(number, pages)
    shown = issues[(number - 1) * ISSUES_PER_PAGE: number * ISSUES_PER_PAGE]
    rows = [{
        "row_number": issue["row_number"], "kind": issue["kind"], "kind_label": KIND_LABELS.get(issue["kind"], ""),
        "problems": [{**p, "label": labels.get(p.get("field") or "", p.get("field") or ""),
                      "reason": reason_label(str(p.get("code", "")))}
                     for p in issue["problems"] or [{"field": "", "code": "", "message": ""}]],
        "cells": issue["cells"],
    } for issue in shown]
    mapping = [{"header": header, "code": code, "label": labels.get(code, code)}
               for header, code in (batch.get("mapping") or {}).items()]
    return page(request, "admin/batch.html", {
        "batch": _batch_row(batch, catalogue, {}), "department": department, "info": info,
        "mapping": mapping, "issues": rows, "issue_total": len(issues),
        "rejected_rows": sum(1 for i in issues if i["kind"] == "rejected"),
        "held_rows": sum(1 for i in issues if i["kind"] == "held"),
        "page_no": number, "pages": pages, "has_next": number < pages,
    })


@router.get("/batches/{batch_id}/rejects.csv")
def reject_file(request: Request, batch_id: int, actor: ConsoleActor, uow: UowDep) -> Response:
    header, rows = ingest.reject_file_rows(uow, batch_id)
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return Response(buffer.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="batch-{batch_id}-rejects.csv"', "cache-control": "no-store"})


# -- the online entry form ------------------------------------------------------------------------

@dataclass
class EntryField:
    item: DataItem
    kind: str  # date | select | textarea | decimal | text
    value: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def max_length(self) -> int:
        if self.item.max_length:
            return self.item.max_length
        return 64 if self.item.type is ItemType.IDENTIFIER else 500


def _kind(item: DataItem) -> str:
    return {ItemType.DATE: "date", ItemType.CODE: "select", ItemType.TEXT: "textarea", ItemType.DECIMAL: "decimal",
            ItemType.INTEGER: "decimal"}.get(item.type, "text")


def _entry_groups(info: InfoClass, catalogue: Catalogue, values: dict[str, str],
                  problems: dict[str, list[str]]) -> list[tuple[str, list[EntryField]]]:
    groups: dict[str, list[EntryField]] = {"信用主体": [], "法定代表人（负责人）": [], "信息内容": []}
    for item in info.items:
        entry = EntryField(item, _kind(item), values.get(item.code, ""), problems=problems.get(item.code, []))
        if entry.kind == "select":
            table = catalogue.code_tables.get(item.code_table or "")
            entry.options = [(v.code, v.label) for v in table.values] if table else []
        if item.role in SUBJECT_ROLES:
            groups["信用主体"].append(entry)
        elif item.role in LEGAL_REP_ROLES:
            groups["法定代表人（负责人）"].append(entry)
        else:
            groups["信息内容"].append(entry)
    return [(title, fields) for title, fields in groups.items() if fields]


@router.get("/entry", response_class=HTMLResponse)
def entry_classes(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    department = _own_department(uow, actor)
    return page(request, "admin/entry_classes.html", {
        "classes": list(platform.catalogue(uow).classes.values()), "department": department,
    })


def _entry_page(request: Request, uow: UnitOfWork, platform: Platform, actor: Actor, code: str, *,
                values: dict[str, str] | None = None, error: XinyongError | None = None,
                saved: dict[str, Any] | None = None) -> HTMLResponse:
    department = _own_department(uow, actor)
    catalogue = platform.catalogue(uow)
    info = _info(catalogue, code)
    codes = {item.code for item in info.items}
    by_field: dict[str, list[str]] = {}
    general: list[FieldProblem] = []
    for problem in error.problems if error else []:
        if problem.field in codes:
            by_field.setdefault(problem.field, []).append(problem.message)
        else:
            general.append(problem)
    if error is not None and not error.problems:
        general.append(FieldProblem(error.field or "", error.code, error.message, error.message_en))
    return page(request, "admin/entry.html", {
        "info": info, "department": department, "groups": _entry_groups(info, catalogue, values or {}, by_field),
        "error": error, "general": general, "saved": saved,
        "problem_count": len(error.problems) if error and error.problems else (1 if error else 0),
    }, status_code=error.status if error else 200)


@router.get("/entry/{code}", response_class=HTMLResponse)
def entry_form(request: Request, code: str, actor: ConsoleActor, uow: UowDep, platform: PlatformDep,
               saved: str = "", outcome: str = "") -> HTMLResponse:
    stored = None
    if saved.isdigit():
        record = uow.records.get(int(saved))
        if record is not None and actor.can_read_department(record.department_id):
            stored = {"id": record.id, "doc_number": record.doc_number, "version": record.version,
                      "outcome": OUTCOME_LABELS.get(outcome, "已保存")}
    return _entry_page(request, uow, platform, actor, code, saved=stored)


@router.post("/entry/{code}", response_class=HTMLResponse)
async def submit_entry(request: Request, code: str, actor: ConsoleActor, platform: PlatformDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    actor.require(Permission.RECORDS_SUBMIT)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    return await run_in_threadpool(_save_entry, request, platform, actor, code, values)


def _save_entry(request: Request, platform: Platform, actor: Actor, code: str, form: dict[str, str]) -> Response:
    with platform.uow(actor) as uow:
        department = _own_department(uow, actor)
        catalogue = platform.catalogue(uow)
        info = _info(catalogue, code)
        entered = {item.code: form.get(item.code, "") for item in info.items}
        values = {k: v.strip() for k, v in entered.items() if v.strip()}
        try:
            outcome = records.submit(uow, catalogue, info.code, department.id, values, "form")
        except InvalidInput as exc:
            return _entry_page(request, uow, platform, actor, code, values=entered, error=exc)
    return done(request, f"{OUTCOME_LABELS[outcome.outcome]}：记录 {outcome.record.id}",
                f"/admin/entry/{info.code}?saved={outcome.record.id}&outcome={outcome.outcome}")


# -- column mapping -------------------------------------------------------------------------------

@router.get("/mappings", response_class=HTMLResponse)
def mapping_classes(request: Request, actor: ConsoleActor, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    department = _own_department(uow, actor)
    catalogue = platform.catalogue(uow)
    classes = [{"info": info, "count": len(uow.batches.mapping(department.id, info.code))}
               for info in catalogue.classes.values()]
    return page(request, "admin/mapping_classes.html", {"classes": classes, "department": department})


def _mapping_page(request: Request, uow: UnitOfWork, platform: Platform, actor: Actor, code: str, *,
                  headers: dict[str, list[str]] | None = None, error: XinyongError | None = None) -> HTMLResponse:
    department = _own_department(uow, actor)
    info = _info(platform.catalogue(uow), code)
    if headers is None:
        headers = {}
        for header, item_code in uow.batches.mapping(department.id, info.code).items():
            headers.setdefault(item_code, []).append(header)
    rows = [{"item": item, "headers": headers.get(item.code) or [""]} for item in info.items]
    return page(request, "admin/mapping.html", {"info": info, "department": department, "rows": rows,
                                                 "error": error}, status_code=error.status if error else 200)


@router.get("/mappings/{code}", response_class=HTMLResponse)
def mapping_form(request: Request, code: str, actor: ConsoleActor, uow: UowDep, platform: PlatformDep) -> HTMLResponse:
    return _mapping_page(request, uow, platform, actor, code)


@router.post("/mappings/{code}", response_class=HTMLResponse)
async def save_mapping(request: Request, code: str, actor: ConsoleActor, platform: PlatformDep) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token") or ""))
    actor.require(Permission.RECORDS_SUBMIT)
    entered = {key.removeprefix("h_"): [str(v) for v in form.getlist(key)] for key in form if key.startswith("h_")}
    return await run_in_threadpool(_store_mapping, request, platform, actor, code, entered)


def _store_mapping(request: Request, platform: Platform, actor: Actor, code: str,
                   entered: dict[str, list[str]]) -> Response:
    with platform.uow(actor) as uow:
        department = _own_department(uow, actor)
        catalogue = platform.catalogue(uow)
        info = _info(catalogue, code)
        labels = _labels(info)
        headers = {item.code: [h.strip() for h in entered.get(item.code, []) if h.strip()] for item in info.items}
        mapping: dict[str, str] = {}
        seen: dict[str, str] = {}
        try:
            for item_code, names in headers.items():
                for header in names:
                    if len(header) > 200:
                        raise InvalidInput(f"表头过长（不超过200字）：{header[:20]}…", "header longer than 200",
                                           code="mapping.too_long", field=item_code)
                    key = header_key(header)
                    if key in seen and seen[key] != item_code:
                        raise InvalidInput(f"表头“{header}”同时对应了“{labels[seen[key]]}”和“{labels[item_code]}”",
                                           "one header names two items", code="mapping.duplicate", field=item_code)
                    seen[key] = item_code
                    mapping[header] = item_code
            ingest.save_mapping(uow, catalogue, info.code, department.id, mapping)
        except XinyongError as exc:
            return _mapping_page(request, uow, platform, actor, code,
                                 headers={k: v or [""] for k, v in headers.items()}, error=exc)
    return done(request, f"已保存“{info.name}”的列名映射（{len(mapping)} 个表头）", f"/admin/mappings/{info.code}")
