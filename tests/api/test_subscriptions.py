"""Live subscriptions: the hub's fan-out, and graphql-transport-ws over a real socket."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from sqlalchemy import text

from domain.market.events import (
    ORDERS_CHANNEL,
    PRICES_CHANNEL,
    PriceTick,
    encode_order,
    encode_ticks,
)
from domain.market.live import LiveHub
from persistence.models import Order
from persistence.stores import Stores
from tests.support.live import PRICES, publish_ticks, subscribed, symbol, tick
from tests.support.serving import WAIT, open_client, until

ORDER_UPDATES = """
subscription {
  orderUpdates { id status side type quantity executedPrice total filledAt asset { symbol price } }
}
"""


def order(user_id: int, asset_id: int, order_id: int, status: str = "FILLED") -> Order:
    filled = status == "FILLED"
    return Order(
        id=order_id,
        user_id=user_id,
        asset_id=asset_id,
        client_order_id=None,
        side="BUY",
        type="LIMIT",
        status=status,
        quantity=Decimal("0.5"),
        limit_price=Decimal("100"),
        time_in_force="GTC",
        executed_price=Decimal("99.5") if filled else None,
        total=Decimal("49.75") if filled else None,
        created_at=datetime(2026, 11, 28, 9, 30, tzinfo=UTC),
        filled_at=datetime(2026, 11, 28, 9, 31, tzinfo=UTC) if filled else None,
        cancelled_at=None,
    )


# ------------------------------------------------------------------------------ the hub


@pytest.fixture(params=["memory", "redis"])
def hub_stores(request: pytest.FixtureRequest) -> Stores:
    stores: Stores = request.getfixturevalue(f"{request.param}_stores")
    return stores


@pytest.fixture
async def hub(hub_stores: Stores) -> AsyncIterator[LiveHub]:
    live = LiveHub(hub_stores.pubsub, retry_initial_s=0.01)
    await live.start()
    # A Redis relay subscribes over the network: wait until a tick makes it through.
    probe = live.prices({"PROBE"})
    async with aclosing(probe):
        async with asyncio.timeout(WAIT):
            while True:
                await publish_ticks(hub_stores, tick("PROBE", "1"))
                try:
                    await asyncio.wait_for(anext(probe), 0.05)
                    break
                except TimeoutError:
                    continue
    yield live
    await live.close()


async def next_of(iterator: AsyncIterator[Any]) -> Any:
    return await asyncio.wait_for(anext(iterator), WAIT)


async def test_hub_relays_every_symbol_or_only_the_chosen_ones(hub: LiveHub, hub_stores: Stores):
    a, b = symbol(), symbol()
    async with aclosing(hub.prices(None)) as everything, aclosing(hub.prices({a})) as only_a:
        await publish_ticks(hub_stores, tick(a, "10"), tick(b, "20"))
        seen = [await next_of(everything) for _ in range(2)]
        assert [(t.symbol, t.price) for t in seen] == [(a, Decimal("10")), (b, Decimal("20"))]
        assert (await next_of(only_a)).price == Decimal("10")

        await publish_ticks(hub_stores, tick(b, "21"), tick(a, "11"))
        seen = [await next_of(everything) for _ in range(2)]
        assert [(t.symbol, t.price) for t in seen] == [(b, Decimal("21")), (a, Decimal("11"))]
        # The filtered subscriber's next tick after a@10 is a@11: b never reached it.
        assert (await next_of(only_a)).price == Decimal("11")


async def test_a_slow_subscriber_gets_the_newest_tick_per_symbol(hub: LiveHub, hub_stores: Stores):
    a, marker = symbol(), symbol()
    async with aclosing(hub.prices({a, marker})) as slow, aclosing(hub.prices(None)) as fast:
        for cents in range(1, 51):
            await publish_ticks(hub_stores, tick(a, f"100.{cents:02d}"))
        await publish_ticks(hub_stores, tick(marker, "1"))
        # Once the eager subscriber has seen the marker, every tick has been relayed.
        while (await next_of(fast)).symbol != marker:
            pass

        first, second = await next_of(slow), await next_of(slow)
        assert (first.symbol, first.price) == (a, Decimal("100.50"))
        assert second.symbol == marker


async def test_order_updates_reach_only_their_owner(hub: LiveHub, hub_stores: Stores):
    async with (
        aclosing(hub.order_updates(1001)) as mine,
        aclosing(hub.order_updates(1002)) as theirs,
    ):
        await hub_stores.pubsub.publish(ORDERS_CHANNEL, encode_order(order(1001, 1, 7)))
        await hub_stores.pubsub.publish(ORDERS_CHANNEL, encode_order(order(1002, 1, 8)))

        received = await next_of(mine)
        assert (received.id, received.user_id, received.status) == (7, 1001, "FILLED")
        assert received.executed_price == Decimal("99.5")
        assert (await next_of(theirs)).id == 8


async def test_a_full_order_queue_drops_its_oldest_and_says_so_once(
    hub: LiveHub, hub_stores: Stores, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING, logger="cnop.live")
    async with (
        aclosing(hub.order_updates(2001)) as slow,
        aclosing(hub.order_updates(2001)) as probe,
    ):
        for order_id in range(1, 41):
            await hub_stores.pubsub.publish(ORDERS_CHANNEL, encode_order(order(2001, 1, order_id)))
        while (await next_of(probe)).id != 40:
            pass

        ids = [(await next_of(slow)).id for _ in range(16)]
        assert ids == list(range(25, 41))
    drops = [r for r in caplog.records if "dropping the oldest" in r.getMessage()]
    assert len(drops) == 2  # once per subscriber that overflowed, not once per message


async def test_closed_iterators_leave_no_subscriber_behind(hub: LiveHub):
    async with aclosing(hub.prices({"X"})), aclosing(hub.order_updates(1)):
        assert (hub.price_subscriber_count, hub.order_subscriber_count) == (1, 1)
    assert (hub.price_subscriber_count, hub.order_subscriber_count) == (0, 0)


async def test_closing_the_hub_ends_every_stream(memory_stores: Stores):
    live = LiveHub(memory_stores.pubsub)
    await live.start()
    stream = live.prices(None)
    reader = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    await live.close()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(reader, WAIT)
    assert live.price_subscriber_count == 0


class FlakyPubSub:
    """A broker whose first subscriptions fail or end, like a Redis restart."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.subscriptions = 0
        self.queue: asyncio.Queue[str] = asyncio.Queue()

    async def publish(self, channel: str, message: str) -> None:
        if channel == PRICES_CHANNEL:
            self.queue.put_nowait(message)

    async def subscribe(self, channel: str) -> AsyncGenerator[str, None]:
        if channel != PRICES_CHANNEL:
            await asyncio.Event().wait()
        self.subscriptions += 1
        if self.subscriptions <= self.failures:
            raise ConnectionError("broker went away")
        while True:
            yield await self.queue.get()

    async def close(self) -> None:
        return None


