"""lists, measures' checks, feedback, subscriptions and webhook deliveries

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("check_feedback",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("check_id", sa.BigInteger(), nullable=False),
    sa.Column("subject_id", sa.BigInteger(), nullable=True),
    sa.Column("measure_code", sa.String(length=64), nullable=True),
    sa.Column("applied", sa.Boolean(), nullable=False),
    sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column("note", sa.Text(), nullable=True),
    sa.Column("department_id", sa.BigInteger(), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_name", sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_check_feedback"))
    )
    op.create_index(op.f("ix_check_feedback_check_id"), "check_feedback", ["check_id"], unique=False)
    op.create_table("credit_check",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("on_date", sa.Date(), nullable=False),
    sa.Column("actor_name", sa.String(length=64), nullable=False),
    sa.Column("token_id", sa.BigInteger(), nullable=True),
    sa.Column("department_id", sa.BigInteger(), nullable=True),
    sa.Column("matter", sa.String(length=64), nullable=False),
    sa.Column("kind", sa.String(length=8), nullable=False),
    sa.Column("subject_id", sa.BigInteger(), nullable=True),
    sa.Column("subjects", sa.Integer(), nullable=False),
    sa.Column("hits", sa.Integer(), nullable=False),
    sa.Column("action", sa.String(length=16), nullable=False),
    sa.Column("query", sa.JSON(), nullable=False),
    sa.Column("answer", sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_check"))
    )
    op.create_index(op.f("ix_credit_check_at"), "credit_check", ["at"], unique=False)
    op.create_index("ix_credit_check_department", "credit_check", ["department_id", "at"], unique=False)
    op.create_index("ix_credit_check_subject", "credit_check", ["subject_id"], unique=False)
    op.create_table("credit_list",
    sa.Column("code", sa.String(length=40), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("kind", sa.String(length=16), nullable=False),
    sa.Column("description", sa.Text(), nullable=True),
    sa.Column("validity_days", sa.Integer(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint("code", name=op.f("pk_credit_list"))
    )
    op.create_table("list_entry",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("list_code", sa.String(length=40), nullable=False),
    sa.Column("subject_id", sa.BigInteger(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("entry_date", sa.Date(), nullable=False),
    sa.Column("valid_to", sa.Date(), nullable=True),
    sa.Column("ended_on", sa.Date(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("legal_basis", sa.Text(), nullable=True),
    sa.Column("authority_name", sa.String(length=200), nullable=True),
    sa.Column("authority_uscc", sa.String(length=18), nullable=True),
    sa.Column("doc_number", sa.String(length=128), nullable=True),
    sa.Column("source", sa.String(length=16), nullable=False),
    sa.Column("record_root_id", sa.BigInteger(), nullable=True),
    sa.Column("record_id", sa.BigInteger(), nullable=True),
    sa.Column("evidence", sa.JSON(), nullable=True),
    sa.Column("rule_code", sa.String(length=64), nullable=True),
    sa.Column("department_id", sa.BigInteger(), nullable=True),
    sa.Column("expiry_notified", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_list_entry"))
    )
    op.create_index("ix_list_entry_list", "list_entry", ["list_code", "status", "entry_date"], unique=False)
    op.create_index("ix_list_entry_record", "list_entry", ["record_root_id"], unique=True)
    op.create_index("ix_list_entry_subject", "list_entry", ["subject_id", "list_code"], unique=False)
    op.create_index("ix_list_entry_valid_to", "list_entry", ["status", "valid_to"], unique=False)
    op.create_table("list_event",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("entry_id", sa.BigInteger(), nullable=False),
    sa.Column("event", sa.String(length=16), nullable=False),
    sa.Column("on_date", sa.Date(), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("authority_name", sa.String(length=200), nullable=True),
    sa.Column("doc_number", sa.String(length=128), nullable=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_name", sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_list_event"))
    )
    op.create_index(op.f("ix_list_event_entry_id"), "list_event", ["entry_id"], unique=False)
    op.create_table("list_rule",
    sa.Column("code", sa.String(length=64), nullable=False),
    sa.Column("name", sa.String(length=200), nullable=False),
    sa.Column("list_code", sa.String(length=40), nullable=False),
    sa.Column("info_class", sa.String(length=64), nullable=False),
    sa.Column("min_records", sa.Integer(), nullable=False),
    sa.Column("window_days", sa.Integer(), nullable=False),
    sa.Column("effective_from", sa.Date(), nullable=False),
    sa.Column("effective_to", sa.Date(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint("code", name=op.f("pk_list_rule"))
    )
    op.create_table("list_subscription",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("department_id", sa.BigInteger(), nullable=False),
    sa.Column("name", sa.String(length=100), nullable=False),
    sa.Column("url", sa.String(length=500), nullable=False),
    sa.Column("secret", sa.String(length=128), nullable=False),
    sa.Column("lists", sa.JSON(), nullable=True),
    sa.Column("every_subject", sa.Boolean(), nullable=False),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_list_subscription"))
    )
    op.create_index(op.f("ix_list_subscription_department_id"), "list_subscription", ["department_id"], unique=False)
    op.create_table("subscription_subject",
    sa.Column("subscription_id", sa.BigInteger(), nullable=False),
    sa.Column("subject_id", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("subscription_id", "subject_id", name=op.f("pk_subscription_subject"))
    )
    op.create_index("ix_subscription_subject_subject", "subscription_subject", ["subject_id"], unique=False)
    op.create_table("webhook_delivery",
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
    sa.Column("subscription_id", sa.BigInteger(), nullable=False),
    sa.Column("event", sa.String(length=16), nullable=False),
    sa.Column("entry_id", sa.BigInteger(), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column("status", sa.String(length=12), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_status", sa.Integer(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery"))
    )
    op.create_index("ix_webhook_delivery_due", "webhook_delivery", ["status", "next_attempt_at"], unique=False)
    op.create_index(op.f("ix_webhook_delivery_subscription_id"), "webhook_delivery", ["subscription_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_delivery_subscription_id"), table_name="webhook_delivery")
    op.drop_index("ix_webhook_delivery_due", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    op.drop_index("ix_subscription_subject_subject", table_name="subscription_subject")
    op.drop_table("subscription_subject")
    op.drop_index(op.f("ix_list_subscription_department_id"), table_name="list_subscription")
    op.drop_table("list_subscription")
    op.drop_table("list_rule")
    op.drop_index(op.f("ix_list_event_entry_id"), table_name="list_event")
    op.drop_table("list_event")
    op.drop_index("ix_list_entry_valid_to", table_name="list_entry")
    op.drop_index("ix_list_entry_subject", table_name="list_entry")
    op.drop_index("ix_list_entry_record", table_name="list_entry")
    op.drop_index("ix_list_entry_list", table_name="list_entry")
    op.drop_table("list_entry")
    op.drop_table("credit_list")
    op.drop_index("ix_credit_check_subject", table_name="credit_check")
    op.drop_index("ix_credit_check_department", table_name="credit_check")
    op.drop_index(op.f("ix_credit_check_at"), table_name="credit_check")
    op.drop_table("credit_check")
    op.drop_index(op.f("ix_check_feedback_check_id"), table_name="check_feedback")
    op.drop_table("check_feedback")
