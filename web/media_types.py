"""Which media type a GraphQL answer goes out as, from the request's Accept header.

GraphQL over HTTP defines ``application/graphql-response+json``, with status codes
that mean something (400 for a document that does not parse or validate, or
variables that do not coerce); ``application/json`` is the legacy type, always 200
for such failures. A client gets the new type only when it names it and prefers it
at least as much as ``application/json``: no Accept, ``*/*`` or ``application/json``
keep today's answers for existing clients.
"""

from __future__ import annotations

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media.lower(), quality))
    return ranges


def _quality(ranges: list[tuple[str, float]], media: str) -> tuple[float, bool]:
    """The quality the client gives ``media`` (the most specific range decides), and
    whether it names ``media`` itself."""
    kind = media.split("/")[0] + "/*"
    for candidate in (media, kind, "*/*"):
        qualities = [quality for found, quality in ranges if found == candidate]
        if qualities:
            return max(qualities), candidate == media
    return 0.0, False


def negotiate(accept: str | None) -> str:
    if not accept:
        return JSON
    ranges = _ranges(accept)
    new, named = _quality(ranges, GRAPHQL_RESPONSE)
    legacy, _ = _quality(ranges, JSON)
    return GRAPHQL_RESPONSE if named and new > 0 and new >= legacy else JSON


def is_request_error(answer: dict[str, object]) -> bool:
    """An answer to a request that never reached execution: a document that does not
    parse or validate, variables that do not coerce, a refusal (rate limit). Only
    those have no ``data`` and errors without a path: a field error has a path."""
    errors = answer.get("errors")
    return (
        answer.get("data") is None
        and isinstance(errors, list)
        and bool(errors)
        and all(isinstance(error, dict) and "path" not in error for error in errors)
    )
