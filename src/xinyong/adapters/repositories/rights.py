"""SQL of repair and objection cases (``rights_case``) and their steps (``rights_case_event``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from xinyong.adapters.ids import allocate
from xinyong.adapters.tables import credit_record, rights_case, rights_case_event
from xinyong.domain.records import CreditRecord
from xinyong.domain.repair import OPEN_STATUSES, Case, CaseKind, CaseStatus

_CASE_FIELDS = [f.name for f in fields(Case)]


def _case(row: Any) -> Case:
    m = row._mapping
    values = {name: m[name] for name in _CASE_FIELDS}
    values["kind"] = CaseKind(values["kind"])
    values["status"] = CaseStatus(values["status"])
    return Case(**values)


def _state(case: Case) -> dict[str, Any]:
    return {"status": case.status.value, "step_since": case.step_since, "due_on": case.due_on,
            "closed_on": case.closed_on, "outcome_note": case.outcome_note, "verified_ok": case.verified_ok,
            "result_record_id": case.result_record_id, "escalated_on": case.escalated_on}


class RightsRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def next_commitment_serial(self) -> int:
        return allocate(self.connection, "commitment")

    def add(self, case: Case, query_code_hash: str, submitted_at: datetime) -> Case:
        row = {name: getattr(case, name) for name in _CASE_FIELDS if name != "id"}
        row.update(kind=case.kind.value, status=case.status.value, query_code_hash=query_code_hash,
                   submitted_at=submitted_at)
        case.id = int(self.connection.execute(insert(rights_case).values(**row)).inserted_primary_key[0])
        return case

    def save_state(self, case: Case) -> None:
        self.connection.execute(update(rights_case).where(rights_case.c.id == case.id).values(**_state(case)))

    def get(self, case_no: str) -> Case | None:
        row = self.connection.execute(select(rights_case).where(rights_case.c.case_no == case_no)).first()
        return _case(row) if row else None

    def query_code_hash(self, case_no: str) -> str | None:
        return self.connection.execute(
            select(rights_case.c.query_code_hash).where(rights_case.c.case_no == case_no)).scalar()

    def add_event(self, case_id: int, at: datetime, step: str, actor_name: str, note: str | None,
                  internal: bool = False) -> None:
        self.connection.execute(insert(rights_case_event).values(case_id=case_id, at=at, step=step,
                                                                 actor_name=actor_name, note=note, internal=internal))

    def events(self, case_id: int, include_internal: bool = True) -> list[dict[str, Any]]:
        query = select(rights_case_event).where(rights_case_event.c.case_id == case_id)
        if not include_internal:
            query = query.where(rights_case_event.c.internal.is_(False))
        return [dict(r._mapping) for r in self.connection.execute(query.order_by(rights_case_event.c.id))]

    def open_for_records(self, kind: CaseKind, record_ids: Iterable[int]) -> dict[int, str]:
        """record id → case number of an open case of ``kind`` on it."""
        ids = list({int(i) for i in record_ids})
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            rows = self.connection.execute(
                select(rights_case.c.record_id, rights_case.c.case_no).where(
                    rights_case.c.kind == kind.value, rights_case.c.record_id.in_(ids[start:start + 500]),
                    rights_case.c.status.in_([s.value for s in OPEN_STATUSES])))
            found.update({r: n for r, n in rows})
        return found

    def listing(self, *, kind: CaseKind | None = None, status: CaseStatus | None = None,
                department_id: int | None = None, open_only: bool = False, overdue_on: date | None = None,
                limit: int = 200, offset: int = 0) -> list[Case]:
        query = select(rights_case)
        if kind is not None:
            query = query.where(rights_case.c.kind == kind.value)
        if status is not None:
            query = query.where(rights_case.c.status == status.value)
        if department_id is not None:
            query = query.where(rights_case.c.department_id == department_id)
        if open_only or overdue_on is not None:
            query = query.where(rights_case.c.status.in_([s.value for s in OPEN_STATUSES]))
        if overdue_on is not None:
            query = query.where(rights_case.c.due_on < overdue_on)
        rows = self.connection.execute(query.order_by(rights_case.c.id.desc()).limit(limit).offset(offset))
        return [_case(r) for r in rows]

    def due_by(self, day: date) -> list[Case]:
        """Open cases whose next step is due on or before ``day`` (reminders and escalation)."""
        rows = self.connection.execute(select(rights_case).where(
            rights_case.c.status.in_([s.value for s in OPEN_STATUSES]), rights_case.c.due_on <= day,
        ).order_by(rights_case.c.due_on, rights_case.c.id))
        return [_case(r) for r in rows]

    def in_period(self, start: date, end: date, department_id: int | None = None) -> list[Case]:
        query = select(rights_case).where(rights_case.c.submitted_on >= start, rights_case.c.submitted_on <= end)
        if department_id is not None:
            query = query.where(rights_case.c.department_id == department_id)
        return [_case(r) for r in self.connection.execute(query)]

    def reminded_on(self, case_id: int, step: str, day_start: datetime) -> bool:
        count = self.connection.execute(select(func.count()).select_from(rights_case_event).where(
            rights_case_event.c.case_id == case_id, rights_case_event.c.step == step,
            rights_case_event.c.at >= day_start)).scalar_one()
        return bool(count)

    def set_openness(self, record: CreditRecord) -> None:
        """A commitment's 公开类型 decides its record's openness (the record's content is untouched)."""
        self.connection.execute(
            update(credit_record)
            .where(credit_record.c.subject_id == record.subject_id, credit_record.c.id == record.id)
            .values(openness=record.openness.value))
