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


_ORDER_DECIMALS = ("quantity", "limit_price", "stop_price", "executed_price", "total")
_ORDER_INSTANTS = (
    "created_at",
    "filled_at",
    "cancelled_at",
    "expires_at",
    "triggered_at",
    "expired_at",
)
_ORDER_PLAIN = (
    "id",
    "user_id",
    "asset_id",
    "client_order_id",
    "side",
    "type",
    "status",
    "time_in_force",
)


def encode_order(order: Order) -> str:
    document: dict[str, Any] = {name: getattr(order, name) for name in _ORDER_PLAIN}
    for name in _ORDER_DECIMALS:
        value = getattr(order, name)
        document[name] = None if value is None else str(value)
    for name in _ORDER_INSTANTS:
        value = getattr(order, name)
        document[name] = None if value is None else value.isoformat()
    return json.dumps(document, separators=(",", ":"))


def decode_order(message: str) -> Order:
    """A detached Order carrying the published state (never added to a session)."""
    document = json.loads(message)
    # A process still running the previous release publishes orders without the stop
    # and time-in-force fields: those orders are LIMIT (GTC) or MARKET (IOC).
    market = document["type"] == OrderType.MARKET
    document.setdefault("time_in_force", TimeInForce.IOC if market else TimeInForce.GTC)
    values: dict[str, Any] = {name: document[name] for name in _ORDER_PLAIN}
    for name in _ORDER_DECIMALS:
        text = document.get(name)
        values[name] = None if text is None else Decimal(text)
    for name in _ORDER_INSTANTS:
        text = document.get(name)
        values[name] = None if text is None else datetime.fromisoformat(text)
    return Order(**values)


_ALERT_DECIMALS = ("price", "triggered_price")
_ALERT_INSTANTS = ("created_at", "triggered_at")
_ALERT_PLAIN = ("id", "user_id", "asset_id", "condition", "status")


def encode_alert(alert: PriceAlert) -> str:
    document: dict[str, Any] = {name: getattr(alert, name) for name in _ALERT_PLAIN}
    for name in _ALERT_DECIMALS:
        value = getattr(alert, name)
        document[name] = None if value is None else str(value)
    for name in _ALERT_INSTANTS:
        value = getattr(alert, name)
        document[name] = None if value is None else value.isoformat()
    return json.dumps(document, separators=(",", ":"))


def decode_alert(message: str) -> PriceAlert:
    """A detached PriceAlert carrying the published state (never added to a session)."""
    document = json.loads(message)
    values: dict[str, Any] = {name: document[name] for name in _ALERT_PLAIN}
    for name in _ALERT_DECIMALS:
        values[name] = None if document[name] is None else Decimal(document[name])
    for name in _ALERT_INSTANTS:
        values[name] = None if document[name] is None else datetime.fromisoformat(document[name])
    return PriceAlert(**values)
