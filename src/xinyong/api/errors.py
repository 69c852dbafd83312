"""One error shape for the API, one error page for people, from the same exceptions.

API (paths under /api/): ``{"error": {"code", "message", "message_en", "field"?, "problems"?}}``
with the exception's HTTP status. Pages: the same message rendered in ``error.html``. Never a traceback.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.domain.audit import AuditEvent
from xinyong.errors import FieldProblem, InvalidInput, PermissionDenied, XinyongError

log = logging.getLogger("xinyong")

_HTTP_MESSAGES = {
    404: ("页面或资源不存在", "not found", "not_found"),
    405: ("不支持该请求方法", "method not allowed", "method_not_allowed"),
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def render_error(request: Request, error: XinyongError) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": error.as_dict()}, status_code=error.status)
    from xinyong.web.templating import render

    return render(request, "error.html", {"error": error}, status_code=error.status)


def _audit_denial(request: Request, error: XinyongError) -> None:
    """Refused attempts are evidence too: who tried what, from where."""
    actor = getattr(request.state, "actor", None)
    if actor is None:
        return
    with request.app.state.platform.uow(actor) as uow:
        uow.audit(AuditEvent("access.denied", "path", request.url.path[:64],
                             detail={"method": request.method, "code": error.code}))
        uow.commit()


async def domain_error(request: Request, exc: XinyongError) -> Response:
    """The response to a refused or failed request; a denial is audited first."""
    if isinstance(exc, PermissionDenied):
        _audit_denial(request, exc)
    return render_error(request, exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(XinyongError, domain_error)  # type: ignore[arg-type]

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            FieldProblem(
                field=".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")),
                code="request." + str(e["type"]),
                message="请求参数有误：" + str(e["msg"]),
                message_en=str(e["msg"]),
            )
            for e in exc.errors()
        ]
        return render_error(request, InvalidInput.from_problems(problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message, message_en, code = _HTTP_MESSAGES.get(exc.status_code, ("请求无法处理", str(exc.detail), "http"))
        return render_error(request, XinyongError(message, message_en, code=code, status=exc.status_code))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return render_error(request, XinyongError("系统内部错误，请稍后重试或联系管理员", "internal error",
                                                  code="internal", status=500))
