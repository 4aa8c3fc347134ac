"""A user's orders and ledger as CSV, produced batch by batch so nothing is built in memory.

Each batch is one short keyset read (newest first, the API's order): no connection
is held while a slow client drains the response, and rows added during an export
(higher ids) never appear in it, so no row is repeated or skipped.

Cells are written as the API writes them: decimals exact through the same
formatting (domain.money.decimal_text), instants in ISO 8601 with their UTC offset.
Spreadsheet formulas cannot ride along: a text cell beginning with =, +, -, @, a tab
or a carriage return gets a leading apostrophe, which spreadsheets show as text. Our
own numbers (a negative amount such as -250.00) are left as they are, so that they
stay numbers; only text a user chose (a client order id) or the catalogue holds is
guarded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.money import decimal_text
from persistence.database import Database
from persistence.repositories.exports import ExportRepository

BATCH_ROWS = 500
"""Rows read per statement while exporting."""

ORDER_COLUMNS = (
    "id",
    "created_at",
    "asset_symbol",
    "side",
    "type",
    "status",
    "quantity",
    "limit_price",
    "stop_price",
    "time_in_force",
    "expires_at",
    "executed_price",
    "total",
    "filled_at",
    "triggered_at",
    "cancelled_at",
    "expired_at",
    "client_order_id",
)
LEDGER_COLUMNS = ("id", "created_at", "type", "amount", "balance_after", "order_id")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def safe_text(value: str) -> str:
    """``value`` as a cell no spreadsheet evaluates (see the module's docstring)."""
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return safe_text(str(value))


Batch = Callable[[ExportRepository, int, int | None, int], Awaitable[Sequence[Any]]]


class Exports:
    def __init__(self, db: Database, batch_rows: int = BATCH_ROWS) -> None:
        self._db = db
        self._batch_rows = batch_rows

    def orders_csv(self, user_id: int) -> AsyncIterator[str]:
        return self._csv(user_id, ORDER_COLUMNS, ExportRepository.orders)

    def ledger_csv(self, user_id: int) -> AsyncIterator[str]:
        return self._csv(user_id, LEDGER_COLUMNS, ExportRepository.ledger)

    async def _csv(self, user_id: int, header: Sequence[str], batch: Batch) -> AsyncIterator[str]:
        """The header, then one chunk of CSV text per batch of rows."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        yield _drain(buffer)
        before_id: int | None = None
        while True:
            async with self._db.read() as session:
                rows = await batch(ExportRepository(session), user_id, before_id, self._batch_rows)
            for row in rows:
                writer.writerow([cell(value) for value in row])
            if rows:
                yield _drain(buffer)
            if len(rows) < self._batch_rows:
                return
            before_id = rows[-1][0]


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
