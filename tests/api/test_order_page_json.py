"""The orders page PostgreSQL writes as JSON: every value as the API's scalars write it.

Edge values of every Decimal and DateTime column a page can show are written into the
rows, and the page is read both ways (the database's JSON, standard execution over
rows); the HTTP bodies must be equal. Values whose SQL text could differ (NaN, a year
before 1000) must make the database decline, so that the rows answer.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from persistence.repositories.order_page_json import datetime_text_sql, decimal_text_sql
from schema.json_text import JsonText
from schema.scalars import serialize_datetime, serialize_decimal
from tests.support.plans import both_ways
from web.graphql_app import GraphQLApp

# The fixtures `plans_trader` (filled, partly sold and open orders) and `sql_built` are
# the equivalence suite's, in conftest.py.

EVERYTHING = (
    "{ me { orders(first: 100) { __typename pageInfo { hasNextPage hasPreviousPage startCursor"
    " endCursor } edges { cursor node { id clientOrderId side type status quantity limitPrice"
    " stopPrice executedPrice total timeInForce createdAt filledAt cancelledAt expiresAt"
    " triggeredAt expiredAt asset { symbol name category imageUrl isTradable price"
    " priceUpdatedAt marketCap marketCapRank priceChange24h priceChange7d high24h volume24h"
    " maxSupply allTimeHigh allTimeHighAt allTimeLowAt } } } } } }"
)

# Values each column's scale can hold: zero, trailing zeros, tiny, huge, negative (the
# percentages), every significant digit.
DECIMALS = [
    "0", "0.5", "0.50", "1", "10", "100.000", "0.000013", "0.00000001", "1234.5678",
    "99999999999999999999.99", "123456789012.3456789", "7.1000",
]  # fmt: skip
PERCENTS = ["-0.5", "-12.3456", "0", "-0.0001", "9999999999.9999"]
TIMES = [
    "2026-01-01 00:00:00+00",
    "2026-06-30 23:59:59.999999+00",
    "2026-03-01 12:00:00.000100+00",
    "2026-03-01 12:00:00.1+00",
    "1999-12-31 22:00:00-05",
    "9999-12-31 23:59:59.5+00",
    "1000-01-01 00:00:00+00",
]


async def _update(runtime: Any, statement: str, **values: Any) -> None:
    async with runtime.services.db.transaction() as session:
        await session.execute(text(statement), values)


@pytest.fixture
async def orders_of(runtime):
    async def update(user_id: int, **columns: Any) -> None:
        sets = ", ".join(f"{name} = :{name}" for name in columns)
        await _update(
            runtime, f"UPDATE orders SET {sets} WHERE user_id = :user", user=user_id, **columns
        )

    return update


@pytest.fixture
async def assets_of(runtime):
    async def update(symbols: list[str], **columns: Any) -> None:
        sets = ", ".join(f"{name} = :{name}" for name in columns)
        for symbol in symbols:
            statement = f"UPDATE assets SET {sets} WHERE symbol = :symbol"
            await _update(runtime, statement, symbol=symbol, **columns)

    return update


@pytest.mark.parametrize("value", DECIMALS)
async def test_decimals_are_written_as_the_api_writes_them(
    client, runtime, plans_trader, sql_built, value
):
    user, symbols = plans_trader
    number = Decimal(value)
    # Constraints tie some columns together; these hold whatever the order's type.
    # total is cents (20 digits): the largest value keeps the order's own.
    await _update(
        runtime,
        "UPDATE orders SET quantity = greatest(CAST(:v AS numeric), 0.00000001),"
        " executed_price = CASE WHEN executed_price IS NULL THEN NULL ELSE CAST(:v AS numeric) END,"
        " total = CASE WHEN total IS NULL OR CAST(:v AS numeric) >= 1e18 THEN total"
        " ELSE round(:v, 2) END,"
        " limit_price = CASE WHEN limit_price IS NULL THEN NULL ELSE :v END"
        " WHERE user_id = :user",
        v=number,
        user=user.id,
    )
    await _update(
        runtime,
        "UPDATE assets SET price = CASE WHEN CAST(:v AS numeric) > 0 THEN :v ELSE price END,"
        " market_cap = :v,"
        " high_24h = :v, volume_24h = :v, max_supply = :v, all_time_high = :v"
        " WHERE symbol = ANY(:symbols)",
        v=number,
        symbols=symbols,
    )
    await both_ways(client, EVERYTHING, {}, user.token)
    assert sql_built == [True]


@pytest.mark.parametrize("value", PERCENTS)
async def test_negative_and_small_percentages(client, plans_trader, sql_built, assets_of, value):
    user, symbols = plans_trader
    await assets_of(symbols, price_change_24h=Decimal(value), price_change_7d=Decimal(value))
    await both_ways(client, EVERYTHING, {}, user.token)
    assert sql_built == [True]


@pytest.mark.parametrize("moment", TIMES)
async def test_timestamps_are_written_as_the_api_writes_them(
    client, plans_trader, sql_built, assets_of, orders_of, moment
):
    user, symbols = plans_trader
    at = datetime.fromisoformat(moment)
    await orders_of(user.id, created_at=at)
    await assets_of(symbols, price_updated_at=at, all_time_high_at=at, all_time_low_at=None)
    await both_ways(client, EVERYTHING, {}, user.token)
    assert sql_built == [True]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("all_time_high", "NaN"),
        ("all_time_high_at", "0999-12-31 23:00:00+00"),
    ],
)
async def test_values_whose_sql_text_is_uncertain_are_read_as_rows(
    client, runtime, plans_trader, sql_built, column, value
):
    user, symbols = plans_trader
    cast = "numeric" if column == "all_time_high" else "timestamptz"
    await _update(
        runtime,
        f"UPDATE assets SET {column} = CAST(CAST(:v AS text) AS {cast})"
        " WHERE symbol = ANY(:symbols)",
        v=value,
        symbols=symbols,
    )
    await both_ways(client, EVERYTHING, {}, user.token)
    assert sql_built == [False]


async def test_filters_cursors_and_empty_pages(client, plans_trader, sql_built):
    user, symbols = plans_trader
    first = await both_ways(
        client, "{ me { orders(first: 4) { pageInfo { endCursor } } } }", {}, user.token
    )
    after = json.loads(first)["data"]["me"]["orders"]["pageInfo"]["endCursor"]
    selection = (
        "{ pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
        " edges { cursor node { id side status asset { symbol } } } }"
    )
    for arguments in [
        f'first: 4, after: "{after}"',
        f'first: 100, after: "{after}", side: SELL',
        "first: 0",
        "first: 3, status: OPEN",
        f'first: 5, assetSymbol: " {symbols[1].lower()} "',
        f'first: 5, assetSymbol: "NOPE", after: "{after}"',
        'first: 5, assetSymbol: "A\\u0000"',
        f'first: 100, after: "{after}", status: FILLED, side: BUY, assetSymbol: "{symbols[0]}"',
    ]:
        await both_ways(client, f"{{ me {{ orders({arguments}) {selection} }} }}", {}, user.token)
    assert sql_built == [True] * 9


# Text the database escapes (to_json) exactly as orjson does: quotes, backslashes,
# control characters, non-ASCII, line and paragraph separators.
TEXTS = ['say "hi"', "back\\slash", "tab\there\nnew\r\x01\x1f\x7f", "é ü 漢字 😀", "\u2028\u2029/"]


@pytest.mark.parametrize("value", TEXTS)
async def test_text_is_escaped_as_the_response_encoder_escapes_it(
    client, plans_trader, sql_built, assets_of, value
):
    user, symbols = plans_trader
    await assets_of(symbols, name=value, category=value, image_url=value)
    query = "{ me { orders(first: 3) { edges { node { asset { name category imageUrl } } } } } }"
    await both_ways(client, query, {}, user.token)
    assert sql_built == [True]


def test_spliced_json_survives_the_standard_library_encoder():
    """A lone surrogate sends a response to json.dumps, which cannot splice text in."""
    data = {"page": JsonText('{"a":["1.50",null,true]}'), "echo": "\ud800"}
    encoded = GraphQLApp.encode_json(None, data)  # type: ignore[arg-type]
    assert encoded == '{"page":{"a":["1.50",null,true]},"echo":"\\ud800"}'
    assert GraphQLApp.encode_json(None, {"page": JsonText("[1, 2]")}) == '{"page":[1, 2]}'  # type: ignore[arg-type]


def _sweep_decimals() -> list[Decimal]:
    """Values of every scale the columns use (2, 4, 8, 10), tiny to huge, both signs."""
    rng = random.Random(12)
    values = []
    for _ in range(3000):
        scale = rng.choice([0, 2, 4, 8, 10])
        digits = rng.randint(1, 28)
        unscaled = rng.randint(0, 10**digits - 1) * rng.choice([1, -1])
        values.append(Decimal(unscaled).scaleb(-scale))
    return values


def _sweep_times() -> list[datetime]:
    rng = random.Random(13)
    start = datetime(1000, 1, 1, tzinfo=UTC).timestamp()
    end = datetime(9999, 12, 31, tzinfo=UTC).timestamp()
    moments = []
    for _ in range(3000):
        at = datetime.fromtimestamp(rng.uniform(start, end), UTC)
        moments.append(at.replace(microsecond=rng.choice([0, 1, 100, 500000, at.microsecond])))
    return moments


async def test_the_sql_texts_of_decimals_and_timestamps_are_the_serialisers(runtime):
    """Thousands of values through the SQL renderings, against the scalars' serialisers."""
    async with runtime.services.db.raw() as reads:
        decimals = await reads.fetch(
            f"SELECT x, {decimal_text_sql('x')} AS t FROM unnest($1::numeric[]) AS x",
            _sweep_decimals(),
        )
        times = await reads.fetch(
            f"SELECT x, {datetime_text_sql('x')} AS t FROM unnest($1::timestamptz[]) AS x",
            _sweep_times(),
        )
    assert [row["t"] for row in decimals] == [serialize_decimal(row["x"]) for row in decimals]
    assert [row["t"] for row in times] == [serialize_datetime(row["x"]) for row in times]


async def test_the_page_over_the_websocket_is_the_page_over_http(
    client, plans_trader, sql_built, ws_client
):
    # Websocket frames go through the same encoder: the database's JSON is spliced
    # into a frame as into a body, never sent as an object the encoder cannot write.
    user, _ = plans_trader
    over_http = json.loads(await both_ways(client, EVERYTHING, {}, user.token))
    socket = await ws_client({"Authorization": f"Bearer {user.token}"})
    operation = await socket.subscribe(EVERYTHING)
    message = await socket.receive()
    assert (message["id"], message["type"]) == (operation, "next"), message
    assert message["payload"] == over_http
    assert sql_built == [True, True]
