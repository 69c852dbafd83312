from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from xinyong.api.deps import PlatformDep, UowDep
from xinyong.api.schemas import ERRORS, RecordDetail, RecordIn, RecordOut, StatusIn, SubmitOut
from xinyong.domain.records import RecordStatus
from xinyong.errors import InvalidInput, PermissionDenied
from xinyong.services import accounts, records

router = APIRouter(prefix="/records", tags=["records"], responses=ERRORS)


@router.post("", status_code=201)
def submit_record(body: RecordIn, uow: UowDep, platform: PlatformDep) -> SubmitOut:
    """Submit one record for your department (validated against the catalogue, linked to its subject)."""
    if body.department_uscc:
        department_id = accounts.department_by_uscc(uow, body.department_uscc).id
    elif uow.actor.department_id is not None:
        department_id = uow.actor.department_id
    else:
        raise PermissionDenied("账号不属于任何信源部门，不能报送", "your account belongs to no department",
                               code="permission.department")
    outcome = records.submit(uow, platform.catalogue(uow), body.info_class, department_id, body.values, "api",
                             body.source_key)
    return SubmitOut(outcome=outcome.outcome, subject_created=outcome.subject_created,
                     record=RecordOut.of(outcome.record))


@router.get("")
def browse_records(uow: UowDep, department_id: int | None = None, info_class: str | None = None,
                   date_from: date | None = None, date_to: date | None = None,
                   limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> list[RecordOut]:
    found = records.browse(uow, department_id=department_id, info_class=info_class, date_from=date_from,
                           date_to=date_to, limit=limit, offset=offset)
    return [RecordOut.of(r) for r in found]


@router.get("/{record_id}")
def get_record(record_id: int, uow: UowDep) -> RecordDetail:
    """A record with its versions and lifecycle events."""
    view = records.get_record(uow, record_id)
    return RecordDetail(record=RecordOut.of(view.record), versions=[RecordOut.of(v) for v in view.versions],
                        events=view.events)


@router.post("/{record_id}/status")
def change_status(record_id: int, body: StatusIn, uow: UowDep) -> RecordOut:
    try:
        status = RecordStatus(body.status)
    except ValueError:
        raise InvalidInput(f"未知的记录状态：{body.status}", f"unknown status: {body.status}",
                           code="record.status", field="status") from None
    return RecordOut.of(records.change_status(uow, record_id, status, body.reason))
