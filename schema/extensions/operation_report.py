"""A summary of every GraphQL operation, handed to whoever logs and counts them.

The report names the operation (its operationName, else its first root field),
the signed-in user, how it ended and how long it took. It never carries the
document, the variables or any result data: inputs hold passwords and emails,
results hold balances, and none of it belongs in a log.

Outcome: ``ok``; ``user_error`` when a mutation payload carries business errors;
otherwise the code of the first top-level error (after ErrorDiscipline gave every
error a code; ``GRAPHQL_PARSE_FAILED`` for a document that does not parse),
``INTERNAL_SERVER_ERROR`` when execution raised and ``CANCELLED``
when the client went away before the answer (a subscription that the client
ends is ``ok``: that is how subscriptions end).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLError, GraphQLSyntaxError, OperationDefinitionNode
from starlette.requests import HTTPConnection
from strawberry.exceptions import MissingQueryError
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from schema.extensions.operation_limits import CODE as TOO_COMPLEX
from schema.extensions.operation_limits import parsing_aborted

log = logging.getLogger("cnop.operations")

NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")
ANONYMOUS = "anonymous"
INVALID_NAME = "invalid_name"


@dataclass(frozen=True, slots=True)
class OperationReport:
    operation: str
    operation_type: str
    """query, mutation, subscription, or unknown when the document did not parse."""
    user_id: int | None
    outcome: str
    error_codes: tuple[str, ...]
    """The code of every error: top-level ones, then those in mutation payloads."""
    duration_s: float


ReportOperation = Callable[[OperationReport, HTTPConnection | None], None]
"""Receives each report with the request (or websocket) the operation came on."""


def _operation_definition(
    document: Any, operation_name: str | None
) -> OperationDefinitionNode | None:
    for definition in getattr(document, "definitions", ()):
        if isinstance(definition, OperationDefinitionNode) and (
            operation_name is None
            or (definition.name is not None and definition.name.value == operation_name)
        ):
            return definition
    return None


def operation_label(provided_name: str | None, document: Any) -> str:
    """The client's operationName when it is a GraphQL name, else the first root field."""
    if provided_name:
        return provided_name if NAME.fullmatch(provided_name) else INVALID_NAME
    definition = _operation_definition(document, None)
    if definition is None:
        return ANONYMOUS
    if definition.name is not None:
        return definition.name.value
    for selection in definition.selection_set.selections:
        if isinstance(selection, FieldNode):
            return selection.name.value
    return ANONYMOUS


def _code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) and code else "ERROR"


def _outcome_of(raised: BaseException) -> str:
    if isinstance(raised, asyncio.CancelledError | GeneratorExit):
        return "CANCELLED"
    # A document that does not parse is raised past the extensions, uncoded.
    if isinstance(raised, GraphQLError):
        code = (raised.extensions or {}).get("code")
        if isinstance(code, str) and code:
            return code
        if parsing_aborted(raised.message):
            return TOO_COMPLEX
        if isinstance(raised, GraphQLSyntaxError):
            return "GRAPHQL_PARSE_FAILED"
        return "GRAPHQL_VALIDATION_FAILED"
    # Strawberry raises these for the transport to answer 400 (or 405).
    if isinstance(
        raised, MissingQueryError | InvalidOperationTypeError | CannotGetOperationTypeError
    ):
        return "BAD_REQUEST"
    return "INTERNAL_SERVER_ERROR"


def payload_error_codes(data: Any) -> list[str]:
    """Codes of the business errors that root payloads ({ ... errors { code } }) carry."""
    codes: list[str] = []
    if not isinstance(data, dict):
        return codes
    for payload in data.values():
        errors = payload.get("errors") if isinstance(payload, dict) else None
        if isinstance(errors, list):
            for error in errors:
                code = error.get("code") if isinstance(error, dict) else None
                codes.append(code if isinstance(code, str) and code else "USER_ERROR")
    return codes


class OperationReporter(SchemaExtension):
    """First in the extension list, so that it sees the errors as clients get them."""

    def __init__(self, report: ReportOperation) -> None:
        self._report = report

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        except BaseException as raised:
            self._send(time.perf_counter() - started, raised)
            raise
        self._send(time.perf_counter() - started, None)

    def _send(self, duration_s: float, raised: BaseException | None) -> None:
        context = self.execution_context.context
        request = getattr(context, "request", None)
        try:
            self._report(
                self.summarise(duration_s, raised),
                request if isinstance(request, HTTPConnection) else None,
            )
        except Exception:
            log.exception("reporting an operation failed")

    def summarise(self, duration_s: float, raised: BaseException | None) -> OperationReport:
        execution = self.execution_context
        document = execution.graphql_document
        try:
            operation_type = execution.operation_type.value if document else "unknown"
        except Exception:
            operation_type = "unknown"
        result = execution.result
        errors = list(getattr(result, "errors", None) or execution.pre_execution_errors or [])
        top_level = [_code(error) for error in errors]
        in_payloads = payload_error_codes(getattr(result, "data", None))
        if raised is not None:
            outcome = _outcome_of(raised)
            if outcome == "CANCELLED" and operation_type == "subscription":
                outcome = "ok"  # how a subscription ends: the client completed it or left
            elif outcome != "CANCELLED" and not top_level:
                top_level = [outcome]
        elif top_level:
            outcome = top_level[0]
        elif in_payloads:
            outcome = "user_error"
        else:
            outcome = "ok"
        user_id = getattr(execution.context, "user_id", None)
        return OperationReport(
            operation=operation_label(execution.operation_name, document),
            operation_type=operation_type,
            user_id=user_id if isinstance(user_id, int) else None,
            outcome=outcome,
            error_codes=(*top_level, *in_payloads),
            duration_s=duration_s,
        )
