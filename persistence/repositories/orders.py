from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Numeric,
    and_,
    column,
    func,
    insert,
    or_,
    select,
    update,
    values,
)
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Order
from persistence.repositories.keyset import KeysetPage, count_matching, narrowed, newest_first
from persistence.repositories.row_locks import lock_one
from persistence.vocabulary import OrderSide, OrderStatus


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(
        self,
        *,
        filled: bool = False,
        cancelled: bool = False,
        triggered: bool = False,
        **values: Any,
    ) -> Order:
        """Insert an order; ``filled``, ``cancelled`` and ``triggered`` stamp filled_at,
        cancelled_at and triggered_at with the transaction's time."""
        for flag, stamp in (
            (filled, "filled_at"),
            (cancelled, "cancelled_at"),
            (triggered, "triggered_at"),
        ):
            if flag:
                values[stamp] = func.now()
        return (await self.session.scalars(insert(Order).values(**values).returning(Order))).one()

    async def by_client_order_id(self, user_id: int, client_order_id: str) -> Order | None:
        statement = select(Order).where(
            Order.user_id == user_id, Order.client_order_id == client_order_id
        )
        return (await self.session.scalars(statement)).first()

    async def lock_open(self, order_id: int, user_id: int | None = None) -> Order | None:
        """The order, row-locked, if it is still OPEN and not locked by someone else.

        SKIP LOCKED: a matcher in another process that already holds the order moves
        on instead of waiting, so several processes can match at once and none fills
        an order twice (the status check runs under the lock).
        """
        statement = select(Order).where(Order.id == order_id, Order.status == OrderStatus.OPEN)
        if user_id is not None:
            statement = statement.where(Order.user_id == user_id)
        statement = statement.with_for_update(skip_locked=True).execution_options(
            populate_existing=True
        )
        return (await self.session.scalars(statement)).first()

    async def lock_for_user(self, order_id: int, user_id: int) -> Order | None:
        """The user's order, row-locked (waiting for a concurrent holder), whatever its status."""
        return await lock_one(self.session, Order, Order.id == order_id, Order.user_id == user_id)

    async def get(self, order_id: int) -> Order | None:
        return await self.session.get(Order, order_id)

    async def mark_filled(self, order_id: int, *, price: Decimal, total: Decimal) -> Order:
        values = _leaving_open(OrderStatus.FILLED, "filled_at")
        return await self._update(order_id, executed_price=price, total=total, **values)

    async def mark_cancelled(self, order_id: int) -> Order:
        return await self._update(order_id, **_leaving_open(OrderStatus.CANCELLED, "cancelled_at"))

    async def mark_expired(self, order_id: int) -> Order:
        return await self._update(order_id, **_leaving_open(OrderStatus.EXPIRED, "expired_at"))

    async def mark_triggered(self, order_id: int) -> Order:
        """A STOP_LIMIT whose stop price was reached: still OPEN, now a limit order."""
        return await self._update(order_id, triggered_at=func.now())

    async def mark_triggered_and_filled(
        self, order_id: int, *, price: Decimal, total: Decimal
    ) -> Order:
        """A STOP that triggered and executed in the same transaction."""
        values = _leaving_open(OrderStatus.FILLED, "triggered_at", "filled_at")
        return await self._update(order_id, executed_price=price, total=total, **values)

    async def mark_triggered_and_rejected(self, order_id: int) -> Order:
        """A STOP that triggered but the account could not pay or deliver."""
        values = _leaving_open(OrderStatus.REJECTED, "triggered_at", "cancelled_at")
        return await self._update(order_id, **values)

    async def lock_all_open(self, user_id: int, asset_id: int | None = None) -> list[Order]:
        """Every OPEN order of the user (of one asset), row-locked, oldest first.

        Waits for concurrent holders (a matcher filling one of them): once it has
        them, none can be filled, triggered or expired until this transaction ends.
        """
        statement = select(Order).where(Order.user_id == user_id, Order.status == OrderStatus.OPEN)
        if asset_id is not None:
            statement = statement.where(Order.asset_id == asset_id)
        statement = (
            statement.order_by(Order.id).with_for_update().execution_options(populate_existing=True)
        )
        return list(await self.session.scalars(statement))

    async def mark_all_cancelled(self, order_ids: Sequence[int]) -> list[Order]:
        statement = (
            update(Order)
            .where(Order.id.in_(order_ids))
            .values(**_leaving_open(OrderStatus.CANCELLED, "cancelled_at"))
            .returning(Order)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        return sorted(await self.session.scalars(statement), key=lambda order: order.id)

    async def mark_rejected(self, order_id: int) -> Order:
        """An open order the platform refused to fill; ``cancelled_at`` says when it left."""
        return await self._update(order_id, **_leaving_open(OrderStatus.REJECTED, "cancelled_at"))

    async def _update(self, order_id: int, **values: Any) -> Order:
        statement = (
            update(Order)
            .where(Order.id == order_id)
            .values(**values)
            .returning(Order)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        return (await self.session.scalars(statement)).one()

    async def crossed_by(self, prices: dict[int, Decimal], limit: int) -> list[tuple[int, int]]:
        """(order id, asset id) of OPEN orders these prices cross, oldest first.

        BUY crosses when price <= limit, SELL when price >= limit; one statement for
        every asset of the tick, served by the partial index on open orders. A
        STOP_LIMIT is a limit order only once triggered.
        """

        def crossed(price: Any) -> list[ColumnElement[bool]]:
            return [
                or_(Order.stop_price.is_(None), Order.triggered_at.is_not(None)),
                or_(
                    and_(Order.side == OrderSide.BUY, Order.limit_price >= price),
                    and_(Order.side == OrderSide.SELL, Order.limit_price <= price),
                ),
            ]

        return await self._open_at(prices, limit, crossed)

    async def triggered_by(self, prices: dict[int, Decimal], limit: int) -> list[tuple[int, int]]:
        """(order id, asset id) of waiting stops these prices trigger, oldest first.

        BUY triggers when price >= stop, SELL when price <= stop.
        """

        def triggered(price: Any) -> list[ColumnElement[bool]]:
            return [
                Order.triggered_at.is_(None),
                or_(
                    and_(Order.side == OrderSide.BUY, Order.stop_price <= price),
                    and_(Order.side == OrderSide.SELL, Order.stop_price >= price),
                ),
            ]

        return await self._open_at(prices, limit, triggered)

    async def _open_at(
        self,
        prices: dict[int, Decimal],
        limit: int,
        conditions: Callable[[Any], list[ColumnElement[bool]]],
    ) -> list[tuple[int, int]]:
        """(order id, asset id) of OPEN orders meeting ``conditions`` at their asset's price
        in the tick, oldest first: one statement for every asset of the tick."""
        if not prices:
            return []
        ticks = _ticks(prices)
        statement = (
            select(Order.id, Order.asset_id)
            .join(ticks, ticks.c.asset_id == Order.asset_id)
            .where(Order.status == OrderStatus.OPEN, *conditions(ticks.c.price))
            .order_by(Order.id)
            .limit(limit)
        )
        return [
            (order_id, asset_id) for order_id, asset_id in await self.session.execute(statement)
        ]

    async def due_to_expire(self, limit: int) -> list[int]:
        """Ids of OPEN orders whose expiry has passed by the database's clock, oldest first."""
        statement = (
            select(Order.id)
            .where(
                Order.status == OrderStatus.OPEN,
                Order.expires_at.is_not(None),
                Order.expires_at <= func.now(),
            )
            .order_by(Order.expires_at, Order.id)
            .limit(limit)
        )
        return list(await self.session.scalars(statement))

    async def by_ids(self, ids: Sequence[int]) -> list[Order]:
        return list(await self.session.scalars(select(Order).where(Order.id.in_(ids))))

    async def for_user(self, user_id: int, order_id: int) -> Order | None:
        statement = select(Order).where(Order.id == order_id, Order.user_id == user_id)
        return (await self.session.scalars(statement)).first()

    async def recent(self, user_id: int, limit: int) -> list[Order]:
        statement = (
            select(Order).where(Order.user_id == user_id).order_by(Order.id.desc()).limit(limit)
        )
        return list(await self.session.scalars(statement))

    async def page(
        self,
        user_id: int,
        *,
        before_id: int | None,
        limit: int,
        status: OrderStatus | None = None,
        side: OrderSide | None = None,
        asset_id: int | None = None,
    ) -> KeysetPage[Order]:
        filters = self._filters(user_id, status, side, asset_id)
        return await newest_first(self.session, Order, filters, before_id=before_id, limit=limit)

    async def count(
        self,
        user_id: int,
        *,
        status: OrderStatus | None = None,
        side: OrderSide | None = None,
        asset_id: int | None = None,
    ) -> int:
        filters = self._filters(user_id, status, side, asset_id)
        return await count_matching(self.session, Order, filters)

    @staticmethod
    def _filters(
        user_id: int, status: OrderStatus | None, side: OrderSide | None, asset_id: int | None
    ) -> list[ColumnElement[bool]]:
        return narrowed(
            Order.user_id == user_id,
            (Order.status, status),
            (Order.side, side),
            (Order.asset_id, asset_id),
        )


def _leaving_open(status: OrderStatus, *stamped: str) -> dict[str, Any]:
    """The values of an order leaving OPEN: its new status, the ``stamped`` columns set to
    the transaction's time, and nothing held any more."""
    return {
        "status": status,
        **dict.fromkeys(stamped, func.now()),
        "held_cash": 0,
        "held_quantity": 0,
    }


def _ticks(prices: dict[int, Decimal]) -> Any:
    """A VALUES list of (asset_id, price) to join open orders against."""
    return values(column("asset_id", Integer), column("price", Numeric), name="tick").data(
        [(asset_id, price) for asset_id, price in prices.items()]
    )
