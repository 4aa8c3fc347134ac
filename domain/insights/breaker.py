"""A circuit breaker: stop calling a provider that keeps failing, then probe it once.

Closed: every call goes through. After ``failure_threshold`` consecutive failures it
opens: calls are refused at once for ``cooldown_s``. Then it lets exactly one trial
call through (half-open); success closes it, failure opens it for another cooldown.
The state is per process: each server process protects itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(
        self,
        failure_threshold: int,
        cooldown_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = failure_threshold
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def allow(self) -> bool:
        """May a call go through now? A True while open makes that call the one trial."""
        if self._opened_at is None:
            return True
        if self._trial_running or self._clock() - self._opened_at < self._cooldown_s:
            return False
        self._trial_running = True
        return True

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_running or self._failures >= self._threshold:
            self._opened_at = self._clock()
        self._trial_running = False

    def record_no_verdict(self) -> None:
        """The call ended without telling whether the provider works (cancelled, or a
        failure that is not the provider's): let the next call be the trial instead."""
        self._trial_running = False
