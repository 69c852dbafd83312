from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from xinyong.adapters.tables import code_table, info_class
from xinyong.domain.catalogue import Catalogue, CodeTable
from xinyong.rules.catalogue_files import CodeTableFile, InfoClassFile, code_table_to_domain


class CatalogueRepository:
    """The catalogue as the administrator last saved it; each class keeps a revision number."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load(self) -> Catalogue:
        catalogue = Catalogue()
        for row in self.connection.execute(select(code_table)):
            table = CodeTableFile.model_validate({"code": row.code, "name": row.name, "values": row.values})
            catalogue.code_tables[row.code] = code_table_to_domain(table)
        for row in self.connection.execute(select(info_class).order_by(info_class.c.code)):
            catalogue.classes[row.code] = InfoClassFile.model_validate(row.definition).to_domain()
        return catalogue

    def stamp(self) -> tuple[int, int]:
        """Changes whenever any class is saved: (number of classes, sum of revisions)."""
        count, total = self.connection.execute(
            select(func.count(), func.coalesce(func.sum(info_class.c.revision), 0))
        ).one()
        return int(count), int(total)

    def revisions(self) -> dict[str, int]:
        return dict(self.connection.execute(select(info_class.c.code, info_class.c.revision)).all())  # type: ignore[arg-type]

    def save_class(self, definition: InfoClassFile, by: str, at: datetime) -> int:
        data = definition.model_dump(mode="json")
        current = self.connection.execute(
            select(info_class.c.revision).where(info_class.c.code == definition.code)
        ).scalar_one_or_none()
        values = {"name": definition.name, "classification": definition.classification.value, "definition": data,
                  "updated_at": at, "updated_by": by}
        if current is None:
            self.connection.execute(insert(info_class).values(code=definition.code, revision=1, **values))
            return 1
        self.connection.execute(
            update(info_class).where(info_class.c.code == definition.code).values(revision=current + 1, **values)
        )
        return current + 1

    def save_code_tables(self, tables: list[CodeTable]) -> None:
        for table in tables:
            self.connection.execute(delete(code_table).where(code_table.c.code == table.code))
            self.connection.execute(
                insert(code_table).values(code=table.code, name=table.name,
                                          values=[{"code": v.code, "label": v.label, "aliases": list(v.aliases)}
                                                  for v in table.values])
            )
