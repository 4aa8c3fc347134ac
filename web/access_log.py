"""One log line per request and per websocket connection, and the GraphQL request metrics.

An HTTP request's line carries its request id, method, path (never the query
string), client address, status and duration, plus, for GraphQL, the operation name and type,
the signed-in user's id and the outcome that ``OperationReporter`` worked out.
A websocket connection gets a line when it ends (with its close code), and each
operation on it a line of its own when that operation ends.

Probe and scrape traffic (``/health/*``, ``/metrics``) is logged at DEBUG unless it
fails, so that a load balancer's checks do not drown the requests that matter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.extensions.operation_report import OperationReport
from web import metrics
from web.client_ip import client_address
from web.connection_middleware import ConnectionMiddleware
from web.log_format import FIELDS, current_request_id

log = logging.getLogger("cnop.access")

REPORTS = "operation_reports"
"""Key, in the request scope's state, of the operation reports of this request."""
QUIET_PREFIXES = ("/health/", "/metrics")
REFUSED_OPERATION = "invalid_request"
"""Operation label of a GraphQL request refused before it could be parsed."""
STATUS_CODES = {
    400: "BAD_REQUEST",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def status_code_name(status: int) -> str:
    return STATUS_CODES.get(status, f"HTTP_{status}")


def report_operation(report: OperationReport, connection: HTTPConnection | None) -> None:
    """The schema's reporter: HTTP reports wait for the request's line, others log now."""
    if connection is not None and connection.scope["type"] == "http":
        connection.scope.setdefault("state", {}).setdefault(REPORTS, []).append(report)
        return
    subscription = report.operation_type == "subscription"
    metrics.record_graphql_request(
        report.operation,
        report.outcome,
        None if subscription else report.duration_s,
        report.error_codes,
    )
    log.info(
        "operation",
        extra={
            FIELDS: {
                "request_id": None
                if connection is None
                else connection.scope.get("state", {}).get("request_id"),
                "transport": "websocket",
                "operation": report.operation,
                "operation_type": report.operation_type,
                "user_id": report.user_id,
                "duration_ms": round(report.duration_s * 1000, 1),
                "outcome": report.outcome,
            }
        },
    )


class AccessLogMiddleware(ConnectionMiddleware):
    def __init__(self, app: ASGIApp, *, graphql_path: str = "/graphql") -> None:
        super().__init__(app)
        self.graphql_path = graphql_path

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = scope.setdefault("state", {})
        token = current_request_id.set(state.get("request_id"))
        started = time.perf_counter()
        seen: dict[str, Any] = {"status": None, "close_code": None}

        async def observed_send(message: Message) -> None:
            kind = message["type"]
            if kind == "http.response.start":
                seen["status"] = message["status"]
            elif kind == "websocket.accept":
                seen["status"] = 101
            elif kind == "websocket.close" and seen["close_code"] is None:
                seen["close_code"] = message.get("code", 1000)
            await send(message)

        async def observed_receive() -> Message:
            message = await receive()
            if message["type"] == "websocket.disconnect" and seen["close_code"] is None:
                seen["close_code"] = message.get("code", 1005)
            return message

        try:
            await self.app(scope, observed_receive, observed_send)
        except BaseException:
            if seen["status"] is None:
                seen["status"] = 500
            raise
        finally:
            duration = time.perf_counter() - started
            try:
                if scope["type"] == "http":
                    self._http_line(scope, seen["status"] or 500, duration)
                else:
                    self._websocket_line(scope, seen["status"], seen["close_code"], duration)
            finally:
                current_request_id.reset(token)

    def _http_line(self, scope: Scope, status: int, duration_s: float) -> None:
        path: str = scope.get("path", "")
        reports: Sequence[OperationReport] = scope["state"].get(REPORTS, ())
        for report in reports:
            metrics.record_graphql_request(
                report.operation, report.outcome, duration_s, report.error_codes
            )
        if not reports and path == self.graphql_path and status >= 400:
            code = status_code_name(status)
            metrics.record_graphql_request(REFUSED_OPERATION, code, duration_s, (code,))
        first = reports[0] if reports else None
        if first is not None:
            outcome = first.outcome
        else:
            outcome = "ok" if status < 400 else status_code_name(status)
        quiet = status < 400 and path.startswith(QUIET_PREFIXES)
        failed = status >= 500 or outcome == "INTERNAL_SERVER_ERROR"
        level = logging.DEBUG if quiet else logging.WARNING if failed else logging.INFO
        log.log(
            level,
            "request",
            extra={
                FIELDS: {
                    "request_id": scope["state"].get("request_id"),
                    "method": scope.get("method"),
                    "path": path,
                    "client": client_address(scope),
                    "status": status,
                    "duration_ms": round(duration_s * 1000, 1),
                    "operation": None if first is None else first.operation,
                    "operation_type": None if first is None else first.operation_type,
                    "user_id": None if first is None else first.user_id,
                    "outcome": outcome,
                }
            },
        )

    def _websocket_line(
        self, scope: Scope, status: int | None, close_code: int | None, duration_s: float
    ) -> None:
        log.info(
            "websocket",
            extra={
                FIELDS: {
                    "request_id": scope["state"].get("request_id"),
                    "path": scope.get("path", ""),
                    "client": client_address(scope),
                    "status": 403 if status is None else status,
                    "close_code": close_code,
                    "duration_ms": round(duration_s * 1000, 1),
                    "outcome": "ok" if status == 101 else "REFUSED",
                }
            },
        )
