"""The open websocket connections of this process, so that shutdown can say goodbye.

On shutdown every open connection is closed with 1001 (going away), which
graphql-transport-ws clients such as graphql-ws treat as a reason to reconnect
(to another replica) and resubscribe. Their operations are *not* completed
first: a ``complete`` would tell the client the subscription is over for good.
New websocket handshakes are refused once shutdown has begun.

uvicorn would otherwise close them itself with 1012 (service restart); the
server in ``web.server`` calls ``close_all`` before uvicorn's own shutdown runs.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("cnop.websockets")

GOING_AWAY = 1001
SHUTDOWN_REASON = "server shutting down"


class _Connection:
    """One accepted websocket: its server-side ``send``, and whether we closed it."""

    __slots__ = ("accepted", "closed", "send")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.accepted = False
        self.closed = False


class OpenWebSockets:
    """Registry of the accepted websocket connections (``WebSocketTracker`` fills it)."""

    def __init__(self) -> None:
        self._open: set[_Connection] = set()
        self.closing = False

    def __len__(self) -> int:
        return len(self._open)

    async def close_all(self, code: int = GOING_AWAY, reason: str = SHUTDOWN_REASON) -> int:
        """Refuse new websockets and close every open one; returns how many were closed."""
        self.closing = True
        connections = [connection for connection in self._open if not connection.closed]
        for connection in connections:
            connection.closed = True
        results = await asyncio.gather(
            *(
                connection.send({"type": "websocket.close", "code": code, "reason": reason})
                for connection in connections
            ),
            return_exceptions=True,
        )
        closed = sum(1 for result in results if not isinstance(result, BaseException))
        if connections:
            log.info("closed %d websocket connection(s) with %d (%s)", closed, code, reason)
        return closed

    def add(self, connection: _Connection) -> None:
        self._open.add(connection)

    def discard(self, connection: _Connection) -> None:
        self._open.discard(connection)


class WebSocketTracker:
    """ASGI middleware: registers each accepted websocket with ``connections``."""

    def __init__(self, app: ASGIApp, connections: OpenWebSockets) -> None:
        self.app = app
        self.connections = connections

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        connection = _Connection(send)

        async def tracked_send(message: Message) -> None:
            if connection.closed:
                return  # closed for shutdown: whatever the app still says is dropped
            kind = message["type"]
            if kind == "websocket.accept":
                if self.connections.closing:
                    connection.closed = True
                    await send({"type": "websocket.close", "code": GOING_AWAY})
                    return
                connection.accepted = True
                self.connections.add(connection)
            elif kind == "websocket.close":
                connection.closed = True
            await send(message)

        try:
            await self.app(scope, receive, tracked_send)
        finally:
            self.connections.discard(connection)
