"""Log record formats: one JSON object per line (production) or readable text (development).

Both formats redact, as a last line of defence, what must never reach a log:
bearer tokens and anything shaped like a JWT, password values, and the local
part of email addresses (``a***@example.com``). The code itself never logs
request inputs; this only catches a mistake or a library's message.

A record carries structured fields in ``extra={"fields": {...}}``; the request
id of the request being served is added to every record logged while serving it
(``RequestIdFilter`` stamps it when the record is handled).
"""

from __future__ import annotations

import json
import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

current_request_id: ContextVar[str | None] = ContextVar("cnop_request_id", default=None)
"""The request id of the request this task is serving (set by the access log)."""

FIELDS = "fields"
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")
_PASSWORD = re.compile(r"(?i)((?:password|passwd|secret|token)[\"']?\s*[:=]\s*[\"']?)[^\"',\s}&]+")
_EMAIL = re.compile(r"\b([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)\b")


def redact(text: str) -> str:
    """``text`` without tokens, password values or the local part of email addresses."""
    if not text:
        return text
    text = _JWT.sub("[redacted-token]", text)
    text = _BEARER.sub(r"\1 [redacted]", text)
    text = _PASSWORD.sub(r"\1[redacted]", text)
    return _EMAIL.sub(r"\1***@\2", text)


def mask_email(email: str) -> str:
    """``alice@example.com`` -> ``a***@example.com``: enough to tell users apart, no more."""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request id of the request being served, if any."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        return True


def request_id_of(record: logging.LogRecord) -> str | None:
    value = getattr(record, "request_id", None)
    return str(value) if value is not None else current_request_id.get()


def record_fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = getattr(record, FIELDS, None)
    return dict(fields) if isinstance(fields, dict) else {}


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", "request_id", ...fields, "exc"}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        request_id = request_id_of(record)
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update(record_fields(record))
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic ``time level logger: message key=value ...`` line, redacted."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = record_fields(record)
        request_id = request_id_of(record)
        if request_id is not None and "request_id" not in fields:
            fields["request_id"] = request_id
        if fields:
            extra = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
            head, newline, tail = line.partition("\n")
            line = f"{head} {extra}{newline}{tail}"
        return redact(line)
