"""GraphQL enums published over the domain's own classes (domain/vocabulary.py).

The schema does not copy a closed set of words into an enum of its own: it names
the domain's class, so a word added there is a word the API speaks, and the values
resolvers return need no translation. What the schema adds is documentation.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

# The domain's classes themselves, under the names the schema speaks of them by.
from domain.vocabulary import LedgerEntryType as BalanceTransactionType
from domain.vocabulary import OrderSide as OrderSide
from domain.vocabulary import OrderStatus as OrderStatus
from domain.vocabulary import OrderType as OrderType
from domain.vocabulary import PriceAlertCondition as PriceAlertCondition
from domain.vocabulary import PriceAlertStatus as PriceAlertStatus
from domain.vocabulary import TimeInForce as TimeInForce

E = TypeVar("E", bound=Enum)


def graphql_enum(
    words: type[E],
    *,
    name: str | None = None,
    description: str | None = None,
    values: Mapping[E, str] | None = None,
) -> None:
    """Publish ``words`` as a GraphQL enum, with a description for the ``values`` given.

    ``strawberry.enum_value`` can only describe a member where the class is written, and
    the domain's classes know nothing of GraphQL: the descriptions are set here instead.
    """
    strawberry.enum(words, name=name, description=description)
    definition: StrawberryEnumDefinition = words.__strawberry_definition__  # type: ignore[attr-defined]
    described = values or {}
    for value in definition.values:
        value.description = described.get(words[value.name])


graphql_enum(OrderSide)

graphql_enum(
    OrderType,
    values={
        OrderType.MARKET: "Executes at once at the current price, or is rejected.",
        OrderType.LIMIT: (
            "Rests until the price reaches limitPrice (BUY: price <= limit, SELL: price >= "
            "limit), then fills at that market price; fills at once if already marketable."
        ),
        OrderType.STOP: (
            "Stop-market: rests until the price reaches stopPrice (BUY: price >= stop, SELL: "
            "price <= stop), then executes as a MARKET order at that moment's price (REJECTED "
            "if the account cannot pay or deliver then). Triggers at once if the condition "
            "already holds. Holds like a LIMIT order at stopPrice."
        ),
        OrderType.STOP_LIMIT: (
            "Stop-limit: rests until the price reaches stopPrice as for STOP, then becomes a "
            "LIMIT order at limitPrice (triggeredAt set, status still OPEN until it fills). "
            "Holds like a LIMIT order at limitPrice."
        ),
    },
)

graphql_enum(
    TimeInForce,
    description=(
        "How long a resting order (LIMIT, STOP, STOP_LIMIT) stays open. MARKET orders always "
        "report IOC."
    ),
    values={
        TimeInForce.GTC: "Good till cancelled.",
        TimeInForce.IOC: (
            "Immediate or cancel: fills at once if it can, else it is CANCELLED at once; it "
            "never rests. No order fills partially, so this is also fill-or-kill."
        ),
        TimeInForce.DAY: "Expires at the end of the UTC day it was placed on.",
        TimeInForce.GTD: "Good till date: expires at expiresAt.",
    },
)

graphql_enum(
    OrderStatus,
    values={
        OrderStatus.OPEN: (
            "A resting order: a LIMIT, or a STOP/STOP_LIMIT waiting for its trigger (or a "
            "triggered STOP_LIMIT waiting for its limit)."
        ),
        OrderStatus.EXPIRED: (
            "A DAY or GTD order that reached expiresAt unfilled; what it held is released."
        ),
    },
)

graphql_enum(BalanceTransactionType, name="BalanceTransactionType")

graphql_enum(
    PriceAlertCondition,
    values={
        PriceAlertCondition.ABOVE: "Fires when the price is at or above the alert's price.",
        PriceAlertCondition.BELOW: "Fires when the price is at or below the alert's price.",
    },
)

graphql_enum(
    PriceAlertStatus,
    values={PriceAlertStatus.TRIGGERED: "Fired once; an alert never fires twice."},
)


__all__ = [
    "BalanceTransactionType",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "PriceAlertCondition",
    "PriceAlertStatus",
    "TimeInForce",
    "graphql_enum",
]
