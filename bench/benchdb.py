"""The PostgreSQL database a benchmark builds its city in: created when missing, its schema emptied.
Each benchmark checks first that the name says the database is for benchmarks."""

from __future__ import annotations

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def empty_database(url: str, keep_if_table: str | None = None) -> bool:
    """Create the database of ``url`` when missing and empty its public schema. With ``keep_if_table``, a
    database that already has that table (a city built before) is kept as it is. True when emptied."""
    parsed = make_url(url)
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    engine = create_engine(_engine_url(admin), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": parsed.database}).first():
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    engine.dispose()
    target = create_engine(_engine_url(url), isolation_level="AUTOCOMMIT")
    try:
        with target.connect() as connection:
            if keep_if_table and connection.execute(text("SELECT to_regclass(:t) IS NOT NULL"),
                                                    {"t": f"public.{keep_if_table}"}).scalar():
                return False
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        return True
    finally:
        target.dispose()
