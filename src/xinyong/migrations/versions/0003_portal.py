"""portal: stored publication windows, the rules' digest, policy and news articles

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "record_publication",
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("info_class", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_type", sa.String(length=24), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("public_from", sa.Date(), nullable=True),
        sa.Column("public_until", sa.Date(), nullable=True),
        sa.Column("severity", sa.String(length=24), nullable=True),
        sa.Column("repairable", sa.Boolean(), nullable=True),
        sa.Column("repair_from", sa.Date(), nullable=True),
        sa.Column("rule_set", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("subject_id", "record_id", name="pk_record_publication"),
    )
    op.create_index("ix_record_publication_class_date", "record_publication", ["info_class", "decision_date"])
    op.create_index("ix_record_publication_class_department", "record_publication",
                    ["info_class", "department_id", "decision_date"])
    op.create_index("ix_record_publication_record", "record_publication", ["record_id"])
    op.create_index("ix_record_batch", "credit_record", ["batch_id"])
    op.create_table(
        "publication_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_publication_state"),
    )
    op.create_table(
        "article",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_article"),
    )
    op.create_index("ix_article_channel_published", "article", ["channel", "published", "published_on"])


def downgrade() -> None:
    op.drop_index("ix_article_channel_published", table_name="article")
    op.drop_table("article")
    op.drop_table("publication_state")
    op.drop_index("ix_record_batch", table_name="credit_record")
    op.drop_index("ix_record_publication_record", table_name="record_publication")
    op.drop_index("ix_record_publication_class_department", table_name="record_publication")
    op.drop_index("ix_record_publication_class_date", table_name="record_publication")
    op.drop_table("record_publication")
