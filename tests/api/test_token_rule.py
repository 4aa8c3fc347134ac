"""One token rule for every request and every websocket operation, held by the database.

A token stands while it is unexpired, its user exists, it was not signed out and it was
issued after the user's last password change. PostgreSQL keeps sign-outs and cut-offs,
so a process that never heard of a sign-out (another replica, a restart, Redis away)
refuses the token all the same.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest
from websockets.exceptions import ConnectionClosed

from tests.conftest import JWT_SECRET, TEST_PASSWORD
from tests.support.serving import Client, served, ws_client
from web.app import create_app
from web.runtime import Runtime, start_runtime

DEPOSIT = """mutation($amount: Decimal!) {
  deposit(input: {amount: $amount}) { balance { cash } errors { code } } }"""
LOGOUT = "mutation { logout { success } }"
CHANGE_PASSWORD = """mutation($input: ChangePasswordInput!) {
  changePassword(input: $input) { errors { code } } }"""
ME_CASH = "{ me { balance { cash } } }"
ME_NAME = "{ me { firstName } }"
RENAME = """mutation($name: String!) {
  updateProfile(input: {firstName: $name}) { errors { code } } }"""
PRICES = "subscription { prices { symbol } }"
ORDER_UPDATES = "subscription { orderUpdates { id } }"


@pytest.fixture(scope="module")
async def other_process(settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second server process on the same database with stores of its own: it hears
    nothing of what the first one was told, as after a restart or with Redis away."""
    active: Runtime = await start_runtime(settings)
    transport = httpx.ASGITransport(app=create_app(settings, active))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await active.close()


async def post(http: httpx.AsyncClient, query: str, variables=None, token=None) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    body: dict[str, Any] = response.json()
    return body


