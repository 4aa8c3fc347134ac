"""Portfolio history: exact values from the ledger, asset movements and recorded prices,
in one SQL statement whatever the number of points or positions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, text

from tests.support.trading import place

HISTORY = """
query($range: HistoryRange!, $points: Int) {
  me { portfolioHistory(range: $range, points: $points) { at cash positionsValue totalValue } }
}"""
PORTFOLIO = "{ me { portfolio { cash positionsValue totalValue } } }"


async def history(gql, user, range_="ONE_WEEK", points=None):
    variables = {"range": range_, "points": points}
    return (await gql(HISTORY, variables, token=user.token))["me"]["portfolioHistory"]


async def run(runtime, sql: str, **values) -> None:
    async with runtime.services.db.transaction() as session:
        await session.execute(text(sql), values)


async def backdate_account(runtime, user, days: float) -> None:
    await run(
        runtime,
        "UPDATE users SET created_at = now() - CAST(:age AS interval) WHERE id = :id",
        age=timedelta(days=days),
        id=user.id,
    )


async def ledger(runtime, user, days_ago: float, type_: str, amount: str, after: str) -> None:
    await run(
        runtime,
        "INSERT INTO ledger_entries (user_id, type, amount, balance_after, created_at)"
        " VALUES (:u, :t, :amount, :after, now() - CAST(:age AS interval))",
        u=user.id,
        t=type_,
        amount=Decimal(amount),
        after=Decimal(after),
        age=timedelta(days=days_ago),
    )


async def move(runtime, user, symbol, days_ago: float, side: str, quantity: str, price: str):
    """A filled order and its asset movement, dated ``days_ago``."""
    values = {
        "u": user.id,
        "s": symbol,
        "side": side,
        "q": Decimal(quantity),
        "p": Decimal(price),
        "total": Decimal(quantity) * Decimal(price),
        "age": timedelta(days=days_ago),
    }
    await run(
        runtime,
        "WITH o AS (INSERT INTO orders (user_id, asset_id, side, type, status, quantity,"
        "  executed_price, total, time_in_force, created_at, filled_at)"
        " SELECT :u, id, :side, 'MARKET', 'FILLED', :q, :p, :total, 'IOC',"
        "  now() - CAST(:age AS interval), now() - CAST(:age AS interval)"
        " FROM assets WHERE symbol = :s RETURNING id, asset_id)"
        " INSERT INTO asset_transactions (user_id, asset_id, order_id, side, quantity, price,"
        "  total, created_at)"
        " SELECT :u, o.asset_id, o.id, :side, :q, :p, :total, now() - CAST(:age AS interval)"
        " FROM o",
        **values,
    )


async def recorded(runtime, symbol, days_ago: float, price: str) -> None:
    await run(
        runtime,
        "INSERT INTO price_points (asset_id, at, price)"
        " SELECT id, now() - CAST(:age AS interval), :p FROM assets WHERE symbol = :s",
        s=symbol,
        age=timedelta(days=days_ago),
        p=Decimal(price),
    )


def values(points):
    return [(p["cash"], p["positionsValue"], p["totalValue"]) for p in points]


async def test_each_point_values_what_was_held_then_at_that_moments_price(
    gql, runtime, make_user, make_asset
):
    user = await make_user()
    symbol = await make_asset("130.00")
    await backdate_account(runtime, user, 10)
    await ledger(runtime, user, 6.5, "DEPOSIT", "1000.00", "1000.00")
    await recorded(runtime, symbol, 5.5, "90")
    await move(runtime, user, symbol, 4.5, "BUY", "2", "100")
    await ledger(runtime, user, 4.5, "ORDER_BUY", "-200.00", "800.00")
    await recorded(runtime, symbol, 3.5, "150")
    await move(runtime, user, symbol, 2.5, "SELL", "0.5", "150")
    await ledger(runtime, user, 2.5, "ORDER_SELL", "75.00", "875.00")
    await recorded(runtime, symbol, 1.5, "120.3333333333")

    points = await history(gql, user, "ONE_WEEK", 8)

    assert values(points) == [
        ("0.00", "0.00", "0.00"),  # 7 days ago: nothing yet
        ("1000.00", "0.00", "1000.00"),
        ("1000.00", "0.00", "1000.00"),
        ("800.00", "180.00", "980.00"),  # 2 units at 90, the last price recorded
        ("800.00", "300.00", "1100.00"),  # at 150
        ("875.00", "225.00", "1100.00"),  # 1.5 units after the sale
        ("875.00", "180.50", "1055.50"),  # 1.5 x 120.3333333333 = 180.4999..., to the cent
        ("875.00", "195.00", "1070.00"),  # now: the current price, 130
    ]
    ats = [p["at"] for p in points]
    assert ats == sorted(ats)


async def test_no_point_before_the_account_existed(gql, runtime, make_user, make_asset):
    user = await make_user(cash="500.00")
    await backdate_account(runtime, user, 2.5)
    points = await history(gql, user, "ONE_WEEK", 8)
    # Grid of 1 day over a week: only the last three instants are after creation.
    assert len(points) == 3
    fresh = await make_user(cash="10.00")
    (now,) = await history(gql, fresh, "ONE_MONTH", 500)
    assert now["totalValue"] == "10.00"


async def test_the_series_ends_at_the_portfolio_now(gql, runtime, make_user, make_asset, set_price):
    user = await make_user(cash="1000.00")
    symbols = [await make_asset("33.333"), await make_asset("0.0000123457")]
    await place(gql, user, symbols[0], "BUY", "3")
    await place(gql, user, symbols[1], "BUY", "1000000")
    await set_price(symbols[0], "35.55555")
    points = await history(gql, user, "ONE_DAY", 2)
    portfolio = (await gql(PORTFOLIO, token=user.token))["me"]["portfolio"]
    assert values(points[-1:]) == [
        (portfolio["cash"], portfolio["positionsValue"], portfolio["totalValue"])
    ]


@pytest.mark.parametrize("points", [1, 0, -3, 501])
async def test_points_out_of_bounds_are_refused(gql, make_user, points):
    user = await make_user()
    body = await gql.raw(HISTORY, {"range": "ONE_DAY", "points": points}, token=user.token)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION_FAILED"
    assert error["extensions"]["field"] == "points"


async def test_defaults_are_a_week_of_a_hundred_points(gql, runtime, make_user):
    user = await make_user(cash="1.00")
    await backdate_account(runtime, user, 40)
    points = (await gql("{ me { portfolioHistory { at } } }", token=user.token))["me"][
        "portfolioHistory"
    ]
    assert len(points) == 100


async def test_one_statement_whatever_the_points_or_positions(gql, runtime, make_user, make_asset):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    async def count(user, points):
        db = runtime.services.db
        engine = db.engine.sync_engine
        statements.clear()
        event.listen(engine, "before_cursor_execute", record)
        # The token check reads the user straight through asyncpg (Database.raw).
        db.raw_statement_listeners.append(statements.append)
        try:
            await history(gql, user, "ONE_MONTH", points)
        finally:
            event.remove(engine, "before_cursor_execute", record)
            db.raw_statement_listeners.remove(statements.append)
        return len(statements)

    small = await make_user(cash="100.00")
    await backdate_account(runtime, small, 40)
    big = await make_user(cash="9000.00")
    await backdate_account(runtime, big, 40)
    for i in range(8):
        await place(gql, big, await make_asset(f"{10 + i}.00"), "BUY", "2")
    baseline = await count(small, 2)
    assert await count(small, 500) == baseline
    assert await count(big, 500) == baseline
    history_statements = [s for s in statements if "generate_series" in s]
    assert len(history_statements) == 1
    # The other one reads the user, as for any `me` query.
    assert baseline == 2
