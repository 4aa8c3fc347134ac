"""Builders for insights tests: constructed snapshots, a fake Gemini endpoint, and a service
over them.

The fake sits behind the SDK's real HTTP layer: the GeminiProvider gets an
httpx.AsyncClient whose transport is an httpx.MockTransport, passed through
genai's HttpOptions(httpx_async_client=...). Every request the SDK builds is
recorded, and no request leaves the process.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from domain.insights.breaker import CircuitBreaker
from domain.insights.service import Insights
from domain.insights.snapshot import Holding, PortfolioSnapshot, RecentOrder
from persistence.stores.cache import MemoryCache
from web.adapters.gemini import GeminiProvider

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def holding(
    symbol: str,
    value: str,
    allocation: str,
    *,
    change: str | None = "0",
    pnl: str | None = None,
    cost: str | None = None,
) -> Holding:
    return Holding(
        symbol=symbol,
        name=f"{symbol} coin",
        market_value=Decimal(value),
        allocation=Decimal(allocation),
        change_24h=None if change is None else Decimal(change),
        unrealized_pnl=None if pnl is None else Decimal(pnl),
        cost_basis=None if cost is None else Decimal(cost),
    )


def order(
    symbol: str,
    side: str = "BUY",
    *,
    status: str = "FILLED",
    minutes_ago: int = 0,
    quantity: str = "1",
    price: str = "100",
) -> RecentOrder:
    filled = status == "FILLED"
    return RecentOrder(
        symbol=symbol,
        side=side,
        type="MARKET" if filled else "LIMIT",
        status=status,
        quantity=Decimal(quantity),
        price=Decimal(price),
        total=Decimal(quantity) * Decimal(price) if filled else None,
        created_at=NOW - timedelta(minutes=minutes_ago),
    )


def snapshot(
    cash: str, holdings: list[Holding] | None = None, orders: list[RecentOrder] | None = None
) -> PortfolioSnapshot:
    held = holdings or []
    total = Decimal(cash) + sum((h.market_value for h in held), Decimal(0))
    return PortfolioSnapshot(
        cash=Decimal(cash),
        total_value=total,
        holdings=tuple(held),
        recent_orders=tuple(orders or ()),
    )


def typical() -> PortfolioSnapshot:
    """About $10,234: BTC-heavy, some cash, two recent orders."""
    return snapshot(
        "3034.56",
        [
            holding("BTC", "5000.00", "48.85", change="2.3", pnl="300.00", cost="4700.00"),
            holding("ETH", "2200.00", "21.40", change="-1.2", pnl="-50.00", cost="2250.00"),
        ],
        [order("ETH", minutes_ago=5), order("BTC", minutes_ago=60)],
    )


def with_noise() -> PortfolioSnapshot:
    """``typical()`` a few price ticks later: every figure moved a little."""
    return snapshot(
        "3034.56",
        [
            holding("BTC", "5003.10", "48.87", change="2.41", pnl="303.10", cost="4700.00"),
            holding("ETH", "2198.70", "21.37", change="-1.16", pnl="-51.30", cost="2250.00"),
        ],
        [order("ETH", minutes_ago=5), order("BTC", minutes_ago=60)],
    )


# ------------------------------------------------------------------ Gemini replies


def answer(text: str, finish: str = "STOP") -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": finish}
            ],
            "modelVersion": "gemini-test",
        },
    )


def api_error(code: int, status: str, message: str) -> httpx.Response:
    return httpx.Response(
        code, json={"error": {"code": code, "message": message, "status": status}}
    )


def blocked_prompt() -> httpx.Response:
    return httpx.Response(200, json={"promptFeedback": {"blockReason": "SAFETY"}})


def stopped_for_safety() -> httpx.Response:
    return httpx.Response(200, json={"candidates": [{"finishReason": "SAFETY"}]})


Reply = httpx.Response | Exception | Callable[[], httpx.Response]


class FakeGemini:
    """A Gemini endpoint in process: records requests, answers with ``reply``.

    While ``gate`` is set and not yet open, every request waits at it, so tests can
    hold calls in flight.
    """

    def __init__(self, reply: Reply | None = None) -> None:
        self.reply: Reply = reply if reply is not None else answer("A calm reading.")
        self.requests: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []
        self.raw: list[str] = []
        self.gate: asyncio.Event | None = None

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.raw.append(request.content.decode())
        self.requests.append(json.loads(request.content))
        self.headers.append(request.headers)
        if self.gate is not None:
            await self.gate.wait()
        reply = self.reply
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            return reply()
        return reply

    @property
    def prompts(self) -> list[str]:
        return [body["contents"][0]["parts"][0]["text"] for body in self.requests]

    def provider(self, *, timeout_s: float = 2.0, model: str = "gemini-test") -> GeminiProvider:
        http = httpx.AsyncClient(transport=httpx.MockTransport(self.handle))
        return GeminiProvider(
            api_key="test-key", model=model, timeout_s=timeout_s, http_client=http
        )

    async def requests_reach(self, count: int) -> None:
        """Wait until ``count`` requests have arrived (they then wait at the gate)."""
        async with asyncio.timeout(5):
            while len(self.requests) < count:  # noqa: ASYNC110 - polling a list, not an event
                await asyncio.sleep(0.001)


class Clock:
    """The breaker's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class NoSnapshots:
    async def for_user(self, user_id: int, valuation: Any = None) -> Any:
        raise AssertionError("these tests read constructed snapshots")


def service(
    fake: FakeGemini,
    *,
    cache: Any = None,
    clock: Clock | None = None,
    timeout_s: float = 2.0,
    model: str = "gemini-test",
) -> Insights:
    return Insights(
        NoSnapshots(),
        fake.provider(timeout_s=timeout_s, model=model),
        cache if cache is not None else MemoryCache(),
        CircuitBreaker(5, 30, clock=clock or Clock()),
    )
