"""The joint-punishment loop over HTTP: a listed subject is intercepted, prompted or unaffected by matter,
and free again after exit or expiry; precise errors; replay; feedback."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import actor_of, make_department, make_user, token_for
from tests.factories import ENTERPRISE_USCC, MARKET_REGULATOR_USCC, PERSON_ID, make_uscc
from xinyong.adapters.repositories.lists import ListRepository
from xinyong.bootstrap import Platform
from xinyong.domain.accounts import Role, system_actor
from xinyong.domain.identifiers import IdType
from xinyong.domain.records import RecordStatus
from xinyong.domain.subjects import Identifier, SubjectType
from xinyong.services import checks, lists, records
from xinyong.services.checks import SubjectQuery

FINANCE_USCC = make_uscc("11321000MB1928390")
SUBMITTER_SCOPES = ["records:submit", "records:read_own", "catalog:read"]


def serious_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "yzsx_mc": "扬州市示例科技有限公司", "yzsx_lb": "法人及非法人组织", "yzsx_shxym": ENTERPRISE_USCC,
        "yzsx_mdmc": "市场监督管理严重违法失信名单",
        "yzsx_lryy": "因同一性质违法行为受到行政处罚后再次实施同一性质违法行为",
        "yzsx_flyj": "《市场监督管理严重违法失信名单管理办法》第二条", "yzsx_rdbm": "扬州市市场监督管理局",
        "yzsx_rdwsh": "扬市监失信〔2026〕3号", "yzsx_lrrq": "2026-05-01", "yzsx_yxqz": "2029-05-01",
    }
    values.update(overrides)
    return values


@pytest.fixture
def loop(platform: Platform, client: TestClient) -> dict[str, Any]:
    """A market regulator that submits a serious-dishonesty record, the credit office's operator who syncs
    lists, and the finance bureau's procurement system with a checks:run token."""
    make_department(platform, MARKET_REGULATOR_USCC, "扬州市市场监督管理局")
    make_department(platform, FINANCE_USCC, "扬州市财政局")
    make_user(platform, "scjg", {Role.SUBMITTER}, MARKET_REGULATOR_USCC)
    make_user(platform, "xyb", {Role.OPERATOR})
    make_user(platform, "czj", {Role.SUBMITTER}, FINANCE_USCC)
    submitter = token_for(platform, "scjg", SUBMITTER_SCOPES)
    operator = token_for(platform, "xyb", ["lists:read", "lists:manage", "checks:read", "subjects:read"])
    business = token_for(platform, "czj", ["checks:run"])
    response = client.post("/api/v1/records", headers=submitter,
                           json={"info_class": "serious_dishonesty_list", "values": serious_values()})
    assert response.status_code == 201, response.text
    record_id = response.json()["record"]["id"]
    # The accepted record put its subject on the list at once; a catch-up sync finds nothing left to do.
    synced = client.post("/api/v1/lists/sync", headers=operator)
    assert synced.status_code == 200, synced.text
    assert synced.json()["created"] == 0
    return {"operator": operator, "business": business, "record_id": record_id}


def check(client: TestClient, headers: dict[str, str], matter: str, identifier: str = ENTERPRISE_USCC,
          **subject: str) -> Any:
    return client.post("/api/v1/checks", headers=headers,
                       json={"matter": matter, "subject": {"identifier": identifier, **subject}})


