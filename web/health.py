"""Liveness (the process answers) and readiness (its dependencies answer too)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from resolvers.context import Services

CHECK_TIMEOUT_S = 2.0


async def live(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _database_ok(services: Services) -> bool:
    async with services.db.read() as session:
        return bool(await session.scalar(text("SELECT 1")) == 1)


async def _check(probe: Coroutine[Any, Any, bool]) -> str:
    try:
        ok = await asyncio.wait_for(probe, CHECK_TIMEOUT_S)
    except Exception:
        return "down"
    return "ok" if ok else "down"


async def ready(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    checks = {
        "database": await _check(_database_ok(services)),
        "redis": "not configured"
        if services.stores.redis is None
        else await _check(services.stores.ping()),
    }
    healthy = all(state in ("ok", "not configured") for state in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status_code=200 if healthy else 503,
    )
