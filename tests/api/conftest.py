"""Fixtures of the API tests: the app served over a real socket, the matcher's pass, and
the SQL statements the app sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event

from tests.support.serving import Client, open_client, served
from tests.support.trading import matcher_for
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
