"""JSON responses built from plain data and encoded once (``adapters/jsontext``), for endpoints whose
answers are large (batch checks) or hot (the public subject page)."""

from __future__ import annotations

from typing import Any

from fastapi import Response

from xinyong.adapters.jsontext import dumps


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(dumps(body), status_code=status_code, media_type="application/json")
