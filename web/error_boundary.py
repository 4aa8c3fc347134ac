"""The last line: whatever escapes the application still gets a GraphQL-shaped answer.

An exception that no layer handled becomes ``{"errors": [...]}`` JSON, never a
plain-text 500: SERVICE_UNAVAILABLE with ``retryAfter`` and HTTP 503 (plus
Retry-After) when a dependency is down, else INTERNAL_SERVER_ERROR with the
request id that the log line carries. A websocket that fails before its
handshake completes is closed with 1013 (try again later) or 1011.
"""

from __future__ import annotations

import json
import logging

from starlette.types import Message, Receive, Scope, Send

from persistence.outages import RETRY_AFTER_S, UNAVAILABLE_MESSAGE, is_outage
from web.connection_middleware import ConnectionMiddleware

log = logging.getLogger("cnop.errors")

INTERNAL_MESSAGE = "Internal server error. Quote the request id if you report it."


def error_body(outage: bool, request_id: str | None) -> dict[str, object]:
    extensions: dict[str, object] = (
        {"code": "SERVICE_UNAVAILABLE", "retryAfter": RETRY_AFTER_S, "requestId": request_id}
        if outage
        else {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    )
    message = UNAVAILABLE_MESSAGE if outage else INTERNAL_MESSAGE
    return {"errors": [{"message": message, "extensions": extensions}]}


class ErrorBoundary(ConnectionMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = False

        async def watched_send(message: Message) -> None:
            nonlocal answered
            if message["type"] in ("http.response.start", "websocket.accept", "websocket.close"):
                answered = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as error:
            request_id = scope.get("state", {}).get("request_id")
            outage = is_outage(error)
            if outage:
                log.warning(
                    "dependency unavailable (request %s): %s: %s",
                    request_id,
                    type(error).__name__,
                    error,
                )
            else:
                log.error("unhandled error (request %s)", request_id, exc_info=error)
            if answered:
                raise  # too late for an answer of our own: the server drops the connection
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1013 if outage else 1011})
                return
            await self._answer(send, outage, request_id)

    @staticmethod
    async def _answer(send: Send, outage: bool, request_id: str | None) -> None:
        body = json.dumps(error_body(outage, request_id)).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if outage:
            headers.append((b"retry-after", str(RETRY_AFTER_S).encode()))
        await send(
            {"type": "http.response.start", "status": 503 if outage else 500, "headers": headers}
        )
        await send({"type": "http.response.body", "body": body})
