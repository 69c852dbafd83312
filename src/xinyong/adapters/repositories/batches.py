from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, func, insert, select, update

from xinyong.adapters.bulk import bulk_insert_frame
from xinyong.adapters.tables import column_mapping, ingest_batch, ingest_issue


class BatchRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, **values: Any) -> int:
        result = self.connection.execute(insert(ingest_batch).values(**values))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def update(self, batch_id: int, **values: Any) -> None:
        self.connection.execute(update(ingest_batch).where(ingest_batch.c.id == batch_id).values(**values))

    def get(self, batch_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(select(ingest_batch).where(ingest_batch.c.id == batch_id)).first()
        return dict(row._mapping) if row else None

    def recent(self, department_id: int | None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        query = select(ingest_batch).order_by(ingest_batch.c.id.desc()).limit(limit).offset(offset)
        if department_id is not None:
            query = query.where(ingest_batch.c.department_id == department_id)
        return [dict(r._mapping) for r in self.connection.execute(query)]

    def add_issues(self, rows: pl.DataFrame) -> None:
        """Rejected or held rows (``ingest_issue``'s columns, cells and problems as JSON text), in bulk."""
        bulk_insert_frame(self.connection, ingest_issue, rows)

    def issues(self, batch_id: int, kind: str | None = None) -> list[dict[str, Any]]:
        query = select(ingest_issue).where(ingest_issue.c.batch_id == batch_id).order_by(ingest_issue.c.row_number)
        if kind is not None:
            query = query.where(ingest_issue.c.kind == kind)
        return [dict(r._mapping) for r in self.connection.execute(query)]

    def issue_counts(self, batch_id: int) -> dict[str, int]:
        rows = self.connection.execute(
            select(ingest_issue.c.kind, func.count()).where(ingest_issue.c.batch_id == batch_id)
            .group_by(ingest_issue.c.kind))
        return {k: n for k, n in rows}

    def mapping(self, department_id: int, info_class: str) -> dict[str, str]:
        rows = self.connection.execute(select(column_mapping.c.header, column_mapping.c.item_code).where(
            column_mapping.c.department_id == department_id, column_mapping.c.info_class == info_class))
        return {h: c for h, c in rows}

    def save_mapping(self, department_id: int, info_class: str, mapping: dict[str, str]) -> None:
        self.connection.execute(delete(column_mapping).where(
            column_mapping.c.department_id == department_id, column_mapping.c.info_class == info_class))
        if mapping:
            self.connection.execute(insert(column_mapping), [
                {"department_id": department_id, "info_class": info_class, "header": h, "item_code": c}
                for h, c in mapping.items()])
