"""The frame of our ASGI middlewares that act on connections.

HTTP requests and websockets are theirs to handle; anything else (lifespan) passes
straight through to the application.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class ConnectionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one HTTP request or websocket; ``self.app`` is the next layer."""
        raise NotImplementedError
