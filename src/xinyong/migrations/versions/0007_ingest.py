"""ingest: fewer secondary indexes on records and windows (each one slows every bulk write)

Every look-up of a record by document number, source key or version chain names its subject. The
subject's index now ends with the document number, so the look-up that collection makes for each row
(does this subject already have this document?) is answered by the index alone, and the separate
document-number index, the root index and the source-key index go. A subject's records in date order
are a handful of rows sorted after the look-up. Stored publication windows are only ever removed by
(subject, record), their primary key.

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
    op.drop_index("ix_record_subject_class_date", table_name="credit_record")
    op.create_index("ix_record_subject_class_doc", "credit_record", ["subject_id", "info_class", "doc_number"])
    op.drop_index("ix_record_publication_record", table_name="record_publication")


def downgrade() -> None:
    op.create_index("ix_record_publication_record", "record_publication", ["record_id"])
    op.drop_index("ix_record_subject_class_doc", table_name="credit_record")
    op.create_index("ix_record_subject_class_date", "credit_record", ["subject_id", "info_class", "decision_date"])
    op.create_index("ix_record_source_key", "credit_record", ["department_id", "info_class", "source_key"])
    op.create_index("ix_record_root", "credit_record", ["root_id"])
    op.create_index("ix_record_doc_number", "credit_record", ["info_class", "doc_number"])
