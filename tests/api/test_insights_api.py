"""me.insights over HTTP: readings, the cache flag, and the local reading that stands in
when the model fails, as clients see them."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest

from domain.insights.breaker import CircuitBreaker
from domain.insights.local import LOCAL_MODEL
from domain.insights.service import EMPTY_PORTFOLIO_SUMMARY, Insights
from domain.insights.source import SnapshotSource
from persistence.stores.cache import MemoryCache
from tests.conftest import GraphQLClient
from tests.support.insights_samples import FakeGemini, answer, api_error
from web.app import create_app

INSIGHTS = "{ me { insights { summary generatedAt model cached } } }"
PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { status } errors { code message } }
}"""


async def buy(gql, user, symbol, quantity):
    variables = {"input": {"assetSymbol": symbol, "side": "BUY", "quantity": quantity}}
    payload = (await gql(PLACE, variables, token=user.token))["placeOrder"]
    assert payload["errors"] == [], payload


async def invested_user(gql, make_user, make_asset):
    user = await make_user(cash="10000.00")
    await buy(gql, user, await make_asset("250.00"), "20")
    await buy(gql, user, await make_asset("40.00"), "10")
    return user


@pytest.fixture
async def gemini_gql(settings, runtime):
    """The app with a Gemini provider whose HTTP endpoint is faked in process."""
    fake = FakeGemini(answer("Your portfolio leans on one asset. Cash is about half of it."))
    services = runtime.services
    insights = Insights(
        SnapshotSource(services.db, services.portfolios),
        fake.provider(),
        MemoryCache(),
        CircuitBreaker(5, 30),
    )
    faked = dataclasses.replace(runtime, services=dataclasses.replace(services, insights=insights))
    transport = httpx.ASGITransport(app=create_app(settings, faked))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield GraphQLClient(http), fake
    await insights.aclose()


async def test_an_empty_portfolio_reads_a_fixed_sentence(gql, make_user):
    user = await make_user(cash="1000.00")
    insights = (await gql(INSIGHTS, token=user.token))["me"]["insights"]
    assert insights["summary"] == EMPTY_PORTFOLIO_SUMMARY
    assert (insights["model"], insights["cached"]) == (LOCAL_MODEL, False)
    assert insights["generatedAt"].endswith("+00:00")


async def test_without_an_api_key_the_local_analyser_reads_the_portfolio(
    gql, make_user, make_asset
):
    user = await invested_user(gql, make_user, make_asset)
    first = (await gql(INSIGHTS, token=user.token))["me"]["insights"]
    assert first["model"] == LOCAL_MODEL
    assert first["cached"] is False
    assert "makes up 50% of your portfolio" in first["summary"]
    assert "Your last 2 orders were all buys" in first["summary"]
    again = (await gql(INSIGHTS, token=user.token))["me"]["insights"]
    assert again == {**first, "cached": True}


async def test_gemini_reads_the_portfolio_and_learns_nothing_personal(
    gemini_gql, make_user, make_asset
):
    gql, fake = gemini_gql
    user = await invested_user(gql, make_user, make_asset)
    insights = (await gql(INSIGHTS, token=user.token))["me"]["insights"]
    assert insights["summary"] == "Your portfolio leans on one asset. Cash is about half of it."
    assert (insights["model"], insights["cached"]) == ("gemini-test", False)
    [prompt] = fake.prompts
    assert "Total value: $10,000" in prompt
    assert "value $5,000, 50% of total" in prompt
    assert prompt.count(" UTC: BUY MARKET ") == 2
    for personal in (user.username, user.email, user.email.split("@")[1], user.token):
        assert personal not in fake.raw[0]


async def test_a_trade_brings_a_fresh_reading(gemini_gql, make_user, make_asset):
    gql, fake = gemini_gql
    user = await invested_user(gql, make_user, make_asset)
    await gql(INSIGHTS, token=user.token)
    assert (await gql(INSIGHTS, token=user.token))["me"]["insights"]["cached"] is True
    await buy(gql, user, await make_asset("10.00"), "3")
    assert (await gql(INSIGHTS, token=user.token))["me"]["insights"]["cached"] is False
    assert len(fake.requests) == 2


async def test_a_quota_error_serves_the_local_reading(gemini_gql, make_user, make_asset):
    # Before, a null field and INSIGHTS_UNAVAILABLE: now the local analyser's reading.
    gql, fake = gemini_gql
    fake.reply = api_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for project 1234")
    user = await invested_user(gql, make_user, make_asset)
    body = await gql.raw(INSIGHTS, token=user.token)
    assert "errors" not in body
    insights = body["data"]["me"]["insights"]
    assert (insights["model"], insights["cached"]) == (LOCAL_MODEL, False)
    assert "makes up 50% of your portfolio" in insights["summary"]
    for internal in ("RESOURCE_EXHAUSTED", "Quota exceeded", "1234", "Traceback", "genai"):
        assert internal not in str(body)
    # Not cached: once the model answers again, its reading is written.
    fake.reply = answer("Back from the model.")
    again = (await gql(INSIGHTS, token=user.token))["me"]["insights"]
    assert (again["summary"], again["model"]) == ("Back from the model.", "gemini-test")


async def test_an_outage_serves_the_local_reading_with_the_rest_of_the_query(
    gemini_gql, make_user, make_asset
):
    gql, fake = gemini_gql
    fake.reply = httpx.ConnectError("no route to host")
    user = await invested_user(gql, make_user, make_asset)
    body = await gql.raw("{ me { username insights { model } } }", token=user.token)
    assert body == {"data": {"me": {"username": user.username, "insights": {"model": LOCAL_MODEL}}}}


async def test_parallel_requests_for_one_portfolio_call_the_model_once(
    gemini_gql, make_user, make_asset
):
    gql, fake = gemini_gql
    user = await invested_user(gql, make_user, make_asset)
    fake.gate = asyncio.Event()
    waiting = asyncio.gather(*(gql(INSIGHTS, token=user.token) for _ in range(8)))
    await fake.requests_reach(1)
    await asyncio.sleep(0.05)
    fake.gate.set()
    results = await waiting
    summaries = {result["me"]["insights"]["summary"] for result in results}
    assert summaries == {"Your portfolio leans on one asset. Cash is about half of it."}
    assert len(fake.requests) == 1


async def test_insights_need_a_signed_in_user(gql):
    assert (await gql(INSIGHTS))["me"] is None
