"""One exception hierarchy: a stable machine code, an HTTP status, a Chinese and an English message.

The API renders every ``XinyongError`` as the one JSON error shape (see ``api/errors.py``); the web
faces render the same error as a page; the CLI prints the Chinese message and exits non-zero.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class FieldProblem:
    """One thing wrong with one field of an input: which field, which check, in both languages."""

    field: str
    code: str
    message: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message, "message_en": self.message_en}


@dataclass
class XinyongError(Exception):
    message: str
    message_en: str
    code: str = "error"
    status: int = 400
    field: str | None = None
    problems: list[FieldProblem] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.code}: {self.message} ({self.message_en})"

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "message_en": self.message_en}
        if self.field is not None:
            body["field"] = self.field
        if self.problems:
            body["problems"] = [p.as_dict() for p in self.problems]
        return body


class ConfigurationError(XinyongError):
    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message, message_en, code="configuration", status=500)


class InvalidInput(XinyongError):
    """Input that fails a rule; ``problems`` lists every field at fault, not only the first."""

    def __init__(
        self,
        message: str,
        message_en: str,
        code: str = "invalid",
        field: str | None = None,
        problems: list[FieldProblem] | None = None,
    ) -> None:
        super().__init__(message, message_en, code=code, status=422, field=field, problems=problems or [])

    @classmethod
    def from_problems(cls, problems: list[FieldProblem]) -> InvalidInput:
        first = problems[0]
        if len(problems) == 1:
            return cls(first.message, first.message_en, code=first.code, field=first.field, problems=problems)
        return cls(
            f"有 {len(problems)} 处错误：{first.message} 等",
            f"{len(problems)} problems, first: {first.message_en}",
            code="invalid",
            problems=problems,
        )


class NotFound(XinyongError):
    def __init__(self, what_zh: str, what_en: str, key: object) -> None:
        super().__init__(f"{what_zh}不存在：{key}", f"{what_en} not found: {key}", code="not_found", status=404)


class Conflict(XinyongError):
    def __init__(self, message: str, message_en: str, code: str = "conflict") -> None:
        super().__init__(message, message_en, code=code, status=409)


class AuthenticationRequired(XinyongError):
    def __init__(self, message: str = "请先登录或提供有效的访问令牌", message_en: str = "authentication required",
                 code: str = "auth.required") -> None:
        super().__init__(message, message_en, code=code, status=401)


class PermissionDenied(XinyongError):
    def __init__(self, message: str, message_en: str, code: str = "permission.denied") -> None:
        super().__init__(message, message_en, code=code, status=403)
