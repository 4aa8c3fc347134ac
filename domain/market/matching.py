"""Filling resting limit orders when a price tick crosses them."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

from domain.execution import BUY, settle_fill, trade_total
from domain.observers import NO_ORDER_OBSERVER, OrderObserver
from domain.orders import Orders, order_value_problem, release_hold
from persistence.database import Database
from persistence.models import Order
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.orders import OrderRepository

log = logging.getLogger(__name__)

MAX_FILLS_PER_TICK = 1000
CONCURRENT_FILLS = 4


def crosses(side: str, limit_price: Decimal, price: Decimal) -> bool:
    """BUY fills when the price falls to the limit or below, SELL when it rises to it or above."""
    return price <= limit_price if side == BUY else price >= limit_price


class Matcher:
    def __init__(
        self, db: Database, orders: Orders, observer: OrderObserver = NO_ORDER_OBSERVER
    ) -> None:
        self._db = db
        self._orders = orders
        self._observer = observer

    async def match(self, prices: dict[int, Decimal]) -> list[Order]:
        """Fill every open order these prices (asset id -> price) cross, at those prices."""
        async with self._db.read() as session:
            candidates = await OrderRepository(session).crossed_by(prices, MAX_FILLS_PER_TICK)
        if not candidates:
            return []
        gate = asyncio.Semaphore(CONCURRENT_FILLS)

        async def fill(order_id: int, asset_id: int) -> Order | None:
            async with gate:
                return await self.fill(order_id, prices[asset_id])

        results = await asyncio.gather(*(fill(o, a) for o, a in candidates))
        return [order for order in results if order is not None]

    async def fill(self, order_id: int, price: Decimal) -> Order | None:
        """Fill one order at ``price`` in its own transaction; the order as it now is.

        An order whose value at ``price`` falls outside the order value limits (a
        SELL that rose past the maximum, a BUY that fell under the minimum) is
        REJECTED instead, its hold released: the limits hold at the price an order
        executes at, not only at its limit. None when the order is no longer open,
        or another process is filling it.
        """
        async with self._db.transaction() as session:
            orders = OrderRepository(session)
            seen = await orders.get(order_id)
            if seen is None or seen.status != "OPEN":
                return None
            # Same lock order as placing and cancelling: the owner's cash row first.
            await BalanceRepository(session).lock(seen.user_id)
            order = await orders.lock_open(order_id)
            if order is None or order.limit_price is None:
                return None  # cancelled, filled, or being filled by another process
            if not crosses(order.side, order.limit_price, price):
                return None
            problem = order_value_problem(self._orders.limits, order.quantity, price)
            if problem is None:
                total = trade_total(order.side, order.quantity, price)
                await settle_fill(
                    session,
                    user_id=order.user_id,
                    asset_id=order.asset_id,
                    order_id=order.id,
                    side=order.side,
                    quantity=order.quantity,
                    price=price,
                    held_cash=order.held_cash,
                    held_quantity=order.held_quantity,
                )
                changed = await orders.mark_filled(order.id, price=price, total=total)
            else:
                await release_hold(session, order)
                changed = await orders.mark_rejected(order.id)
        if problem is None:
            self._observer.order_filled(changed)
        else:
            log.info("order %d rejected at %s: %s", order_id, price, problem.message)
        await self._orders.publish(changed)
        return changed
