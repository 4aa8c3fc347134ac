"""Money under real concurrency: many requests at once through the HTTP app, on real Postgres."""

from __future__ import annotations

import asyncio
import random
import uuid
from decimal import Decimal

from sqlalchemy import text

from tests.support.cash import DEPOSIT, WITHDRAW, move
from tests.support.trading import place


async def cash(runtime, user_id: int) -> Decimal:
    async with runtime.services.db.read() as session:
        return Decimal(
            await session.scalar(
                text("SELECT cash FROM cash_balances WHERE user_id = :id"), {"id": user_id}
            )
        )


async def test_concurrent_buys_never_overdraw(gql, runtime, make_user, make_asset):
    user = await make_user(cash="1000.00")
    symbol = await make_asset("33.3333")
    results = await asyncio.gather(*(place(gql, user, symbol, "BUY", "3") for _ in range(40)))
    filled = [r["order"] for r in results if r["order"]]
    refused = {e["code"] for r in results for e in r["errors"]}
    assert len(filled) == 10  # each costs 100.00 (99.9999 rounded up)
    assert refused == {"INSUFFICIENT_FUNDS"}
    spent = sum(Decimal(order["total"]) for order in filled)
    assert await cash(runtime, user.id) == Decimal("1000.00") - spent == Decimal("0.00")


async def test_concurrent_withdrawals_exactly_ten_succeed(gql, runtime, make_user):
    user = await make_user(cash="1000.00")
    results = await asyncio.gather(*(move(gql, WITHDRAW, user, "100") for _ in range(30)))
    assert sum(1 for r in results if not r["errors"]) == 10
    assert {e["code"] for r in results for e in r["errors"]} == {"INSUFFICIENT_FUNDS"}
    assert await cash(runtime, user.id) == Decimal("0.00")


async def test_identical_orders_with_one_client_order_id_execute_once(
    gql, runtime, make_user, make_asset
):
    user = await make_user(cash="1000.00")
    symbol = await make_asset("25.00")
    key = uuid.uuid4().hex
    results = await asyncio.gather(
        *(place(gql, user, symbol, "BUY", "2", clientOrderId=key) for _ in range(10))
    )
    assert {r["order"]["id"] for r in results} == {results[0]["order"]["id"]}
    assert await cash(runtime, user.id) == Decimal("950.00")
    async with runtime.services.db.read() as session:
        orders = await session.scalar(
            text("SELECT count(*) FROM orders WHERE user_id = :id"), {"id": user.id}
        )
    assert orders == 1


async def _storm_step(gql, rng, user, symbols):
    roll = rng.random()
    symbol = rng.choice(symbols)
    if roll < 0.2:
        await move(gql, DEPOSIT, user, f"{rng.randint(1, 500)}.{rng.randint(0, 99):02d}")
    elif roll < 0.4:
        await move(gql, WITHDRAW, user, f"{rng.randint(1, 300)}.{rng.randint(0, 99):02d}")
    elif roll < 0.7:
        await place(gql, user, symbol, "BUY", f"{rng.randint(1, 400) / 100:.2f}")
    else:
        await place(gql, user, symbol, "SELL", f"{rng.randint(1, 300) / 100:.2f}")


async def test_random_storm_keeps_every_book_balanced(gql, runtime, make_user, make_asset):
    rng = random.Random(20261128)
    users = [await make_user(cash="2000.00") for _ in range(4)]
    symbols = [await make_asset(price) for price in ("17.17", "3.3333", "250.01")]
    steps = [_storm_step(gql, rng, rng.choice(users), symbols) for _ in range(240)]
    await asyncio.gather(*steps)
    ids = [user.id for user in users]
    async with runtime.services.db.read() as session:
        books = (
            await session.execute(
                text(
                    "SELECT b.user_id, b.cash, b.held,"
                    " (SELECT coalesce(sum(amount), 0) FROM ledger_entries l"
                    "   WHERE l.user_id = b.user_id) AS ledger"
                    " FROM cash_balances b WHERE b.user_id = ANY(:ids)"
                ),
                {"ids": ids},
            )
        ).all()
        positions = (
            await session.execute(
                text(
                    "SELECT p.user_id, p.asset_id, p.quantity,"
                    " (SELECT coalesce(sum(CASE WHEN t.side = 'BUY' THEN t.quantity"
                    "   ELSE -t.quantity END), 0) FROM asset_transactions t"
                    "   WHERE t.user_id = p.user_id AND t.asset_id = p.asset_id) AS moved"
                    " FROM positions p WHERE p.user_id = ANY(:ids)"
                ),
                {"ids": ids},
            )
        ).all()
        last_balances = (
            await session.execute(
                text(
                    "SELECT DISTINCT ON (user_id) user_id, balance_after FROM ledger_entries"
                    " WHERE user_id = ANY(:ids) ORDER BY user_id, id DESC"
                ),
                {"ids": ids},
            )
        ).all()
    assert len(books) == 4
    for user_id, balance, held, ledger in books:
        assert balance == ledger, f"user {user_id}: cash {balance} but ledger sums to {ledger}"
        assert balance >= 0
        assert held == 0
    assert dict(last_balances) == {user_id: balance for user_id, balance, _, _ in books}
    assert positions, "the storm should have bought something"
    for user_id, asset_id, quantity, moved in positions:
        assert quantity == moved, f"user {user_id} asset {asset_id}: {quantity} != {moved}"
        assert quantity >= 0
