"""The check service for business systems (嵌入式应用): checks, replay, feedback, statistics, cases,
subscriptions and their delivery log."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, model_validator
from typing_extensions import TypedDict

from xinyong.adapters.check_store import CheckStore
from xinyong.api.deps import PlatformDep, UowDep, as_caller, bearer_secret, client_ip, get_platform, request_id
from xinyong.api.responses import json_response
from xinyong.api.schemas import ERRORS
from xinyong.domain.accounts import Actor, Permission
from xinyong.errors import AuthenticationRequired
from xinyong.services import checks, webhooks
from xinyong.services.checks import SubjectQuery
from xinyong.services.unit_of_work import UnitOfWork

router = APIRouter(tags=["checks"], responses={**ERRORS, 503: ERRORS[422]})


class SubjectIn(TypedDict, total=False):
    """A subject to check. A typed dict, not a model: a batch holds up to 100,000 of them, and pydantic
    validates plain dicts about four times faster than it builds model instances."""

    identifier: Annotated[str | None, Field(max_length=64, description="统一社会信用代码、公民身份号码等")]
    id_type: Annotated[str | None, Field(max_length=32, description="证件类型（缺省时按号码推断）")]
    name: Annotated[str | None, Field(max_length=200, description="名称；仅有名称时只返回候选，不会拦截")]


class CheckIn(BaseModel):
    matter: str = Field(max_length=64, description="事项代码，见 GET /api/v1/matters")
    subject: SubjectIn | None = None
    subjects: list[SubjectIn] | None = Field(None, description="批量核查：多个主体")

    @model_validator(mode="after")
    def _one_form(self) -> CheckIn:
        if (self.subject is None) == (self.subjects is None):
            raise ValueError("give either subject (single check) or subjects (batch)")
        return self


class FeedbackIn(BaseModel):
    applied: bool
    measure_code: str | None = Field(None, max_length=64)
    subject_id: int | None = None
    amount: str | None = Field(None, max_length=32)
    note: str | None = Field(None, max_length=2000)


class SubscriptionIn(BaseModel):
    name: str = Field(max_length=100)
    url: str = Field(max_length=500)
    lists: list[str] | None = None
    every_subject: bool = False
    department_id: int | None = None


class WatchIn(BaseModel):
    subject_ids: list[int] = Field(min_length=1, max_length=10_000)




def _query(s: SubjectIn) -> SubjectQuery:
    return SubjectQuery(s.get("identifier"), s.get("id_type"), s.get("name"))


@router.post("/checks")
async def run_check(body: CheckIn, request: Request) -> Response:
    """Check one subject (``subject``) or many (``subjects``) for a matter: lists hit, measures that apply,
    suggested action (intercept / prompt / green_channel / none), the records behind each hit. Stored."""
    store: CheckStore | None = request.app.state.check_store
    secret = bearer_secret(request)
    if store is not None and secret is not None and body.subject is not None:
        def caller(actor: Actor) -> None:
            request.state.actor = actor

        answer = await checks.check_by_token(store, get_platform(request).clock, secret, client_ip(request),
                                             request_id(request), body.matter, _query(body.subject), caller)
        if answer is not None:
            return json_response(answer)

    def work(uow: UnitOfWork) -> Response:  # the answer is encoded in the thread too, off the event loop
        if uow.actor.user_id is None:
            raise AuthenticationRequired()
        if body.subject is not None:
            return json_response(checks.check(uow, body.matter, _query(body.subject)))
        return json_response(checks.check_batch(uow, body.matter, [_query(s) for s in body.subjects or []]))
    return await as_caller(request, work)


@router.get("/checks/statistics")
def check_statistics(uow: UowDep, date_from: date | None = None, date_to: date | None = None) -> Response:
    """Checks per department, matter and action; feedback per measure; entries per list; deliveries."""
    return json_response(checks.statistics(uow, date_from, date_to))


@router.get("/checks/cases.csv")
def check_cases(uow: UowDep, date_from: date | None = None, date_to: date | None = None) -> Response:
    buffer = io.StringIO()
    checks.export_cases(uow, buffer, date_from, date_to)
    return Response(buffer.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="joint-cases.csv"'})


@router.get("/checks/{check_id}")
def replay_check(check_id: int, uow: UowDep) -> Response:
    """A stored check exactly as answered, with its feedback."""
    return json_response(checks.get_check(uow, check_id))


@router.post("/checks/{check_id}/feedback", status_code=201)
def check_feedback(check_id: int, body: FeedbackIn, uow: UowDep) -> dict[str, int]:
    """What the business system did: measure applied or not, amount, note."""
    return {"feedback_id": checks.feedback(uow, check_id, body.applied, body.measure_code, body.subject_id,
                                           body.amount, body.note)}


@router.post("/subscriptions", status_code=201)
def add_subscription(body: SubscriptionIn, uow: UowDep) -> Response:
    """A signed-webhook subscription; the response carries the signing secret, shown only here."""
    found, secret = webhooks.subscribe(uow, body.name, body.url, body.lists, body.every_subject, body.department_id)
    return json_response({**found, "secret": secret}, 201)


@router.get("/subscriptions")
def list_subscriptions(uow: UowDep) -> Response:
    return json_response(webhooks.subscriptions(uow))


@router.post("/subscriptions/{subscription_id}/subjects")
def watch_subjects(subscription_id: int, body: WatchIn, uow: UowDep) -> dict[str, int]:
    return {"added": webhooks.watch(uow, subscription_id, body.subject_ids)}


@router.get("/webhook-deliveries")
def delivery_log(uow: UowDep, limit: int = Query(100, ge=1, le=1000)) -> Response:
    return json_response(webhooks.deliveries(uow, limit))


@router.post("/webhook-deliveries/run")
def run_deliveries(uow: UowDep, platform: PlatformDep) -> Response:
    """Post the deliveries that are due now (a timer normally does this: ``xinyong lists deliver``)."""
    uow.actor.require(Permission.CHECKS_READ)
    report = webhooks.deliver_due(platform)
    return json_response(report.__dict__)


