"""Operations too costly to run are refused through the API, over HTTP and websockets,
priced with the variables the request sends, while other requests are served."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.support.documents import DOUBLING
from tests.support.http import app_client, bearer, code_of, post, user_budget_client


@pytest.mark.parametrize("document", DOUBLING.values(), ids=DOUBLING.keys())
async def test_fragment_doubling_is_refused_promptly_while_others_are_served(
    settings, runtime, document
):
    normal = "{ assets(first: 2) { edges { node { symbol } } } }"
    async with app_client(settings, runtime, rate_limits_enabled=True) as http:
        started = time.perf_counter()
        # Generous bounds: measuring used to expand every spread, seconds per level.
        (_, hostile), (_, served) = await asyncio.wait_for(
            asyncio.gather(post(http, document), post(http, normal)), 2
        )
        elapsed = time.perf_counter() - started
    assert code_of(hostile) == "QUERY_TOO_COMPLEX", hostile
    assert hostile.get("data") is None
    assert len(served["data"]["assets"]["edges"]) == 2
    assert elapsed < 2


async def test_a_page_size_variable_is_priced_at_the_value_sent(settings, runtime, make_user):
    user = await make_user()
    paged = (
        "query($n: Int = 1) { me { orders(first: $n) { edges { node { asset { symbol } } } } } }"
    )
    async with user_budget_client(settings, runtime, "10.3", 100) as http:
        auth = bearer(user.token)
        default, _ = await post(http, paged, headers=auth)  # 1 + 5 // 10 = 1
        large, _ = await post(http, paged, {"n": 100}, headers=auth)  # 1 + 302 // 10 = 31
        odd, _ = await post(http, paged, {"n": None}, headers=auth)  # the default again: 1
    assert default.headers["X-RateLimit-Remaining"] == "99"
    assert large.headers["X-RateLimit-Remaining"] == "68"
    assert odd.headers["X-RateLimit-Remaining"] == "67"


async def test_a_small_default_does_not_let_a_large_page_past_the_cost_limit(settings, runtime):
    charts = (
        "query($n: Int = 1) { assets(first: $n) { edges { node { priceHistory { price } } } } }"
    )
    async with app_client(settings, runtime) as http:
        _, small = await post(http, charts)
        _, large = await post(http, charts, {"n": 100})
    assert "errors" not in small
    assert code_of(large) == "QUERY_TOO_COMPLEX"
    assert "29,101" in large["errors"][0]["message"]


async def test_over_a_websocket_too(ws_client):
    client = await ws_client()
    charts = (
        "query($n: Int = 1) { assets(first: $n) { edges { node { priceHistory { price } } } } }"
    )
    refused = []
    for document, variables in ((DOUBLING["typename chain"], {}), (charts, {"n": 100})):
        operation = await client.subscribe(document, variables)
        refused.append(await asyncio.wait_for(client.receive(), 2))
        assert refused[-1]["id"] == operation
    assert [message["type"] for message in refused] == ["error", "error"], refused
    assert [message["payload"][0]["extensions"]["code"] for message in refused] == [
        "QUERY_TOO_COMPLEX"
    ] * 2
    await client.subscribe(charts, {"n": 2})
    assert len((await client.data())["assets"]["edges"]) == 2
