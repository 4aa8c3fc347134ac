"""Redis stopped under two serving processes: a degraded mode, not an outage.

Each process is a runtime served over TCP by uvicorn, on a redis-server of the
test's own that the test stops and starts again; one runs the price engine, the
other hears its ticks. Before, during and after the outage: every deposit is
answered 200 with JSON, both subscribers keep receiving ticks, readiness says
what mode each process is in, and the books stay exact.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from decimal import Decimal

import httpx
import pytest

from tests.conftest import test_settings as settings_for
from tests.support.served import Served, TickRecorder, served
from tests.support.servers import books_problems, own_database

REGISTER = """mutation($i: RegisterInput!) { register(input: $i) { token errors { code } } }"""
DEPOSIT = """mutation { deposit(input: {amount: "10.00"}) {
    balance { cash } errors { code } } }"""


@pytest.fixture
async def database(database_url):
    async with own_database(database_url, "cnop_redis_outage") as url:
        yield url


async def deposit_everywhere(http: httpx.AsyncClient, servers: list[Served], token: str):
    """Ten deposits, alternating between the processes; every answer must be a success."""
    for i in range(10):
        started = time.monotonic()
        response = await http.post(
            f"{servers[i % 2].url}/graphql",
            json={"query": DEPOSIT},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert time.monotonic() - started < 3
        assert response.status_code == 200, response.text
        assert response.json()["data"]["deposit"]["errors"] == []
        assert "X-RateLimit-Remaining" in response.headers


async def readiness(http: httpx.AsyncClient, server: Served) -> tuple[int, dict[str, object]]:
    response = await http.get(f"{server.url}/health/ready")
    return response.status_code, response.json()


async def redis_down_seconds(http: httpx.AsyncClient, server: Served) -> float:
    """The process's cnop_redis_down_seconds, as a scrape of /metrics reads it."""
    scrape = (await http.get(f"{server.url}/metrics")).text
    (line,) = [line for line in scrape.splitlines() if line.startswith("cnop_redis_down_seconds ")]
    return float(line.split()[1])


async def until_shared(http: httpx.AsyncClient, servers: list[Served], seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while True:
            answers = [await readiness(http, server) for server in servers]
            if all(body["status"] == "ok" for _, body in answers):
                return
            await asyncio.sleep(0.1)


async def test_a_redis_outage_degrades_service_instead_of_stopping_it(
    database, redis_process, tmp_path
):
    settings = settings_for(
        database,
        tmp_path,
        redis_url=redis_process.url,
        redis_namespace=f"cnop-outage-{uuid.uuid4().hex[:8]}",
        price_engine=True,
        price_tick_ms=200,
        rate_limits_enabled=True,
        db_pool_size=10,
    )
    async with served(settings) as leader:
        async with asyncio.timeout(5):
            while not (leader.runtime.market and leader.runtime.market.leading):  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        async with (
            served(settings) as follower,
            httpx.AsyncClient(timeout=10) as http,
            TickRecorder(leader.url, "BTC") as leader_ticks,
            TickRecorder(follower.url, "BTC") as follower_ticks,
        ):
            servers = [leader, follower]
            name = f"outage_{uuid.uuid4().hex[:8]}"
            registered = await http.post(
                f"{leader.url}/graphql",
                json={
                    "query": REGISTER,
                    "variables": {
                        "i": {
                            "username": name,
                            "email": f"{name}@example.com",
                            "password": "Correct-Horse-9-Battery",
                        }
                    },
                },
            )
            token = registered.json()["data"]["register"]["token"]
            await deposit_everywhere(http, servers, token)

            # Redis goes away.
            stopped = time.monotonic()
            await redis_process.stop()
            await deposit_everywhere(http, servers, token)
            # The engine's process feeds its own subscribers; the other reads PostgreSQL.
            await leader_ticks.wait_for_ticks(3, seconds=5, after=stopped)
            await follower_ticks.wait_for_ticks(3, seconds=5, after=stopped)
            for server, role in ((leader, "leader"), (follower, "follower")):
                assert await readiness(http, server) == (
                    200,
                    {
                        "status": "degraded",
                        "checks": {"database": "ok", "redis": "down"},
                        "stores": "in-process",
                        "price_engine": role,
                    },
                )
                assert await redis_down_seconds(http, server) > 0

            # Redis comes back: the shared mode resumes by itself.
            await redis_process.start()
            await until_shared(http, servers, seconds=10)
            assert [await redis_down_seconds(http, server) for server in servers] == [0.0, 0.0]
            resumed = time.monotonic()
            await deposit_everywhere(http, servers, token)
            await leader_ticks.wait_for_ticks(3, seconds=5, after=resumed)
            await follower_ticks.wait_for_ticks(3, seconds=5, after=resumed)

            balance = await http.post(
                f"{follower.url}/graphql",
                json={"query": "{ me { balance { cash } } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert Decimal(balance.json()["data"]["me"]["balance"]["cash"]) == Decimal("300.00")
    assert await books_problems(database) == {}