class TestDoneWhen:
    def test_intercepted_prompted_unaffected_then_free_after_exit(self, client: TestClient,
                                                                  loop: dict[str, Any]) -> None:
        business = loop["business"]
        procurement = check(client, business, "government_procurement")
        assert procurement.status_code == 200, procurement.text
        answer = procurement.json()
        assert answer["action"] == "intercept"
        [hit] = answer["hits"]
        assert hit["list"] == "serious_dishonesty"
        assert [m["code"] for m in hit["measures"]] == ["P01"]
        assert hit["measures"][0]["mode"] == "mandatory"
        assert hit["records"][0]["record_id"] == loop["record_id"]
        assert hit["doc_number"] == "扬市监失信〔2026〕3号"

        funds = check(client, business, "fiscal_funds").json()
        assert funds["action"] == "prompt"
        assert {m["mode"] for m in funds["hits"][0]["measures"]} == {"recommended"}

        unaffected = check(client, business, "civil_servant_recruitment").json()
        assert unaffected["action"] == "none"
        assert unaffected["hits"][0]["measures"] == []  # on the list, but no measure for this matter

        entry_id = hit["entry_id"]
        exited = client.post(f"/api/v1/list-entries/{entry_id}/exit", headers=loop["operator"],
                             json={"reason": "信用修复完成，提前移出", "doc_number": "扬市监移〔2026〕1号"})
        assert exited.status_code == 200, exited.text
        assert exited.json()["status"] == "exited"
        free = check(client, business, "government_procurement").json()
        assert free["action"] == "none" and free["hits"] == []

        # Replay: the first check is stored with the answer given then, not recomputed.
        replay = client.get(f"/api/v1/checks/{answer['check_id']}", headers=loop["business"]).json()
        assert replay["action"] == "intercept"
        assert replay["answer"]["hits"][0]["entry_id"] == entry_id

    def test_free_again_when_validity_ends_without_any_job(self, platform: Platform, client: TestClient,
                                                          loop: dict[str, Any]) -> None:
        assert check(client, loop["business"], "government_procurement").json()["action"] == "intercept"
        # valid_to 2029-05-01 is the first day off the list; the clock moves, nothing else happens.
        platform.clock.at = platform.clock.at.replace(year=2029, month=4, day=30)  # type: ignore[attr-defined]
        business = token_for(platform, "czj", ["checks:run"])  # the fixture's token has expired by then
        assert check(client, business, "government_procurement").json()["action"] == "intercept"
        platform.clock.at += timedelta(days=1)  # type: ignore[attr-defined]
        assert check(client, business, "government_procurement").json()["action"] == "none"

    def test_revocation_frees_and_feedback_is_recorded(self, client: TestClient, loop: dict[str, Any]) -> None:
        answer = check(client, loop["business"], "bidding").json()
        assert answer["action"] == "intercept"
        response = client.post(f"/api/v1/checks/{answer['check_id']}/feedback", headers=loop["business"],
                               json={"applied": True, "measure_code": "P02", "note": "已拒绝其投标"})
        assert response.status_code == 201, response.text
        wrong = client.post(f"/api/v1/checks/{answer['check_id']}/feedback", headers=loop["business"],
                            json={"applied": True, "measure_code": "P07"})
        assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "feedback.measure"
        stats = client.get("/api/v1/checks/statistics", headers=loop["operator"]).json()
        assert any(f["measure"] == "P02" and f["applied"] == 1 for f in stats["feedback"])
        assert any(c["matter"] == "bidding" and c["action"] == "intercept" for c in stats["checks"])
        cases = client.get("/api/v1/checks/cases.csv", headers=loop["operator"])
        assert cases.status_code == 200 and "已拒绝其投标" in cases.text
        revoked = client.post(f"/api/v1/list-entries/{answer['hits'][0]['entry_id']}/revoke",
                              headers=loop["operator"], json={"reason": "异议成立，认定错误"})
        assert revoked.json()["status"] == "revoked"
        assert check(client, loop["business"], "bidding").json()["action"] == "none"


def public_serious(client: TestClient) -> list[str]:
    """Document numbers on the portal's serious-dishonesty list page (through the public API)."""
    page = client.get("/api/v1/public/lists/serious")
    assert page.status_code == 200, page.text
    return [row["doc_number"] for row in page.json()["items"]]


