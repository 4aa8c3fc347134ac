"""The priceAlerts subscription: its owner's sockets only, in every server process."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from websockets.typing import Subprotocol

from domain.market.live import LiveHub
from tests.support.alerts import create
from tests.support.servers import (
    Server,
    forget_namespace,
    graphql,
    register,
    replica_env,
)
from tests.support.serving import WAIT, served, until, ws_client
from web.app import create_app

PRICE_ALERTS = """
subscription { priceAlerts { id condition price status triggeredPrice asset { symbol price } } }
"""


@pytest.fixture(scope="module")
async def ws_url(settings, runtime):
    async with served(create_app(settings, runtime)) as url:
        yield url


async def subscribed(runtime, client) -> None:
    hub: LiveHub = runtime.services.live
    before = hub.alert_subscriber_count
    await client.subscribe(PRICE_ALERTS)
    await until(lambda: hub.alert_subscriber_count == before + 1, "the hub registered it")


async def test_without_a_token_the_socket_is_closed_with_4403(ws_url):
    async with ws_client(ws_url) as client:
        await client.subscribe(PRICE_ALERTS)
        assert await client.close_code() == 4403


async def test_a_fired_alert_reaches_its_owner_only(
    runtime, ws_url, gql, client, make_user, make_asset
):
    alice, bob = await make_user(), await make_user()
    symbol = await make_asset("100.00")
    async with ws_client(ws_url, alice.token) as alices, ws_client(ws_url, bob.token) as bobs:
        await subscribed(runtime, alices)
        await subscribed(runtime, bobs)
        metrics = (await client.get("/metrics")).text
        prefix = 'cnop_live_subscriptions{kind="alerts"}'
        (line,) = [x for x in metrics.splitlines() if x.startswith(prefix)]
        assert float(line.split()[-1]) >= 2
        await create(gql, alice, symbol, "ABOVE", "1000")  # not met: nothing is pushed
        fired = (await create(gql, alice, symbol, "BELOW", "100.5"))["alert"]
        pushed = (await alices.data())["priceAlerts"]
        assert pushed == {
            "id": fired["id"],
            "condition": "BELOW",
            "price": "100.50",
            "status": "TRIGGERED",
            "triggeredPrice": "100.00",
            "asset": {"symbol": symbol, "price": "100.00"},
        }
        # Bob's next message is his own alert: Alice's never reached him.
        mine = (await create(gql, bob, symbol, "ABOVE", "50"))["alert"]
        assert (await bobs.data())["priceAlerts"]["id"] == mine["id"]
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(alices.ws.recv(), 0.3)


async def test_an_alert_fired_in_one_process_is_pushed_by_another(
    shared_database, redis_url, tmp_path
):
    env = replica_env(shared_database, redis_url, tmp_path, PRICE_ENGINE="false")
    first, second = Server(env), Server(env)
    try:
        await asyncio.gather(first.start(), second.start())
        token = await register(first.url, "alerts")
        ws_url = second.url.replace("http://", "ws://") + "/graphql"
        protocols = [Subprotocol("graphql-transport-ws")]
        async with websockets.connect(ws_url, subprotocols=protocols) as ws:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            subscribe = {"id": "1", "type": "subscribe", "payload": {"query": PRICE_ALERTS}}
            await ws.send(json.dumps(subscribe))
            await asyncio.sleep(0.3)  # the subscription reaches the second process's hub
            _, made = await graphql(
                first.url,
                """mutation { createPriceAlert(input: {assetSymbol: "btc", condition: ABOVE,
                   price: "0.01"}) { alert { id status } errors { code } } }""",
                token=token,
            )
            alert = made["data"]["createPriceAlert"]["alert"]
            assert alert["status"] == "TRIGGERED"
            message = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
            assert message["type"] == "next", message
            pushed = message["payload"]["data"]["priceAlerts"]
            assert (pushed["id"], pushed["asset"]["symbol"]) == (alert["id"], "BTC")
    finally:
        await asyncio.gather(first.stop(), second.stop())
        await forget_namespace(redis_url, env["REDIS_NAMESPACE"])
