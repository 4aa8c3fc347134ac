"""Shutdown: websockets are told 1001 (going away), in-flight transactions finish first.

The app is served by the same server `cnop serve` runs (``GracefulServer``), with
its own runtime started and closed by the lifespan, on the tests' event loop.
Shutdown is requested the way a signal requests it (``should_exit``).
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from starlette.types import Message
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from persistence.database import sync_free_url
from web.app import create_app
from web.connections import GOING_AWAY, OpenWebSockets, WebSocketTracker
from web.server import GracefulServer

WAIT = 5
DEPOSIT = """
mutation Deposit($input: CashMovementInput!) {
  deposit(input: $input) { balance { cash } errors { code } }
}"""
PRICES = "subscription { prices { symbol price } }"


async def until(condition: Callable[[], bool], what: str) -> None:
    async with asyncio.timeout(WAIT):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    assert condition(), what


async def test_shutdown_closes_websockets_with_1001_after_in_flight_work_finishes(
    settings, make_user
):
    app = create_app(settings)  # no runtime given: the lifespan starts and closes its own
    config = uvicorn.Config(
        app,
        ws="websockets-sansio",
        lifespan="on",
        log_config=None,
        timeout_graceful_shutdown=WAIT,
    )
    server = GracefulServer(config, before_shutdown=app.state.websockets.close_all)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    blocker = await asyncpg.connect(sync_free_url(settings.database_url.get_secret_value()))
    watcher = await asyncpg.connect(sync_free_url(settings.database_url.get_secret_value()))
    try:
        await until(lambda: server.started, "uvicorn started")
        user = await make_user()
        live = app.state.runtime.services.live

        async with connect(
            f"ws://127.0.0.1:{port}/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": {"query": PRICES}})
            )
            await until(lambda: live.price_subscriber_count == 1, "subscribed")

            # The user's cash row is locked: the deposit waits inside its transaction.
            held = blocker.transaction()
            await held.start()
            await blocker.execute(
                "SELECT 1 FROM cash_balances WHERE user_id = $1 FOR UPDATE", user.id
            )
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                deposit = asyncio.create_task(
                    http.post(
                        "/graphql",
                        json={"query": DEPOSIT, "variables": {"input": {"amount": "25.00"}}},
                        headers={"Authorization": f"Bearer {user.token}"},
                    )
                )
                await _until_a_lock_is_awaited(watcher)

                server.should_exit = True  # what SIGTERM does
                assert await _close_code(ws) == GOING_AWAY

                # Still waiting on the lock, and the server waits for it.
                await asyncio.sleep(0.2)
                assert not deposit.done()
                assert not serving.done()

                await held.rollback()
                response = await asyncio.wait_for(deposit, WAIT)
        assert response.status_code == 200
        payload = response.json()["data"]["deposit"]
        assert payload == {"balance": {"cash": "25.00"}, "errors": []}
        await asyncio.wait_for(serving, WAIT)
        async with httpx.AsyncClient() as late:
            with pytest.raises(httpx.ConnectError):
                await late.get(f"http://127.0.0.1:{port}/health/live")
        # The lifespan closed the runtime only now: the deposit is in the books.
        cash = await blocker.fetchval("SELECT cash FROM cash_balances WHERE user_id = $1", user.id)
        assert str(cash) == "25.00"
        assert live.price_subscriber_count == 0
    finally:
        server.should_exit = True
        if not serving.done():
            await asyncio.wait_for(serving, WAIT)
        await blocker.close()
        await watcher.close()
        listener.close()


async def _close_code(ws: ClientConnection) -> int | None:
    async with asyncio.timeout(WAIT):
        try:
            while True:
                await ws.recv()
        except ConnectionClosed as closed:
            return None if closed.rcvd is None else closed.rcvd.code


async def _until_a_lock_is_awaited(connection: asyncpg.Connection) -> None:
    """Polls from outside any transaction: inside one, pg_stat_activity stays a snapshot."""
    waiting = (
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with asyncio.timeout(WAIT):
        while not await connection.fetchval(waiting):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


# -------------------------------------------------------- the registry on its own


async def test_close_all_closes_open_websockets_and_refuses_new_ones():
    sent: list[Message] = []
    release = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})
        await release.wait()
        await send({"type": "websocket.send", "text": "late"})

    async def server_send(message: Message) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    connections = OpenWebSockets()
    tracker = WebSocketTracker(app, connections)
    scope = {"type": "websocket", "path": "/graphql"}
    running = asyncio.create_task(tracker(scope, receive, server_send))
    await until(lambda: len(connections) == 1, "accepted")

    assert await connections.close_all() == 1
    assert sent[-1] == {"type": "websocket.close", "code": 1001, "reason": "server shutting down"}
    release.set()
    await running
    assert sent[-1]["type"] == "websocket.close"  # what the app sent after that was dropped
    assert len(connections) == 0

    refused: list[Message] = []

    async def refused_send(message: Message) -> None:
        refused.append(message)

    release.set()
    await WebSocketTracker(app, connections)(scope, receive, refused_send)
    assert refused == [{"type": "websocket.close", "code": 1001}]
    assert len(connections) == 0
