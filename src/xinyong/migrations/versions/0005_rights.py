"""subjects' rights: credit repair and objection cases with their events; the commitment serial

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_case",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("case_no", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("query_code_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("procedure", sa.String(length=40), nullable=False),
        sa.Column("severity", sa.String(length=24), nullable=True),
        sa.Column("reason_type", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("applicant_name", sa.String(length=100), nullable=False),
        sa.Column("applicant_contact", sa.String(length=100), nullable=False),
        sa.Column("applicant_is_subject", sa.Boolean(), nullable=False),
        sa.Column("commitment", sa.Text(), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step_since", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("total_due_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("verified_ok", sa.Boolean(), nullable=True),
        sa.Column("result_record_id", sa.BigInteger(), nullable=True),
        sa.Column("escalated_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_case")),
        sa.UniqueConstraint("case_no", name=op.f("uq_rights_case_case_no")),
    )
    op.create_index("ix_rights_case_open_due", "rights_case", ["status", "due_on"])
    op.create_index("ix_rights_case_record", "rights_case", ["record_id", "status"])
    op.create_index("ix_rights_case_department", "rights_case", ["department_id", "submitted_on"])
    op.create_table(
        "rights_case_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("step", sa.String(length=24), nullable=False),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["rights_case.id"], name=op.f("fk_rights_case_event_case_id_rights_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_case_event")),
    )
    op.create_index(op.f("ix_rights_case_event_case_id"), "rights_case_event", ["case_id"])
    op.bulk_insert(
        sa.table("id_sequence", sa.column("name", sa.String), sa.column("next_value", sa.BigInteger)),
        [{"name": "commitment", "next_value": 1}],
    )


def downgrade() -> None:
    op.execute("DELETE FROM id_sequence WHERE name = 'commitment'")
    op.drop_index(op.f("ix_rights_case_event_case_id"), table_name="rights_case_event")
    op.drop_table("rights_case_event")
    op.drop_index("ix_rights_case_department", table_name="rights_case")
    op.drop_index("ix_rights_case_record", table_name="rights_case")
    op.drop_index("ix_rights_case_open_due", table_name="rights_case")
    op.drop_table("rights_case")
