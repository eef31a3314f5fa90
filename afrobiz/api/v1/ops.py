"""Operations endpoints at the root: liveness, readiness, metrics."""
from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from afrobiz.api.problems import problem
from afrobiz.kit.metrics import METRICS

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers",
            responses={503: {"description": "Database unreachable", "content": {"application/problem+json": {}}}})
async def readyz(request: Request):
    try:
        async with asyncio.timeout(3):
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means not ready
        return problem(503, "The database is not reachable.")
    return {"status": "ready"}


@router.get("/metrics", response_class=PlainTextResponse, summary="Prometheus metrics")
async def metrics() -> str:
    return METRICS.render()