class TestListsAndRecordsAgree:
    """An entry taken from a department's record and the record itself end together, whichever ends first:
    checks stop answering with it and the portal stops showing it (after removal from a list, public display
    must stop within 3 working days)."""

    def test_an_exit_takes_the_record_off_the_portal(self, platform: Platform, client: TestClient,
                                                     loop: dict[str, Any]) -> None:
        assert public_serious(client) == ["扬市监失信〔2026〕3号"]
        entry_id = check(client, loop["business"], "bidding").json()["hits"][0]["entry_id"]
        exited = client.post(f"/api/v1/list-entries/{entry_id}/exit", headers=loop["operator"],
                             json={"reason": "信用修复完成，提前移出"})
        assert exited.status_code == 200, exited.text
        assert public_serious(client) == []
        source = token_for(platform, "scjg", SUBMITTER_SCOPES)
        record = client.get(f"/api/v1/records/{loop['record_id']}", headers=source)
        assert record.status_code == 200, record.text
        assert record.json()["record"]["status"] == "expired"
        assert record.json()["events"][-1]["reason"] == "移出名单：信用修复完成，提前移出"

    def test_a_revoked_listing_revokes_its_record(self, platform: Platform, client: TestClient,
                                                  loop: dict[str, Any]) -> None:
        entry_id = check(client, loop["business"], "bidding").json()["hits"][0]["entry_id"]
        revoked = client.post(f"/api/v1/list-entries/{entry_id}/revoke", headers=loop["operator"],
                              json={"reason": "异议成立，认定错误"})
        assert revoked.status_code == 200, revoked.text
        assert public_serious(client) == []
        source = token_for(platform, "scjg", SUBMITTER_SCOPES)
        record = client.get(f"/api/v1/records/{loop['record_id']}", headers=source).json()
        assert record["record"]["status"] == "revoked"

    def test_a_planned_exit_of_a_record_comes_from_its_department(self, client: TestClient,
                                                                  loop: dict[str, Any]) -> None:
        entry_id = check(client, loop["business"], "bidding").json()["hits"][0]["entry_id"]
        planned = client.post(f"/api/v1/list-entries/{entry_id}/exit", headers=loop["operator"],
                              json={"reason": "计划移出", "on": "2027-01-01"})
        assert planned.status_code == 422 and planned.json()["error"]["code"] == "list.exit_date"
        assert check(client, loop["business"], "bidding").json()["action"] == "intercept"
        assert public_serious(client) == ["扬市监失信〔2026〕3号"]

    def test_a_revoked_record_frees_its_subject(self, platform: Platform, client: TestClient,
                                                loop: dict[str, Any]) -> None:
        entry_id = check(client, loop["business"], "bidding").json()["hits"][0]["entry_id"]
        submitter = token_for(platform, "scjg", SUBMITTER_SCOPES)
        revoked = client.post(f"/api/v1/records/{loop['record_id']}/status", headers=submitter,
                              json={"status": "revoked", "reason": "列入决定已被撤销"})
        assert revoked.status_code == 200, revoked.text
        answer = check(client, loop["business"], "government_procurement").json()
        assert answer["action"] == "none" and answer["hits"] == []
        entry = client.get(f"/api/v1/list-entries/{entry_id}", headers=loop["operator"]).json()
        assert entry["status"] == "revoked" and entry["events"][-1]["event"] == "revoked"
        assert entry["events"][-1]["reason"] == f"列入依据的信用记录（第 {loop['record_id']} 号）已撤销"
        assert public_serious(client) == []

    def test_a_repaired_record_takes_its_subject_off_the_list(self, platform: Platform, client: TestClient,
                                                              loop: dict[str, Any]) -> None:
        with platform.uow(actor_of(platform, "scjg")) as uow:
            record = uow.records.get(loop["record_id"])
            assert record is not None
            records.apply_status(uow, record, RecordStatus.REPAIRED, "信用修复")
            uow.commit()
        assert check(client, loop["business"], "bidding").json()["action"] == "none"
        with platform.uow(system_actor("test")) as uow:
            [entry] = ListRepository(uow.connection).entries_of_subject(record.subject_id)
        assert entry.status.value == "exited" and entry.ended_on == platform.clock.today()