def code_of(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def cash(gql, user) -> str:
    data = await gql(ME_CASH, token=user.token)
    return str(data["me"]["balance"]["cash"])


# ------------------------------------------------------------------------------ HTTP


async def test_a_sign_out_holds_in_a_process_that_never_heard_of_it(gql, make_user, other_process):
    user = await make_user("100.00")
    assert (await gql(LOGOUT, token=user.token))["logout"]["success"] is True

    body = await post(other_process, DEPOSIT, {"amount": "5.00"}, user.token)
    assert code_of(body) == "UNAUTHENTICATED"
    assert (await post(other_process, ME_CASH, token=user.token))["data"]["me"] is None


async def test_a_password_change_holds_in_a_process_that_never_heard_of_it(
    gql, make_user, other_process, codec
):
    user = await make_user("100.00")
    changed = await gql(
        CHANGE_PASSWORD,
        {"input": {"currentPassword": TEST_PASSWORD, "newPassword": "Another-Horse-7-Staple"}},
        token=user.token,
    )
    assert changed["changePassword"]["errors"] == []

    body = await post(other_process, DEPOSIT, {"amount": "5.00"}, user.token)
    assert code_of(body) == "UNAUTHENTICATED"
    fresh = codec.issue(user.id, user.username).token
    assert (await post(other_process, ME_CASH, token=fresh))["data"]["me"] is not None


async def test_a_token_of_a_user_that_no_longer_exists_is_refused(gql, codec):
    ghost = codec.issue(2**62, "nobody").token
    body = await gql.raw(DEPOSIT, {"amount": "5.00"}, token=ghost)
    assert code_of(body) == "UNAUTHENTICATED"


# ------------------------------------------------------------------------- websockets


async def operate(client: Client, query: str, variables: dict[str, Any] | None = None):
    """Run a query or mutation over the socket: its payload, or {"errors": [...]}."""
    operation = await client.subscribe(query, variables)
    message = await client.receive()
    assert message["id"] == operation, message
    if message["type"] == "error":
        return {"errors": message["payload"]}
    assert message["type"] == "next", message
    assert (await client.receive())["type"] == "complete"
    payload: dict[str, Any] = message["payload"]
    return payload


@pytest.fixture(scope="module")
async def ws_url(settings, runtime) -> AsyncIterator[str]:
    async with served(create_app(settings, runtime)) as url:
        yield url


async def test_an_operation_after_sign_out_is_refused_and_moves_nothing(gql, make_user, ws_url):
    user = await make_user("100.00")
    async with ws_client(ws_url, user.token) as client:
        done = await operate(client, DEPOSIT, {"amount": "1.00"})
        assert done["data"]["deposit"]["balance"]["cash"] == "101.00"

        assert (await gql(LOGOUT, token=user.token))["logout"]["success"] is True
        await client.subscribe(DEPOSIT, {"amount": "1.00"})
        assert await client.close_code() == 4403
    fresh = dataclasses.replace(user, token=(await login(gql, user)))
    assert await cash(gql, fresh) == "101.00"


async def login(gql, user) -> str:
    query = """mutation($u: String!, $p: String!) {
      login(input: {username: $u, password: $p}) { token } }"""
    data = await gql(query, {"u": user.username, "p": TEST_PASSWORD})
    return str(data["login"]["token"])


async def close_code_within(client: Client, seconds: float) -> int | None:
    """The code the server closes the socket with, reading past any messages before it;
    fails if the socket is still open after ``seconds``."""
    async with asyncio.timeout(seconds):
        while True:
            try:
                await client.ws.recv()
            except ConnectionClosed as closed:
                return None if closed.rcvd is None else closed.rcvd.code


async def test_a_password_change_ends_running_subscriptions_within_a_tick(gql, make_user, ws_url):
    user = await make_user()
    async with ws_client(ws_url, user.token) as client:
        await client.subscribe(ORDER_UPDATES)
        await client.subscribe(PRICES)
        await asyncio.sleep(0.2)  # both running
        changed = await gql(
            CHANGE_PASSWORD,
            {"input": {"currentPassword": TEST_PASSWORD, "newPassword": "Another-Horse-7-Staple"}},
            token=user.token,
        )
        assert changed["changePassword"]["errors"] == []
        assert await close_code_within(client, 3) == 4403


async def test_an_expired_token_ends_its_socket(make_user, ws_url):
    user = await make_user()
    now = int(time.time())
    short_lived = jwt.encode(
        {
            "sub": str(user.id),
            "username": user.username,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "exp": now + 2,
            "iss": "cnop",
            "aud": "cnop-web",
        },
        JWT_SECRET,
        algorithm="HS256",
    )
    async with ws_client(ws_url, short_lived) as client:
        await client.subscribe(ORDER_UPDATES)
        started = time.monotonic()
        assert await close_code_within(client, 6) == 4403
        assert time.monotonic() - started < 5


async def test_each_socket_operation_reads_afresh(gql, make_user, ws_url):
    user = await make_user()
    async with ws_client(ws_url, user.token) as client:
        await gql(RENAME, {"name": "Ada"}, token=user.token)
        first = await operate(client, ME_NAME)
        await gql(RENAME, {"name": "Grace"}, token=user.token)
        second = await operate(client, ME_NAME)
    assert (first["data"]["me"]["firstName"], second["data"]["me"]["firstName"]) == (
        "Ada",
        "Grace",
    )


# ---------------------------------------------------------------------------- budgets


@pytest.fixture(scope="module")
async def budget_url(settings, runtime) -> AsyncIterator[str]:
    """The app with a small per-user budget; the per-address one never binds here."""
    limited = settings.model_copy(
        update={
            "rate_limits_enabled": True,
            "rate_limit_user_points": 40,
            "rate_limit_ip_points": 10**9,
        }
    )
    async with served(create_app(limited, runtime)) as url:
        yield url


async def test_socket_operations_spend_the_users_budget_and_the_socket_stays_open(
    gql, make_user, budget_url
):
    user = await make_user()
    outcomes = []
    async with ws_client(budget_url, user.token) as client:
        for _ in range(10):
            outcomes.append(await operate(client, DEPOSIT, {"amount": "1.00"}))
            if "errors" in outcomes[-1]:
                break
        refused = outcomes[-1]["errors"][0]
        assert refused["extensions"]["code"] == "RATE_LIMITED"
        assert refused["extensions"]["retryAfter"] > 0
        # Still open and still answering.
        await client.send({"type": "ping"})
        assert (await client.receive())["type"] == "pong"
    booked = len(outcomes) - 1
    assert 1 <= booked < 10
    assert await cash(gql, user) == f"{booked}.00"


async def test_http_and_socket_share_one_budget(settings, runtime, make_user, budget_url):
    user = await make_user()
    async with ws_client(budget_url, user.token) as client:
        while "errors" not in await operate(client, DEPOSIT, {"amount": "1.00"}):
            pass
    limited = settings.model_copy(
        update={
            "rate_limits_enabled": True,
            "rate_limit_user_points": 40,
            "rate_limit_ip_points": 10**9,
        }
    )
    transport = httpx.ASGITransport(app=create_app(limited, runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        body = await post(http, ME_CASH, token=user.token)
    assert code_of(body) == "RATE_LIMITED"


async def test_a_subscription_spends_points_when_it_starts(settings, runtime, make_user):
    user = await make_user()
    limited = settings.model_copy(
        update={
            "rate_limits_enabled": True,
            "rate_limit_user_points": 5,
            "rate_limit_ip_points": 10**9,
        }
    )
    async with served(create_app(limited, runtime)) as url, ws_client(url, user.token) as client:
        # No ticks run here: an accepted subscription stays silent, a refused one answers.
        # The ten start concurrently, so which five are refused is up to the scheduler.
        for _ in range(10):
            await client.subscribe(PRICES)
        refused = [await next_refusal(client) for _ in range(5)]
        with pytest.raises(TimeoutError):
            await next_refusal(client, within=0.5)
    assert {error["extensions"]["code"] for error in refused} == {"RATE_LIMITED"}


async def next_refusal(client: Client, within: float = 3.0) -> dict[str, Any]:
    """The first error of the next operation answered with one (``complete`` frames
    in between are passed over)."""
    async with asyncio.timeout(within):
        while True:
            message = await client.receive()
            if message["type"] == "next" and message["payload"].get("errors"):
                error: dict[str, Any] = message["payload"]["errors"][0]
                return error
