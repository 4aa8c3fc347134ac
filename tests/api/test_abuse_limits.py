"""Abuse limits: operation depth, aliases, tokens and cost; rate limits; sign-in brute force;
websocket connection caps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from graphql import get_introspection_query
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from domain.login_guard import LoginGuard, LoginPolicy, LoginThrottled
from persistence.stores import open_stores
from tests.conftest import TEST_PASSWORD
from tests.support.http import (
    app_client,
    bearer,
    behind_proxy,
    code_of,
    fresh_host,
    post,
    rate_limited_client,
    user_budget_client,
)
from tests.support.serving import served
from web.app import create_app

DEEP_INTROSPECTION = (
    '{ __type(name: "User") { fields { type ' + "{ ofType " * 16 + "{ name }" + " }" * 16 + " } } }"
)
LOGIN = """
mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  token errors { code } } }"""


async def test_deep_introspection_is_refused_before_any_resolver(settings, runtime, statements):
    async with app_client(settings, runtime) as http:
        _, body = await post(http, DEEP_INTROSPECTION)
        assert code_of(body) == "QUERY_TOO_COMPLEX"
        assert body.get("data") is None
    assert statements == []  # refused during validation: nothing was resolved


async def test_the_standard_introspection_query_is_allowed(settings, runtime):
    async with app_client(settings, runtime) as http:
        _, body = await post(http, get_introspection_query())
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_too_many_aliases(settings, runtime):
    aliased = "{ " + " ".join(f'a{i}: asset(symbol: "BTC") {{ symbol }}' for i in range(31)) + " }"
    async with app_client(settings, runtime) as http:
        _, body = await post(http, aliased)
    assert code_of(body) == "QUERY_TOO_COMPLEX"
    assert "aliases" in body["errors"][0]["message"]


async def test_too_many_tokens(settings, runtime):
    huge = "{ " + " ".join("__typename" for _ in range(3000)) + " }"
    async with app_client(settings, runtime) as http:
        _, body = await post(http, huge)
    assert code_of(body) == "QUERY_TOO_COMPLEX"


async def test_cost_multiplies_by_page_size(settings, runtime):
    charts = "{ assets(first: 50) { edges { node { priceHistory%s { price } } } } }"
    async with app_client(settings, runtime) as http:
        _, heavy = await post(http, charts % "")
        _, light = await post(http, charts % "(limit: 100)")
        paged = "query($n: Int) { assets(first: $n) { edges { node { priceHistory { price } } } } }"
        _, one = await post(http, paged, {"n": 1})
        _, many = await post(http, paged, {"n": 100})
    assert code_of(heavy) == "QUERY_TOO_COMPLEX"
    assert "14,551" in heavy["errors"][0]["message"]
    assert "errors" not in light
    # A variable counts as the value the request gives it.
    assert "errors" not in one
    assert code_of(many) == "QUERY_TOO_COMPLEX"


async def test_batched_operations_are_refused(settings, runtime):
    async with app_client(settings, runtime) as http:
        response = await http.post("/graphql", json=[{"query": "{ __typename }"}] * 2)
    assert response.status_code == 400


async def test_field_suggestions_only_in_development(settings, runtime):
    typo = '{ asset(symbol: "BTC") { symbl } }'
    async with app_client(settings, runtime) as http:
        _, dev = await post(http, typo)
    async with app_client(settings, runtime, environment="production") as http:
        _, prod = await post(http, typo)
    assert "Did you mean" in dev["errors"][0]["message"]
    assert "Did you mean" not in prod["errors"][0]["message"]
    assert "symbl" in prod["errors"][0]["message"]


async def test_rate_limit_per_address_answers_429_with_headers(settings, runtime):
    address = (fresh_host("10.9"), 1)
    async with rate_limited_client(settings, runtime, address, rate_limit_ip_points=5) as http:
        answers = [await post(http, "{ __typename }") for _ in range(6)]
    first, _ = answers[0]
    assert first.status_code == 200
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "4"
    refused, body = answers[-1]
    assert refused.status_code == 429
    assert code_of(body) == "RATE_LIMITED"
    retry = body["errors"][0]["extensions"]["retryAfter"]
    assert 0 < retry <= 60
    assert refused.headers["Retry-After"] == str(retry)
    assert refused.headers["X-RateLimit-Remaining"] == "0"


async def test_operations_are_weighted_by_cost(settings, runtime, make_user):
    user = await make_user()
    nested = "{ me { orders(first: 100) { edges { node { asset { symbol } } } } } }"
    async with user_budget_client(settings, runtime, "10.8", 40) as http:
        auth = bearer(user.token)
        first, _ = await post(http, nested, headers=auth)  # weighs 1 + 301 // 10 = 31
        second, body = await post(http, nested, headers=auth)
    assert first.headers["X-RateLimit-Remaining"] == "9"
    assert second.status_code == 429
    assert code_of(body) == "RATE_LIMITED"


async def test_spoofed_forwarded_for_is_ignored_unless_the_peer_is_trusted(settings, runtime):
    peer = (fresh_host("10.7"), 1)
    spoof = [{"X-Forwarded-For": f"192.0.2.{i}"} for i in range(4)]
    async with rate_limited_client(settings, runtime, peer, rate_limit_ip_points=2) as http:
        untrusted = [(await post(http, "{ __typename }", headers=h))[0].status_code for h in spoof]
    assert untrusted == [200, 200, 429, 429]  # one budget: the socket's peer
    async with behind_proxy(settings, runtime, peer, rate_limit_ip_points=2) as http:
        trusted = [(await post(http, "{ __typename }", headers=h))[0].status_code for h in spoof]
    assert trusted == [200, 200, 200, 200]  # each forwarded client has its own budget


async def test_repeated_failed_sign_ins_lock_the_username_at_that_address(
    settings, runtime, make_user
):
    user = await make_user()
    async with app_client(settings, runtime, client=("10.6.0.1", 1)) as http:
        for _ in range(5):
            _, body = await post(http, LOGIN, {"u": user.username, "p": "wrong-password"})
            assert body["data"]["login"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
        locked, body = await post(http, LOGIN, {"u": user.username, "p": TEST_PASSWORD})
        assert locked.status_code == 429
        assert code_of(body) == "RATE_LIMITED"
        assert body["errors"][0]["extensions"]["retryAfter"] > 800
        # Another name from the same address is not locked.
        other = await make_user()
        _, fine = await post(http, LOGIN, {"u": other.username, "p": TEST_PASSWORD})
        assert fine["data"]["login"]["token"]


async def test_login_guard_thresholds_and_expiry():
    guard = LoginGuard(
        open_stores(None).rate_limiter,
        LoginPolicy(max_failures=2, max_failures_per_ip=3, window=60, lockout=1),
    )

    async def fail(name: str, address: str) -> None:
        await guard.attempt(name, address)
        await guard.failed(name, address)

    await fail("alice", "1.1.1.1")
    await guard.attempt("alice", "1.1.1.1")  # one failure: still allowed
    await guard.failed("alice", "1.1.1.1")
    with pytest.raises(LoginThrottled):
        await guard.attempt("alice", "1.1.1.1")
    await guard.attempt("alice", "2.2.2.2")  # locked at that address only
    await guard.succeeded("alice", "2.2.2.2")
    await fail("bob", "1.1.1.1")  # the address's third failure
    with pytest.raises(LoginThrottled):
        await guard.attempt("carol", "1.1.1.1")  # a fourth would pass the address's limit
    await guard.attempt("carol", "2.2.2.2")
    await asyncio.sleep(1.1)
    await guard.attempt("alice", "1.1.1.1")  # the lockout has passed


async def test_a_success_clears_the_failures(settings, runtime, make_user):
    user = await make_user()
    async with app_client(settings, runtime, client=("10.5.0.1", 1)) as http:
        for _ in range(4):
            await post(http, LOGIN, {"u": user.username, "p": "wrong-password"})
        _, ok = await post(http, LOGIN, {"u": user.username, "p": TEST_PASSWORD})
        assert ok["data"]["login"]["token"]
        for _ in range(4):
            _, body = await post(http, LOGIN, {"u": user.username, "p": "wrong-password"})
        assert body["data"]["login"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]


@pytest.fixture
async def capped_ws_url(settings, runtime) -> AsyncIterator[str]:
    app = create_app(settings.model_copy(update={"ws_max_connections_per_ip": 2}), runtime)
    async with served(app) as url:
        yield url


async def test_websocket_connections_per_address_are_capped(capped_ws_url):
    protocols = [Subprotocol("graphql-transport-ws")]
    async with (
        connect(capped_ws_url, subprotocols=protocols) as first,
        connect(capped_ws_url, subprotocols=protocols) as second,
    ):
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            async with connect(capped_ws_url, subprotocols=protocols) as third:
                await asyncio.wait_for(third.recv(), 2)
        assert first.state.name == "OPEN"
        assert second.state.name == "OPEN"
    # Closed connections free their places.
    async with connect(capped_ws_url, subprotocols=protocols) as again:
        assert again.state.name == "OPEN"


async def test_points_use_the_page_size_actually_asked_for(settings, runtime, make_user):
    user = await make_user()
    paged = "query($n: Int) { me { orders(first: $n) { edges { node { asset { symbol } } } } } }"
    async with user_budget_client(settings, runtime, "10.4", 100) as http:
        auth = bearer(user.token)
        small, _ = await post(http, paged, {"n": 5}, headers=auth)  # 1 + 16 // 10 = 2
        large, _ = await post(http, paged, {"n": 100}, headers=auth)  # 1 + 301 // 10 = 31
    assert small.headers["X-RateLimit-Remaining"] == "98"
    assert large.headers["X-RateLimit-Remaining"] == "67"
