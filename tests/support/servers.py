"""Real `cnop serve` processes for tests, a database of their own, and the books' invariants."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path

import asyncpg
import httpx
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


def replica_env(
    database_url: str, redis_url: str, data_dir: object, **extra: str
) -> dict[str, str]:
    """What a server process of a multi-replica test runs with: one database, one Redis
    under a namespace of its own, and the same secret, so tokens cross replicas."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_NAMESPACE": f"cnop-test-{uuid.uuid4().hex[:8]}",
        "JWT_SECRET": "replica-test-secret-" + "y" * 32,
        "MIGRATE_ON_START": "false",
        "DATA_DIR": str(data_dir),
        **extra,
    }


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
        return self.leaderships() > 0

    def leaderships(self) -> int:
        """How many times this process took the price engine (over)."""
        return sum(LEADER_LINE in line for line in self.lines)

    async def wait_until_leading(self, seconds: float, *, times: int = 1) -> None:
        for _ in range(int(seconds * 10)):
            if self.leaderships() >= times:
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


async def price_messages(url: str, symbol: str) -> AsyncGenerator[dict[str, str]]:
    """Every price of ``symbol`` a graphql-transport-ws subscriber to the server at ``url``
    receives, as it arrives."""
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
        while True:
            message = json.loads(await ws.recv())
            assert message["type"] == "next", message
            yield message["payload"]["data"]["prices"]


async def price_ticks(url: str, symbol: str, count: int, seconds: float) -> list[dict[str, str]]:
    """The next ``count`` ticks of ``symbol`` seen by a graphql-transport-ws subscriber."""
    ticks: list[dict[str, str]] = []
    messages = price_messages(url, symbol)
    async with contextlib.aclosing(messages), asyncio.timeout(seconds):
        async for tick in messages:
            ticks.append(tick)
            if len(ticks) >= count:
                break
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


async def graphql(url: str, query: str, variables=None, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.post(
            f"{url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
    return response, response.json()


async def register(url: str, prefix: str) -> str:
    """Register a new user on the server at ``url``; its token."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    _, registered = await graphql(
        url,
        "mutation($i: RegisterInput!) { register(input: $i) { token } }",
        {
            "i": {
                "username": name,
                "email": f"{name}@example.com",
                "password": "Correct-Horse-9-Battery",
            }
        },
    )
    return str(registered["data"]["register"]["token"])


@contextlib.asynccontextmanager
async def own_database(database_url: str, prefix: str) -> AsyncIterator[str]:
    """A migrated database of its own on the test server (dropped afterwards)."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(sync_free_url(database_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        await prepare_database(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


BOOKS_BROKEN = {
    "cash that is not the sum of its ledger": """
        SELECT b.user_id FROM cash_balances b
        LEFT JOIN (SELECT user_id, sum(amount) AS total FROM ledger_entries GROUP BY user_id) l
          USING (user_id)
        WHERE b.cash <> coalesce(l.total, 0)""",
    "cash held that open buy orders do not account for": """
        SELECT b.user_id FROM cash_balances b
        LEFT JOIN (SELECT user_id, sum(held_cash) AS held FROM orders
                   WHERE status = 'OPEN' GROUP BY user_id) o USING (user_id)
        WHERE b.held <> coalesce(o.held, 0)""",
    "units held that open sell orders do not account for": """
        SELECT p.user_id FROM positions p
        LEFT JOIN (SELECT user_id, asset_id, sum(held_quantity) AS held FROM orders
                   WHERE status = 'OPEN' GROUP BY user_id, asset_id) o USING (user_id, asset_id)
        WHERE p.held <> coalesce(o.held, 0)""",
    "units that are not the sum of their trades": """
        SELECT p.user_id FROM positions p
        LEFT JOIN (SELECT user_id, asset_id,
                          sum(CASE side WHEN 'BUY' THEN quantity ELSE -quantity END) AS units
                   FROM asset_transactions GROUP BY user_id, asset_id) t USING (user_id, asset_id)
        WHERE p.quantity <> coalesce(t.units, 0)""",
    "filled orders without exactly one ledger line and one trade": """
        SELECT o.id FROM orders o
        WHERE o.status = 'FILLED' AND (
            (SELECT count(*) FROM ledger_entries l WHERE l.order_id = o.id) <> 1
            OR (SELECT count(*) FROM asset_transactions t WHERE t.order_id = o.id) <> 1)""",
    "ledger lines or trades of orders that are not filled": """
        SELECT o.id FROM orders o
        WHERE o.status <> 'FILLED' AND (
            EXISTS (SELECT 1 FROM ledger_entries l WHERE l.order_id = o.id)
            OR EXISTS (SELECT 1 FROM asset_transactions t WHERE t.order_id = o.id))""",
    "open orders holding nothing": """
        SELECT id FROM orders
        WHERE status = 'OPEN' AND held_cash = 0 AND held_quantity = 0""",
}


async def books_problems(database_url: str) -> dict[str, list[int]]:
    """Every broken invariant of the books, with the rows that break it (empty: exact)."""
    connection = await asyncpg.connect(sync_free_url(database_url))
    try:
        problems: dict[str, list[int]] = {}
        for what, query in BOOKS_BROKEN.items():
            rows = await connection.fetch(query)
            if rows:
                problems[what] = [row[0] for row in rows]
        return problems
    finally:
        await connection.close()
