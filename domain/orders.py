"""Placing and cancelling orders: every check, then every change, in one transaction.

Lock order, the same on every path that moves money or units (placing,
cancelling, filling): the user's cash row first, then the order, then the
position. Two requests can therefore only queue behind each other, never
deadlock; contention waits, it never surfaces as an error. Order events are
published only after their transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.clock import utc_now
from domain.errors import BusinessError, ErrorCode, invalid
from domain.execution import BUY, settle_fill, trade_total
from domain.limits import Limits
from domain.market.events import ORDERS_CHANNEL, encode_order
from domain.money import cents_up
from domain.observers import NO_ORDER_OBSERVER, OrderObserver
from domain.validation import client_key, positive_amount
from persistence.database import Database
from persistence.models import Asset, CashBalance, Order, Position
from persistence.repositories.assets import AssetRepository
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.orders import OrderRepository
from persistence.repositories.positions import PositionRepository
from persistence.stores.pubsub import PubSub

MARKET, LIMIT = "MARKET", "LIMIT"
MAX_QUANTITY = Decimal("1000000000000")
MAX_LIMIT_PRICE = Decimal("100000000000")


@dataclass(frozen=True, slots=True)
class OrderRequest:
    asset_symbol: str
    side: str
    type: str
    quantity: Decimal
    limit_price: Decimal | None = None
    client_order_id: str | None = None


def _check_input(request: OrderRequest) -> None:
    problem = positive_amount(
        request.quantity, "quantity", places=8, at_most=MAX_QUANTITY, what="Quantity"
    ) or client_key(request.client_order_id, "clientOrderId")
    if problem is not None:
        raise problem
    if not request.asset_symbol.strip() or len(request.asset_symbol) > 20:
        raise invalid("assetSymbol", "Give the symbol of an asset, such as BTC.")
    if request.type == MARKET and request.limit_price is not None:
        raise invalid("limitPrice", "A market order takes no limitPrice; use a LIMIT order.")
    if request.type == LIMIT:
        if request.limit_price is None:
            raise invalid("limitPrice", "A limit order needs a limitPrice.")
        problem = positive_amount(
            request.limit_price, "limitPrice", places=8, at_most=MAX_LIMIT_PRICE, what="limitPrice"
        )
        if problem is not None:
            raise problem


def _same_request(order: Order, asset_id: int | None, request: OrderRequest) -> bool:
    return (
        order.asset_id == asset_id
        and order.side == request.side
        and order.type == request.type
        and order.quantity == request.quantity
        and order.limit_price == request.limit_price
    )


def order_value_problem(limits: Limits, quantity: Decimal, price: Decimal) -> BusinessError | None:
    """Whether ``quantity`` at ``price`` is outside the order value limits, and how."""
    value = quantity * price
    if value < limits.min_order_value:
        return invalid(
            "quantity",
            f"The order is worth {value:.2f} USD at {price} USD; orders start at "
            f"{limits.min_order_value} USD.",
        )
    if value > limits.max_order_value:
        return BusinessError(
            ErrorCode.ORDER_VALUE_LIMIT_EXCEEDED,
            f"The order is worth {value:,.2f} USD; one order may be worth at most "
            f"{limits.max_order_value:,.2f} USD.",
            "quantity",
        )
    return None


async def release_hold(session: AsyncSession, order: Order) -> None:
    """Give back what an open order holds; the caller has locked the cash row and the order."""
    if order.side == BUY:
        await BalanceRepository(session).apply(order.user_id, held_delta=-order.held_cash)
    else:
        positions = PositionRepository(session)
        await positions.lock(order.user_id, order.asset_id)
        await positions.hold(order.user_id, order.asset_id, -order.held_quantity)


def _marketable(request: OrderRequest, price: Decimal) -> bool:
    if request.type == MARKET:
        return True
    assert request.limit_price is not None
    if request.side == BUY:
        return price <= request.limit_price
    return price >= request.limit_price


class Orders:
    def __init__(
        self,
        db: Database,
        limits: Limits,
        pubsub: PubSub,
        observer: OrderObserver = NO_ORDER_OBSERVER,
    ) -> None:
        self._db = db
        self._limits = limits
        self._pubsub = pubsub
        self._observer = observer

    async def place(self, user_id: int, request: OrderRequest) -> Order:
        _check_input(request)
        async with self._db.transaction() as session:
            balance = await BalanceRepository(session).lock(user_id)
            if balance is None:
                raise BusinessError(ErrorCode.VALIDATION_FAILED, "This account no longer exists.")
            asset = await AssetRepository(session).by_symbol(request.asset_symbol)
            previous = await self._previous(session, user_id, asset, request)
            if previous is not None:
                return previous  # a retry: nothing executes again, nothing is published
            order = await self._place(session, balance, self._check_asset(asset, request), request)
        self._observer.order_placed(order)
        if order.status == "FILLED":
            self._observer.order_filled(order)
        await self.publish(order)
        return order

    async def cancel(self, user_id: int, order_id: str) -> Order:
        not_found = BusinessError(
            ErrorCode.ORDER_NOT_FOUND, "You have no order with this id.", "id"
        )
        if not (order_id.isascii() and order_id.isdigit()) or len(order_id) > 18:
            raise not_found
        async with self._db.transaction() as session:
            await BalanceRepository(session).lock(user_id)
            orders = OrderRepository(session)
            order = await orders.lock_for_user(int(order_id), user_id)
            if order is None:
                raise not_found
            if order.status != "OPEN":
                raise BusinessError(
                    ErrorCode.ORDER_NOT_CANCELLABLE,
                    f"This order is {order.status.lower()}; only open orders can be cancelled.",
                    "id",
                )
            await release_hold(session, order)
            cancelled = await orders.mark_cancelled(order.id)
        await self.publish(cancelled)
        return cancelled

    async def publish(self, order: Order) -> None:
        await self._pubsub.publish(ORDERS_CHANNEL, encode_order(order))

    async def _previous(
        self, session: AsyncSession, user_id: int, asset: Asset | None, request: OrderRequest
    ) -> Order | None:
        if request.client_order_id is None:
            return None
        previous = await OrderRepository(session).by_client_order_id(
            user_id, request.client_order_id
        )
        if previous is not None and not _same_request(
            previous, asset.id if asset else None, request
        ):
            raise BusinessError(
                ErrorCode.IDEMPOTENCY_CONFLICT,
                "This clientOrderId was already used for a different order.",
                "clientOrderId",
            )
        return previous

    def _check_asset(self, asset: Asset | None, request: OrderRequest) -> Asset:
        if asset is None:
            raise BusinessError(
                ErrorCode.ASSET_NOT_FOUND,
                f"No asset has the symbol {request.asset_symbol.strip().upper()[:20]}.",
                "assetSymbol",
            )
        if not asset.is_tradable:
            raise BusinessError(
                ErrorCode.ASSET_NOT_TRADABLE,
                f"{asset.symbol} is listed for reference only and cannot be traded.",
                "assetSymbol",
            )
        # A price the feed stopped updating is no price to trade at (nor to value or
        # hold a limit order by).
        age = utc_now() - asset.price_updated_at
        if age > self._limits.max_price_age:
            raise BusinessError(
                ErrorCode.PRICE_UNAVAILABLE,
                f"{asset.symbol} has no current price (the last one is "
                f"{int(age.total_seconds())} s old); orders resume when its price updates.",
                "assetSymbol",
            )
        return asset

    @property
    def limits(self) -> Limits:
        return self._limits

    def _check_value(self, quantity: Decimal, price: Decimal) -> None:
        problem = order_value_problem(self._limits, quantity, price)
        if problem is not None:
            raise problem

    async def _place(
        self, session: AsyncSession, balance: CashBalance, asset: Asset, request: OrderRequest
    ) -> Order:
        # Valued at the order's own limit (what it holds) and, when it executes now, at
        # our execution price; never at anything else the client sends. A resting order
        # is checked again at the price it fills at (matching.py).
        marketable = _marketable(request, asset.price)
        if request.limit_price is not None:
            self._check_value(request.quantity, request.limit_price)
        if marketable:
            self._check_value(request.quantity, asset.price)
        user_id = balance.user_id
        positions = PositionRepository(session)
        if request.side == BUY:
            needed = (
                trade_total(BUY, request.quantity, asset.price)
                if marketable
                else cents_up(request.quantity * (request.limit_price or asset.price))
            )
            if needed > balance.available:
                raise BusinessError(
                    ErrorCode.INSUFFICIENT_FUNDS,
                    f"The order needs {needed:,.2f} USD but only {balance.available:,.2f} USD is "
                    "available.",
                    "quantity",
                )
        else:
            position: Position | None = await positions.lock(user_id, asset.id)
            available = Decimal(0) if position is None else position.available
            if available < request.quantity:
                raise BusinessError(
                    ErrorCode.INSUFFICIENT_ASSET,
                    f"You can sell at most {available.normalize():f} {asset.symbol}.",
                    "quantity",
                )
        orders = OrderRepository(session)
        common: dict[str, Any] = {
            "user_id": user_id,
            "asset_id": asset.id,
            "client_order_id": request.client_order_id,
            "side": request.side,
            "type": request.type,
            "quantity": request.quantity,
            "limit_price": request.limit_price,
        }
        if marketable:
            total = trade_total(request.side, request.quantity, asset.price)
            order = await orders.create(
                **common, status="FILLED", executed_price=asset.price, total=total, filled=True
            )
            await settle_fill(
                session,
                user_id=user_id,
                asset_id=asset.id,
                order_id=order.id,
                side=request.side,
                quantity=request.quantity,
                price=asset.price,
                locked_position=None if request.side == BUY else position,
            )
            return order
        if request.side == BUY:
            hold = cents_up(request.quantity * (request.limit_price or asset.price))
            await BalanceRepository(session).apply(user_id, held_delta=hold)
            return await orders.create(**common, status="OPEN", held_cash=hold)
        await positions.hold(user_id, asset.id, request.quantity)
        return await orders.create(**common, status="OPEN", held_quantity=request.quantity)
