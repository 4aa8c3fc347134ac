"""What the live market publishes, and how it travels between processes.

Three channels carry everything: ``prices`` (one message per engine tick, holding
every asset that moved), ``orders`` (one message per order state change, for
whichever user it belongs to) and ``alerts`` (one message per price alert that
fires). Every server process relays them from the broker to its own websocket
subscribers, so no connection ever holds a broker subscription of its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.vocabulary import OrderType, TimeInForce
from persistence.models import Order, PriceAlert

PRICES_CHANNEL = "prices"
PRICES_CHANGE_PLACES = Decimal("0.0001")
"""Percent changes carry four decimal places."""
ORDERS_CHANNEL = "orders"
ALERTS_CHANNEL = "alerts"


@dataclass(frozen=True, slots=True)
class PriceTick:
    symbol: str
    price: Decimal
    price_change_24h: Decimal | None
    at: datetime


def encode_ticks(ticks: list[PriceTick]) -> str:
    """One message for a whole tick: serialised once, fanned out many times."""
    return json.dumps(
        [
            [
                t.symbol,
                str(t.price),
                None if t.price_change_24h is None else str(t.price_change_24h),
                t.at.isoformat(),
            ]
            for t in ticks
        ],
        separators=(",", ":"),
    )


def decode_ticks(message: str) -> list[PriceTick]:
    return [
        PriceTick(
            symbol,
            Decimal(price),
            None if change is None else Decimal(change),
            datetime.fromisoformat(at),
        )
        for symbol, price, change, at in json.loads(message)
    ]


@dataclass(frozen=True, slots=True)
class _RowFields:
    """How a row's columns travel: as they are (ints and text), as decimal strings, or as
    ISO instants; a column absent from a message (an older release sent it) reads as null."""

    plain: tuple[str, ...]
    decimals: tuple[str, ...]
    instants: tuple[str, ...]

    def encode(self, row: object) -> str:
        document: dict[str, Any] = {name: getattr(row, name) for name in self.plain}
        for name in self.decimals:
            value = getattr(row, name)
            document[name] = None if value is None else str(value)
        for name in self.instants:
            value = getattr(row, name)
            document[name] = None if value is None else value.isoformat()
        return json.dumps(document, separators=(",", ":"))

    def decode(self, document: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {name: document[name] for name in self.plain}
        for name in self.decimals:
            text = document.get(name)
            values[name] = None if text is None else Decimal(text)
        for name in self.instants:
            text = document.get(name)
            values[name] = None if text is None else datetime.fromisoformat(text)
        return values


_ORDER_FIELDS = _RowFields(
    plain=(
        "id",
        "user_id",
        "asset_id",
        "client_order_id",
        "side",
        "type",
        "status",
        "time_in_force",
    ),
    decimals=("quantity", "limit_price", "stop_price", "executed_price", "total"),
    instants=(
        "created_at",
        "filled_at",
        "cancelled_at",
        "expires_at",
        "triggered_at",
        "expired_at",
    ),
)
_ALERT_FIELDS = _RowFields(
    plain=("id", "user_id", "asset_id", "condition", "status"),
    decimals=("price", "triggered_price"),
    instants=("created_at", "triggered_at"),
)


def encode_order(order: Order) -> str:
    return _ORDER_FIELDS.encode(order)


def decode_order(message: str) -> Order:
    """A detached Order carrying the published state (never added to a session)."""
    document = json.loads(message)
    # A process still running the previous release publishes orders without the stop
    # and time-in-force fields: those orders are LIMIT (GTC) or MARKET (IOC).
    market = document["type"] == OrderType.MARKET
    document.setdefault("time_in_force", TimeInForce.IOC if market else TimeInForce.GTC)
    return Order(**_ORDER_FIELDS.decode(document))


def encode_alert(alert: PriceAlert) -> str:
    return _ALERT_FIELDS.encode(alert)


def decode_alert(message: str) -> PriceAlert:
    """A detached PriceAlert carrying the published state (never added to a session)."""
    return PriceAlert(**_ALERT_FIELDS.decode(json.loads(message)))
