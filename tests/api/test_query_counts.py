"""SQL statements per operation, pinned: nested fields batch, they never go N+1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.support.trading import place

NESTED_ORDERS = """
query($first: Int) { me { orders(first: $first) { edges { node { asset { symbol price } } } } } }
"""
LEDGER_WITH_ORDERS = """
query($first: Int) { me { transactions(first: $first) { edges { node {
  amount order { side asset { symbol } } } } } } }
"""
MOVES_WITH_EVERYTHING = """
query($first: Int) { me { assetTransactions(first: $first) { edges { node {
  asset { symbol } order { status asset { name } } } } } } }
"""
DASHBOARD = """
{ me { balance { cash } limits { depositRemaining }
       positions { asset { symbol } marketValue }
       portfolio { totalValue positions { asset { symbol } } } } }
"""


@pytest.fixture
def count_statements(runtime):
    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        db = runtime.services.db
        engine = db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", record)
        # Hot pages read straight through asyncpg (Database.raw): those count too.
        db.raw_statement_listeners.append(statements.append)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)
            db.raw_statement_listeners.remove(statements.append)

    return counting


@pytest.fixture
async def active_trader(gql, make_user, make_asset):
    user = await make_user(cash="9000.00")
    symbols = [await make_asset(f"{10 + i}.00") for i in range(8)]
    for i in range(40):
        await place(gql, user, symbols[i % len(symbols)], "BUY", "1")
    return user


async def count(gql, count_statements, query, variables, token):
    with count_statements() as statements:
        await gql(query, variables, token=token)
    return len(statements)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # user + the page with its assets (one statement, persistence/repositories/order_pages.py)
        (NESTED_ORDERS, 2),
        # user + page + one batch of orders + one batch of assets
        (LEDGER_WITH_ORDERS, 4),
        # user + page + assets + orders (their assets were already loaded)
        (MOVES_WITH_EVERYTHING, 4),
    ],
)
async def test_connections_cost_the_same_for_1_or_100_rows(
    gql, count_statements, active_trader, query, expected
):
    one = await count(gql, count_statements, query, {"first": 1}, active_trader.token)
    hundred = await count(gql, count_statements, query, {"first": 100}, active_trader.token)
    assert one == hundred == expected


async def test_total_count_is_counted_only_when_asked_for(gql, count_statements, active_trader):
    without = "{ me { orders(first: 5) { edges { cursor } } } }"
    with_total = "{ me { orders(first: 5) { totalCount edges { cursor } } } }"
    assert await count(gql, count_statements, without, {}, active_trader.token) == 2
    assert await count(gql, count_statements, with_total, {}, active_trader.token) == 3
    data = await gql(with_total, token=active_trader.token)
    assert data["me"]["orders"]["totalCount"] == 40


async def test_dashboard_reads_the_portfolio_once(gql, count_statements, active_trader):
    # user, balance, limits, then one snapshot (balance, positions JOIN assets) shared
    # by `positions` and `portfolio`; the JOINed assets prime the asset loader.
    assert await count(gql, count_statements, DASHBOARD, {}, active_trader.token) == 5


PORTFOLIO_HISTORY = """
query($points: Int) { me { portfolioHistory(range: ONE_MONTH, points: $points) { at totalValue } } }
"""
ALERTS_AND_WATCHLIST = """
{ me { priceAlerts(status: null) { price asset { symbol price } } watchlist { symbol price } } }
"""


async def test_portfolio_history_is_one_statement_for_2_or_500_points(
    gql, count_statements, active_trader
):
    # user + the whole series (8 positions, 40 movements) in one statement
    for points in (2, 500):
        assert (
            await count(
                gql, count_statements, PORTFOLIO_HISTORY, {"points": points}, active_trader.token
            )
            == 2
        )


async def test_alerts_and_watchlist_batch_their_assets(
    gql, count_statements, active_trader, make_asset
):
    symbols = [await make_asset("10.00") for _ in range(6)]
    # Alerts and watchlist on different assets: otherwise whichever resolves first
    # primes the other's assets, and the count would depend on the order.
    for followed, alerted in zip(symbols[:3], symbols[3:], strict=True):
        await gql(
            """mutation($f: String!, $a: String!) { addToWatchlist(assetSymbol: $f) {
                 errors { code } }
               createPriceAlert(input: {assetSymbol: $a, condition: ABOVE, price: "99"}) {
                 errors { code } } }""",
            {"f": followed, "a": alerted},
            token=active_trader.token,
        )
    # the token check (which reads the user) + alerts + one batch of their assets
    # + the watchlist JOIN assets
    assert await count(gql, count_statements, ALERTS_AND_WATCHLIST, {}, active_trader.token) == 4


PLACE_WITH_ASSET = """
mutation($input: PlaceOrderInput!) { placeOrder(input: $input) {
  order { status asset { symbol price } } errors { code } } }
"""


async def test_a_market_order_reads_its_asset_once(gql, count_statements, make_user, make_asset):
    user = await make_user(cash="1000.00")
    symbol = await make_asset("10.00")
    buy = {"input": {"assetSymbol": symbol, "side": "BUY", "quantity": "2"}}
    sell = {"input": {"assetSymbol": symbol, "side": "SELL", "quantity": "1"}}
    # the token check + the BUY's nine statements (the answer's asset is the one the
    # transaction read), then the token check + the SELL's eight
    assert await count(gql, count_statements, PLACE_WITH_ASSET, buy, user.token) == 10
    assert await count(gql, count_statements, PLACE_WITH_ASSET, sell, user.token) == 9
    data = await gql(PLACE_WITH_ASSET, buy, token=user.token)
    assert data["placeOrder"]["order"] == {
        "status": "FILLED",
        "asset": {"symbol": symbol, "price": "10.00"},
    }