class TestBadInput:
    def test_unknown_matter(self, client: TestClient, loop: dict[str, Any]) -> None:
        response = check(client, loop["business"], "moon_landing")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "check.unknown_matter"

    def test_unknown_subject(self, client: TestClient, loop: dict[str, Any]) -> None:
        response = check(client, loop["business"], "government_procurement", make_uscc("91321000MA1X2Y3W4"))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "check.unknown_subject"

    def test_malformed_identifier(self, client: TestClient, loop: dict[str, Any]) -> None:
        response = check(client, loop["business"], "government_procurement", ENTERPRISE_USCC[:-1] + "1",
                         id_type="uscc")
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "identifier.checksum"

    def test_missing_scope_and_missing_token(self, platform: Platform, client: TestClient,
                                             loop: dict[str, Any]) -> None:
        no_scope = token_for(platform, "czj", ["lists:read"])
        response = check(client, no_scope, "government_procurement")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission.scope"
        assert check(client, {}, "government_procurement").status_code == 401

    def test_a_database_failure_is_an_error_not_a_clear_answer(self, platform: Platform, client: TestClient,
                                                               loop: dict[str, Any]) -> None:
        with platform.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE list_entry")
        response = check(client, loop["business"], "government_procurement")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "check.unavailable"


class TestNamesAndBatches:
    def test_a_name_alone_never_intercepts(self, client: TestClient, loop: dict[str, Any]) -> None:
        response = client.post("/api/v1/checks", headers=loop["business"], json={
            "matter": "government_procurement", "subject": {"name": "扬州示例科技有限公司"}})
        answer = response.json()
        assert response.status_code == 200, response.text
        assert answer["action"] == "prompt" and answer["needs_verification"] is True
        [candidate] = answer["candidates"]
        assert 70 <= candidate["score"] < 100
        assert candidate["subject"]["identifier"] == ENTERPRISE_USCC
        entry_id = candidate["hits"][0]["entry_id"]
        client.post(f"/api/v1/list-entries/{entry_id}/exit", headers=loop["operator"], json={"reason": "移出"})
        after = client.post("/api/v1/checks", headers=loop["business"], json={
            "matter": "government_procurement", "subject": {"name": "扬州示例科技有限公司"}}).json()
        assert after["candidates"] == [] and after["action"] == "none"  # off the list: no longer a candidate

    def test_batch_answers_each_subject_and_keeps_errors_apart(self, client: TestClient,
                                                               loop: dict[str, Any]) -> None:
        response = client.post("/api/v1/checks", headers=loop["business"], json={
            "matter": "government_procurement", "subjects": [
                {"identifier": ENTERPRISE_USCC}, {"identifier": "12345"}, {"identifier": PERSON_ID},
                {"identifier": make_uscc("91321000MA1X2Y3W4")}]})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert items[0]["action"] == "intercept" and items[0]["hits"][0]["measures"] == ["P01"]
        assert items[1]["error"]["code"] == "identifier.unrecognised"
        assert items[2]["error"]["code"] == "check.unknown_subject"
        assert items[3]["error"]["code"] == "check.unknown_subject"
        assert response.json()["summary"]["actions"]["intercept"] == 1


