"""SQL of reports, self-service applications, the notification log and batch reviews."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from xinyong.adapters.ids import allocate
from xinyong.adapters.tables import credit_report, credit_review, notification_log, report_application

_REPORT_LIST_COLUMNS = [c for c in credit_report.c if c.name not in ("pdf", "snapshot")]


class ReportRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # -- reports -------------------------------------------------------------------------------
    def new_report_id(self) -> int:
        return allocate(self.connection, "report", 1)

    def add_report(self, row: dict[str, Any]) -> None:
        self.connection.execute(insert(credit_report), [row])

    def report_by_code(self, code: str) -> dict[str, Any] | None:
        row = self.connection.execute(select(credit_report).where(credit_report.c.code == code)).first()
        return dict(row._mapping) if row else None

    def report(self, report_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(select(credit_report).where(credit_report.c.id == report_id)).first()
        return dict(row._mapping) if row else None

    def report_by_pdf_digest(self, digest: str) -> dict[str, Any] | None:
        row = self.connection.execute(
            select(*_REPORT_LIST_COLUMNS).where(credit_report.c.pdf_sha256 == digest)).first()
        return dict(row._mapping) if row else None

    def reports(self, subject_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        query = select(*_REPORT_LIST_COLUMNS)
        if subject_id is not None:
            query = query.where(credit_report.c.subject_id == subject_id)
        rows = self.connection.execute(query.order_by(credit_report.c.issued_at.desc(), credit_report.c.id.desc())
                                       .limit(limit))
        return [dict(r._mapping) for r in rows]

    def revoke_report(self, report_id: int, at: datetime, reason: str) -> None:
        self.connection.execute(update(credit_report).where(credit_report.c.id == report_id)
                                .values(status="revoked", revoked_at=at, revoked_reason=reason))

    # -- applications --------------------------------------------------------------------------
    def add_application(self, row: dict[str, Any]) -> int:
        result = self.connection.execute(insert(report_application).values(**row))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def application(self, application_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(
            select(report_application).where(report_application.c.id == application_id)).first()
        return dict(row._mapping) if row else None

    def application_by_access(self, access_hash: str) -> dict[str, Any] | None:
        row = self.connection.execute(
            select(report_application).where(report_application.c.access_hash == access_hash)).first()
        return dict(row._mapping) if row else None

    def applications(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(report_application)
        if status:
            query = query.where(report_application.c.status == status)
        rows = self.connection.execute(query.order_by(report_application.c.created_at.desc(),
                                                      report_application.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]

    def decide_application(self, application_id: int, **values: Any) -> None:
        self.connection.execute(update(report_application).where(report_application.c.id == application_id)
                                .values(**values))

    # -- notifications -------------------------------------------------------------------------
    def log_message(self, row: dict[str, Any]) -> None:
        self.connection.execute(insert(notification_log).values(**row))

    def messages(self, application_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(notification_log)
        if application_id is not None:
            query = query.where(notification_log.c.application_id == application_id)
        rows = self.connection.execute(query.order_by(notification_log.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]

    # -- reviews -------------------------------------------------------------------------------
    def add_review(self, row: dict[str, Any]) -> int:
        result = self.connection.execute(insert(credit_review).values(**row))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def review(self, review_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(select(credit_review).where(credit_review.c.id == review_id)).first()
        return dict(row._mapping) if row else None

    def reviews(self, department_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        columns = [c for c in credit_review.c if c.name not in ("inputs", "results")]
        query = select(*columns)
        if department_id is not None:
            query = query.where(credit_review.c.department_id == department_id)
        rows = self.connection.execute(query.order_by(credit_review.c.id.desc()).limit(limit))
        return [dict(r._mapping) for r in rows]

    def count_reports(self) -> int:
        return int(self.connection.execute(select(func.count()).select_from(credit_report)).scalar_one())
