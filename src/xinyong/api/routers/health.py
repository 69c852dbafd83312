from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: answers without touching the database or the thread pool (the framework's own limit in
    benchmarks)."""
    return {"status": "ok"}
