"""reports: issued credit reports, self-service applications, notification log, batch credit reviews

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SEQUENCE = sa.table("id_sequence", sa.column("name", sa.String), sa.column("next_value", sa.BigInteger))
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "credit_report",
        sa.Column("id", Id, primary_key=True, autoincrement=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("subject_name", sa.String(200), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data_as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(64), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_credit_report"),
        sa.UniqueConstraint("number", name="uq_credit_report_number"),
        sa.UniqueConstraint("code", name="uq_credit_report_code"),
    )
    op.create_index("ix_credit_report_subject_id", "credit_report", ["subject_id"])
    op.create_index("ix_credit_report_pdf_sha256", "credit_report", ["pdf_sha256"])
    op.create_table(
        "report_application",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("applicant_name", sa.String(100), nullable=False),
        sa.Column("legal_rep_id_masked", sa.String(32), nullable=False),
        sa.Column("contact_channel", sa.String(8), nullable=False),
        sa.Column("contact", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=True),
        sa.Column("identity_check", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("access_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("report_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_report_application"),
        sa.UniqueConstraint("access_hash", name="uq_report_application_access_hash"),
    )
    op.create_index("ix_report_application_subject_id", "report_application", ["subject_id"])
    op.create_index("ix_report_application_created_at", "report_application", ["created_at"])
    op.create_table(
        "notification_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notification_log"),
    )
    op.create_index("ix_notification_log_at", "notification_log", ["at"])
    op.create_table(
        "credit_review",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("matter", sa.String(64), nullable=False),
        sa.Column("matter_name", sa.String(100), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=True),
        sa.Column("window_from", sa.Date(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("filename", sa.String(255), nullable=True),
        sa.Column("file_sha256", sa.String(64), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("results", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credit_review"),
    )
    op.create_index("ix_credit_review_created_at", "credit_review", ["created_at"])
    op.bulk_insert(SEQUENCE, [{"name": "report", "next_value": 1}])


def downgrade() -> None:
    op.execute(SEQUENCE.delete().where(SEQUENCE.c.name == "report"))
    for table in ("credit_review", "notification_log", "report_application", "credit_report"):
        op.drop_table(table)
