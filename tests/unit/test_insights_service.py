"""Insights as served: the Gemini request, caching, single flight, the local analyser
standing in for failures and spent allowances, the breaker.

Gemini is faked behind the SDK's own HTTP layer (see tests/insights_samples.py):
the SDK builds and parses real requests and responses; none leaves the process.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from domain.insights.breaker import CircuitBreaker
from domain.insights.local import LOCAL_MODEL, LocalAnalyser
from domain.insights.prompt import SYSTEM_INSTRUCTION, render_prompt
from domain.insights.providers import FailureReason
from domain.insights.service import (
    CACHE_TTL_S,
    EMPTY_PORTFOLIO_SUMMARY,
    Insights,
    Reading,
)
from persistence.stores.cache import MemoryCache
from persistence.stores.rate_limits import MemoryRateLimiter
from tests.support.insights_samples import (
    Clock,
    FakeGemini,
    NoSnapshots,
    Reply,
    answer,
    api_error,
    blocked_prompt,
    holding,
    order,
    service,
    snapshot,
    stopped_for_safety,
    typical,
    with_noise,
)
from web.adapters.gemini import MAX_OUTPUT_TOKENS


class RecordingCache(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.ttls: list[int] = []

    async def set(self, key: str, value: str, *, ttl: int) -> None:
        self.ttls.append(ttl)
        await super().set(key, value, ttl=ttl)


class BrokenCache:
    shared = True

    async def get(self, key: str) -> str | None:
        raise ConnectionError("cache down")

    async def set(self, key: str, value: str, *, ttl: int) -> None:
        raise ConnectionError("cache down")

    async def delete(self, key: str) -> None:
        raise ConnectionError("cache down")


# ------------------------------------------------------------------ the request


async def test_the_request_carries_the_prompt_the_instruction_and_an_output_bound():
    fake = FakeGemini(answer("BTC leads your portfolio. Cash is a third of it."))
    reading = await service(fake).for_snapshot(typical())
    assert reading.summary == "BTC leads your portfolio. Cash is a third of it."
    assert (reading.model, reading.cached) == ("gemini-test", False)
    [body] = fake.requests
    assert fake.prompts == [render_prompt(typical())]
    assert body["systemInstruction"]["parts"][0]["text"] == SYSTEM_INSTRUCTION
    assert body["generationConfig"]["maxOutputTokens"] == MAX_OUTPUT_TOKENS
    assert fake.headers[0]["x-goog-api-key"] == "test-key"


async def test_a_flash_model_is_asked_for_minimal_thinking():
    # Thinking tokens would count against the output bound of a short reading.
    fake = FakeGemini()
    await service(fake, model="gemini-3.1-flash-lite").for_snapshot(typical())
    thinking = fake.requests[0]["generationConfig"]["thinkingConfig"]
    # The SDK writes this nested field in snake case; the API accepts either spelling.
    assert thinking.get("thinkingLevel", thinking.get("thinking_level")) == "MINIMAL"


async def test_an_answer_cut_off_by_the_token_bound_ends_at_its_last_sentence():
    fake = FakeGemini(answer("One full sentence.  Another one! And a half", finish="MAX_TOKENS"))
    reading = await service(fake).for_snapshot(typical())
    assert reading.summary == "One full sentence. Another one!"


async def test_an_empty_portfolio_gets_a_fixed_sentence_without_a_model_call():
    fake = FakeGemini()
    reading = await service(fake).for_snapshot(snapshot("1000.00"))
    assert (reading.summary, reading.model, reading.cached) == (
        EMPTY_PORTFOLIO_SUMMARY,
        LOCAL_MODEL,
        False,
    )
    assert fake.requests == []


# ------------------------------------------------------------------ the cache


async def test_a_reading_is_cached_for_a_day():
    fake, cache = FakeGemini(), RecordingCache()
    insights = service(fake, cache=cache)
    first = await insights.for_snapshot(typical())
    again = await insights.for_snapshot(typical())
    assert (first.cached, again.cached) == (False, True)
    assert (again.summary, again.generated_at, again.model) == (
        first.summary,
        first.generated_at,
        first.model,
    )
    assert len(fake.requests) == 1
    assert cache.ttls == [CACHE_TTL_S] == [24 * 60 * 60]


async def test_price_noise_is_served_from_the_cache():
    fake = FakeGemini()
    insights = service(fake)
    await insights.for_snapshot(typical())
    assert (await insights.for_snapshot(with_noise())).cached
    assert len(fake.requests) == 1


async def test_a_trade_invalidates_the_cached_reading():
    fake = FakeGemini()
    insights = service(fake)
    await insights.for_snapshot(typical())
    traded = snapshot(
        "2034.56",
        [holding("BTC", "5000.00", "42"), holding("SOL", "1000.00", "8")],
        [order("SOL"), *typical().recent_orders],
    )
    fake.reply = answer("A new reading.")
    reading = await insights.for_snapshot(traded)
    assert (reading.summary, reading.cached) == ("A new reading.", False)
    assert len(fake.requests) == 2


async def test_a_broken_cache_only_costs_a_model_call():
    fake = FakeGemini()
    insights = service(fake, cache=BrokenCache())
    assert not (await insights.for_snapshot(typical())).cached
    assert not (await insights.for_snapshot(typical())).cached
    assert len(fake.requests) == 2


async def test_a_damaged_cache_entry_is_a_miss():
    fake, cache = FakeGemini(), MemoryCache()
    insights = service(fake, cache=cache)
    await insights.for_snapshot(typical())
    for key in list(cache._entries):
        await cache.set(key, "{not json", ttl=60)
    assert not (await insights.for_snapshot(typical())).cached


# ------------------------------------------------------------------ single flight


async def test_concurrent_requests_for_one_fingerprint_call_the_model_once():
    fake = FakeGemini(answer("Shared."))
    fake.gate = asyncio.Event()
    insights = service(fake)
    waiting = asyncio.gather(
        *(insights.for_snapshot(typical() if n % 2 else with_noise()) for n in range(10))
    )
    await fake.requests_reach(1)
    await asyncio.sleep(0.01)
    fake.gate.set()
    readings = await waiting
    assert {reading.summary for reading in readings} == {"Shared."}
    assert len(fake.requests) == 1


async def test_a_caller_that_goes_away_does_not_cancel_the_others():
    fake = FakeGemini(answer("Still written."))
    fake.gate = asyncio.Event()
    insights = service(fake)
    impatient = asyncio.ensure_future(insights.for_snapshot(typical()))
    patient = asyncio.ensure_future(insights.for_snapshot(typical()))
    await fake.requests_reach(1)
    impatient.cancel()
    fake.gate.set()
    assert (await patient).summary == "Still written."


async def test_concurrent_requests_share_one_failure():
    fake = FakeGemini(api_error(503, "UNAVAILABLE", "backend overloaded"))
    fake.gate = asyncio.Event()
    insights = service(fake)
    waiting = asyncio.gather(*(insights.for_snapshot(typical()) for _ in range(5)))
    await fake.requests_reach(1)
    fake.gate.set()
    readings = await waiting
    assert {(reading.model, reading.fallback) for reading in readings} == {
        (LOCAL_MODEL, FailureReason.UNAVAILABLE)
    }
    assert len(fake.requests) == 1


# ------------------------------------------------------------------ failures


FAILURES: dict[str, tuple[Reply, FailureReason]] = {
    "quota": (api_error(429, "RESOURCE_EXHAUSTED", "Quota exceeded for x"), FailureReason.QUOTA),
    "server": (
        api_error(500, "INTERNAL", "Internal error at backend-17"),
        FailureReason.UNAVAILABLE,
    ),
    "bad key": (api_error(400, "INVALID_ARGUMENT", "API key not valid"), FailureReason.UNAVAILABLE),
    "gateway timeout": (api_error(504, "DEADLINE_EXCEEDED", "slow"), FailureReason.TIMEOUT),
    "blocked prompt": (blocked_prompt(), FailureReason.BLOCKED),
    "blocked answer": (stopped_for_safety(), FailureReason.BLOCKED),
    "empty answer": (answer("   "), FailureReason.UNAVAILABLE),
    "network": (httpx.ConnectError("connection refused by 10.0.0.7"), FailureReason.UNAVAILABLE),
    "read timeout": (httpx.ReadTimeout("read timed out"), FailureReason.TIMEOUT),
    "not json": (httpx.Response(200, text="<html>proxy error</html>"), FailureReason.UNAVAILABLE),
}


@pytest.mark.parametrize("case", FAILURES)
async def test_failures_fall_back_to_the_local_analysers_reading(case):
    # Before, each of these was INSIGHTS_UNAVAILABLE: the user now gets a reading anyway.
    reply, reason = FAILURES[case]
    reading = await service(FakeGemini(reply)).for_snapshot(typical())
    assert reading.summary == LocalAnalyser().read(typical())
    assert (reading.model, reading.cached, reading.fallback) == (LOCAL_MODEL, False, reason)
    for internal in ("RESOURCE_EXHAUSTED", "backend", "10.0.0.7", "html", "API key", "429"):
        assert internal not in reading.summary


async def test_a_provider_that_does_not_answer_in_time_times_out():
    fake = FakeGemini()
    fake.gate = asyncio.Event()  # never opened
    reading = await service(fake, timeout_s=0.05).for_snapshot(typical())
    assert (reading.model, reading.fallback) == (LOCAL_MODEL, FailureReason.TIMEOUT)


async def test_a_failure_is_not_cached():
    fake = FakeGemini(api_error(503, "UNAVAILABLE", "overloaded"))
    insights = service(fake)
    assert (await insights.for_snapshot(typical())).model == LOCAL_MODEL
    fake.reply = answer("Back again.")
    reading = await insights.for_snapshot(typical())
    assert (reading.summary, reading.cached) == ("Back again.", False)


# ------------------------------------------------------------------ the circuit breaker


async def fail(insights: Insights, times: int) -> list[FailureReason]:
    """Why the local analyser answered, ``times`` in a row (it must answer each time)."""
    reasons = []
    for _ in range(times):
        reading = await insights.for_snapshot(typical())
        assert reading.model == LOCAL_MODEL
        assert reading.fallback is not None
        reasons.append(reading.fallback)
    return reasons


async def test_the_breaker_opens_after_five_failures_then_lets_one_trial_through():
    clock = Clock()
    fake = FakeGemini(api_error(503, "UNAVAILABLE", "overloaded"))
    insights = service(fake, clock=clock)
    assert await fail(insights, 5) == [FailureReason.UNAVAILABLE] * 5
    # Open: answered at once, the provider is not called.
    assert await fail(insights, 3) == [FailureReason.PAUSED] * 3
    assert len(fake.requests) == 5
    clock.now += 29
    assert await fail(insights, 1) == [FailureReason.PAUSED]
    # Cooldown over: one trial call; it fails, so the breaker opens again at once.
    clock.now += 1
    assert await fail(insights, 2) == [FailureReason.UNAVAILABLE, FailureReason.PAUSED]
    assert len(fake.requests) == 6
    # The next trial succeeds and closes the breaker.
    clock.now += 30
    fake.reply = answer("Recovered.")
    assert (await insights.for_snapshot(typical())).summary == "Recovered."
    fake.reply = answer("Closed again.")
    assert (await insights.for_snapshot(snapshot("5", [holding("BTC", "5", "50")]))).summary == (
        "Closed again."
    )
    assert len(fake.requests) == 8


async def test_a_success_resets_the_count_of_consecutive_failures():
    fake = FakeGemini(api_error(503, "UNAVAILABLE", "overloaded"))
    insights = service(fake)
    await fail(insights, 4)
    fake.reply = answer("Fine.")
    await insights.for_snapshot(snapshot("5", [holding("BTC", "5", "50")]))
    fake.reply = api_error(503, "UNAVAILABLE", "overloaded")
    assert await fail(insights, 6) == [FailureReason.UNAVAILABLE] * 5 + [FailureReason.PAUSED]


async def test_blocked_content_does_not_trip_the_breaker():
    fake = FakeGemini(blocked_prompt())
    insights = service(fake)
    assert await fail(insights, 7) == [FailureReason.BLOCKED] * 7
    assert len(fake.requests) == 7


# ------------------------------------------------------------------ the allowance


def metered(fake: FakeGemini, per_hour: int, limiter: MemoryRateLimiter) -> Insights:
    return Insights(
        NoSnapshots(),
        fake.provider(),
        MemoryCache(),
        CircuitBreaker(5, 30, clock=Clock()),
        limiter=limiter,
        per_user_per_hour=per_hour,
    )


async def test_past_its_hourly_allowance_a_user_gets_the_local_reading():
    fake, limiter = FakeGemini(answer("From the model.")), MemoryRateLimiter()
    insights = metered(fake, 2, limiter)
    portfolios = [snapshot("5", [holding("BTC", "5", str(share))]) for share in (50, 60, 70)]
    readings = [await insights.for_snapshot(each, user_id=7) for each in portfolios]
    assert [(r.model, r.fallback) for r in readings] == [
        ("gemini-test", None),
        ("gemini-test", None),
        (LOCAL_MODEL, FailureReason.ALLOWANCE),
    ]
    assert readings[2].summary == LocalAnalyser().read(portfolios[2])
    assert len(fake.requests) == 2
    # A cached reading spends nothing; another user has an allowance of their own.
    assert (await insights.for_snapshot(portfolios[0], user_id=7)).cached
    other = await insights.for_snapshot(snapshot("9", [holding("ETH", "9", "90")]), user_id=8)
    assert other.model == "gemini-test"
    assert len(fake.requests) == 3


async def test_a_spent_allowance_does_not_hold_the_breakers_trial():
    clock, limiter = Clock(), MemoryRateLimiter()
    fake = FakeGemini(api_error(503, "UNAVAILABLE", "overloaded"))
    insights = Insights(
        NoSnapshots(),
        fake.provider(),
        MemoryCache(),
        CircuitBreaker(1, 30, clock=clock),
        limiter=limiter,
        per_user_per_hour=1,
    )
    assert (await insights.for_snapshot(typical(), user_id=1)).fallback is FailureReason.UNAVAILABLE
    clock.now += 30  # the trial is due; user 1 has no allowance left, user 2 has
    assert (await insights.for_snapshot(typical(), user_id=1)).fallback is FailureReason.ALLOWANCE
    fake.reply = answer("Recovered.")
    assert (await insights.for_snapshot(typical(), user_id=2)).summary == "Recovered."


def test_the_half_open_breaker_admits_a_single_trial():
    clock = Clock()
    breaker = CircuitBreaker(2, 10, clock=clock)

    def state() -> tuple[bool, bool]:
        """(open?, would a call go through?) - asking the second may start the trial."""
        return breaker.is_open, breaker.allow()

    breaker.record_failure()
    assert state() == (False, True)
    breaker.record_failure()
    assert state() == (True, False)
    clock.now += 10
    assert state() == (True, True)
    assert state() == (True, False)  # the trial is still running
    breaker.record_no_verdict()
    assert state() == (True, True)  # a cancelled trial hands the turn on
    breaker.record_success()
    assert state() == (False, True)


def test_a_reading_keeps_its_generation_time_in_the_cache():
    reading = Reading("Text.", datetime(2026, 11, 28, 9, 30, tzinfo=UTC), "gemini-test", False)
    restored = Reading.from_cache(reading.to_json())
    assert restored == Reading(reading.summary, reading.generated_at, reading.model, True)


def test_the_allowance_is_a_setting():
    from web.config import ConfigError, Settings

    assert Settings.from_env({}).insights_per_user_per_hour == 10
    assert Settings.from_env({"INSIGHTS_PER_USER_PER_HOUR": "3"}).insights_per_user_per_hour == 3
    with pytest.raises(ConfigError, match=r"^INSIGHTS_PER_USER_PER_HOUR: "):
        Settings.from_env({"INSIGHTS_PER_USER_PER_HOUR": "0"})
