"""Fixtures of the API tests: the app served over a real socket, the matcher's pass, and
the SQL statements the app sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event

from schema.order_json import OrdersRead
from tests.support.serving import Client, open_client, served
from tests.support.trading import matcher_for, place
from web.app import create_app


@pytest.fixture(scope="module")
async def ws_url(settings, runtime) -> AsyncIterator[str]:
    """The app served by a real uvicorn on a free port, on the tests' event loop."""
    async with served(create_app(settings, runtime)) as url:
        yield url


@pytest.fixture
async def ws_client(ws_url: str):
    """Connect, init with a payload, and close every connection at the end of the test."""
    opened: list[Any] = []

    async def make(payload: dict[str, Any] | None = None, *, ack: bool = True) -> Client:
        client, manager = await open_client(ws_url, payload)
        opened.append(manager)
        if ack:
            assert (await client.receive())["type"] == "connection_ack"
        return client

    yield make
    for manager in opened:
        await manager.__aexit__(None, None, None)


@pytest.fixture
def matcher(runtime):
    return matcher_for(runtime)


@pytest.fixture
def statements(runtime):
    """The SQL statements the app sends while the test runs."""
    sent: list[str] = []

    def record(*args):
        sent.append(args[2])

    engine = runtime.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def sql_built(monkeypatch):
    """Whether each orders page was answered with the JSON the database built."""
    outcomes: list[bool] = []
    original = OrdersRead.built

    async def built(self: OrdersRead, description: Any) -> Any:
        answer = await original(self, description)
        outcomes.append(answer is not None)
        return answer

    monkeypatch.setattr(OrdersRead, "built", built)
    return outcomes


@pytest.fixture
async def plans_trader(gql, make_user, make_asset, set_price):
    user = await make_user(cash="100000.00")
    symbols = [await make_asset(f"{20 + i}.25") for i in range(3)]
    for i in range(9):
        await place(gql, user, symbols[i % 3], "BUY", "1.5")
    await place(gql, user, symbols[0], "SELL", "0.5")
    limit = {"type": "LIMIT", "limitPrice": "1.00"}
    await place(gql, user, symbols[1], "BUY", "2", **limit)  # rests OPEN: nulls in the page
    await set_price(symbols[2], "23.5")
    return user, symbols
