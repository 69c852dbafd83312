from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from xinyong.adapters.tables import article


class ArticleRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def add(self, values: dict[str, Any]) -> int:
        return int(self.connection.execute(insert(article).values(**values)).inserted_primary_key[0])

    def update(self, article_id: int, values: dict[str, Any]) -> None:
        self.connection.execute(update(article).where(article.c.id == article_id).values(**values))

    def get(self, article_id: int) -> dict[str, Any] | None:
        row = self.connection.execute(select(article).where(article.c.id == article_id)).first()
        return dict(row._mapping) if row else None

    def listing(self, channel: str | None, published_only: bool, limit: int, offset: int = 0,
                until: date | None = None) -> list[dict[str, Any]]:
        query = select(article)
        if channel:
            query = query.where(article.c.channel == channel)
        if published_only:
            query = query.where(article.c.published.is_(True))
            if until is not None:
                query = query.where(article.c.published_on <= until)
        query = query.order_by(article.c.published_on.desc().nulls_first(), article.c.id.desc())
        return [dict(r._mapping) for r in self.connection.execute(query.limit(limit).offset(offset))]

    def touch(self, article_id: int, at: datetime, by: str) -> None:
        self.update(article_id, {"updated_at": at, "updated_by": by})
