"""Orders trade only on a current price: one the feed stopped updating is PRICE_UNAVAILABLE."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.support.trading import codes, place, state
from web.config import ConfigError, Settings

ORDER_COUNT = "{ me { orders(first: 1) { totalCount } } }"


async def holdings(gql, user):
    """Cash, units and how many orders there are: what a refused order must leave as it was."""
    me = await state(gql, user)
    orders = (await gql(ORDER_COUNT, token=user.token))["me"]["orders"]["totalCount"]
    return me["balance"], me["positions"], orders


async def age_price(runtime, symbol: str, seconds: int) -> None:
    async with runtime.services.db.transaction() as session:
        await session.execute(
            text(
                "UPDATE assets SET price_updated_at = now() - make_interval(secs => :seconds)"
                " WHERE symbol = :symbol"
            ),
            {"symbol": symbol, "seconds": seconds},
        )


@pytest.mark.parametrize(
    ("side", "extra"),
    [
        ("BUY", {}),
        ("SELL", {}),
        ("BUY", {"type": "LIMIT", "limitPrice": "9"}),
        ("SELL", {"type": "LIMIT", "limitPrice": "11"}),
    ],
    ids=["market-buy", "market-sell", "limit-buy", "limit-sell"],
)
async def test_an_order_on_a_stale_price_is_refused_and_changes_nothing(
    gql, runtime, make_user, make_asset, side, extra
):
    user = await make_user(cash="100.00")
    symbol = await make_asset("10.00")
    await place(gql, user, symbol, "BUY", "2")
    before = await holdings(gql, user)
    await age_price(runtime, symbol, 3600)

    payload = await place(gql, user, symbol, side, "1", **extra)

    assert payload["order"] is None
    assert codes(payload) == [("PRICE_UNAVAILABLE", "assetSymbol")]
    assert "no current price" in payload["errors"][0]["message"]
    assert await holdings(gql, user) == before


async def test_a_price_a_little_old_is_still_traded(gql, runtime, make_user, make_asset):
    user = await make_user(cash="100.00")
    symbol = await make_asset("10.00")
    await age_price(runtime, symbol, 240)
    payload = await place(gql, user, symbol, "BUY", "1")
    assert payload["errors"] == []
    assert payload["order"]["status"] == "FILLED"


async def test_a_fresh_price_lets_trading_resume(gql, runtime, make_user, make_asset, set_price):
    user = await make_user(cash="100.00")
    symbol = await make_asset("10.00")
    await age_price(runtime, symbol, 3600)
    assert codes(await place(gql, user, symbol, "BUY", "1")) == [
        ("PRICE_UNAVAILABLE", "assetSymbol")
    ]
    await set_price(symbol, "10.50")
    assert (await place(gql, user, symbol, "BUY", "1"))["order"]["total"] == "10.50"


def test_max_price_age_is_read_from_the_environment():
    assert Settings.from_env({}).max_price_age_s == 300
    assert Settings.from_env({"MAX_PRICE_AGE_S": "120"}).max_price_age_s == 120
    with pytest.raises(ConfigError, match="MAX_PRICE_AGE_S"):
        Settings.from_env({"MAX_PRICE_AGE_S": "soon"})


def test_max_price_age_outlasts_two_feed_updates():
    # Unset, it grows with a slow feed; set shorter than two updates, start-up stops.
    slow = {"PRICE_FEED": "coingecko", "COINGECKO_POLL_S": "600"}
    assert Settings.from_env(slow).max_price_age_s == 1200
    with pytest.raises(ConfigError, match=r"MAX_PRICE_AGE_S.*COINGECKO_POLL_S"):
        Settings.from_env({**slow, "MAX_PRICE_AGE_S": "900"})
    with pytest.raises(ConfigError, match=r"MAX_PRICE_AGE_S.*PRICE_TICK_MS"):
        Settings.from_env({"PRICE_TICK_MS": "30000", "MAX_PRICE_AGE_S": "30"})
