"""Several real server processes over one PostgreSQL and one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
import websockets
from websockets.typing import Subprotocol

from persistence.database import sync_free_url
from web.runtime import prepare_database

CNOP = Path(sys.executable).with_name("cnop")
LEADER_LINE = "now runs the price engine"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One `cnop serve` process and the lines it logs."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.env = {**env, "PORT": str(self.port)}
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            str(CNOP),
            "serve",
            env=self.env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        async with httpx.AsyncClient() as http:
            for _ in range(150):
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.url}/health/ready")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise AssertionError("server did not become ready:\n" + "\n".join(self.lines[-20:]))

    async def _read(self) -> None:
        assert self.process is not None
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip())

    def leads(self) -> bool:
        return any(LEADER_LINE in line for line in self.lines)

    async def wait_until_leading(self, seconds: float) -> None:
        for _ in range(int(seconds * 10)):
            if self.leads():
                return
            await asyncio.sleep(0.1)
        raise AssertionError("never took the engine over:\n" + "\n".join(self.lines[-20:]))

    async def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(sig)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.process.wait(), 10)
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()
        if self._reader is not None:
            self._reader.cancel()


async def price_ticks(url: str, symbol: str, count: int, seconds: float) -> list[dict[str, str]]:
    """The next ``count`` ticks of ``symbol`` seen by a graphql-transport-ws subscriber."""
    ws_url = url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(ws_url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = "subscription($s: [String!]) { prices(symbols: $s) { symbol price at } }"
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": query, "variables": {"s": [symbol]}},
                }
            )
        )
        ticks: list[dict[str, str]] = []
        async with asyncio.timeout(seconds):
            while len(ticks) < count:
                message = json.loads(await ws.recv())
                assert message["type"] == "next", message
                ticks.append(message["payload"]["data"]["prices"])
        return ticks


async def forget_namespace(redis_url: str, namespace: str) -> None:
    """The servers' Redis keys outlive them; the Redis is shared, so remove them."""
    client = aioredis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{namespace}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def shared_database(database_url):
    """A database of its own: the engine here moves every price it finds."""
    name = f"cnop_replicas_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(sync_free_url(database_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        await prepare_database(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_ticks_cross_processes_and_the_engine_fails_over(
    shared_database, redis_url, tmp_path
):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": shared_database,
        "REDIS_URL": redis_url,
        "REDIS_NAMESPACE": f"cnop-test-{uuid.uuid4().hex[:8]}",
        "JWT_SECRET": "replica-test-secret-" + "y" * 32,
        "MIGRATE_ON_START": "false",
        "PRICE_TICK_MS": "200",
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "INFO",
    }
    first, second = Server(env), Server(env)
    try:
        await first.start()
        await first.wait_until_leading(5)
        await second.start()
        await asyncio.sleep(0.5)
        assert not second.leads()
        # A subscriber on the second process sees the ticks the first one produces.
        ticks = await price_ticks(second.url, "BTC", 3, seconds=10)
        assert [t["symbol"] for t in ticks] == ["BTC"] * 3
        assert len({t["at"] for t in ticks}) == 3
        # The leader dies without a goodbye; the other process takes the engine over.
        await first.stop(signal.SIGKILL)
        await second.wait_until_leading(10)
        after = await price_ticks(second.url, "BTC", 2, seconds=10)
        assert all(t["at"] > ticks[-1]["at"] for t in after)
    finally:
        await first.stop()
        await second.stop()
        await forget_namespace(redis_url, env["REDIS_NAMESPACE"])


async def graphql(url: str, query: str, variables=None, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
    return response, response.json()


async def test_sessions_limits_and_idempotency_hold_across_replicas(
    shared_database, redis_url, tmp_path
):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": shared_database,
        "REDIS_URL": redis_url,
        "REDIS_NAMESPACE": f"cnop-test-{uuid.uuid4().hex[:8]}",
        "JWT_SECRET": "replica-test-secret-" + "y" * 32,
        "MIGRATE_ON_START": "false",
        "PRICE_ENGINE": "false",
        "DATA_DIR": str(tmp_path),
        "RATE_LIMIT_IP_POINTS": "1000",
        "RATE_LIMIT_USER_POINTS": "200",
    }
    first, second = Server(env), Server(env)
    try:
        await asyncio.gather(first.start(), second.start())
        name = f"replica_{uuid.uuid4().hex[:8]}"
        _, registered = await graphql(
            first.url,
            "mutation($i: RegisterInput!) { register(input: $i) { token errors { code } } }",
            {
                "i": {
                    "username": name,
                    "email": f"{name}@example.com",
                    "password": "Correct-Horse-9-Battery",
                }
            },
        )
        token = registered["data"]["register"]["token"]
        me = "{ me { username } }"
        # A session made on one replica is good on the other...
        assert (await graphql(second.url, me, token=token))[1]["data"]["me"]["username"] == name
        # ...and an idempotent deposit retried on both moves money once.
        deposit = """mutation($k: String) { deposit(input: {amount: "250.00", idempotencyKey: $k}) {
            transaction { id } errors { code } } }"""
        key = uuid.uuid4().hex
        answers = await asyncio.gather(
            *(graphql(server.url, deposit, {"k": key}, token) for server in (first, second) * 4)
        )
        ids = {body["data"]["deposit"]["transaction"]["id"] for _, body in answers}
        assert len(ids) == 1
        balance = "{ me { balance { cash } } }"
        assert (await graphql(second.url, balance, token=token))[1]["data"]["me"]["balance"] == {
            "cash": "250.00"
        }
        # A logout on one replica revokes that token on the other.
        login = """mutation($u: String!) { login(input: {username: $u,
            password: "Correct-Horse-9-Battery"}) { token } }"""
        other = (await graphql(first.url, login, {"u": name}))[1]["data"]["login"]["token"]
        await graphql(second.url, "mutation { logout { success } }", token=other)
        assert (await graphql(first.url, me, token=other))[1]["data"]["me"] is None
        assert (await graphql(first.url, me, token=token))[1]["data"]["me"]["username"] == name
        # One user budget, shared by both replicas: small queries weigh 1 point each.
        response, _ = await graphql(first.url, me, token=token)
        remaining = int(response.headers["X-RateLimit-Remaining"])
        statuses = []
        for i in range(remaining + 6):
            response, _ = await graphql((second, first)[i % 2].url, me, token=token)
            statuses.append(response.status_code)
        assert statuses == [200] * remaining + [429] * 6
    finally:
        await asyncio.gather(first.stop(), second.stop())
        await forget_namespace(redis_url, env["REDIS_NAMESPACE"])
