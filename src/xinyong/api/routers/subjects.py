from __future__ import annotations

from fastapi import APIRouter, Query

from xinyong.api.deps import UowDep
from xinyong.api.schemas import ERRORS, RecordOut, SubjectOut, SubjectSummary
from xinyong.services import records, subjects

router = APIRouter(prefix="/subjects", tags=["subjects"], responses=ERRORS)


@router.get("")
def search_subjects(uow: UowDep, q: str = Query(min_length=1, max_length=100),
                    limit: int = Query(20, ge=1, le=200)) -> list[SubjectSummary]:
    """Subjects by part of their name or by an identifier (persons only with personal-data permission)."""
    return [SubjectSummary(**row) for row in subjects.search(uow, q, limit=limit)]


@router.get("/{subject_id}")
def get_subject(subject_id: int, uow: UowDep) -> SubjectOut:
    return SubjectOut.of(subjects.get_subject(uow, subject_id))


@router.get("/{subject_id}/records")
def subject_records(subject_id: int, uow: UowDep) -> list[RecordOut]:
    """Current versions of the subject's records that the caller may see."""
    return [RecordOut.of(r) for r in records.records_of_subject(uow, subject_id)]
