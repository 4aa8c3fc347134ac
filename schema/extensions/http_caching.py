"""HTTP caching of public answers: Cache-Control, a strong ETag, and 304 Not Modified.

An operation that reads public fields only (``schema.public_reads``) is answered
with ``Cache-Control: public, max-age=<one price tick>``, and over GET with an
ETag too (caches keep GET answers only, so a POST is spared the statement the ETag
costs). Any other operation, that is anything that may read a user's data, is
answered ``Cache-Control: private, no-store``; a public one whose answer has errors
(a refused page size, an outage, a spent rate budget) ``no-store``: it must not
outlive the request.

The ETag is computed without running the operation, from what its answer depends
on: the document, the operation name, the variables, the request's Accept header
(the representation), and the catalogue's version, read in one cheap statement
(``Catalogue.version``: number of assets, newest asset, latest price update,
which the engine writes with every move) plus the current minute (the chart's
default window ends "now" and price points are appended once a minute even when
no price moves). The version comes from the database, so every replica computes
the same ETag for the same state. A GET whose If-None-Match names it is answered
304 without executing the operation; it still passes the limits and spends the
rate budget, like any request. If-None-Match on a POST is ignored.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

from graphql import ExecutionResult
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from persistence.outages import is_outage
from resolvers.context import Context
from schema.public_reads import public_operation

PRIVATE = "private, no-store"
UNCACHEABLE = "no-store"
VERSION_PERIOD_S = 60
"""How often the ETag changes even when the catalogue's version does not: the chart's
default window slides with the clock, and history is appended once a minute."""


def entity_tag(parts: list[Any]) -> str:
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(encoded.encode()).hexdigest()[:32] + '"'


def none_match(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, as RFC 9110 asks)."""
    if not header:
        return False
    opaque = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


class HttpCaching(SchemaExtension):
    def __init__(self, max_age: int) -> None:
        self.max_age = max_age

    def _public(self) -> bool:
        context = self.execution_context
        document = context.graphql_document
        if document is None or context.query is None:
            return False
        return public_operation(
            context.schema._schema, context.query, document, context.operation_name
        )

    async def _etag(self, context: Context, request: Request) -> str | None:
        try:
            version = await context.services.catalogue.version()
        except Exception as error:
            if not is_outage(error):
                raise
            return None  # no validator: the operation will fail on its own, and say why
        return entity_tag(
            [
                self.execution_context.query,
                self.execution_context.operation_name,
                self.execution_context.variables or {},
                request.headers.get("accept", ""),
                version,
                int(time.time()) // VERSION_PERIOD_S,
            ]
        )

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        request = getattr(context, "request", None)
        if not isinstance(context, Context) or not isinstance(request, Request):
            yield  # a websocket operation: nothing to cache
            return
        if not self._public():
            context.answer_http(headers={"Cache-Control": PRIVATE})
            yield
            return
        public = {"Cache-Control": f"public, max-age={self.max_age}", "Vary": "Accept"}
        etag = await self._etag(context, request) if request.method == "GET" else None
        if etag is not None:
            public["ETag"] = etag
        if etag is not None and none_match(request.headers.get("if-none-match"), etag):
            context.answer_http(304, public)
            # A result already there: Strawberry does not execute the operation.
            self.execution_context.result = ExecutionResult(data=None)
        yield
        result = self.execution_context.result
        if getattr(result, "errors", None):
            _uncacheable(context.response)
        elif result is not None:
            context.answer_http(headers=public)


def _uncacheable(response: Any) -> None:
    if isinstance(response, Response):
        response.headers["Cache-Control"] = UNCACHEABLE
        if "etag" in response.headers:
            del response.headers["etag"]
