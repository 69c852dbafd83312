"""search: the name index (subject_gram), filled for the organisations that exist

The grams come from the application's own fold (``domain/names`` through ``gram_frame``): the index must
hold exactly what the search computes from a query, so a later change of the fold needs a migration that
fills the index again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from __future__ import annotations

import polars as pl
import sqlalchemy as sa
from alembic import op

from xinyong.adapters.bulk import bulk_insert_frame
from xinyong.adapters.repositories.names import gram_frame

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 200_000
SUBJECT = sa.table("subject", sa.column("id", sa.BigInteger), sa.column("name", sa.String),
                   sa.column("subject_type", sa.String))


def upgrade() -> None:
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    # PostgreSQL builds the primary key after the load (one sort instead of ten million insertions);
    # SQLite's table is its primary key (WITHOUT ROWID), so it has it from the start.
    key = [] if postgresql else [sa.PrimaryKeyConstraint("gram", "subject_id", name="pk_subject_gram")]
    table = op.create_table("subject_gram", sa.Column("gram", sa.String(2), nullable=False),
                            sa.Column("subject_id", sa.BigInteger(), nullable=False), *key,
                            sqlite_with_rowid=False)
    last = -1
    while True:
        rows = connection.execute(
            sa.select(SUBJECT.c.id, SUBJECT.c.name, SUBJECT.c.subject_type).where(SUBJECT.c.id > last)
            .order_by(SUBJECT.c.id).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        subjects = pl.DataFrame(rows, schema={"subject_id": pl.Int64, "name": pl.String, "subject_type": pl.String},
                                orient="row")
        bulk_insert_frame(connection, table, gram_frame(subjects).sort("gram", "subject_id"))
    if postgresql:
        op.create_primary_key("pk_subject_gram", "subject_gram", ["gram", "subject_id"])
    # Statistics for the planner at once: without them a search on millions of grams is planned blind
    # until autovacuum gets round to the new table (measured: p99 96 ms instead of under 10 ms).
    op.execute("ANALYZE subject_gram")


def downgrade() -> None:
    op.drop_table("subject_gram")
