"""The schema migrates up from empty and back down on both databases; the audit log is append-only."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from xinyong.adapters.db import downgrade, is_initialised, upgrade
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import system_actor
from xinyong.domain.audit import AuditEvent

TABLES = {"subject", "subject_identifier", "subject_name", "credit_record", "record_event", "ingest_batch",
          "info_class", "code_table", "department", "app_user", "user_role", "api_token", "audit_log",
          "id_sequence"}


class TestMigrations:
    def test_down_to_empty_and_up_again(self, platform: Platform) -> None:
        assert set(inspect(platform.engine).get_table_names()) >= TABLES
        downgrade(platform.engine, "base")
        assert not TABLES & set(inspect(platform.engine).get_table_names())
        upgrade(platform.engine)
        assert is_initialised(platform.engine)
        assert set(inspect(platform.engine).get_table_names()) >= TABLES

    def test_records_are_partitioned_by_subject_on_postgresql(self, platform: Platform) -> None:
        if platform.engine.dialect.name != "postgresql":
            pytest.skip("partitioning is a PostgreSQL feature; SQLite keeps one table keyed by subject")
        with platform.engine.connect() as connection:
            partitions = connection.execute(text(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'credit_record'::regclass")).scalar_one()
        assert partitions == 16


class TestAuditLogIsAppendOnly:
    def test_the_database_refuses_update_and_delete(self, platform: Platform) -> None:
        with platform.uow(system_actor("test")) as uow:
            uow.audit(AuditEvent("test.event"))
            uow.commit()
        for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"), platform.engine.begin() as connection:
                connection.execute(text(statement))
        with platform.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_log WHERE action = 'test.event'")).scalar() == 1

    def test_a_rolled_back_unit_of_work_leaves_no_audit_entry(self, platform: Platform) -> None:
        with platform.uow(system_actor("test")) as uow:
            uow.audit(AuditEvent("never.happened"))
        with platform.engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM audit_log WHERE action = 'never.happened'"))
            assert count.scalar() == 0
