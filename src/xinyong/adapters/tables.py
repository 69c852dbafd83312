"""The database schema (SQLAlchemy Core). Alembic migrations in ``xinyong/migrations`` create it.

Records are keyed by ``(subject_id, id)``: every query of a subject's archive is a range scan of
one subject, and on PostgreSQL ``credit_record`` is hash-partitioned by ``subject_id`` so a province's
billions of records split into partitions that each stay index-sized. Ids come from ``id_sequence``
in blocks (``adapters/ids.py``), so bulk loads need no per-row round trip on either database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite's INTEGER PRIMARY KEY is its rowid; BIGINT elsewhere.
Id = BigInteger().with_variant(Integer(), "sqlite")


class Timestamp(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite stores them without a zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timestamp column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


id_sequence = Table(
    "id_sequence",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("next_value", BigInteger, nullable=False),
)

department = Table(
    "department",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("uscc", String(18), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("division_code", String(6)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Timestamp(), nullable=False),
)

app_user = Table(
    "app_user",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("department_id", ForeignKey("department.id")),
    Column("active", Boolean, nullable=False, default=True),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("created_at", Timestamp(), nullable=False),
    Column("password_changed_at", Timestamp(), nullable=False),
)

user_role = Table(
    "user_role",
    metadata,
    Column("user_id", ForeignKey("app_user.id"), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("granted_at", Timestamp(), nullable=False),
    Column("granted_by", String(64), nullable=False),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", ForeignKey("app_user.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("scopes", String(500), nullable=False),
    Column("created_at", Timestamp(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("expires_at", Timestamp(), nullable=False),
    Column("revoked_at", Timestamp()),
    Column("last_used_at", Timestamp()),
)

# Append-only: the migration adds triggers on both databases that refuse UPDATE and DELETE.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", Timestamp(), nullable=False, index=True),
    Column("actor_id", BigInteger),
    Column("actor_name", String(64), nullable=False),
    Column("via", String(16), nullable=False),
    Column("token_id", BigInteger),
    Column("ip", String(45)),
    Column("request_id", String(64)),
    Column("action", String(64), nullable=False, index=True),
    Column("object_type", String(40)),
    Column("object_id", String(64)),
    Column("personal", Boolean, nullable=False, default=False),
    Column("detail", JSON),
)

code_table = Table(
    "code_table",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("values", JSON, nullable=False),
)

# One row per info class: its definition as the catalogue file holds it (the loader validates it).
info_class = Table(
    "info_class",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("classification", String(16), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Column("updated_by", String(64), nullable=False),
)

subject = Table(
    "subject",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("subject_type", String(24), nullable=False),
    Column("canonical_id_type", String(32), nullable=False),
    Column("canonical_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("division_code", String(6)),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    UniqueConstraint("canonical_id_type", "canonical_id", name="uq_subject_canonical"),
    Index("ix_subject_name", "name"),
    Index("ix_subject_type_division", "subject_type", "division_code"),
)

subject_identifier = Table(
    "subject_identifier",
    metadata,
    Column("id_type", String(32), primary_key=True),
    Column("value", String(64), primary_key=True),
    Column("subject_id", BigInteger, ForeignKey("subject.id"), nullable=False, index=True),
)

subject_name = Table(
    "subject_name",
    metadata,
    Column("subject_id", BigInteger, ForeignKey("subject.id"), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("valid_to", Date),
    Column("source", String(100)),
)

# The name index: the character bigrams of every organisation's folded current name (``domain/names.py``),
# written on each path that creates or renames a subject. Persons are never in it (the portal never shows
# them). No foreign key: the rows are derived from ``subject`` and written in bulk; on SQLite the table is
# its primary key (WITHOUT ROWID), so a search reads one index range per gram.
subject_gram = Table(
    "subject_gram",
    metadata,
    Column("gram", String(2), primary_key=True),
    Column("subject_id", BigInteger, primary_key=True),
    sqlite_with_rowid=False,
)

ingest_batch = Table(
    "ingest_batch",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_id", ForeignKey("department.id"), nullable=False, index=True),
    Column("info_class", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("filename", String(255)),
    Column("file_sha256", String(64)),
    Column("byte_size", BigInteger),
    Column("encoding", String(16)),
    Column("sheet", String(100)),
    Column("header_row", Integer),
    Column("mapping", JSON),
    Column("submitter_id", BigInteger),
    Column("submitter_name", String(64)),
    Column("received_at", Timestamp(), nullable=False),
    Column("finished_at", Timestamp()),
    Column("status", String(16), nullable=False),
    Column("error_code", String(64)),
    Column("error_message", Text),
    Column("rows", Integer, nullable=False, default=0),
    Column("accepted", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("created", Integer, nullable=False, default=0),
    Column("updated", Integer, nullable=False, default=0),
    Column("duplicates", Integer, nullable=False, default=0),
    Column("held", Integer, nullable=False, default=0),
    Column("timely", Integer, nullable=False, default=0),
    Column("late", Integer, nullable=False, default=0),
    Column("item_filled", JSON),
    Index("ix_ingest_batch_received", "received_at"),
)

# Every row of a batch that was not stored as a record: its original cells, and why.
ingest_issue = Table(
    "ingest_issue",
    metadata,
    Column("batch_id", BigInteger, ForeignKey("ingest_batch.id"), primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),  # rejected | held
    Column("cells", JSON, nullable=False),
    Column("problems", JSON, nullable=False),
    Column("resolved_at", Timestamp()),
)

# A department's own header → item mapping for one info class, remembered across uploads.
column_mapping = Table(
    "column_mapping",
    metadata,
    Column("department_id", BigInteger, ForeignKey("department.id"), primary_key=True),
    Column("info_class", String(64), primary_key=True),
    Column("header", String(200), primary_key=True),
    Column("item_code", String(64), nullable=False),
)

credit_record = Table(
    "credit_record",
    metadata,
    Column("subject_id", BigInteger, primary_key=True),
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("root_id", BigInteger, nullable=False),
    Column("version", Integer, nullable=False),
    Column("superseded_by", BigInteger),
    Column("info_class", String(64), nullable=False),
    Column("classification", String(16), nullable=False),
    Column("department_id", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("sharing", String(16), nullable=False),
    Column("openness", String(16), nullable=False),
    Column("doc_number", String(128)),
    Column("decision_date", Date),
    Column("valid_from", Date),
    Column("valid_to", Date),
    Column("category", String(64)),
    Column("amount", Numeric(20, 6)),
    Column("authority_name", String(200)),
    Column("authority_uscc", String(18)),
    Column("content", Text),
    Column("extra", JSON),
    Column("channel", String(16), nullable=False),
    Column("batch_id", BigInteger),
    Column("source_row", Integer),
    Column("source_key", String(128)),
    Column("submitter_id", BigInteger),
    Column("received_at", Timestamp(), nullable=False),
    # Look-ups by document number, source key or version chain always name the subject: they use the
    # primary key or this index, which answers "has this subject this document?" without reading the
    # rows (no index of their own: each secondary index slows every bulk write).
    Index("ix_record_subject_class_doc", "subject_id", "info_class", "doc_number"),
    Index("ix_record_class_date", "info_class", "decision_date"),
    Index("ix_record_department_received", "department_id", "received_at"),
    postgresql_partition_by="HASH (subject_id)",
)

record_event = Table(
    "record_event",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", BigInteger, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("at", Timestamp(), nullable=False),
    Column("event", String(24), nullable=False),
    Column("reason", Text),
    Column("actor_name", String(64), nullable=False),
    Index("ix_record_event_record", "subject_id", "record_id"),
)

# -- subjects' rights: credit repair and objection cases (信用修复、异议处理) --------------------------

# One row per application. ``status`` is the case's current step; ``step_since`` the day it was reached
# and ``due_on`` the last working day for the next step, so overdue cases are one indexed query.
rights_case = Table(
    "rights_case",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_no", String(24), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # repair | objection
    Column("query_code_hash", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("record_id", BigInteger, nullable=False),
    Column("department_id", BigInteger, nullable=False),
    Column("procedure", String(40), nullable=False),
    Column("severity", String(24)),
    Column("reason_type", String(32)),
    Column("reason", Text),
    Column("applicant_name", String(100), nullable=False),
    Column("applicant_contact", String(100), nullable=False),
    Column("applicant_is_subject", Boolean, nullable=False),
    Column("commitment", Text),
    Column("materials", JSON),
    Column("submitted_on", Date, nullable=False),
    Column("submitted_at", Timestamp(), nullable=False),
    Column("step_since", Date, nullable=False),
    Column("due_on", Date),
    Column("total_due_on", Date),
    Column("closed_on", Date),
    Column("outcome_note", Text),
    Column("verified_ok", Boolean),
    Column("result_record_id", BigInteger),
    Column("escalated_on", Date),
    Index("ix_rights_case_open_due", "status", "due_on"),
    Index("ix_rights_case_record", "record_id", "status"),
    Index("ix_rights_case_department", "department_id", "submitted_on"),
)

# Every step, reminder and escalation of a case (the applicant sees the steps; reminders stay internal).
rights_case_event = Table(
    "rights_case_event",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", BigInteger, ForeignKey("rights_case.id"), nullable=False, index=True),
    Column("at", Timestamp(), nullable=False),
    Column("step", String(24), nullable=False),
    Column("actor_name", String(64), nullable=False),
    Column("note", Text),
    Column("internal", Boolean, nullable=False, default=False),
)


# ---------------------------------------------------------------------------------------------------
# Lists, joint rewards and punishments, checks, subscriptions (issue 5)
# ---------------------------------------------------------------------------------------------------

# Lists an administrator defines (the built-in ones are in rules/lists/lists.yaml).
credit_list = Table(
    "credit_list",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("description", Text),
    Column("validity_days", Integer),
    Column("created_at", Timestamp(), nullable=False),
    Column("created_by", String(64), nullable=False),
)

# Derivation rules an administrator adds (the defaults are in rules/lists/lists.yaml).
list_rule = Table(
    "list_rule",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("list_code", String(40), nullable=False),
    Column("info_class", String(64), nullable=False),
    Column("min_records", Integer, nullable=False),
    Column("window_days", Integer, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),
    Column("created_at", Timestamp(), nullable=False),
    Column("created_by", String(64), nullable=False),
)

# One subject on one list. In force from entry_date until valid_to (exclusive), an exit or a revocation:
# computed from the date asked about, so expiry needs no job. record_root_id links an entry taken from a
# catalogue record of a list class (one entry per record, following its versions).
list_entry = Table(
    "list_entry",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("list_code", String(40), nullable=False),
    Column("subject_id", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("entry_date", Date, nullable=False),
    Column("valid_to", Date),
    Column("ended_on", Date),
    Column("reason", Text, nullable=False),
    Column("legal_basis", Text),
    Column("authority_name", String(200)),
    Column("authority_uscc", String(18)),
    Column("doc_number", String(128)),
    Column("source", String(16), nullable=False),
    Column("record_root_id", BigInteger),
    Column("record_id", BigInteger),
    Column("evidence", JSON),
    Column("rule_code", String(64)),
    Column("department_id", BigInteger),
    Column("expiry_notified", Boolean, nullable=False, default=False),
    Column("created_at", Timestamp(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Index("ix_list_entry_subject", "subject_id", "list_code"),
    Index("ix_list_entry_list", "list_code", "status", "entry_date"),
    Index("ix_list_entry_valid_to", "status", "valid_to"),
    Index("ix_list_entry_record", "record_root_id", unique=True),
)

list_event = Table(
    "list_event",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("entry_id", BigInteger, nullable=False, index=True),
    Column("event", String(16), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("reason", Text),
    Column("authority_name", String(200)),
    Column("doc_number", String(128)),
    Column("at", Timestamp(), nullable=False),
    Column("actor_name", String(64), nullable=False),
)

# Every check and the answer given, as given (replayable). A batch is one row with every item's answer.
credit_check = Table(
    "credit_check",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", Timestamp(), nullable=False, index=True),
    Column("on_date", Date, nullable=False),
    Column("actor_name", String(64), nullable=False),
    Column("token_id", BigInteger),
    Column("department_id", BigInteger),
    Column("matter", String(64), nullable=False),
    Column("kind", String(8), nullable=False),  # single | batch
    Column("subject_id", BigInteger),
    Column("subjects", Integer, nullable=False),
    Column("hits", Integer, nullable=False),
    Column("action", String(16), nullable=False),
    Column("query", JSON, nullable=False),
    Column("answer", JSON, nullable=False),
    Index("ix_credit_check_department", "department_id", "at"),
    Index("ix_credit_check_subject", "subject_id"),
)

check_feedback = Table(
    "check_feedback",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("check_id", BigInteger, nullable=False, index=True),
    Column("subject_id", BigInteger),
    Column("measure_code", String(64)),
    Column("applied", Boolean, nullable=False),
    Column("amount", Numeric(20, 2)),
    Column("note", Text),
    Column("department_id", BigInteger),
    Column("at", Timestamp(), nullable=False),
    Column("actor_name", String(64), nullable=False),
)

list_subscription = Table(
    "list_subscription",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("department_id", BigInteger, nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("url", String(500), nullable=False),
    Column("secret", String(128), nullable=False),  # the HMAC key: shown once, kept to sign deliveries
    Column("lists", JSON),  # list codes; null = every list
    Column("every_subject", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", Timestamp(), nullable=False),
    Column("created_by", String(64), nullable=False),
)

subscription_subject = Table(
    "subscription_subject",
    metadata,
    Column("subscription_id", BigInteger, primary_key=True),
    Column("subject_id", BigInteger, primary_key=True),
    Index("ix_subscription_subject_subject", "subject_id"),
)

webhook_delivery = Table(
    "webhook_delivery",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subscription_id", BigInteger, nullable=False, index=True),
    Column("event", String(16), nullable=False),
    Column("entry_id", BigInteger, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(12), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Timestamp()),
    Column("last_attempt_at", Timestamp()),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", Timestamp(), nullable=False),
    Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
)


# --- Reports, self-service applications, notifications and batch credit reviews (issue 6) --------

# An issued credit report: its frozen content (snapshot) and digests, the PDF as issued, and its state.
credit_report = Table(
    "credit_report",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=False),
    Column("number", String(32), nullable=False, unique=True),
    Column("code", String(32), nullable=False, unique=True),  # the digital verification code
    Column("kind", String(16), nullable=False),  # public | full | health
    Column("subject_id", BigInteger, nullable=False, index=True),
    Column("subject_name", String(200), nullable=False),
    Column("issued_at", Timestamp(), nullable=False),
    Column("data_as_of", Timestamp(), nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("issued_by", String(64), nullable=False),
    Column("issuer", String(200), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("snapshot_sha256", String(64), nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("pdf_sha256", String(64), nullable=False, index=True),
    Column("status", String(16), nullable=False),  # issued | revoked
    Column("revoked_at", Timestamp()),
    Column("revoked_reason", Text),
    Column("application_id", BigInteger),
)

# A subject's own application for its report (self-service), and what became of it.
report_application = Table(
    "report_application",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject_id", BigInteger, nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # public | health
    Column("applicant_name", String(100), nullable=False),
    Column("legal_rep_id_masked", String(32), nullable=False),
    Column("contact_channel", String(8), nullable=False),  # email | sms
    Column("contact", String(200), nullable=False),
    Column("purpose", String(200)),
    Column("identity_check", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | rejected | issued
    Column("access_hash", String(64), nullable=False, unique=True),
    Column("created_at", Timestamp(), nullable=False, index=True),
    Column("decided_at", Timestamp()),
    Column("decided_by", String(64)),
    Column("decision_reason", Text),
    Column("report_id", BigInteger),
)

# Every message sent to an applicant, through whichever channel, with the outcome of sending it.
notification_log = Table(
    "notification_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", Timestamp(), nullable=False, index=True),
    Column("channel", String(8), nullable=False),
    Column("recipient", String(200), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("application_id", BigInteger),
    Column("status", String(16), nullable=False),  # sent | failed
    Column("error", Text),
)

# A batch credit review (信用审查): the uploaded list, the matter and window, and every answer.
credit_review = Table(
    "credit_review",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("matter", String(64), nullable=False),
    Column("matter_name", String(100), nullable=False),
    Column("title", String(200), nullable=False),
    Column("created_at", Timestamp(), nullable=False, index=True),
    Column("created_by", String(64), nullable=False),
    Column("department_id", BigInteger),
    Column("window_from", Date, nullable=False),
    Column("as_of", Date, nullable=False),
    Column("filename", String(255)),
    Column("file_sha256", String(64)),
    Column("inputs", JSON, nullable=False),
    Column("results", JSON, nullable=False),
    Column("summary", JSON, nullable=False),
)

# --- Portal and publication (issue 4) -----------------------------------------------------------

# The publication rules' answer for each current record that can ever be public: the window of days on
# which ``domain/publication.decide`` says PUBLIC, so listings of millions of records are one indexed
# query (``public_from <= today <= public_until``). Computed by ``services/publication.refresh_publication``
# whenever records are written, and recomputed in full when the rules or the catalogue change.
record_publication = Table(
    "record_publication",
    metadata,
    Column("subject_id", BigInteger, primary_key=True),
    Column("record_id", BigInteger, primary_key=True),
    Column("info_class", String(64), nullable=False),
    Column("department_id", BigInteger, nullable=False),
    Column("subject_type", String(24), nullable=False),
    Column("decision_date", Date),
    Column("category", String(64)),
    Column("public_from", Date),  # NULL: no start
    Column("public_until", Date),  # NULL: no end (last day shown otherwise)
    Column("severity", String(24)),
    Column("repairable", Boolean),
    Column("repair_from", Date),
    Column("rule_set", String(64)),
    Index("ix_record_publication_class_date", "info_class", "decision_date"),
    Index("ix_record_publication_class_department", "info_class", "department_id", "decision_date"),
)

# Which rules (and catalogue) the stored windows were computed with: a digest that differs means recompute.
publication_state = Table(
    "publication_state",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("refreshed_at", Timestamp(), nullable=False),
)

# Policy and news columns of the portal (政策法规, 工作动态, 典型案例); plain text, escaped when shown.
article = Table(
    "article",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("channel", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("source", String(200)),
    Column("published", Boolean, nullable=False, default=False),
    Column("published_on", Date),
    Column("created_at", Timestamp(), nullable=False),
    Column("updated_at", Timestamp(), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Index("ix_article_channel_published", "channel", "published", "published_on"),
)

# The records of one batch (a list class's batch is synchronised with the lists by batch). Batches are
# written one after the other, so on PostgreSQL a block-range index (BRIN: the smallest and largest batch
# in each range of 32 pages) finds them at almost no cost per row written, where a B-tree adds an entry
# and its WAL for every row. Ranges are summarised as they fill (autosummarize); the few rows that land
# out of order (new versions in old pages) only widen a range (minmax-multi keeps several intervals).
# SQLite has a B-tree.
Index("ix_record_batch", credit_record.c.batch_id, postgresql_using="brin",
      postgresql_ops={"batch_id": "int8_minmax_multi_ops"},
      postgresql_with={"pages_per_range": 32, "autosummarize": "on"})
