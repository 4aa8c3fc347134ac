"""What writes a reading: the provider interface and the failures a provider reports."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from domain.insights.snapshot import PortfolioSnapshot


class FailureReason(StrEnum):
    TIMEOUT = "timeout"
    QUOTA = "quota"
    BLOCKED = "blocked"
    UNAVAILABLE = "unavailable"
    """Network failures, server errors, a rejected key, an empty or unreadable answer."""
    PAUSED = "paused"
    """The circuit breaker is open: the provider was not called."""
    ALLOWANCE = "allowance"
    """The user's hourly allowance of model calls is spent: the provider was not called."""


MESSAGES = {
    FailureReason.TIMEOUT: "Writing your portfolio insights took too long; try again in a minute.",
    FailureReason.QUOTA: (
        "Portfolio insights are in high demand right now; try again in a few minutes."
    ),
    FailureReason.BLOCKED: (
        "No insights could be written for this portfolio; try again after it changes."
    ),
    FailureReason.UNAVAILABLE: (
        "Portfolio insights are unavailable right now; try again in a few minutes."
    ),
    FailureReason.PAUSED: (
        "Portfolio insights are paused after repeated failures; try again in a minute."
    ),
    FailureReason.ALLOWANCE: (
        "You have asked for many portfolio insights this hour; try again later."
    ),
}


class ProviderFailed(Exception):
    """The provider could not write a reading. ``detail`` is for logs, never for clients."""

    def __init__(self, reason: FailureReason, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

    @property
    def counts_against_provider(self) -> bool:
        # Refusing one portfolio's content says nothing about the provider's health:
        # it must not trip the breaker for everyone else.
        return self.reason is not FailureReason.BLOCKED


class InsightsProvider(Protocol):
    @property
    def model(self) -> str:
        """The name shown as PortfolioInsights.model, and part of the cache key."""
        ...

    async def summarise(self, snapshot: PortfolioSnapshot) -> str:
        """2 to 4 plain sentences about a non-empty snapshot; raises ProviderFailed."""
        ...

    async def aclose(self) -> None: ...