async def test_a_relay_resubscribes_after_the_broker_fails(caplog: pytest.LogCaptureFixture):
    broker = FlakyPubSub(failures=2)
    live = LiveHub(broker, retry_initial_s=0.01)
    await live.start()
    try:
        async with aclosing(live.prices(None)) as ticks:
            await broker.publish(PRICES_CHANNEL, encode_ticks([tick("BTC", "1")]))
            assert (await next_of(ticks)).symbol == "BTC"
        assert broker.subscriptions == 3
        assert "broker subscription failed" in caplog.text
    finally:
        await live.close()


# ------------------------------------------------------------ graphql-transport-ws


async def publish_two_prices(runtime) -> tuple[str, str, datetime]:
    """Ticks of two new symbols at one instant: a large price with its 24 h change, and a
    tiny one whose change is not known yet."""
    a, b = symbol(), symbol()
    at = datetime(2026, 11, 28, 9, 30, 1, 250000, tzinfo=UTC)
    await publish_ticks(
        runtime.services.stores,
        PriceTick(a, Decimal("65000.1"), Decimal("-2.5"), at),
        PriceTick(b, Decimal("0.000013"), None, at),
    )
    return a, b, at


def two_prices_on_the_wire(a: str, b: str, at: datetime) -> list[dict[str, Any]]:
    return [
        {"symbol": a, "price": "65000.10", "priceChange24h": "-2.50", "at": at.isoformat()},
        {"symbol": b, "price": "0.000013", "priceChange24h": None, "at": at.isoformat()},
    ]


async def test_prices_without_symbols_streams_every_asset(runtime, ws_client):
    client = await ws_client()
    await subscribed(runtime, lambda: client.subscribe(PRICES), prices=1)
    a, b, at = await publish_two_prices(runtime)
    received = [(await client.data())["prices"] for _ in range(2)]
    assert received == two_prices_on_the_wire(a, b, at)


async def test_prices_with_symbols_streams_only_those(runtime, ws_client):
    client = await ws_client()
    a, b = symbol(), symbol()
    await subscribed(
        runtime, lambda: client.subscribe(PRICES, {"symbols": [f" {a.lower()} "]}), prices=1
    )
    await publish_ticks(runtime.services.stores, tick(b, "5"), tick(a, "10"), tick(b, "6"))
    first = (await client.data())["prices"]
    await publish_ticks(runtime.services.stores, tick(b, "7"), tick(a, "11"))
    second = (await client.data())["prices"]

    # Had any tick of b got through, it would have come before a@11.
    assert [(p["symbol"], p["price"]) for p in (first, second)] == [(a, "10.00"), (a, "11.00")]


