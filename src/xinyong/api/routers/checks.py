"""The check service for business systems (嵌入式应用): checks, replay, feedback, statistics, cases,
subscriptions and their delivery log."""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field, TypeAdapter, ValidationError, model_validator
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from typing_extensions import TypedDict

from xinyong.adapters.check_store import CheckStore
from xinyong.adapters.jsontext import dumps
from xinyong.api.deps import PlatformDep, UowDep, as_caller, bearer_secret
from xinyong.api.errors import domain_error
from xinyong.api.responses import json_response
from xinyong.api.schemas import ERRORS
from xinyong.domain.accounts import Actor, Permission
from xinyong.errors import AuthenticationRequired, XinyongError
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
    suggested action (intercept / prompt / green_channel / none), the records behind each hit. Stored.

    On PostgreSQL a single check by token is answered before it gets here (``SingleChecks``)."""
    def work(uow: UnitOfWork) -> Response:  # the answer is encoded in the thread too, off the event loop
        if uow.actor.user_id is None:
            raise AuthenticationRequired()
        if body.subject is not None:
            return json_response(checks.check(uow, body.matter, _query(body.subject)))
        return json_response(checks.check_batch(uow, body.matter, [_query(s) for s in body.subjects or []]))
    return await as_caller(request, work)


_CHECK_IN = TypeAdapter(CheckIn)
_SINGLE_BODY_BYTES = 8192  # a single check's body is a few hundred bytes; a longer one is a batch


class SingleChecks:
    """``POST /api/v1/checks`` of one subject by a bearer token, on PostgreSQL, answered by
    ``services.checks.check_by_token`` in front of FastAPI: its routing, dependencies and response
    machinery cost more CPU than the check itself. The body is validated by ``run_check``'s own model and
    the answer and its errors are those of the route. Every other request, a body the model refuses, and a
    check the service hands back (a name-only query, a hit on a list an administrator defined) go on to the
    application unchanged, the body replayed."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store: CheckStore | None = scope["app"].state.check_store if "app" in scope else None
        if store is None or scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        secret = bearer_secret(headers)
        length = headers.get("content-length", "")
        if secret is None or not length.isdigit() or int(length) > _SINGLE_BODY_BYTES:
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        try:
            query = _CHECK_IN.validate_json(body)
        except ValidationError:
            query = None
        answer = None
        if query is not None and query.subject is not None:
            state = scope.setdefault("state", {})

            def caller(actor: Actor) -> None:  # as ``request.state.actor``: a denial is audited as the caller's
                state["actor"] = actor

            try:
                answer = await checks.check_by_token(
                    store, scope["app"].state.platform.clock, secret,
                    scope["client"][0] if scope.get("client") else None, state.get("request_id"), query.matter,
                    _query(query.subject), caller)
            except XinyongError as exc:
                response = await domain_error(Request(scope), exc)
                await response(scope, receive, send)
                return
        if answer is None:
            await self.app(scope, _replay(body, receive), send)
            return
        content = dumps(answer)
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]})
        await send({"type": "http.response.body", "body": content})


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` as if the body had not been read."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replayed


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


@router.post("/subscriptions/{subscription_id}/deactivate")
def deactivate_subscription(subscription_id: int, uow: UowDep) -> Response:
    """Stop a subscription: nothing more is queued for it, its waiting deliveries are cancelled."""
    return json_response(webhooks.deactivate(uow, subscription_id))


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


