"""Time in force: GTC, IOC, DAY and GTD orders, expiry on the engine's pass, its push."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import asyncpg
import pytest

from domain.clock import start_of_utc_day, utc_now
from persistence.database import sync_free_url
from persistence.migrator import upgrade
from tests.support.serving import served, until, ws_client
from tests.support.trading import (
    FixedFeed,
    books,
    cancel,
    codes,
    engine_with,
    expire_now,
    matcher_for,
    order,
    place,
    placed,
    published_orders,
    settled,
    tick_at,
    trader_and_asset,
)
from web.app import create_app


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat()


def parsed(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def ioc(gql, user, symbol, side, quantity, **order_type):
    """An immediate-or-cancel order that must be accepted: filled at once or cancelled."""
    return await placed(gql, user, symbol, side, quantity, timeInForce="IOC", **order_type)


async def gtd_buy(gql, user, symbol, quantity, expires: str, **order_type):
    """A good-till-date BUY that must be accepted, expiring at ``expires`` (ISO 8601)."""
    return await placed(
        gql, user, symbol, "BUY", quantity, timeInForce="GTD", expiresAt=expires, **order_type
    )


async def test_market_orders_report_ioc_whatever_was_asked(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    for asked in ("GTC", "DAY", "GTD", "IOC"):
        filled = await placed(gql, user, symbol, "BUY", "1", timeInForce=asked)
        assert (filled["status"], filled["timeInForce"], filled["expiresAt"]) == (
            "FILLED",
            "IOC",
            None,
        )


async def test_resting_orders_are_good_till_cancelled_by_default(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    resting = await placed(gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="9")
    assert (resting["timeInForce"], resting["expiresAt"]) == ("GTC", None)
    explicit_null = await placed(
        gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="9", timeInForce=None
    )
    assert explicit_null["timeInForce"] == "GTC"


async def test_ioc_fills_at_once_or_is_cancelled_at_once(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    filled = await ioc(gql, user, symbol, "BUY", "2", type="LIMIT", limitPrice="11")
    assert (filled["status"], filled["total"], filled["timeInForce"]) == ("FILLED", "20.00", "IOC")
    missed = await ioc(gql, user, symbol, "BUY", "2", type="LIMIT", limitPrice="9")
    assert (missed["status"], missed["executedPrice"]) == ("CANCELLED", None)
    assert missed["cancelledAt"] is not None
    waiting_stop = await ioc(gql, user, symbol, "SELL", "1", type="STOP", stopPrice="9")
    assert waiting_stop["status"] == "CANCELLED"
    # Nothing rests, so nothing is held.
    assert await books(gql, user) == settled("980.00", {symbol: "2.00"})


async def test_day_orders_expire_at_the_end_of_the_utc_day(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    before = utc_now()
    day = await placed(
        gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="9", timeInForce="DAY"
    )
    after = utc_now()
    assert day["timeInForce"] == "DAY"
    ends = {
        start_of_utc_day(before) + timedelta(days=1),
        start_of_utc_day(after) + timedelta(days=1),
    }
    assert parsed(day["expiresAt"]) in ends


async def test_gtd_orders_keep_their_date(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    at = (utc_now() + timedelta(days=3)).replace(microsecond=0)
    paris = at.astimezone(timezone(timedelta(hours=2)))
    gtd = await gtd_buy(gql, user, symbol, "1", paris.isoformat(), type="STOP", stopPrice="12")
    assert (gtd["timeInForce"], gtd["expiresAt"]) == ("GTD", iso(at))


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"timeInForce": "GTD"}, "expiresAt"),
        ({"timeInForce": "GTD", "expiresAt": "PAST"}, "expiresAt"),
        ({"timeInForce": "GTD", "expiresAt": "NOW"}, "expiresAt"),
        ({"timeInForce": "GTD", "expiresAt": "91 DAYS"}, "expiresAt"),
        ({"timeInForce": "GTC", "expiresAt": "TOMORROW"}, "expiresAt"),
        ({"timeInForce": "DAY", "expiresAt": "TOMORROW"}, "expiresAt"),
        ({"timeInForce": "IOC", "expiresAt": "TOMORROW"}, "expiresAt"),
        ({"expiresAt": "TOMORROW"}, "expiresAt"),
        ({"type": "MARKET", "limitPrice": None, "expiresAt": "TOMORROW"}, "expiresAt"),
        (
            {"type": "MARKET", "limitPrice": None, "timeInForce": "GTD", "expiresAt": "TOMORROW"},
            "expiresAt",
        ),
    ],
)
async def test_forbidden_expiry_combinations_change_nothing(
    gql, make_user, make_asset, extra, field
):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "100.00")
    now = utc_now()
    instants = {
        "PAST": now - timedelta(minutes=1),
        "NOW": now,
        "91 DAYS": now + timedelta(days=91),
        "TOMORROW": now + timedelta(days=1),
    }
    request = {"type": "LIMIT", "limitPrice": "90", **extra}
    if "expiresAt" in request:
        request["expiresAt"] = iso(instants[request["expiresAt"]])
    request = {name: value for name, value in request.items() if value is not None}
    payload = await place(gql, user, symbol, "BUY", "1", **request)
    assert codes(payload) == [("VALIDATION_FAILED", field)]
    assert await books(gql, user) == {"cash": "500.00", "available": "500.00", "positions": {}}


async def test_gtd_within_ninety_days_is_accepted(gql, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "500.00", "100.00")
    at = utc_now() + timedelta(days=90) - timedelta(minutes=1)
    gtd = await gtd_buy(gql, user, symbol, "1", iso(at), type="LIMIT", limitPrice="90")
    assert gtd["status"] == "OPEN"


async def test_expired_orders_release_what_they_held(gql, runtime, matcher, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    await placed(gql, user, symbol, "BUY", "5")
    tomorrow = iso(utc_now() + timedelta(days=1))
    buy = await gtd_buy(gql, user, symbol, "3", tomorrow, type="LIMIT", limitPrice="9")
    sell = await placed(
        gql, user, symbol, "SELL", "2", type="STOP", stopPrice="8", timeInForce="DAY"
    )
    keeps = await placed(gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="9")
    assert await books(gql, user) == {
        "cash": "950.00",
        "available": "914.00",
        "positions": {symbol: ("5.00", "3.00")},
    }
    await matcher.run({})
    assert (await order(gql, user, buy["id"]))["status"] == "OPEN"  # not yet
    await expire_now(runtime, buy["id"])
    await expire_now(runtime, sell["id"])
    await matcher.run({})
    for expired in (buy, sell):
        now = await order(gql, user, expired["id"])
        assert now["status"] == "EXPIRED"
        assert now["expiredAt"] is not None
        assert now["cancelledAt"] is None
        assert now["executedPrice"] is None
    assert (await order(gql, user, keeps["id"]))["status"] == "OPEN"
    assert await books(gql, user) == {
        "cash": "950.00",
        "available": "941.00",
        "positions": {symbol: ("5.00", "5.00")},
    }
    assert codes(await cancel(gql, user, buy["id"])) == [("ORDER_NOT_CANCELLABLE", "id")]


async def test_an_expired_order_never_fills(gql, runtime, matcher, make_user, make_asset):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    resting = await placed(
        gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="9", timeInForce="DAY"
    )
    await expire_now(runtime, resting["id"])
    # The same pass sees the expiry and a crossing price: expiry runs first.
    await tick_at(runtime, matcher.run, symbol, "8")
    assert (await order(gql, user, resting["id"]))["status"] == "EXPIRED"
    assert (await books(gql, user))["cash"] == "1000.00"


async def test_the_engine_expires_a_gtd_order_within_two_seconds(
    gql, runtime, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    expires = utc_now() + timedelta(seconds=2)
    gtd = await gtd_buy(gql, user, symbol, "1", iso(expires), type="LIMIT", limitPrice="9")
    # Nothing moves: expiry must not wait for a price change.
    engine = engine_with(runtime, FixedFeed())
    deadline = time.monotonic() + 6
    status = "OPEN"
    while status == "OPEN" and time.monotonic() < deadline:
        await engine.tick()
        status = (await order(gql, user, gtd["id"]))["status"]
        await asyncio.sleep(0.2)
    expired = await order(gql, user, gtd["id"])
    assert expired["status"] == "EXPIRED"
    lag = parsed(expired["expiredAt"]) - parsed(expired["expiresAt"])
    assert timedelta(0) <= lag < timedelta(seconds=2)
    assert (await books(gql, user))["available"] == "1000.00"


async def test_expiry_is_pushed_on_order_updates(
    gql, settings, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    hub = runtime.services.live
    async with served(create_app(settings, runtime)) as url, ws_client(url, user.token) as client:
        before = hub.order_subscriber_count
        await client.subscribe(
            "subscription { orderUpdates { id status timeInForce expiresAt expiredAt } }"
        )
        await until(lambda: hub.order_subscriber_count == before + 1, "subscribed")
        day = await placed(
            gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="9", timeInForce="DAY"
        )
        opened = (await client.data())["orderUpdates"]
        assert (opened["id"], opened["status"], opened["timeInForce"]) == (day["id"], "OPEN", "DAY")
        await expire_now(runtime, day["id"])
        await matcher.run({})
        pushed = (await client.data())["orderUpdates"]
        assert (pushed["id"], pushed["status"]) == (day["id"], "EXPIRED")
        assert pushed["expiredAt"] is not None


async def test_expiry_is_published_once_with_what_changed(
    gql, runtime, matcher, make_user, make_asset
):
    user, symbol = await trader_and_asset(make_user, make_asset, "1000.00", "10.00")
    day = await placed(
        gql, user, symbol, "BUY", "1", type="LIMIT", limitPrice="9", timeInForce="DAY"
    )
    await expire_now(runtime, day["id"])
    async with published_orders(runtime) as received:
        await asyncio.gather(matcher.run({}), matcher_for(runtime).run({}))
    mine = [(str(o.id), o.status) for o in received if o.user_id == user.id]
    assert mine == [(day["id"], "EXPIRED")]
    (event,) = [o for o in received if o.user_id == user.id]
    assert event.expired_at is not None
    assert event.time_in_force == "DAY"


async def test_existing_orders_migrate_to_gtc_and_ioc(empty_database):
    await upgrade(empty_database, "0003")
    connection = await asyncpg.connect(sync_free_url(empty_database))
    try:
        user = await connection.fetchval(
            "INSERT INTO users (username, email, password_hash, marketing_emails_consent)"
            " VALUES ('old', 'o@e.com', 'x', false)"
            " RETURNING id"
        )
        asset = await connection.fetchval(
            "INSERT INTO assets (symbol, name, is_tradable, price, price_updated_at, volatility)"
            " VALUES ('OLD', 'Old', true, 10, now(), 0.5) RETURNING id"
        )
        for kind, status, limit, price in (
            ("MARKET", "FILLED", None, Decimal(10)),
            ("LIMIT", "OPEN", Decimal(9), None),
        ):
            await connection.execute(
                "INSERT INTO orders (user_id, asset_id, side, type, status, quantity,"
                " limit_price, executed_price, total)"
                " VALUES ($1, $2, 'BUY', $3, $4, 1, $5, $6, $6)",
                user,
                asset,
                kind,
                status,
                limit,
                price,
            )
    finally:
        await connection.close()
    await upgrade(empty_database)
    connection = await asyncpg.connect(sync_free_url(empty_database))
    try:
        rows = await connection.fetch("SELECT type, time_in_force FROM orders ORDER BY id")
    finally:
        await connection.close()
    assert [(row["type"], row["time_in_force"]) for row in rows] == [
        ("MARKET", "IOC"),
        ("LIMIT", "GTC"),
    ]
