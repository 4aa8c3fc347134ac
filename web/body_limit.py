"""Refuse request bodies over MAX_BODY_BYTES before anything reads them whole.

A declared Content-Length over the limit is answered 413 at once, without
reading a byte of the body. A body sent without one (chunked) is counted as it
streams in, and refused the moment it passes the limit. Either way the
connection is closed after the answer, so the client stops sending. The answer
is GraphQL-shaped JSON, which a GraphQL client already knows how to show.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(Exception):
    """Raised from ``receive`` when the streamed body passes the limit."""


def _error(status: int, code: str, message: str, **extensions: object) -> tuple[int, bytes]:
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    return status, json.dumps(body).encode()


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def too_large(self) -> tuple[int, bytes]:
        return _error(
            413,
            "PAYLOAD_TOO_LARGE",
            f"The request body is larger than {self.max_bytes} bytes, the most this "
            "server accepts.",
            maxBytes=self.max_bytes,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = [value for name, value in scope["headers"] if name == b"content-length"]
        if declared:
            raw = declared[0].strip()
            if len(declared) > 1 or not raw.isdigit():
                await _answer(
                    send,
                    *_error(400, "BAD_REQUEST", "Content-Length must be one number of bytes."),
                )
                return
            if int(raw) > self.max_bytes:
                await _answer(send, *self.too_large())
                return

        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if response_started:
                raise
            await _answer(send, *self.too_large())


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
