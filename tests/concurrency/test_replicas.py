"""Several real server processes over one PostgreSQL and one Redis."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from functools import partial

import httpx
import pytest

from tests.support.servers import (
    Server,
    books_problems,
    forget_namespace,
    graphql,
    price_ticks,
    register,
    replica_env,
)


@pytest.fixture
def replicas_env(shared_database, redis_url, tmp_path):
    """The environment of server processes sharing this test's database and a Redis
    namespace, with the test's own settings on top."""
    return partial(replica_env, shared_database, redis_url, tmp_path)


async def test_ticks_cross_processes_and_the_engine_fails_over(replicas_env, redis_url):
    env = replicas_env(PRICE_TICK_MS="200", LOG_LEVEL="INFO")
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


async def test_sessions_limits_and_idempotency_hold_across_replicas(replicas_env, redis_url):
    env = replicas_env(
        PRICE_ENGINE="false", RATE_LIMIT_IP_POINTS="1000", RATE_LIMIT_USER_POINTS="200"
    )
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


PLACE = """mutation($i: PlaceOrderInput!) { placeOrder(input: $i) {
    order { id status } errors { code } } }"""
CANCEL = "mutation($id: ID!) { cancelOrder(id: $id) { order { id status } errors { code } } }"
ORDERS = [
    {"assetSymbol": "BTC", "side": "BUY", "quantity": "0.001"},
    {"assetSymbol": "BTC", "side": "SELL", "quantity": "0.0005"},
    # Far from the market: they stay open, holding cash or units, until cancelled.
    {"assetSymbol": "BTC", "side": "BUY", "type": "LIMIT", "quantity": "0.01", "limitPrice": "100"},
    {
        "assetSymbol": "BTC",
        "side": "SELL",
        "type": "LIMIT",
        "quantity": "0.0002",
        "limitPrice": "10000000",
    },
]


class Storm:
    """Users placing and cancelling orders on both replicas as fast as they are answered."""

    def __init__(self, servers: list[Server], tokens: list[str]) -> None:
        self.servers = servers
        self.tokens = tokens
        self.answered = {server.url: 0 for server in servers}
        self.lost = {server.url: 0 for server in servers}
        self.failures: list[str] = []
        self.running = True

    async def user(self, index: int) -> None:
        token, open_ids, step = self.tokens[index], list[str](), index
        async with httpx.AsyncClient(timeout=10) as http:
            while self.running:
                server = self.servers[step % len(self.servers)]
                step += 1
                variables: dict[str, object]
                if open_ids and step % 5 == 0:
                    query, variables = CANCEL, {"id": open_ids.pop(0)}
                else:
                    query, variables = PLACE, {"i": ORDERS[step % len(ORDERS)]}
                try:
                    response = await http.post(
                        f"{server.url}/graphql",
                        json={"query": query, "variables": variables},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                except httpx.HTTPError:
                    self.lost[server.url] += 1
                    continue
                body = response.json()
                if response.status_code != 200 or "errors" in body:
                    self.failures.append(response.text)
                    continue
                self.answered[server.url] += 1
                order = next(iter(body["data"].values()))["order"]
                if order is not None and order["status"] == "OPEN":
                    open_ids.append(order["id"])


async def test_a_replica_killed_mid_order_leaves_exact_books_and_the_engine_moves(
    replicas_env, shared_database, redis_url
):
    env = replicas_env(PRICE_TICK_MS="200", LOG_LEVEL="INFO", RATE_LIMITS_ENABLED="false")
    leader, survivor = Server(env), Server(env)
    try:
        await leader.start()
        await leader.wait_until_leading(5)
        await survivor.start()
        tokens = []
        for _ in range(4):
            token = await register(survivor.url, "storm")
            _, funded = await graphql(
                survivor.url,
                'mutation { deposit(input: {amount: "5000.00"}) { errors { code } } }',
                token=token,
            )
            assert funded["data"]["deposit"]["errors"] == []
            tokens.append(token)

        storm = Storm([leader, survivor], tokens)
        users = [asyncio.create_task(storm.user(i)) for i in range(len(tokens))]
        async with asyncio.timeout(10):
            while storm.answered[leader.url] < 20:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        # Mid-storm: requests are in flight on the leader when it dies without a word.
        await leader.stop(signal.SIGKILL)
        killed = time.monotonic()
        await survivor.wait_until_leading(5)
        assert time.monotonic() - killed < 5
        answered_before = storm.answered[survivor.url]
        async with asyncio.timeout(10):
            while storm.answered[survivor.url] < answered_before + 20:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        storm.running = False
        await asyncio.gather(*users)
    finally:
        await asyncio.gather(leader.stop(), survivor.stop())
        await forget_namespace(redis_url, env["REDIS_NAMESPACE"])
    assert storm.failures == []  # whatever reached an answer was a success
    assert await books_problems(shared_database) == {}
