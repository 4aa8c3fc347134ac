"""PostgreSQL faults under a real `cnop serve`: dropped connections, then the server gone.

Dropped connections (pg_terminate_backend on every backend of the server) must
cost no request, and the price engine's leadership is re-taken within a few
seconds. With the server stopped, requests fail fast with SERVICE_UNAVAILABLE
and readiness goes red; when it is back, service resumes without a restart. The
books stay exact throughout.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
import pytest

from persistence import embedded
from persistence.database import sync_free_url
from tests.support.served import TickRecorder
from tests.support.servers import Server, books_problems, graphql, own_database

DEPOSIT = """mutation { deposit(input: {amount: "10.00"}) {
    balance { cash } errors { code } } }"""
REGISTER = """mutation($i: RegisterInput!) { register(input: $i) { token errors { code } } }"""


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "JWT_SECRET": "outage-test-secret-" + "z" * 32,
        "PRICE_TICK_MS": "200",
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": "INFO",
        **extra,
    }


async def sign_up(url: str) -> str:
    name = f"outage_{uuid.uuid4().hex[:8]}"
    variables = {
        "i": {
            "username": name,
            "email": f"{name}@example.com",
            "password": "Correct-Horse-9-Battery",
        }
    }
    _, body = await graphql(url, REGISTER, variables)
    token: str = body["data"]["register"]["token"]
    return token


async def deposit(url: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.post(
            f"{url}/graphql",
            json={"query": DEPOSIT},
            headers={"Authorization": f"Bearer {token}"},
        )


async def deposits_succeed(url: str, token: str, count: int) -> None:
    for _ in range(count):
        response = await deposit(url, token)
        assert response.status_code == 200, response.text
        assert response.json()["data"]["deposit"]["errors"] == []


async def cash(url: str, token: str) -> Decimal:
    _, body = await graphql(url, "{ me { balance { cash } } }", token=token)
    return Decimal(body["data"]["me"]["balance"]["cash"])


@pytest.fixture
async def database(database_url):
    async with own_database(database_url, "cnop_db_outage") as url:
        yield url


async def test_dropped_connections_cost_no_request(database, tmp_path):
    env = environment(tmp_path, DATABASE_URL=database, MIGRATE_ON_START="false")
    engine = Server(env)
    # Serves the requests; without the engine's ticks, nothing else meets its dead
    # connections first (one failure makes SQLAlchemy recycle the whole pool).
    front = Server({**env, "PRICE_ENGINE": "false", "DB_POOL_SIZE": "5"})
    admin = await asyncpg.connect(sync_free_url(database))
    try:
        await engine.start()
        await engine.wait_until_leading(5)
        await front.start()
        token = await sign_up(front.url)
        async with TickRecorder(engine.url, "BTC") as ticks:
            # Concurrent requests leave several connections in the front's pool.
            await asyncio.gather(*(deposits_succeed(front.url, token, 1) for _ in range(5)))

            terminated = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            dropped = time.monotonic()
            assert terminated >= 5  # the pools of both and the engine's lock
            await asyncio.sleep(0.2)

            # Twenty of twenty, from a pool whose every connection was dead.
            await deposits_succeed(front.url, token, 20)
            # The engine lost its lock with its connection, and took it again.
            await engine.wait_until_leading(5, times=2)
            await ticks.wait_for_ticks(3, seconds=5, after=dropped)
        assert await cash(front.url, token) == Decimal("250.00")
    finally:
        await asyncio.gather(engine.stop(), front.stop())
        await admin.close()
    assert await books_problems(database) == {}


async def test_a_stopped_database_fails_fast_and_service_resumes_when_it_is_back(tmp_path):
    data_dir = tmp_path / "data"
    server = Server(environment(tmp_path))  # no DATABASE_URL: embedded PostgreSQL
    try:
        await server.start()
        await server.wait_until_leading(10)
        token = await sign_up(server.url)
        await deposits_succeed(server.url, token, 3)

        assert await asyncio.to_thread(embedded.stop, data_dir)
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(5):
                started = time.monotonic()
                response = await deposit(server.url, token)
                assert time.monotonic() - started < 3
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"] == "5"
                [error] = response.json()["errors"]
                assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
                assert error["extensions"]["retryAfter"] == 5
                assert error["extensions"]["requestId"] == response.headers["x-request-id"]
            ready = await http.get(f"{server.url}/health/ready")
            assert ready.status_code == 503
            assert ready.json()["status"] == "unavailable"
            assert ready.json()["checks"]["database"] == "down"
            assert (await http.get(f"{server.url}/health/live")).status_code == 200

            url = await asyncio.to_thread(embedded.start, data_dir)
            async with asyncio.timeout(15):
                while (await http.get(f"{server.url}/health/ready")).status_code != 200:  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
        await deposits_succeed(server.url, token, 3)
        await server.wait_until_leading(10, times=2)
        assert await cash(server.url, token) == Decimal("60.00")
        assert await books_problems(url) == {}
    finally:
        await server.stop()
        await asyncio.to_thread(embedded.stop, data_dir)
