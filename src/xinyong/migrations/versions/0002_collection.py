"""collection: batch details, rejected and held rows, departments' column mappings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BATCH_COLUMNS = [
    sa.Column("byte_size", sa.BigInteger(), nullable=True),
    sa.Column("encoding", sa.String(length=16), nullable=True),
    sa.Column("sheet", sa.String(length=100), nullable=True),
    sa.Column("header_row", sa.Integer(), nullable=True),
    sa.Column("mapping", sa.JSON(), nullable=True),
    sa.Column("submitter_name", sa.String(length=64), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("error_code", sa.String(length=64), nullable=True),
    sa.Column("error_message", sa.Text(), nullable=True),
    sa.Column("created", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("updated", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("duplicates", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("held", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("timely", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("late", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("item_filled", sa.JSON(), nullable=True),
]


def upgrade() -> None:
    with op.batch_alter_table("ingest_batch") as batch:
        for column in BATCH_COLUMNS:
            batch.add_column(column)
        batch.create_index("ix_ingest_batch_received", ["received_at"])
    op.create_table(
        "ingest_issue",
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("cells", sa.JSON(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batch.id"], name=op.f("fk_ingest_issue_batch_id_ingest_batch")),
        sa.PrimaryKeyConstraint("batch_id", "row_number", name=op.f("pk_ingest_issue")),
    )
    op.create_table(
        "column_mapping",
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("info_class", sa.String(length=64), nullable=False),
        sa.Column("header", sa.String(length=200), nullable=False),
        sa.Column("item_code", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"],
                                name=op.f("fk_column_mapping_department_id_department")),
        sa.PrimaryKeyConstraint("department_id", "info_class", "header", name=op.f("pk_column_mapping")),
    )
    op.create_index("ix_record_source_key", "credit_record", ["department_id", "info_class", "source_key"])


def downgrade() -> None:
    op.drop_index("ix_record_source_key", table_name="credit_record")
    op.drop_table("column_mapping")
    op.drop_table("ingest_issue")
    with op.batch_alter_table("ingest_batch") as batch:
        batch.drop_index("ix_ingest_batch_received")
        for column in reversed(BATCH_COLUMNS):
            batch.drop_column(column.name)
