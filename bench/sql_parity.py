"""Does bench/direct_order.py still send the product's SQL? Checked at the start of every run.

One BUY and one SELL go through the product's ``Orders.place`` (statements captured
from SQLAlchemy and from ``Database.raw_statement_listeners``) and one of each through
the direct transaction (statements captured from asyncpg). The two lists are compared
after dropping SQLAlchemy's ``::TYPE`` casts, whitespace differences and transaction
control. A mismatch flags the run: scenario (c)
would then not be the same transaction any more.
"""

from __future__ import annotations

import asyncio
import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

import asyncpg
from sqlalchemy import event, text

from bench.direct_order import BUY, SELL, place_market_order
from domain.limits import Limits
from domain.orders import OrderRequest
from domain.vocabulary import OrderSide, OrderType
from persistence.database import sync_free_url
from web.config import Settings
from web.runtime import start_runtime

CAST = re.compile(r"::[A-Z_]+(?: WITH(?:OUT)? TIME ZONE)?(?:\(\d+(?:, ?\d+)?\))?")
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass(frozen=True, slots=True)
class SqlParity:
    matches: bool
    product_statements: int
    direct_statements: int
    difference: str
    """A unified diff of the two statement lists; empty when they match."""


def normalise(statement: str) -> str:
    return " ".join(CAST.sub("", statement).split()).rstrip(";")


def _data_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if not s.upper().startswith(TRANSACTION_CONTROL)]


async def _product_statements(
    settings: Settings, user_id: int, symbol: str, quantity: Decimal
) -> list[str]:
    runtime = await start_runtime(settings)
    captured: list[str] = []
    placing = asyncio.current_task()

    def record(connection, cursor, statement, parameters, context, executemany) -> None:
        # Only this task's statements: the runtime may run background work of its own.
        if asyncio.current_task() is placing:
            captured.append(normalise(statement))

    def record_raw(statement: str) -> None:
        if asyncio.current_task() is placing:
            captured.append(normalise(statement))

    engine = runtime.services.db.engine.sync_engine
    raw_listeners = runtime.services.db.raw_statement_listeners
    try:
        async with runtime.services.db.read() as session:
            await session.execute(text("SELECT 1"))  # the dialect's first-connect queries
        event.listen(engine, "before_cursor_execute", record)
        raw_listeners.append(record_raw)  # the market order goes straight through asyncpg
        for side in (BUY, SELL):
            await runtime.services.orders.place(
                user_id,
                OrderRequest(
                    asset_symbol=symbol,
                    side=OrderSide(side),
                    type=OrderType.MARKET,
                    quantity=quantity,
                ),
            )
    finally:
        if record_raw in raw_listeners:
            raw_listeners.remove(record_raw)
        if event.contains(engine, "before_cursor_execute", record):
            event.remove(engine, "before_cursor_execute", record)
        await runtime.close()
    return _data_statements(captured)


async def _direct_statements(
    url: str, limits: Limits, user_id: int, symbol: str, quantity: Decimal
) -> list[str]:
    captured: list[str] = []
    connection = await asyncpg.connect(sync_free_url(url))
    try:
        connection.add_query_logger(lambda logged: captured.append(normalise(logged.query)))
        for side in (BUY, SELL):
            await place_market_order(connection, limits, user_id, symbol, side, quantity)
    finally:
        await connection.close()
    return _data_statements(captured)


async def check_sql_parity(
    settings: Settings, limits: Limits, user_id: int, symbol: str, quantity: Decimal
) -> SqlParity:
    assert settings.database_url is not None
    try:
        product = await _product_statements(settings, user_id, symbol, quantity)
        direct = await _direct_statements(settings.database_url, limits, user_id, symbol, quantity)
    except Exception as error:  # the run goes on, flagged: the scenarios will show the rest
        return SqlParity(False, 0, 0, f"the check itself failed: {type(error).__name__}: {error}")
    difference = "\n".join(
        difflib.unified_diff(product, direct, "Orders.place", "direct_order", lineterm="", n=0)
    )
    return SqlParity(product == direct, len(product), len(direct), difference)