async def test_a_slow_reader_gets_the_latest_price_not_a_backlog(runtime, ws_client):
    client = await ws_client()
    a, marker = symbol(), symbol()
    await subscribed(runtime, lambda: client.subscribe(PRICES, {"symbols": [a, marker]}), prices=1)
    # Published back to back, faster than the connection's task gets to run.
    for cents in range(1, 51):
        await publish_ticks(runtime.services.stores, tick(a, f"100.{cents:02d}"))
    await publish_ticks(runtime.services.stores, tick(marker, "1"))

    assert (await client.data())["prices"]["price"] == "100.50"
    assert (await client.data())["prices"]["symbol"] == marker


@pytest.mark.parametrize(
    "payload",
    [
        {"Authorization": "Bearer not-a-jwt"},
        {"authorization": "Token abc"},
        {"AUTHORIZATION": 42},
    ],
    ids=["invalid-token", "not-bearer", "not-a-string"],
)
async def test_a_bad_token_is_refused_with_4403(ws_client, payload):
    client = await ws_client(payload, ack=False)
    assert await client.close_code() == 4403


async def test_a_revoked_token_is_refused_with_4403(runtime, ws_client, make_user, gql):
    user = await make_user()
    await gql("mutation { logout { success } }", token=user.token)
    client = await ws_client({"Authorization": f"Bearer {user.token}"}, ack=False)
    assert await client.close_code() == 4403


async def test_order_updates_without_a_token_close_with_4403(runtime, ws_client):
    client = await ws_client({})
    await client.subscribe(ORDER_UPDATES)
    assert await client.close_code() == 4403


async def test_order_updates_reach_their_owner_only(runtime, ws_client, make_user, make_asset):
    alice, bob = await make_user(), await make_user()
    asset = await make_asset("250.00")
    asset_id = await asset_id_of(runtime, asset)
    alices = await ws_client({"authorization": f"bearer {alice.token}"})
    bobs = await ws_client({"Authorization": f"Bearer {bob.token}"})
    await subscribed(runtime, lambda: alices.subscribe(ORDER_UPDATES), orders=1)
    await subscribed(runtime, lambda: bobs.subscribe(ORDER_UPDATES), orders=1)

    pubsub = runtime.services.stores.pubsub
    await pubsub.publish(ORDERS_CHANNEL, encode_order(order(alice.id, asset_id, 501)))
    await pubsub.publish(ORDERS_CHANNEL, encode_order(order(bob.id, asset_id, 502, "CANCELLED")))

    assert (await alices.data())["orderUpdates"] == {
        "id": "501",
        "status": "FILLED",
        "side": "BUY",
        "type": "LIMIT",
        "quantity": "0.50",
        "executedPrice": "99.50",
        "total": "49.75",
        "filledAt": "2026-11-28T09:31:00+00:00",
        "asset": {"symbol": asset, "price": "250.00"},
    }
    # Bob's first message is his own order: Alice's never reached him.
    bobs_update = (await bobs.data())["orderUpdates"]
    assert (bobs_update["id"], bobs_update["status"]) == ("502", "CANCELLED")


async def test_each_order_update_reads_the_asset_afresh(
    runtime, ws_client, make_user, make_asset, set_price
):
    user = await make_user()
    asset = await make_asset("10.00")
    asset_id = await asset_id_of(runtime, asset)
    client = await ws_client({"Authorization": f"Bearer {user.token}"})
    await subscribed(runtime, lambda: client.subscribe(ORDER_UPDATES), orders=1)
    pubsub = runtime.services.stores.pubsub

    await pubsub.publish(ORDERS_CHANNEL, encode_order(order(user.id, asset_id, 601)))
    assert (await client.data())["orderUpdates"]["asset"]["price"] == "10.00"
    await set_price(asset, "12.00")
    await pubsub.publish(ORDERS_CHANNEL, encode_order(order(user.id, asset_id, 602)))
    assert (await client.data())["orderUpdates"]["asset"]["price"] == "12.00"


async def test_disconnecting_releases_every_subscription(runtime, ws_url, make_user):
    hub: LiveHub = runtime.services.live
    before = (hub.price_subscriber_count, hub.order_subscriber_count)
    user = await make_user()
    client, manager = await open_client(ws_url, {"Authorization": f"Bearer {user.token}"})
    assert (await client.receive())["type"] == "connection_ack"
    await subscribed(runtime, lambda: client.subscribe(PRICES), prices=1)
    await subscribed(runtime, lambda: client.subscribe(PRICES, {"symbols": ["BTC"]}), prices=1)
    await subscribed(runtime, lambda: client.subscribe(ORDER_UPDATES), orders=1)

    await manager.__aexit__(None, None, None)
    await until(
        lambda: (hub.price_subscriber_count, hub.order_subscriber_count) == before,
        "every hub subscriber is gone",
    )


