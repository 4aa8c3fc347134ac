"""Liveness (the process answers) and readiness (its dependencies answer too).

Readiness fails only on PostgreSQL, the system of record. Without Redis the
process still serves, from in-process stores: it answers 200 with status
``degraded``, so that a load balancer keeps every replica instead of none.
"""

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


async def _redis_state(services: Services) -> str:
    stores = services.stores
    if stores.redis is None:
        return "not configured"
    link = stores.link
    if link is not None and not link.up:
        return "down"  # its reconnect loop is pinging already
    try:
        await asyncio.wait_for(stores.ping(), CHECK_TIMEOUT_S)
    except Exception as error:
        if link is not None:
            link.mark_down(error)
        return "down"
    return "ok"


def _price_engine_role(request: Request) -> str:
    runtime = getattr(request.app.state, "runtime", None)
    market = getattr(runtime, "market", None)
    if market is None:
        return "off"
    return "leader" if market.leading else "follower"


async def ready(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    checks = {
        "database": await _check(_database_ok(services)),
        "redis": await _redis_state(services),
    }
    if checks["database"] != "ok":
        status = "unavailable"
    elif checks["redis"] == "down":
        status = "degraded"
    else:
        status = "ok"
    return JSONResponse(
        {
            "status": status,
            "checks": checks,
            "stores": "in-process" if checks["redis"] != "ok" else "shared",
            "price_engine": _price_engine_role(request),
        },
        status_code=503 if status == "unavailable" else 200,
    )
