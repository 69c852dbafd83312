"""ingest: secondary indexes no query reads any more, dropped (each one slows every bulk write)

Every look-up of a record by document number, source key or version chain names its subject, so the
subject-first indexes serve them (the primary key and ``ix_record_subject_class_date``); stored publication
windows are only ever removed by (subject, record), their primary key.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_record_doc_number", table_name="credit_record")
    op.drop_index("ix_record_root", table_name="credit_record")
    op.drop_index("ix_record_source_key", table_name="credit_record")
    op.drop_index("ix_record_publication_record", table_name="record_publication")


def downgrade() -> None:
    op.create_index("ix_record_publication_record", "record_publication", ["record_id"])
    op.create_index("ix_record_source_key", "credit_record", ["department_id", "info_class", "source_key"])
    op.create_index("ix_record_root", "credit_record", ["root_id"])
    op.create_index("ix_record_doc_number", "credit_record", ["info_class", "doc_number"])