class TestCatalogueOfTheLoop:
    def test_lists_matters_measures_and_subscriptions_over_http(self, client: TestClient,
                                                                loop: dict[str, Any]) -> None:
        matters = client.get("/api/v1/matters", headers=loop["business"]).json()
        assert {"code": "government_procurement", "name": "政府采购", "department": "财政部门"} in matters
        measures = client.get("/api/v1/measures", headers=loop["business"]).json()
        assert any(m["code"] == "P01" and m["mode"] == "mandatory" for m in measures["measures"])
        assert any(m["document_number"] == "常信用办〔2017〕20号" for m in measures["memoranda"])
        lists = {x["code"]: x for x in client.get("/api/v1/lists", headers=loop["operator"]).json()}
        assert lists["serious_dishonesty"]["in_force"] == 1 and not lists["key_attention"]["public"]
        assert client.get("/api/v1/lists", headers=loop["business"]).status_code == 403  # checks:run only

        added = client.post("/api/v1/subscriptions", headers=loop["business"],
                            json={"name": "采购系统", "url": "http://127.0.0.1:9/hook"})
        assert added.status_code == 403  # the business token lacks subscriptions:manage
        bad = client.post("/api/v1/lists/serious_dishonesty/entries", headers=loop["operator"],
                          json={"identifier": "12345", "reason": "x", "entry_date": "2026-06-01"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "identifier.unrecognised"
        twice = client.post("/api/v1/lists/serious_dishonesty/entries", headers=loop["operator"],
                            json={"identifier": ENTERPRISE_USCC, "reason": "x", "entry_date": "2026-06-01"})
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "list.already_listed"


    def test_a_department_subscribes_watches_and_stops_over_http(self, platform: Platform, client: TestClient,
                                                                  loop: dict[str, Any]) -> None:
        manager = token_for(platform, "scjg", ["subscriptions:manage"])
        added = client.post("/api/v1/subscriptions", headers=manager,
                            json={"name": "市场监管系统", "url": "http://127.0.0.1:9/hook", "lists": ["red"]})
        assert added.status_code == 201, added.text
        subscription_id = added.json()["id"]
        assert added.json()["secret"] and added.json()["active"] is True
        subject_id = check(client, loop["business"], "bidding").json()["subject"]["id"]
        watched = client.post(f"/api/v1/subscriptions/{subscription_id}/subjects", headers=manager,
                              json={"subject_ids": [subject_id]})
        assert watched.status_code == 200 and watched.json() == {"added": 1}
        stopped = client.post(f"/api/v1/subscriptions/{subscription_id}/deactivate", headers=manager)
        assert stopped.status_code == 200, stopped.text
        assert stopped.json()["active"] is False and stopped.json()["cancelled_deliveries"] == 0
        assert "secret" not in stopped.json()
        again = client.post(f"/api/v1/subscriptions/{subscription_id}/deactivate", headers=manager)
        assert again.status_code == 409 and again.json()["error"]["code"] == "subscription.inactive"
        listed = client.get("/api/v1/subscriptions", headers=manager).json()
        assert [(s["id"], s["active"], s["watched"]) for s in listed] == [(subscription_id, False, 1)]


def stored(platform: Platform, check_id: int) -> dict[str, Any]:
    with platform.uow(system_actor("test")) as uow:
        found = ListRepository(uow.connection).check(check_id)
    assert found is not None
    return {k: v for k, v in found.items() if k not in ("id", "at")}


@pytest.fixture
def event_loop_path(platform: Platform, client: TestClient) -> None:
    """PostgreSQL serves single checks by token from the event loop (``CheckStore``); SQLite has one way."""
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("the event-loop path is PostgreSQL's")
    assert client.app.state.check_store is not None  # type: ignore[attr-defined]


@pytest.mark.usefixtures("event_loop_path")
class TestEventLoopPath:
    def test_answers_and_stores_exactly_as_the_general_way(self, platform: Platform, client: TestClient,
                                                           loop: dict[str, Any]) -> None:
        for matter in ("government_procurement", "fiscal_funds", "civil_servant_recruitment"):
            quick = check(client, loop["business"], matter, name="扬州市示例科技有限公司")
            assert quick.status_code == 200, quick.text
            with platform.uow(actor_of(platform, "czj")) as uow:
                general = checks.check(uow, matter, SubjectQuery(ENTERPRISE_USCC, None, "扬州市示例科技有限公司"))
            answer = quick.json()
            assert {**answer, "check_id": 0} == {**json.loads(json.dumps(general)), "check_id": 0}
            assert answer["hits"][0]["records"][0]["record_id"] == loop["record_id"]
            quick_row, general_row = stored(platform, answer["check_id"]), stored(platform, general["check_id"])
            assert quick_row.pop("token_id") is not None and general_row.pop("token_id") is None
            assert quick_row.pop("actor_name") == general_row.pop("actor_name") == "czj"
            assert quick_row == general_row

    def test_unknown_subject_is_stored_and_the_token_use_recorded(self, platform: Platform, client: TestClient,
                                                                   loop: dict[str, Any]) -> None:
        with platform.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE api_token SET last_used_at = NULL")
        response = check(client, loop["business"], "bidding", make_uscc("91321000MA1X2Y3W4"))
        assert response.status_code == 404 and response.json()["error"]["code"] == "check.unknown_subject"
        with platform.engine.connect() as connection:
            last = connection.exec_driver_sql(
                "SELECT answer::text, action FROM credit_check ORDER BY id DESC LIMIT 1").one()
            used = connection.exec_driver_sql("SELECT count(*) FROM api_token WHERE last_used_at IS NOT NULL")
            assert json.loads(last[0]) == {"error": "check.unknown_subject"} and last[1] == "none"
            assert used.scalar_one() == 1

    def test_a_person_check_is_audited_with_the_check(self, platform: Platform, client: TestClient,
                                                      loop: dict[str, Any]) -> None:
        with platform.uow(system_actor("test")) as uow:
            uow.subjects.add(SubjectType.PERSON, Identifier(IdType.CITIZEN_ID, PERSON_ID), "张三", "321000", [],
                             uow.clock.today(), uow.clock.now())
            uow.commit()
        response = check(client, loop["business"], "licensing", PERSON_ID)
        assert response.status_code == 200, response.text
        with platform.uow(system_actor("test")) as uow:
            total, entries = uow.audit_log.entries(action="check.person")
        assert total == 1 and entries[0]["actor_name"] == "czj" and entries[0]["personal"] is True
        assert entries[0]["detail"] == {"matter": "licensing"}

    def test_a_hit_on_an_administrators_list_takes_the_general_way(self, platform: Platform, client: TestClient,
                                                                   loop: dict[str, Any]) -> None:
        with platform.uow(system_actor("test")) as uow:
            lists.define_list(uow, "construction_black", "建筑市场黑名单", "punishment", validity_days=730)
            subject_id = uow.subjects.id_by_identifier(IdType.USCC, ENTERPRISE_USCC)
            assert subject_id is not None
            lists.add_entry(uow, "construction_black", subject_id, "转包违法分包", platform.clock.today())
        answer = check(client, loop["business"], "bidding").json()
        assert answer["action"] == "intercept"  # the serious-dishonesty entry's measure
        assert [h["list"] for h in answer["hits"]] == ["serious_dishonesty", "construction_black"]
        assert answer["hits"][1]["list_name"] == "建筑市场黑名单" and answer["hits"][1]["measures"] == []

    def test_a_single_check_by_token_never_goes_the_general_way(self, client: TestClient, loop: dict[str, Any],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
        def general_way(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the single check went the general way")

        monkeypatch.setattr(checks, "check", general_way)
        response = check(client, loop["business"], "government_procurement")
        assert response.status_code == 200 and response.json()["action"] == "intercept"
        assert response.headers["x-request-id"] and response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-type"] == "application/json"

    def test_what_the_front_leaves_reaches_the_route_with_its_body(self, client: TestClient,
                                                                   loop: dict[str, Any]) -> None:
        refused = client.post("/api/v1/checks", headers=loop["business"],
                              json={"matter": "bidding", "subject": {"identifier": "9" * 65}})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "request.string_too_long"
        assert refused.json()["error"]["field"] == "subject.identifier"
        both = client.post("/api/v1/checks", headers=loop["business"], json={"matter": "bidding"})
        assert both.status_code == 422
        batch = client.post("/api/v1/checks", headers=loop["business"],
                            json={"matter": "bidding", "subjects": [{"identifier": ENTERPRISE_USCC}]})
        assert batch.status_code == 200 and batch.json()["items"][0]["action"] == "intercept"

    def test_a_denied_check_is_audited_as_its_caller(self, platform: Platform, client: TestClient,
                                                     loop: dict[str, Any]) -> None:
        response = check(client, token_for(platform, "czj", ["lists:read"]), "bidding")
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission.scope"
        with platform.uow(system_actor("test")) as uow:
            total, entries = uow.audit_log.entries(action="access.denied")
        assert total == 1 and entries[0]["actor_name"] == "czj"
        assert entries[0]["detail"] == {"method": "POST", "code": "permission.scope"}

    def test_a_dropped_connection_fails_closed_then_recovers(self, platform: Platform, client: TestClient,
                                                            loop: dict[str, Any]) -> None:
        assert check(client, loop["business"], "bidding").status_code == 200
        with platform.engine.connect() as connection:
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        answers = [check(client, loop["business"], "bidding") for _ in range(platform.settings.check_connections)]
        failed = [a for a in answers if a.status_code == 503]
        assert failed and all(a.json()["error"]["code"] == "check.unavailable" for a in failed)
        assert all(a.json()["action"] == "intercept" for a in answers if a.status_code != 503)
        assert check(client, loop["business"], "bidding").json()["action"] == "intercept"
