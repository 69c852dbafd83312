"""The check writer of PostgreSQL's event-loop path: checks stored in groups, each answered with its own
id once committed; a group that cannot be stored fails every check in it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from xinyong.adapters.check_store import CheckStore, StoreUnavailable
from xinyong.adapters.tables import audit_log, credit_check
from xinyong.bootstrap import Platform

AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@pytest.fixture
def postgres(platform: Platform) -> Platform:
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("the check writer is PostgreSQL's")
    return platform


def row(n: int, **overrides: Any) -> dict[str, Any]:
    values = {"at": AT, "on_date": date(2026, 11, 24), "actor_name": f"system{n}", "token_id": None,
              "department_id": None, "matter": "bidding", "kind": "single", "subject_id": n, "subjects": 1,
              "hits": 0, "action": "none", "query": {"identifier": str(n)}, "answer": {"n": n, "text": "<é'\"\\>"}}
    return values | overrides


def audit(n: int) -> dict[str, Any]:
    return {"at": AT, "actor_id": None, "actor_name": f"system{n}", "via": "token", "token_id": None, "ip": None,
            "request_id": None, "action": "check.person", "object_type": "subject", "object_id": str(n),
            "personal": True, "detail": {"matter": "bidding"}}


def run(platform: Platform, work: Any) -> Any:
    async def main() -> Any:
        store = CheckStore(platform.settings.effective_database_url, 3)
        await store.open()
        try:
            return await work(store)
        finally:
            await store.close()
    return asyncio.run(main())


def test_concurrent_checks_each_get_their_own_row(postgres: Platform) -> None:
    async def work(store: CheckStore) -> tuple[list[int], int]:
        groups = 0
        insert = store._insert

        async def counted(group: Any) -> list[int]:
            nonlocal groups
            groups += 1
            return await insert(group)

        store._insert = counted  # type: ignore[method-assign]
        ids = await asyncio.gather(*(store.store(row(n), [audit(n)] if n % 10 == 0 else [], None)
                                     for n in range(200)))
        return list(ids), groups

    ids, groups = run(postgres, work)
    assert groups < 200  # checks that arrive while a group is written wait for the next one together
    assert len(set(ids)) == 200
    with postgres.engine.connect() as connection:
        stored = {r.id: r for r in connection.execute(select(credit_check))}
        audited = connection.execute(select(audit_log.c.object_id).where(audit_log.c.action == "check.person"))
        assert sorted(int(a) for a in audited.scalars()) == list(range(0, 200, 10))
    for n, check_id in enumerate(ids):
        assert stored[check_id].subject_id == n and stored[check_id].answer == {"n": n, "text": "<é'\"\\>"}
        assert stored[check_id].actor_name == f"system{n}"


def test_a_group_that_cannot_be_stored_fails_every_check_in_it(postgres: Platform) -> None:
    async def work(store: CheckStore) -> list[BaseException | int]:
        return list(await asyncio.gather(store.store(row(1), [], None), store.store(row(2, actor_name=None), [], None),
                                         return_exceptions=True))

    results = run(postgres, work)
    assert all(isinstance(r, StoreUnavailable) for r in results)
    with postgres.engine.connect() as connection:
        assert connection.execute(select(credit_check)).first() is None

    async def alone(store: CheckStore) -> int:
        return await store.store(row(3), [], None)

    assert isinstance(run(postgres, alone), int)  # the next group is stored as usual
