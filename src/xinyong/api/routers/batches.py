from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from xinyong.adapters.exports import write_csv
from xinyong.api.deps import PlatformDep, UowDep
from xinyong.api.schemas import ERRORS
from xinyong.errors import InvalidInput, PermissionDenied
from xinyong.services import accounts, ingest

router = APIRouter(tags=["collection"], responses=ERRORS)


def _department(uow: Any, department_uscc: str | None) -> int:
    if department_uscc:
        return accounts.department_by_uscc(uow, department_uscc).id
    if uow.actor.department_id is None:
        raise PermissionDenied("账号不属于任何信源部门，不能报送", "your account belongs to no department",
                               code="permission.department")
    return int(uow.actor.department_id)


@router.post("/batches", status_code=201)
def upload_batch(uow: UowDep, platform: PlatformDep, file: UploadFile = File(...),  # noqa: B008
                 info_class: str = Form(...), department_uscc: str | None = Form(None)) -> dict[str, Any]:
    """Upload a department's file (CSV in UTF-8/GBK/GB18030, or XLSX) for one catalogue class.

    Answers 201 with the batch's counts when the file was processed (rejected rows included), 422 with
    the reason and the failed batch's id when the file as a whole cannot be used.
    """
    department_id = _department(uow, department_uscc)
    with tempfile.TemporaryDirectory(prefix="xinyong-upload-") as directory:
        path = Path(directory) / "upload"
        with path.open("wb") as target:
            shutil.copyfileobj(file.file, target, 1 << 20)
        report = ingest.ingest_file(platform, uow.actor, path, info_class, department_id, file.filename)
    return report.as_dict()


@router.post("/records/bulk", status_code=201)
def push_records(body: dict[str, Any], uow: UowDep, platform: PlatformDep) -> dict[str, Any]:
    """Push many records at once: ``{"info_class": …, "items": [{"values": {…}, "source_key": …}]}``.

    Idempotent by ``source_key``: the same key again is a duplicate or, with changed values, a new version.
    """
    items = body.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or not 1 <= len(items) <= 10000:
        raise InvalidInput("items 须为 1 至 10000 条记录的数组", "items must be an array of 1 to 10000 objects",
                           code="request.items", field="items")
    department_id = _department(uow, body.get("department_uscc"))
    report, outcomes = ingest.push_records(platform, uow.actor, str(body.get("info_class", "")), department_id, items)
    return report.as_dict() | {"items": outcomes}


@router.get("/batches")
def list_batches(uow: UowDep, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    return ingest.recent_batches(uow, limit, offset)


@router.get("/batches/{batch_id}")
def get_batch(batch_id: int, uow: UowDep) -> dict[str, Any]:
    """A batch with its lineage facts (file hash, mapping, submitter) and every rejected or held row."""
    return ingest.batch_detail(uow, batch_id)


@router.get("/batches/{batch_id}/rejects.csv")
def reject_file(batch_id: int, uow: UowDep) -> Response:
    header, rows = ingest.reject_file_rows(uow, batch_id)
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return Response(buffer.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="batch-{batch_id}-rejects.csv"'})


@router.put("/mappings/{info_class}")
def save_mapping(info_class: str, body: dict[str, str], uow: UowDep, platform: PlatformDep) -> dict[str, str]:
    """Your department's own column mapping for a class: ``{"header in your files": "item code"}``."""
    department_id = _department(uow, None)
    return ingest.save_mapping(uow, platform.catalogue(uow), info_class, department_id, body)
