"""The matching pass the price engine runs every tick: expiry, stop triggers, limit fills.

A pass is a list of steps run one after the other with the tick's prices (asset
id -> price; empty when nothing moved, and expiry still runs). Each step finds
its candidates with one read, then changes every order in its own transaction
that locks the owner's cash row first and the order with SKIP LOCKED, checking
the order's state again under the lock: a concurrent cancel, a second matcher
or a step in another process can therefore never make an order execute twice.
Events are published after each commit.

The order of the steps matters: an order past its expiry never fills, and a
STOP_LIMIT triggered by a tick can fill on that same tick.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import TypeVar

from domain.errors import BusinessError, ErrorCode
from domain.execution import settle_fill, trade_total
from domain.observers import NO_ORDER_OBSERVER, OrderObserver
from domain.orders import Orders, order_value_problem, release_hold, stop_reached
from domain.vocabulary import OrderSide, OrderStatus, OrderType
from persistence.database import Database
from persistence.models import CashBalance, Order
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.orders import OrderRepository
from persistence.session import Session

log = logging.getLogger(__name__)

MAX_FILLS_PER_TICK = 1000
"""Per step and tick; what is left waits for the next tick."""
CONCURRENT_FILLS = 4

Prices = dict[int, Decimal]
Step = Callable[[Prices], Awaitable[list[Order]]]
"""One part of the pass: given the tick's prices, the orders it changed."""


def crosses(side: str, limit_price: Decimal, price: Decimal) -> bool:
    """BUY fills when the price falls to the limit or below, SELL when it rises to it or above."""
    return price <= limit_price if side == OrderSide.BUY else price >= limit_price


