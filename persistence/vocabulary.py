"""The closed sets of words the tables store: order side, type, status and time in force,
ledger entry types, price alert conditions and statuses, red-pocket claim kinds.

Defined here, at the bottom of the layering, because the tables' check constraints and
the repositories' queries need them and persistence imports nothing above it. The
layers above take them from ``domain.vocabulary``, which re-exports this module; the
schema publishes the same classes as GraphQL enums (``schema/enums.py``).

Each member's value is the stored string, equal to its name: a member compares equal to
the string a row holds, so reading and writing rows needs no conversion. One module for
all of them: the sets are few and small, and together they are what the tables may hold.
"""

from __future__ import annotations

from enum import StrEnum


class OrderSide(StrEnum):
    """Which way units move; also the side of the asset transaction a fill writes."""

    BUY = "BUY"
    SELL = "SELL"


class OrderType(StrEnum):
    """How an order executes (the API's OrderType says it in full)."""

    MARKET = "MARKET"
    """At once, at the current price."""
    LIMIT = "LIMIT"
    STOP = "STOP"
    """Once the price reaches its stop: then as MARKET."""
    STOP_LIMIT = "STOP_LIMIT"
    """Once the price reaches its stop: then as LIMIT."""


class OrderStatus(StrEnum):
    """Where an order is in its life: OPEN until it leaves for one of the other four."""

    OPEN = "OPEN"
    """Resting, holding cash (BUY) or units (SELL)."""
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"
    REJECTED = "REJECTED"
    """Refused by the platform when it came to fill it."""
    EXPIRED = "EXPIRED"


class TimeInForce(StrEnum):
    """How long a resting order stays open."""

    GTC = "GTC"
    """Good till cancelled."""
    IOC = "IOC"
    """Immediate or cancel: never rests. Every MARKET order is IOC."""
    DAY = "DAY"
    """Until the end of the UTC day it was placed on."""
    GTD = "GTD"
    """Until its own expires_at."""


class LedgerEntryType(StrEnum):
    """What moved the cash of one ledger entry."""

    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    ORDER_BUY = "ORDER_BUY"
    ORDER_SELL = "ORDER_SELL"
    REWARD = "REWARD"
    """A red-pocket prize."""


class PriceAlertCondition(StrEnum):
    ABOVE = "ABOVE"
    """Met at or above the alert's price."""
    BELOW = "BELOW"
    """Met at or below the alert's price."""


class PriceAlertStatus(StrEnum):
    """ACTIVE until its condition is first met; an alert never fires twice."""

    ACTIVE = "ACTIVE"
    TRIGGERED = "TRIGGERED"


class RedPocketKind(StrEnum):
    """What one red-pocket guess won: the secret prize, the consolation, or nothing."""

    SECRET = "SECRET"
    CONSOLATION = "CONSOLATION"
    NONE = "NONE"
