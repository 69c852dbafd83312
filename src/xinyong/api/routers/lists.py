"""Lists and entries: define, enter, exit, revoke, confirm proposals; matters and measures."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from xinyong.api.deps import UowDep
from xinyong.api.responses import json_response
from xinyong.api.schemas import ERRORS
from xinyong.domain.accounts import Permission
from xinyong.domain.lists import ListEntry
from xinyong.errors import InvalidInput
from xinyong.services import lists, subjects

router = APIRouter(tags=["lists"], responses=ERRORS)




def entry_out(entry: ListEntry) -> dict[str, Any]:
    return {"id": entry.id, "list": entry.list_code, "subject_id": entry.subject_id, "status": entry.status.value,
            "entry_date": entry.entry_date, "valid_to": entry.valid_to, "ended_on": entry.ended_on,
            "reason": entry.reason, "legal_basis": entry.legal_basis, "authority": entry.authority_name,
            "authority_uscc": entry.authority_uscc, "doc_number": entry.doc_number, "source": entry.source,
            "records": entry.records(), "rule": entry.rule_code}


class ListIn(BaseModel):
    code: str = Field(max_length=40)
    name: str = Field(max_length=100)
    kind: str = Field(description="punishment | reward | attention")
    description: str = Field("", max_length=2000)
    validity_days: int | None = None


class EntryIn(BaseModel):
    subject_id: int | None = None
    identifier: str | None = Field(None, max_length=64)
    id_type: str | None = Field(None, max_length=32)
    reason: str = Field(max_length=4000)
    entry_date: date
    valid_to: date | None = None
    legal_basis: str | None = Field(None, max_length=4000)
    authority: str | None = Field(None, max_length=200)
    authority_uscc: str | None = Field(None, max_length=18)
    doc_number: str | None = Field(None, max_length=128)


class EndIn(BaseModel):
    reason: str = Field(max_length=4000)
    on: date | None = None
    authority: str | None = Field(None, max_length=200)
    doc_number: str | None = Field(None, max_length=128)


class ConfirmIn(BaseModel):
    valid_to: date | None = None
    authority: str | None = Field(None, max_length=200)
    doc_number: str | None = Field(None, max_length=128)


class RejectIn(BaseModel):
    reason: str = Field(max_length=2000)


class RuleIn(BaseModel):
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    list: str
    info_class: str
    min_records: int
    window_days: int
    effective_from: date | None = None


@router.get("/matters")
def matters(uow: UowDep) -> Response:
    """The matters (事项) a check can name."""
    return json_response([m.__dict__ for m in lists.book(uow).matters.values()])


@router.get("/measures")
def measures(uow: UowDep) -> Response:
    """Memoranda and their measures (奖惩措施清单) with the lists and matters each applies to."""
    found = lists.book(uow)
    return json_response({"memoranda": [{**m.__dict__, "kind": m.kind.value} for m in found.memoranda.values()],
                  "measures": [{**m.__dict__, "mode": m.mode.value, "kind": m.kind.value, "lists": sorted(m.lists),
                                "matters": sorted(m.matters)} for m in found.measures]})


@router.get("/lists")
def all_lists(uow: UowDep) -> Response:
    uow.actor.require(Permission.LISTS_READ)
    counts = lists.counts(uow)
    return json_response([{"code": d.code, "name": d.name, "kind": d.kind.value, "builtin": d.builtin,
                           "public": d.public, "record_class": d.record_class, "validity_days": d.validity_days,
                           "description": d.description,
                           **counts.get(d.code, {"in_force": 0, "proposed": 0, "total": 0})}
                          for d in lists.book(uow).lists.values()])


@router.post("/lists", status_code=201)
def define_list(body: ListIn, uow: UowDep) -> Response:
    found = lists.define_list(uow, body.code, body.name, body.kind, body.description, body.validity_days)
    return json_response({"code": found.code, "name": found.name, "kind": found.kind.value}, 201)


@router.post("/lists/sync")
def sync(uow: UowDep) -> dict[str, int]:
    """Entries from collected records of list classes (idempotent)."""
    return lists.sync_from_records(uow)


@router.post("/lists/propose")
def propose(uow: UowDep) -> dict[str, int]:
    """Run the derivation rules: proposals for a person to confirm."""
    return lists.propose_from_rules(uow)


@router.post("/list-rules", status_code=201)
def add_rule(body: RuleIn, uow: UowDep) -> Response:
    rule = lists.add_rule(uow, body.code, body.name, body.list, body.info_class, body.min_records, body.window_days,
                          body.effective_from)
    return json_response(rule.__dict__, 201)


@router.get("/lists/{code}/entries")
def entries(code: str, uow: UowDep, status: str | None = None, in_force: bool = False,
            limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> Response:
    rows, total = lists.browse(uow, code, status, in_force, limit, offset)
    return json_response({"total": total, "entries": [{**entry_out(e), "subject": s} for e, s in rows]})


@router.post("/lists/{code}/entries", status_code=201)
def add_entry(code: str, body: EntryIn, uow: UowDep) -> Response:
    subject_id = body.subject_id
    if subject_id is None:
        if not body.identifier:
            raise InvalidInput("请提供 subject_id 或证件号码", "give subject_id or identifier", code="list.subject",
                               field="identifier")
        subject_id = subjects.id_of(uow, body.identifier, body.id_type)
    entry = lists.add_entry(uow, code, subject_id, body.reason, body.entry_date, body.valid_to, body.legal_basis,
                            body.authority, body.authority_uscc, body.doc_number)
    return json_response(entry_out(entry), 201)


@router.get("/list-entries/{entry_id}")
def get_entry(entry_id: int, uow: UowDep) -> Response:
    view = lists.get_entry(uow, entry_id)
    return json_response({**entry_out(view.entry), "list_name": view.list_def.name, "subject": view.subject,
                  "events": view.events, "record_details": view.records})


@router.post("/list-entries/{entry_id}/exit")
def exit_entry(entry_id: int, body: EndIn, uow: UowDep) -> Response:
    return json_response(entry_out(lists.exit_entry(uow, entry_id, body.reason, body.on, body.authority,
                                                   body.doc_number)))


@router.post("/list-entries/{entry_id}/revoke")
def revoke_entry(entry_id: int, body: EndIn, uow: UowDep) -> Response:
    return json_response(entry_out(lists.revoke_entry(uow, entry_id, body.reason, body.on, body.authority,
                                                   body.doc_number)))


@router.post("/list-entries/{entry_id}/confirm")
def confirm(entry_id: int, body: ConfirmIn, uow: UowDep) -> Response:
    return json_response(entry_out(lists.confirm_proposal(uow, entry_id, body.valid_to, body.doc_number,
                                                          body.authority)))


@router.post("/list-entries/{entry_id}/reject")
def reject(entry_id: int, body: RejectIn, uow: UowDep) -> Response:
    return json_response(entry_out(lists.reject_proposal(uow, entry_id, body.reason)))
