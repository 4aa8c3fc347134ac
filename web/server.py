"""uvicorn, with a goodbye to websocket clients before its own shutdown begins.

On SIGTERM or SIGINT uvicorn stops accepting connections, waits up to
SHUTDOWN_TIMEOUT_S for in-flight requests (and so their transactions) to
finish, and only then runs the application's lifespan shutdown, which closes
the runtime: price engine, stores, database pool. Left alone it would close
websockets with 1012; this server first closes them with 1001 (going away),
the code graphql-transport-ws clients reconnect on.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Awaitable, Callable

import uvicorn

log = logging.getLogger("cnop")

BeforeShutdown = Callable[[], Awaitable[object]]


class GracefulServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, *, before_shutdown: BeforeShutdown) -> None:
        super().__init__(config)
        self._before_shutdown = before_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await self._before_shutdown()
        except Exception:
            log.exception("closing websockets before shutdown failed")
        await super().shutdown(sockets)
