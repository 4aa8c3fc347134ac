"""Price alerts: create, list, delete, the per-user limit, and firing exactly once."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import event, text

from domain.market.alerts import AlertFiring
from domain.market.events import ALERTS_CHANNEL, decode_alert
from domain.price_alerts import MAX_ACTIVE_ALERTS
from tests.support.alerts import CREATE, create
from tests.support.prices import T0, Clock, OnlyTheseFeed, engine_for
from tests.support.serving import WAIT

DELETE = """
mutation Delete($id: ID!) {
  deletePriceAlert(id: $id) { alert { id status } errors { code field } }
}"""
LIST = """
query List($status: PriceAlertStatus) {
  me { priceAlerts(status: $status) { id condition price status triggeredPrice asset { symbol } } }
}"""
LIST_DEFAULT = "{ me { priceAlerts { id status } } }"


def codes(payload):
    return [(e["code"], e["field"]) for e in payload["errors"]]


async def test_an_alert_that_does_not_hold_yet_stays_active(gql, make_user, make_asset):
    user = await make_user()
    symbol = await make_asset("100.00")
    made = await create(gql, user, symbol.lower(), "ABOVE", "120.5")
    assert made["errors"] == []
    alert = made["alert"]
    assert alert["condition"] == "ABOVE"
    assert alert["price"] == "120.50"
    assert (alert["status"], alert["triggeredAt"], alert["triggeredPrice"]) == (
        "ACTIVE",
        None,
        None,
    )
    assert alert["asset"] == {"symbol": symbol}
    listed = (await gql(LIST_DEFAULT, token=user.token))["me"]["priceAlerts"]
    assert listed == [{"id": alert["id"], "status": "ACTIVE"}]


@pytest.mark.parametrize(
    ("condition", "price"),
    [("ABOVE", "100"), ("ABOVE", "99.99"), ("BELOW", "100"), ("BELOW", "150")],
)
async def test_an_alert_that_already_holds_fires_at_creation(
    gql, runtime, make_user, make_asset, condition, price
):
    user = await make_user()
    symbol = await make_asset("100.00")
    messages = runtime.services.stores.pubsub.subscribe(ALERTS_CHANNEL)
    receive = asyncio.ensure_future(anext(messages))
    await asyncio.sleep(0.05)
    made = await create(gql, user, symbol, condition, price)
    alert = made["alert"]
    assert alert["status"] == "TRIGGERED"
    assert alert["triggeredPrice"] == "100.00"
    assert alert["triggeredAt"] is not None
    published = decode_alert(await asyncio.wait_for(receive, WAIT))
    await messages.aclose()
    assert (published.id, published.user_id, published.triggered_price) == (
        int(alert["id"]),
        user.id,
        Decimal("100"),
    )
    assert (await gql(LIST_DEFAULT, token=user.token))["me"]["priceAlerts"] == []
    triggered = (await gql(LIST, {"status": "TRIGGERED"}, token=user.token))["me"]["priceAlerts"]
    assert [a["id"] for a in triggered] == [alert["id"]]


@pytest.mark.parametrize(
    ("price", "field"),
    [("0", "price"), ("-5", "price"), ("1.00000000001", "price"), ("1" + "0" * 12, "price")],
)
async def test_a_price_must_be_positive_and_exact(gql, make_user, make_asset, price, field):
    user = await make_user()
    symbol = await make_asset()
    made = await create(gql, user, symbol, "BELOW", price)
    assert made["alert"] is None
    assert codes(made) == [("VALIDATION_FAILED", field)]
    assert (await gql(LIST, {"status": None}, token=user.token))["me"]["priceAlerts"] == []


async def test_an_unknown_symbol_is_asset_not_found(gql, make_user):
    user = await make_user()
    made = await create(gql, user, "NOPE_NOPE", "ABOVE", "1")
    assert codes(made) == [("ASSET_NOT_FOUND", "assetSymbol")]


async def test_creating_needs_a_token(gql, make_asset):
    symbol = await make_asset()
    body = await gql.raw(
        CREATE, {"input": {"assetSymbol": symbol, "condition": "ABOVE", "price": "1"}}
    )
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_at_most_fifty_active_alerts_even_when_created_at_once(gql, make_user, make_asset):
    user = await make_user()
    symbol = await make_asset("100.00")
    # Sixty at once: the user's row lock makes counting and inserting one step.
    results = await asyncio.gather(
        *(create(gql, user, symbol, "ABOVE", str(200 + i)) for i in range(MAX_ACTIVE_ALERTS + 10))
    )
    made = [r for r in results if r["alert"] is not None]
    refused = [r for r in results if r["alert"] is None]
    assert len(made) == MAX_ACTIVE_ALERTS
    assert {tuple(codes(r)[0]) for r in refused} == {("ALERT_LIMIT_REACHED", None)}
    listed = (await gql(LIST_DEFAULT, token=user.token))["me"]["priceAlerts"]
    assert len(listed) == MAX_ACTIVE_ALERTS
    # Newest first.
    assert [a["id"] for a in listed] == sorted((a["id"] for a in listed), key=int, reverse=True)
    # The limit is checked before an alert could fire at creation; deleting one makes room.
    full = await create(gql, user, symbol, "ABOVE", "500")
    assert codes(full) == [("ALERT_LIMIT_REACHED", None)]
    deleted = await gql(DELETE, {"id": listed[0]["id"]}, token=user.token)
    assert deleted["deletePriceAlert"]["errors"] == []
    assert (await create(gql, user, symbol, "ABOVE", "500"))["errors"] == []


async def test_someone_elses_alert_is_not_found(gql, make_user, make_asset):
    alice, bob = await make_user(), await make_user()
    symbol = await make_asset()
    alert = (await create(gql, alice, symbol, "ABOVE", "1000"))["alert"]
    for alert_id in (alert["id"], "0", "abc", "9" * 30):
        refused = (await gql(DELETE, {"id": alert_id}, token=bob.token))["deletePriceAlert"]
        assert refused == {"alert": None, "errors": [{"code": "ALERT_NOT_FOUND", "field": "id"}]}
    assert len((await gql(LIST_DEFAULT, token=alice.token))["me"]["priceAlerts"]) == 1
    mine = (await gql(DELETE, {"id": alert["id"]}, token=alice.token))["deletePriceAlert"]
    assert mine == {"alert": {"id": alert["id"], "status": "ACTIVE"}, "errors": []}
    again = (await gql(DELETE, {"id": alert["id"]}, token=alice.token))["deletePriceAlert"]
    assert again["errors"] == [{"code": "ALERT_NOT_FOUND", "field": "id"}]


async def test_listing_reads_the_assets_in_one_batch(gql, make_user, make_asset, runtime):
    user = await make_user()
    symbols = [await make_asset("10.00") for _ in range(5)]
    for symbol in symbols:
        await create(gql, user, symbol, "ABOVE", "50")
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = runtime.services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        listed = (await gql(LIST, {"status": "ACTIVE"}, token=user.token))["me"]["priceAlerts"]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sorted(a["asset"]["symbol"] for a in listed) == sorted(symbols)
    # Authentication (the token check), the alerts, their assets: never one per alert.
    assert len(statements) <= 4, statements


async def test_the_engine_fires_each_alert_once_when_a_tick_meets_it(
    gql, runtime, make_user, make_asset
):
    user = await make_user()
    symbol = await make_asset("100.00")
    above = (await create(gql, user, symbol, "ABOVE", "110"))["alert"]
    below = (await create(gql, user, symbol, "BELOW", "90"))["alert"]
    far = (await create(gql, user, symbol, "ABOVE", "1000"))["alert"]
    fixed = {symbol: Decimal("105")}
    clock = Clock(T0)
    engine = engine_for(runtime, OnlyTheseFeed({symbol}, fixed=fixed), clock)
    engine.alerts = AlertFiring(runtime.services.db, runtime.services.price_alerts)
    # No history: its first tick would record every asset at T0, which the engine's own
    # tests record too (the database is shared by the whole run).
    engine._history_at = clock.now
    messages = runtime.services.stores.pubsub.subscribe(ALERTS_CHANNEL)
    first = asyncio.ensure_future(anext(messages))
    await asyncio.sleep(0.05)

    await engine.tick()
    assert {a["id"] for a in (await gql(LIST_DEFAULT, token=user.token))["me"]["priceAlerts"]} == {
        above["id"],
        below["id"],
        far["id"],
    }
    fixed[symbol] = Decimal("110.0000000001")
    clock.advance(1)
    await engine.tick()
    fired = decode_alert(await asyncio.wait_for(first, WAIT))
    assert (fired.id, fired.triggered_price) == (int(above["id"]), Decimal("110.0000000001"))
    # The next tick meets it again: it does not fire twice; the BELOW one fires now.
    fixed[symbol] = Decimal("80")
    clock.advance(1)
    await engine.tick()
    fixed[symbol] = Decimal("120")
    clock.advance(1)
    await engine.tick()
    second = decode_alert(await asyncio.wait_for(anext(messages), WAIT))
    assert (second.id, second.triggered_price) == (int(below["id"]), Decimal("80"))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(messages), 0.3)
    await messages.aclose()
    triggered = (await gql(LIST, {"status": "TRIGGERED"}, token=user.token))["me"]["priceAlerts"]
    assert {(a["id"], a["triggeredPrice"]) for a in triggered} == {
        (above["id"], "110.0000000001"),
        (below["id"], "80.00"),
    }
    active = (await gql(LIST_DEFAULT, token=user.token))["me"]["priceAlerts"]
    assert [a["id"] for a in active] == [far["id"]]


async def test_two_engines_racing_fire_an_alert_once(gql, runtime, make_user, make_asset):
    user = await make_user()
    symbol = await make_asset("100.00")
    alerts = [(await create(gql, user, symbol, "ABOVE", str(101 + i)))["alert"] for i in range(20)]
    asset_id = await _asset_id(runtime, symbol)
    firings = [AlertFiring(runtime.services.db, runtime.services.price_alerts) for _ in range(4)]
    results = await asyncio.gather(*(f.fire({asset_id: Decimal("200")}) for f in firings))
    fired_ids = [alert.id for result in results for alert in result]
    assert sorted(fired_ids) == sorted(int(a["id"]) for a in alerts)


async def _asset_id(runtime, symbol):
    async with runtime.services.db.read() as session:
        return await session.scalar(text("SELECT id FROM assets WHERE symbol = :s"), {"s": symbol})
