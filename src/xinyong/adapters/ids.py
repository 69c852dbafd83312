"""Blocks of ids from ``id_sequence``: one UPDATE … RETURNING per block, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Connection, update

from xinyong.adapters.tables import id_sequence


def allocate(connection: Connection, name: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive ids and return the first."""
    statement = (
        update(id_sequence)
        .where(id_sequence.c.name == name)
        .values(next_value=id_sequence.c.next_value + count)
        .returning(id_sequence.c.next_value)
    )
    after = connection.execute(statement).scalar_one()
    return int(after) - count
