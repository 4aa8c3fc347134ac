"""What a client may learn from an error: its code and message, never our internals.

Known failures keep their message and gain ``extensions.code``. A dependency
that is down (PostgreSQL, Redis) becomes SERVICE_UNAVAILABLE with ``retryAfter``,
and HTTP 503 with Retry-After when nothing of the operation succeeded. Anything
else is logged with its stack and replaced by INTERNAL_SERVER_ERROR carrying
only the request id, so an operator can find the log line and a client learns
nothing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from domain.errors import BusinessError
from persistence.outages import RETRY_AFTER_S, UNAVAILABLE_MESSAGE, is_outage
from schema.extensions.operation_limits import CODE as TOO_COMPLEX
from schema.extensions.operation_limits import parsing_aborted

log = logging.getLogger("cnop.errors")


def _request_id(context: Any) -> str | None:
    request = getattr(context, "request", None)
    state = getattr(request, "scope", {}).get("state", {}) if request is not None else {}
    value = state.get("request_id")
    return None if value is None else str(value)


def _reshaped(error: GraphQLError, message: str | None = None, **extensions: Any) -> GraphQLError:
    """``error`` at the same place, with ``message`` for its own and ``extensions`` added."""
    return GraphQLError(
        error.message if message is None else message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={**(error.extensions or {}), **extensions},
    )


FOUND_VALUE = re.compile(r", found:? .*$", re.DOTALL)
SUGGESTION = re.compile(r" ?Did you mean .*\?$")


def _nothing_succeeded(data: Any) -> bool:
    return data is None or (isinstance(data, dict) and all(v is None for v in data.values()))


class ErrorDiscipline(SchemaExtension):
    def __init__(self, *, hide_suggestions: bool = False) -> None:
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [self.shape(error) for error in errors]
            if _nothing_succeeded(result.data) and all(
                (error.extensions or {}).get("code") == "SERVICE_UNAVAILABLE"
                for error in result.errors
            ):
                answer_http = getattr(self.execution_context.context, "answer_http", None)
                if answer_http is not None:
                    answer_http(503, {"Retry-After": str(RETRY_AFTER_S)})

    def on_stream_result(self, result: Any) -> Iterator[None]:
        # What a subscription streams (a refusal of its arguments included) never passes
        # through on_operation's result: shape each one as it goes out.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [self.shape(error) for error in errors]
        yield

    def shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            if error.extensions and "code" in error.extensions:
                return error
            if parsing_aborted(error.message):
                return _reshaped(error, code=TOO_COMPLEX)
            # graphql-core quotes the whole offending input ("found: {...}"), passwords
            # included: the client knows what it sent, nobody else needs to see it.
            message = FOUND_VALUE.sub(".", error.message)
            if self.hide_suggestions:
                # Outside development, "Did you mean ...?" would map the schema for a prober.
                message = SUGGESTION.sub("", message)
            code = "GRAPHQL_VALIDATION_FAILED" if error.path is None else "BAD_USER_INPUT"
            return _reshaped(error, message, code=code)
        if isinstance(original, BusinessError):
            return _reshaped(error, code=str(original.code), field=original.field)
        request_id = _request_id(self.execution_context.context)
        if is_outage(original):
            log.warning(
                "dependency unavailable in %s (request %s): %s: %s",
                ".".join(str(part) for part in error.path or ()) or "operation",
                request_id,
                type(original).__name__,
                original,
            )
            return GraphQLError(
                UNAVAILABLE_MESSAGE,
                nodes=error.nodes,
                positions=error.positions,
                path=error.path,
                extensions={
                    "code": "SERVICE_UNAVAILABLE",
                    "retryAfter": RETRY_AFTER_S,
                    "requestId": request_id,
                },
            )
        log.error(
            "unexpected error in %s (request %s)",
            ".".join(str(part) for part in error.path or ()) or "operation",
            request_id,
            exc_info=original,
        )
        return GraphQLError(
            "Internal server error. Quote the request id if you report it.",
            nodes=error.nodes,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