async def test_completing_one_operation_releases_only_it(runtime, ws_client):
    hub: LiveHub = runtime.services.live
    client = await ws_client()
    before = hub.price_subscriber_count
    first = await subscribed(runtime, lambda: client.subscribe(PRICES), prices=1)
    await subscribed(runtime, lambda: client.subscribe(PRICES), prices=1)
    await client.send({"id": first, "type": "complete"})
    await until(lambda: hub.price_subscriber_count == before + 1, "one subscriber released")


async def asset_id_of(runtime, symbol_: str) -> int:
    async with runtime.services.db.read() as session:
        found = await session.scalar(
            text("SELECT id FROM assets WHERE symbol = :symbol"), {"symbol": symbol_}
        )
    assert found is not None
    return int(found)


async def test_subscribers_of_one_tick_each_get_their_own_selection(runtime, ws_client):
    a = symbol()
    plain, aliased, other = await ws_client(), await ws_client(), await ws_client()
    documents = [
        (plain, PRICES),
        (aliased, "subscription { tick: prices { name: symbol cost: price } }"),
        (other, "subscription($s: [String!]) { prices(symbols: $s) { at symbol } }"),
    ]
    for client, document in documents:
        await subscribed(runtime, partial(client.subscribe, document, {"s": [a]}), prices=1)
    at = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    await publish_ticks(runtime.services.stores, PriceTick(a, Decimal("3"), None, at))

    assert (await plain.data())["prices"]["price"] == "3.00"
    assert (await aliased.data()) == {"tick": {"name": a, "cost": "3.00"}}
    assert (await other.data()) == {"prices": {"at": at.isoformat(), "symbol": a}}


# ------------------------------------------------------------------- priceTicks (batches)

PRICE_TICKS = """
subscription PriceTicks($symbols: [String!]) {
  priceTicks(symbols: $symbols) { symbol price priceChange24h at }
}
"""


async def test_hub_hands_a_batch_reader_every_unread_tick_at_once(hub: LiveHub, hub_stores: Stores):
    a, b = symbol(), symbol()
    async with aclosing(hub.prices({a, b})) as ticks:
        await publish_ticks(hub_stores, tick(a, "1"), tick(b, "2"))
        await publish_ticks(hub_stores, tick(a, "3"))
        await until(lambda: len(ticks.pending) == 2 and ticks.pending[a].price == 3, "relayed")
        batch = await asyncio.wait_for(ticks.next_batch(), WAIT)
        assert sorted((t.symbol, t.price) for t in batch) == sorted(
            [(a, Decimal(3)), (b, Decimal(2))]
        )
        assert not ticks.pending


async def test_price_ticks_sends_one_message_per_tick_with_every_price(runtime, ws_client):
    client = await ws_client()
    await subscribed(runtime, lambda: client.subscribe(PRICE_TICKS), prices=1)
    a, b, at = await publish_two_prices(runtime)
    assert (await client.data())["priceTicks"] == two_prices_on_the_wire(a, b, at)


async def test_price_ticks_with_symbols_carries_only_those(runtime, ws_client):
    client = await ws_client()
    a, b, c = symbol(), symbol(), symbol()
    variables = {"symbols": [a.lower(), c]}
    await subscribed(runtime, lambda: client.subscribe(PRICE_TICKS, variables), prices=1)
    await publish_ticks(runtime.services.stores, tick(b, "5"), tick(a, "10"), tick(c, "2"))
    first = (await client.data())["priceTicks"]
    await publish_ticks(runtime.services.stores, tick(b, "6"))  # nothing for this subscriber
    await publish_ticks(runtime.services.stores, tick(c, "3"))
    second = (await client.data())["priceTicks"]

    assert sorted((p["symbol"], p["price"]) for p in first) == sorted([(a, "10.00"), (c, "2.00")])
    assert [(p["symbol"], p["price"]) for p in second] == [(c, "3.00")]


async def test_subscribers_of_one_tick_get_the_same_answer(runtime, ws_client):
    one, two, three = await ws_client(), await ws_client(), await ws_client()
    await subscribed(runtime, lambda: one.subscribe(PRICE_TICKS), prices=1)
    await subscribed(runtime, lambda: two.subscribe(PRICE_TICKS), prices=1)
    await subscribed(
        runtime, lambda: three.subscribe("subscription { priceTicks { p: price } }"), prices=1
    )
    a, b = symbol(), symbol()
    await publish_ticks(runtime.services.stores, tick(a, "1.5"), tick(b, "2"))

    first, second = (await one.data())["priceTicks"], (await two.data())["priceTicks"]
    assert first == second
    assert [p["symbol"] for p in first] == [a, b]
    assert (await three.data())["priceTicks"] == [{"p": "1.50"}, {"p": "2.00"}]