class Matcher:
    def __init__(
        self, db: Database, orders: Orders, observer: OrderObserver = NO_ORDER_OBSERVER
    ) -> None:
        self._db = db
        self._orders = orders
        self._observer = observer
        self.steps: list[Step] = [self.expire_due, self.trigger_stops, self.match]
        """The pass, in order; further steps are appended here."""

    async def run(self, prices: Prices) -> list[Order]:
        """One pass over every step; the orders it changed, in the order it changed them."""
        changed: list[Order] = []
        for step in self.steps:
            changed.extend(await step(prices))
        return changed

    async def match(self, prices: Prices) -> list[Order]:
        """Fill every open limit order these prices cross, at those prices."""
        async with self._db.read() as session:
            candidates = await OrderRepository(session).crossed_by(prices, MAX_FILLS_PER_TICK)
        return await _each(
            [(order_id, prices[asset_id]) for order_id, asset_id in candidates], self.fill
        )

    async def trigger_stops(self, prices: Prices) -> list[Order]:
        """Trigger every waiting stop order these prices reach."""
        async with self._db.read() as session:
            candidates = await OrderRepository(session).triggered_by(prices, MAX_FILLS_PER_TICK)
        return await _each(
            [(order_id, prices[asset_id]) for order_id, asset_id in candidates], self.trigger
        )

    async def expire_due(self, prices: Prices) -> list[Order]:
        """Expire every open order whose expiry has passed (the prices play no part)."""
        async with self._db.read() as session:
            due = await OrderRepository(session).due_to_expire(MAX_FILLS_PER_TICK)
        return await _each([(order_id, None) for order_id in due], self._expire)

    async def fill(self, order_id: int, price: Decimal) -> Order | None:
        """Fill one order at ``price`` in its own transaction; the order as it now is.

        An order whose value at ``price`` falls outside the order value limits (a
        SELL that rose past the maximum, a BUY that fell under the minimum) is
        REJECTED instead, its hold released: the limits hold at the price an order
        executes at, not only at its limit. None when the order is no longer open,
        is a stop-limit not yet triggered, or another process is filling it.
        """
        async with self._db.transaction() as session:
            orders = OrderRepository(session)
            _locked_cash, order = await _lock_open(session, order_id)
            if order is None or order.limit_price is None:
                return None  # cancelled, filled, or being filled by another process
            if order.stop_price is not None and order.triggered_at is None:
                return None  # a stop-limit is a limit order only once triggered
            if not crosses(order.side, order.limit_price, price):
                return None
            problem = order_value_problem(self._orders.limits, order.quantity, price)
            if problem is None:
                total = await self._settle(session, order, price)
                changed = await orders.mark_filled(order.id, price=price, total=total)
            else:
                await release_hold(session, order)
                changed = await orders.mark_rejected(order.id)
        return await self._report(changed, price, problem)

    async def trigger(self, order_id: int, price: Decimal) -> Order | None:
        """Trigger one waiting stop at ``price`` in its own transaction; the order as it now is.

        A STOP executes as a market order at ``price``: FILLED, or REJECTED with its
        hold released when the account cannot pay then (its hold was at the stop
        price; a BUY's price may have run past it) or the value falls outside the
        order value limits. A STOP_LIMIT only becomes a limit order (triggeredAt
        set, still OPEN, still holding). None when there was nothing to trigger.
        """
        async with self._db.transaction() as session:
            orders = OrderRepository(session)
            balance, order = await _lock_open(session, order_id, untriggered=True)
            if (
                balance is None
                or order is None
                or order.stop_price is None
                or order.triggered_at is not None
                or not stop_reached(order.side, order.stop_price, price)
            ):
                return None
            if order.type == OrderType.STOP_LIMIT:
                changed = await orders.mark_triggered(order.id)
                problem = None
            else:
                problem = order_value_problem(self._orders.limits, order.quantity, price)
                total = trade_total(order.side, order.quantity, price)
                # What it holds is the buyer's too: only the rest must come from cash.
                payable = balance.available + order.held_cash
                if problem is None and order.side == OrderSide.BUY and total > payable:
                    problem = BusinessError(
                        ErrorCode.INSUFFICIENT_FUNDS,
                        f"the stop needs {total:,.2f} USD but only {payable:,.2f} USD is there",
                    )
                if problem is None:
                    await self._settle(session, order, price)
                    changed = await orders.mark_triggered_and_filled(
                        order.id, price=price, total=total
                    )
                else:
                    await release_hold(session, order)
                    changed = await orders.mark_triggered_and_rejected(order.id)
        return await self._report(changed, price, problem)

    async def _expire(self, order_id: int, _: None) -> Order | None:
        async with self._db.transaction() as session:
            _locked_cash, order = await _lock_open(session, order_id)
            if order is None:
                return None
            await release_hold(session, order)
            changed = await OrderRepository(session).mark_expired(order.id)
        await self._orders.publish(changed)
        return changed

    @staticmethod
    async def _settle(session: Session, order: Order, price: Decimal) -> Decimal:
        return await settle_fill(
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

    async def _report(self, changed: Order, price: Decimal, problem: BusinessError | None) -> Order:
        """After commit: observe, log and publish what one step did to one order."""
        if changed.status == OrderStatus.FILLED:
            self._observer.order_filled(changed)
        elif problem is not None:
            log.info("order %d rejected at %s: %s", changed.id, price, problem.message)
        await self._orders.publish(changed)
        return changed


async def _lock_open(
    session: Session, order_id: int, *, untriggered: bool = False
) -> tuple[CashBalance | None, Order | None]:
    """The owner's cash row and the order, locked, when a first unlocked look finds the
    order OPEN (and, with ``untriggered``, not yet triggered); (None, None) otherwise.

    Same lock order as placing and cancelling: the owner's cash row first. The order
    comes back None when it left OPEN meanwhile or another process is holding it.
    """
    orders = OrderRepository(session)
    seen = await orders.get(order_id)
    if seen is None or seen.status != OrderStatus.OPEN:
        return None, None
    if untriggered and seen.triggered_at is not None:
        return None, None
    balance = await BalanceRepository(session).lock(seen.user_id)
    return balance, await orders.lock_open(order_id)


T = TypeVar("T")


async def _each(
    work: Sequence[tuple[int, T]], handle: Callable[[int, T], Awaitable[Order | None]]
) -> list[Order]:
    """``handle`` every (order id, argument), a few at a time; the orders it changed."""
    if not work:
        return []
    gate = asyncio.Semaphore(CONCURRENT_FILLS)

    async def one(order_id: int, argument: T) -> Order | None:
        async with gate:
            return await handle(order_id, argument)

    results = await asyncio.gather(*(one(order_id, argument) for order_id, argument in work))
    return [order for order in results if order is not None]
