"""record batch index: a block-range index (BRIN) on PostgreSQL instead of a B-tree

Records are written batch after batch, so the batch number follows the position of the rows in each
partition: a BRIN index (the smallest and largest batch of every 32 pages) finds a batch's records, and
costs almost nothing per row written, where the B-tree added an entry and its WAL to every row of every
bulk load. SQLite keeps its B-tree.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_record_batch", table_name="credit_record")
    op.create_index("ix_record_batch", "credit_record", ["batch_id"], postgresql_using="brin",
                    postgresql_ops={"batch_id": "int8_minmax_multi_ops"},
                    postgresql_with={"pages_per_range": 32, "autosummarize": "on"})


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_record_batch", table_name="credit_record")
    op.create_index("ix_record_batch", "credit_record", ["batch_id"])
