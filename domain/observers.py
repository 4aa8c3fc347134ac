"""Observers the domain reports to, without knowing who listens (metrics, audits).

The web layer supplies real observers at start-up; everything defaults to the
no-op one, so the domain and its tests run without them. An observer is called
after the transaction it reports on has committed, and must not raise.
"""

from __future__ import annotations

from typing import Protocol

from persistence.models import Order


class OrderObserver(Protocol):
    def order_placed(self, order: Order) -> None:
        """A new order was accepted (open, or filled at once)."""

    def order_filled(self, order: Order) -> None:
        """An order was filled: at placement, or later when a tick crossed its limit or
        triggered its stop."""


class IgnoreOrders:
    def order_placed(self, order: Order) -> None:
        pass

    def order_filled(self, order: Order) -> None:
        pass


NO_ORDER_OBSERVER: OrderObserver = IgnoreOrders()
