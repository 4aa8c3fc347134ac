"""The app served by a real uvicorn on a free port, and a graphql-transport-ws client."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from starlette.types import ASGIApp
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

WAIT = 3.0
"""Seconds to wait for something that should happen: a missing message fails, never hangs."""

PROTOCOLS = [Subprotocol("graphql-transport-ws")]


async def until(condition: Callable[[], bool], what: str) -> None:
    # Polls: the server's registries and uvicorn's flags offer nothing to await.
    async with asyncio.timeout(WAIT):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)
    assert condition(), what


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """Serve ``app`` on the tests' event loop; yields its websocket URL."""
    config = uvicorn.Config(app, ws="websockets-sansio", lifespan="off", log_config=None)
    server = uvicorn.Server(config)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        await until(lambda: server.started, "uvicorn started")
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await serving
        listener.close()


class Client:
    """A graphql-transport-ws client with timeouts on every read."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._ids = 0

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._ids += 1
        operation = str(self._ids)
        await self.send(
            {
                "id": operation,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )
        return operation

    async def send(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), WAIT))
        return message

    async def data(self) -> dict[str, Any]:
        message = await self.receive()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        data: dict[str, Any] = message["payload"]["data"]
        return data

    async def close_code(self) -> int | None:
        with pytest.raises(ConnectionClosed) as closed:
            await self.receive()
        return None if closed.value.rcvd is None else closed.value.rcvd.code


async def open_client(url: str, payload: dict[str, Any] | None = None) -> tuple[Client, Any]:
    """A connection that has sent its init, for tests that close it themselves."""
    manager = connect(url, subprotocols=PROTOCOLS)
    ws = await manager.__aenter__()
    client = Client(ws)
    await client.send({"type": "connection_init", "payload": payload or {}})
    return client, manager


@asynccontextmanager
async def ws_client(url: str, token: str | None = None) -> AsyncIterator[Client]:
    """A connection acknowledged by the server, signed in when ``token`` is given."""
    async with connect(url, subprotocols=PROTOCOLS) as ws:
        client = Client(ws)
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        await client.send({"type": "connection_init", "payload": payload})
        assert (await client.receive())["type"] == "connection_ack"
        yield client
