from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from xinyong.adapters.ids import allocate
from xinyong.adapters.tables import credit_record, ingest_batch, record_event
from xinyong.domain.records import (
    CORE_COLUMNS,
    Classification,
    CreditRecord,
    Openness,
    Provenance,
    RecordStatus,
    SharingLevel,
)


def record_row(record: CreditRecord) -> dict[str, Any]:
    p = record.provenance
    return {
        "subject_id": record.subject_id, "id": record.id, "root_id": record.root_id, "version": record.version,
        "superseded_by": record.superseded_by, "info_class": record.info_class,
        "classification": record.classification.value, "department_id": record.department_id,
        "status": record.status.value, "sharing": record.sharing.value, "openness": record.openness.value,
        **{column: record.core.get(column) for column in CORE_COLUMNS},
        "extra": record.extra or None, "channel": p.channel, "batch_id": p.batch_id, "source_row": p.source_row,
        "source_key": p.source_key, "submitter_id": p.submitter_id, "received_at": p.received_at,
    }


def record_from_row(row: Any) -> CreditRecord:
    m = row._mapping
    return CreditRecord(
        id=m["id"], subject_id=m["subject_id"], info_class=m["info_class"],
        classification=Classification(m["classification"]), department_id=m["department_id"],
        sharing=SharingLevel(m["sharing"]), openness=Openness(m["openness"]),
        provenance=Provenance(received_at=m["received_at"], channel=m["channel"], batch_id=m["batch_id"],
                              source_row=m["source_row"], source_key=m["source_key"],
                              submitter_id=m["submitter_id"]),
        root_id=m["root_id"], version=m["version"], status=RecordStatus(m["status"]),
        superseded_by=m["superseded_by"],
        core={c: m[c] for c in CORE_COLUMNS if m[c] is not None}, extra=m["extra"] or {},
    )


class RecordRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def new_ids(self, count: int) -> int:
        return allocate(self.connection, "record", count)

    def add(self, records: list[CreditRecord]) -> None:
        if records:
            self.connection.execute(insert(credit_record), [record_row(r) for r in records])

    def get(self, record_id: int) -> CreditRecord | None:
        row = self.connection.execute(select(credit_record).where(credit_record.c.id == record_id)).first()
        return record_from_row(row) if row else None

    def of_subject(self, subject_id: int, record_id: int) -> CreditRecord | None:
        """A record by its id and its subject's (one partition, one index probe)."""
        row = self.connection.execute(select(credit_record).where(
            credit_record.c.subject_id == subject_id, credit_record.c.id == record_id)).first()
        return record_from_row(row) if row else None

    def versions(self, subject_id: int, root_id: int) -> list[CreditRecord]:
        rows = self.connection.execute(
            select(credit_record)
            .where(credit_record.c.subject_id == subject_id, credit_record.c.root_id == root_id)
            .order_by(credit_record.c.version)
        )
        return [record_from_row(r) for r in rows]

    def current_by_doc_number(self, info_class: str, doc_number: str, subject_id: int) -> CreditRecord | None:
        row = self.connection.execute(
            select(credit_record).where(
                credit_record.c.info_class == info_class, credit_record.c.doc_number == doc_number,
                credit_record.c.subject_id == subject_id, credit_record.c.superseded_by.is_(None),
            )
        ).first()
        return record_from_row(row) if row else None

    def for_subject(self, subject_id: int, department_id: int | None = None,
                    current_only: bool = True) -> list[CreditRecord]:
        query = select(credit_record).where(credit_record.c.subject_id == subject_id)
        if department_id is not None:
            query = query.where(credit_record.c.department_id == department_id)
        if current_only:
            query = query.where(credit_record.c.superseded_by.is_(None))
        rows = self.connection.execute(query.order_by(credit_record.c.decision_date.desc(), credit_record.c.id))
        return [record_from_row(r) for r in rows]

    def of_class_for_subjects(self, info_class: str, after_subject: int, last_subject: int) -> list[CreditRecord]:
        """Current records of a class of the subjects whose ids are in ``(after_subject, last_subject]``, in
        key order. Walking all subjects span by span reads each record once through the (subject, class)
        index; a walk ordered by record key would need an index by class first, which no other query needs."""
        r = credit_record.c
        rows = self.connection.execute(select(credit_record).where(
            r.subject_id > after_subject, r.subject_id <= last_subject, r.info_class == info_class,
            r.superseded_by.is_(None)).order_by(r.subject_id, r.id))
        return [record_from_row(row) for row in rows]

    def browse(self, *, department_id: int | None = None, info_class: str | None = None,
               date_from: date | None = None, date_to: date | None = None, limit: int = 50,
               offset: int = 0) -> list[CreditRecord]:
        query = select(credit_record).where(credit_record.c.superseded_by.is_(None))
        if department_id is not None:
            query = query.where(credit_record.c.department_id == department_id)
        if info_class:
            query = query.where(credit_record.c.info_class == info_class)
        if date_from:
            query = query.where(credit_record.c.decision_date >= date_from)
        if date_to:
            query = query.where(credit_record.c.decision_date <= date_to)
        rows = self.connection.execute(
            query.order_by(credit_record.c.decision_date.desc(), credit_record.c.id.desc()).limit(limit).offset(offset)
        )
        return [record_from_row(r) for r in rows]

    def save_state(self, record: CreditRecord) -> None:
        """Persist the lifecycle fields of an existing version (status, superseded_by); content never."""
        self.connection.execute(
            update(credit_record)
            .where(credit_record.c.subject_id == record.subject_id, credit_record.c.id == record.id)
            .values(status=record.status.value, superseded_by=record.superseded_by)
        )

    def add_event(self, record: CreditRecord, event: str, reason: str | None, actor_name: str, at: datetime) -> None:
        self.connection.execute(
            insert(record_event).values(subject_id=record.subject_id, record_id=record.id, at=at, event=event,
                                        reason=reason, actor_name=actor_name)
        )

    def events(self, subject_id: int, root_id: int) -> list[dict[str, Any]]:
        ids = select(credit_record.c.id).where(
            credit_record.c.subject_id == subject_id, credit_record.c.root_id == root_id
        )
        rows = self.connection.execute(
            select(record_event).where(record_event.c.subject_id == subject_id, record_event.c.record_id.in_(ids))
            .order_by(record_event.c.id)
        )
        return [dict(r._mapping) for r in rows]

    def batch(self, batch_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(select(ingest_batch).where(ingest_batch.c.id == batch_id)).first()
        return dict(row._mapping) if row else None

    def counts_by_class(self) -> dict[str, int]:
        rows = self.connection.execute(
            select(credit_record.c.info_class, func.count())
            .where(credit_record.c.superseded_by.is_(None)).group_by(credit_record.c.info_class)
        )
        return {c: n for c, n in rows}
