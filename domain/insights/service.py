"""Portfolio insights as served: cached by fingerprint, one model call per fingerprint at
a time, a per-user hourly allowance of model calls, and a circuit breaker in front of
the provider.

Whenever the model cannot or may not write a reading (the user's allowance is spent,
the provider's quota is exhausted, it fails or times out, the breaker is open), the
local analyser writes one instead: the user always gets a reading, and its ``model``
says which one wrote it. Those stand-in readings are not cached, so that the model's
own is written once it is back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.clock import utc_now
from domain.insights.breaker import CircuitBreaker
from domain.insights.local import LOCAL_MODEL, LocalAnalyser
from domain.insights.prompt import fingerprint
from domain.insights.providers import MESSAGES, FailureReason, InsightsProvider, ProviderFailed
from domain.insights.single_flight import SingleFlight
from domain.insights.snapshot import PortfolioSnapshot
from domain.portfolio import Valuation
from persistence.stores.cache import Cache
from persistence.stores.rate_limits import RateLimiter

log = logging.getLogger("cnop.insights")

CACHE_TTL_S = 24 * 60 * 60
ALLOWANCE_WINDOW_S = 60 * 60
EMPTY_PORTFOLIO_SUMMARY = (
    "Your portfolio is empty: you hold no assets and have placed no orders yet. "
    "Once you buy a first asset, this reading will describe your allocation, "
    "diversification, cash share and performance."
)


@dataclass(frozen=True, slots=True)
class Reading:
    summary: str
    generated_at: datetime
    model: str
    cached: bool
    fallback: FailureReason | None = None
    """Why the local analyser stood in for the model (None: it did not); for logs and tests."""

    def to_json(self) -> str:
        return json.dumps(
            {
                "summary": self.summary,
                "generated_at": self.generated_at.isoformat(),
                "model": self.model,
            }
        )

    @classmethod
    def from_cache(cls, raw: str) -> Reading:
        data = json.loads(raw)
        return cls(
            summary=str(data["summary"]),
            generated_at=datetime.fromisoformat(data["generated_at"]),
            model=str(data["model"]),
            cached=True,
        )


class InsightsUnavailable(Exception):
    """No reading can be served now (not even the local one); ``message`` is for people."""

    def __init__(self, reason: FailureReason) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.message = MESSAGES[reason]


class SnapshotReader(Protocol):
    async def for_user(
        self, user_id: int, valuation: Valuation | None = None
    ) -> PortfolioSnapshot: ...


class Insights:
    def __init__(
        self,
        snapshots: SnapshotReader,
        provider: InsightsProvider,
        cache: Cache,
        breaker: CircuitBreaker,
        *,
        clock: Callable[[], datetime] = utc_now,
        limiter: RateLimiter | None = None,
        per_user_per_hour: int = 10,
    ) -> None:
        """``limiter`` counts each user's model calls, ``per_user_per_hour`` at most
        (None: no allowance, every call may go to the model)."""
        self._snapshots = snapshots
        self._provider = provider
        self._local = LocalAnalyser()
        self._cache = cache
        self._breaker = breaker
        self._clock = clock
        self._limiter = None if provider.model == LOCAL_MODEL else limiter
        self._per_user_per_hour = per_user_per_hour
        self._flights: SingleFlight[Reading] = SingleFlight()

    @property
    def model(self) -> str:
        return self._provider.model

    async def for_user(self, user_id: int, valuation: Valuation | None = None) -> Reading:
        snapshot = await self._snapshots.for_user(user_id, valuation)
        return await self.for_snapshot(snapshot, user_id)

    async def for_snapshot(
        self, snapshot: PortfolioSnapshot, user_id: int | None = None
    ) -> Reading:
        if snapshot.is_empty:
            # Nothing to read: a fixed sentence, no model call, nothing cached.
            return Reading(EMPTY_PORTFOLIO_SUMMARY, self._clock(), LOCAL_MODEL, cached=False)
        key = "insights:" + fingerprint(snapshot, self._provider.model)
        cached = await self._cached(key)
        if cached is not None:
            return cached
        return await self._flights.run(key, lambda: self._write(key, snapshot, user_id))

    async def _cached(self, key: str) -> Reading | None:
        try:
            raw = await self._cache.get(key)
            return None if raw is None else Reading.from_cache(raw)
        except Exception as problem:
            # The cache only saves work: an unreachable store or a damaged entry is a miss.
            log.warning("insights: cache read failed (%s); writing afresh", type(problem).__name__)
            return None

    async def _within_allowance(self, user_id: int | None) -> bool:
        if self._limiter is None or user_id is None:
            return True
        try:
            counted = await self._limiter.hit(
                f"insights:user:{user_id}",
                limit=self._per_user_per_hour,
                window=ALLOWANCE_WINDOW_S,
            )
        except Exception as problem:
            # Unknown: the free local reading rather than an unmetered model call.
            log.warning("insights: allowance unknown (%s)", type(problem).__name__)
            return False
        return counted.allowed

    def _local_reading(self, snapshot: PortfolioSnapshot, reason: FailureReason) -> Reading:
        try:
            summary = self._local.read(snapshot)
        except Exception:
            log.exception("insights: the local analyser failed")
            raise InsightsUnavailable(reason) from None
        return Reading(summary, self._clock(), LOCAL_MODEL, cached=False, fallback=reason)

    async def _write(self, key: str, snapshot: PortfolioSnapshot, user_id: int | None) -> Reading:
        # Looked up again inside the flight: a flight that landed between our cache miss
        # and our start, or another process sharing the cache, may have just written it.
        cached = await self._cached(key)
        if cached is not None:
            return cached
        if not self._breaker.allow():
            return self._local_reading(snapshot, FailureReason.PAUSED)
        if not await self._within_allowance(user_id):
            self._breaker.record_no_verdict()  # hands a half-open trial on
            return self._local_reading(snapshot, FailureReason.ALLOWANCE)
        try:
            summary = await self._provider.summarise(snapshot)
        except ProviderFailed as failure:
            self._record(failure)
            return self._local_reading(snapshot, failure.reason)
        except BaseException:
            self._breaker.record_no_verdict()
            raise
        self._breaker.record_success()
        reading = Reading(summary, self._clock(), self._provider.model, cached=False)
        try:
            await self._cache.set(key, reading.to_json(), ttl=CACHE_TTL_S)
        except Exception as problem:
            log.warning("insights: cache write failed (%s)", type(problem).__name__)
        return reading

    def _record(self, failure: ProviderFailed) -> None:
        log.warning("insights: %s failed: %s", self._provider.model, failure)
        if not failure.counts_against_provider:
            self._breaker.record_no_verdict()
            return
        was_open = self._breaker.is_open
        self._breaker.record_failure()
        if self._breaker.is_open and not was_open:
            log.warning("insights: circuit breaker open; %s is not called for now", self.model)

    async def aclose(self) -> None:
        await self._provider.aclose()
