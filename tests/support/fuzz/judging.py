"""Judging one answer: a known status, known codes on known fields, no leak, and on
a rejection no change to any row."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import httpx

from tests.support.fuzz.promises import (
    ERROR_CODES,
    ERROR_FIELDS,
    INTERNAL,
    LEAK_MARKERS,
    TOP_LEVEL_CODES,
)


@dataclasses.dataclass
class Answer:
    status: int
    body: dict[str, Any]
    codes: list[str]
    payload: dict[str, Any] | None

    @property
    def user_errors(self) -> list[dict[str, Any]]:
        return [] if self.payload is None else list(self.payload["errors"])

    @property
    def rejected(self) -> bool:
        return bool(self.codes) or self.payload is None or bool(self.user_errors)

    @property
    def outcome(self) -> str:
        if self.codes:
            return "top-level " + "+".join(sorted(set(self.codes)))
        if self.user_errors:
            return "payload " + "+".join(sorted({e["code"] for e in self.user_errors}))
        return "accepted"


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def secrets_of(mutation: str, variables: Any, query: str) -> list[str]:
    """The passwords sent, when long and varied enough to be recognised in an answer."""
    sent = variables.get("input") if isinstance(variables, dict) else None
    if not isinstance(sent, dict):
        return []
    keys = ("password", "currentPassword", "newPassword")
    found = [value for key, value in sent.items() if key in keys and isinstance(value, str)]
    others = [query, *(str(v) for k, v in sent.items() if k not in keys)]
    return [
        value
        for value in found
        if len(value) >= 6
        and len(set(value)) >= 4
        and value.strip()
        and not any(value in other for other in others)
    ]


def assert_no_leak(
    status_text: str,
    body: Any,
    sent: str,
    secrets: list[str],
) -> None:
    lowered = sent.lower()
    for marker in LEAK_MARKERS:
        if marker.lower() not in lowered:
            assert marker not in status_text, (
                f"the answer reveals {marker!r}:\n{status_text[:1500]}"
            )
    if not secrets:
        return
    for secret in secrets:
        forms = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]}
        for piece in strings_in(body):
            assert not any(form in piece for form in forms), f"password {secret!r} in {piece!r}"


def judge(
    response: httpx.Response,
    *,
    mutation: str | None,
    sent: str,
    secrets: list[str] | None = None,
) -> Answer:
    text_ = response.text
    status = response.status_code
    assert status < 500, f"HTTP {status} for {sent[:800]!r}:\n{text_[:800]}"
    assert status in (200, 413, 429), f"HTTP {status} for {sent[:800]!r}:\n{text_[:800]}"
    body = response.json()
    assert_no_leak(text_, body, sent, secrets or [])
    assert isinstance(body, dict), text_[:500]
    assert set(body) <= {"data", "errors", "extensions"}, body.keys()
    assert "data" in body or "errors" in body, body
    codes: list[str] = []
    for error in body.get("errors") or []:
        assert isinstance(error, dict), error
        assert isinstance(error.get("message"), str), error
        assert error["message"], error
        extensions = error.get("extensions") or {}
        code = extensions.get("code")
        assert code != INTERNAL, f"INTERNAL_SERVER_ERROR for {sent[:1500]!r}:\n{error}"
        # A read may fail with a business code (a bad `first`, a forged cursor); a
        # mutation's business failures belong in its payload.
        allowed = TOP_LEVEL_CODES if mutation is not None else TOP_LEVEL_CODES | ERROR_CODES
        if status == 413:
            allowed = frozenset({"PAYLOAD_TOO_LARGE"})
        assert code in allowed, f"top-level error with code {code!r}: {error}"
        if code == "RATE_LIMITED":
            assert isinstance(extensions.get("retryAfter"), int), error
        codes.append(str(code))
    data = body.get("data")
    payload = data.get(mutation) if isinstance(data, dict) and mutation is not None else None
    if payload is not None:
        for error in payload["errors"]:
            assert error["code"] in ERROR_CODES, error
            assert isinstance(error["message"], str), error
            assert error["message"].strip(), error
            assert error["field"] is None or error["field"] in ERROR_FIELDS[mutation], error
        if payload["errors"]:
            leftovers = {k: v for k, v in payload.items() if k != "errors" and v is not None}
            assert not leftovers, f"a rejected {mutation} still answered {leftovers}"
    return Answer(status, body, codes, payload)
