"""Placing and cancelling orders: every check, then every change, in one transaction.

Lock order, the same on every path that moves money or units (placing,
cancelling, filling): the user's cash row first, then the order, then the
position. Two requests can therefore only queue behind each other, never
deadlock; contention waits, it never surfaces as an error. Order events are
published only after their transaction has committed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.clock import start_of_utc_day, utc_now
from domain.errors import BusinessError, ErrorCode, asset_not_found, invalid
from domain.execution import new_average_cost, settle_fill, trade_total
from domain.limits import Limits
from domain.market.events import ORDERS_CHANNEL, encode_order
from domain.money import cents_up
from domain.observers import NO_ORDER_OBSERVER, OrderObserver
from domain.validation import client_key, positive_amount
from domain.vocabulary import LedgerEntryType, OrderSide, OrderStatus, OrderType, TimeInForce
from persistence.database import Database
from persistence.models import Asset, CashBalance, Order, Position
from persistence.repositories.assets import AssetRepository
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.market_fills import MarketFills
from persistence.repositories.orders import OrderRepository
from persistence.repositories.positions import PositionRepository
from persistence.session import Session
from persistence.stores.pubsub import PubSub

WITH_LIMIT_PRICE = (OrderType.LIMIT, OrderType.STOP_LIMIT)
WITH_STOP_PRICE = (OrderType.STOP, OrderType.STOP_LIMIT)
MAX_QUANTITY = Decimal("1000000000000")
MAX_LIMIT_PRICE = Decimal("100000000000")
MAX_GOOD_TILL = timedelta(days=90)
"""How far ahead a GTD order's expiresAt may lie."""


@dataclass(frozen=True, slots=True)
class OrderRequest:
    asset_symbol: str
    side: OrderSide
    type: OrderType
    quantity: Decimal
    limit_price: Decimal | None = None
    client_order_id: str | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    expires_at: datetime | None = None

    @property
    def effective_time_in_force(self) -> TimeInForce:
        """What the order is stored with: a market order never rests, whatever was asked."""
        return TimeInForce.IOC if self.type == OrderType.MARKET else self.time_in_force


def _check_price(value: Decimal | None, field: str, required: bool, type_: OrderType) -> None:
    kind = type_.lower().replace("_", "-")
    if value is None:
        if required:
            raise invalid(field, f"A {kind} order needs a {field}.")
        return
    if not required:
        allowed = "LIMIT and STOP_LIMIT" if field == "limitPrice" else "STOP and STOP_LIMIT"
        raise invalid(field, f"A {kind} order takes no {field}; only {allowed} orders do.")
    problem = positive_amount(value, field, places=8, at_most=MAX_LIMIT_PRICE, what=field)
    if problem is not None:
        raise problem


def _check_expiry(request: OrderRequest, now: datetime) -> None:
    expires_at = request.expires_at
    if request.type == OrderType.MARKET:
        if expires_at is not None:
            raise invalid("expiresAt", "A market order executes at once and takes no expiresAt.")
        return
    if request.time_in_force != TimeInForce.GTD:
        if expires_at is not None:
            raise invalid(
                "expiresAt",
                f"A {request.time_in_force} order takes no expiresAt; only GTD orders do.",
            )
        return
    if expires_at is None:
        raise invalid("expiresAt", "A GTD order needs an expiresAt.")
    if expires_at <= now:
        raise invalid("expiresAt", "expiresAt must lie in the future.")
    if expires_at > now + MAX_GOOD_TILL:
        raise invalid("expiresAt", f"expiresAt may lie at most {MAX_GOOD_TILL.days} days ahead.")


def _check_input(request: OrderRequest, now: datetime) -> None:
    problem = positive_amount(
        request.quantity, "quantity", places=8, at_most=MAX_QUANTITY, what="Quantity"
    ) or client_key(request.client_order_id, "clientOrderId")
    if problem is not None:
        raise problem
    if not request.asset_symbol.strip() or len(request.asset_symbol) > 20:
        raise invalid("assetSymbol", "Give the symbol of an asset, such as BTC.")
    _check_price(request.limit_price, "limitPrice", request.type in WITH_LIMIT_PRICE, request.type)
    _check_price(request.stop_price, "stopPrice", request.type in WITH_STOP_PRICE, request.type)
    _check_expiry(request, now)


def expiry_of(request: OrderRequest, now: datetime) -> datetime | None:
    """When the order expires: the end of today (UTC) for DAY, its own date for GTD."""
    if request.effective_time_in_force == TimeInForce.DAY:
        return start_of_utc_day(now) + timedelta(days=1)
    if request.effective_time_in_force == TimeInForce.GTD:
        return request.expires_at
    return None


def _same_request(order: Order, asset_id: int | None, request: OrderRequest) -> bool:
    return (
        order.asset_id == asset_id
        and order.side == request.side
        and order.type == request.type
        and order.quantity == request.quantity
        and order.limit_price == request.limit_price
        and order.stop_price == request.stop_price
        and order.time_in_force == request.effective_time_in_force
        and (request.time_in_force != TimeInForce.GTD or order.expires_at == request.expires_at)
    )


def _check_same(previous: Order, asset: Asset | None, request: OrderRequest) -> None:
    """A clientOrderId reused for a different order is refused, never executed."""
    if not _same_request(previous, asset.id if asset else None, request):
        raise BusinessError(
            ErrorCode.IDEMPOTENCY_CONFLICT,
            "This clientOrderId was already used for a different order.",
            "clientOrderId",
        )


def _insufficient_funds(needed: Decimal, available: Decimal) -> BusinessError:
    return BusinessError(
        ErrorCode.INSUFFICIENT_FUNDS,
        f"The order needs {needed:,.2f} USD but only {available:,.2f} USD is available.",
        "quantity",
    )


def _insufficient_asset(available: Decimal, symbol: str) -> BusinessError:
    return BusinessError(
        ErrorCode.INSUFFICIENT_ASSET,
        f"You can sell at most {available.normalize():f} {symbol}.",
        "quantity",
    )


def stop_reached(side: str, stop_price: Decimal, price: Decimal) -> bool:
    """A BUY stop triggers at or above its stop price, a SELL stop at or below it."""
    return price >= stop_price if side == OrderSide.BUY else price <= stop_price


def hold_price(order_type: str, limit_price: Decimal | None, stop_price: Decimal | None) -> Decimal:
    """The price a resting order is held (and valued) at: its limit, or a STOP's stop."""
    price = stop_price if order_type == OrderType.STOP else limit_price
    assert price is not None, "only resting order types have a hold price"
    return price


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


async def release_hold(session: Session, order: Order) -> None:
    """Give back what an open order holds; the caller has locked the cash row and the order."""
    if order.side == OrderSide.BUY:
        await BalanceRepository(session).apply(order.user_id, held_delta=-order.held_cash)
    else:
        positions = PositionRepository(session)
        await positions.lock(order.user_id, order.asset_id)
        await positions.hold(order.user_id, order.asset_id, -order.held_quantity)


def _triggered(request: OrderRequest, price: Decimal) -> bool:
    """Whether a stop order's condition already holds at placement."""
    return request.stop_price is not None and stop_reached(request.side, request.stop_price, price)


async def release_holds(session: Session, user_id: int, orders: list[Order]) -> None:
    """Give back what several open orders of one user hold: one update per row touched.

    The caller has locked the cash row and the orders; positions are locked here,
    after them, in asset order.
    """
    held_cash = sum(
        (order.held_cash for order in orders if order.side == OrderSide.BUY), Decimal(0)
    )
    if held_cash:
        await BalanceRepository(session).apply(user_id, held_delta=-held_cash)
    held_units: defaultdict[int, Decimal] = defaultdict(Decimal)
    for order in orders:
        if order.side != OrderSide.BUY:
            held_units[order.asset_id] += order.held_quantity
    positions = PositionRepository(session)
    for asset_id in sorted(held_units):
        await positions.lock(user_id, asset_id)
        await positions.hold(user_id, asset_id, -held_units[asset_id])


def _marketable(request: OrderRequest, price: Decimal) -> bool:
    """Whether the order executes at once at ``price``, as a market order would."""
    if request.type == OrderType.MARKET:
        return True
    if request.type in WITH_STOP_PRICE and not _triggered(request, price):
        return False
    if request.type == OrderType.STOP:
        return True
    assert request.limit_price is not None
    if request.side == OrderSide.BUY:
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
        order, _ = await self.place_with_asset(user_id, request)
        return order

    async def place_with_asset(
        self, user_id: int, request: OrderRequest
    ) -> tuple[Order, Asset | None]:
        """Place the order; with it, the asset as its transaction read it (None for a
        retry), so that an answer showing the order's asset need not read it again."""
        _check_input(request, utc_now())
        if request.type == OrderType.MARKET:
            order, asset = await self._place_market(user_id, request)
        else:
            order, asset = await self._place_other(user_id, request)
        if asset is None:
            return order, None  # a retry: nothing executes again, nothing is published
        self._observer.order_placed(order)
        if order.status == OrderStatus.FILLED:
            self._observer.order_filled(order)
        await self.publish(order)
        return order, asset

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
            if order.status != OrderStatus.OPEN:
                raise BusinessError(
                    ErrorCode.ORDER_NOT_CANCELLABLE,
                    f"This order is {order.status.lower()}; only open orders can be cancelled.",
                    "id",
                )
            await release_hold(session, order)
            cancelled = await orders.mark_cancelled(order.id)
        await self.publish(cancelled)
        return cancelled

    async def cancel_all(self, user_id: int, asset_symbol: str | None = None) -> list[Order]:
        """Cancel every OPEN order of the user (of one asset) in one transaction."""
        if asset_symbol is not None and (not asset_symbol.strip() or len(asset_symbol) > 20):
            raise invalid("assetSymbol", "Give the symbol of an asset, such as BTC.")
        async with self._db.transaction() as session:
            await BalanceRepository(session).lock(user_id)
            asset_id = None
            if asset_symbol is not None:
                asset = await AssetRepository(session).by_symbol(asset_symbol)
                if asset is None:
                    raise asset_not_found(asset_symbol.strip().upper()[:20])
                asset_id = asset.id
            orders = OrderRepository(session)
            open_orders = await orders.lock_all_open(user_id, asset_id)
            if not open_orders:
                return []
            await release_holds(session, user_id, open_orders)
            cancelled = await orders.mark_all_cancelled([order.id for order in open_orders])
        for order in cancelled:
            await self.publish(order)
        return cancelled

    async def _place_other(self, user_id: int, request: OrderRequest) -> tuple[Order, Asset | None]:
        """Limit and stop orders, through the session; with the asset when newly placed."""
        async with self._db.transaction() as session:
            balance = await BalanceRepository(session).lock(user_id)
            if balance is None:
                raise BusinessError(ErrorCode.VALIDATION_FAILED, "This account no longer exists.")
            asset = await AssetRepository(session).by_symbol(request.asset_symbol)
            previous = await self._previous(session, user_id, asset, request)
            if previous is not None:
                return previous, None
            checked = self._check_asset(asset, request)
            order = await self._place(session, balance, checked, request)
        return order, checked

    async def _place_market(
        self, user_id: int, request: OrderRequest
    ) -> tuple[Order, Asset | None]:
        """A market order, the hot path: the same checks and statements as ``_place`` sends
        for it, straight through asyncpg (the session's layers cost several times the
        statements). Each row read is used as read: nothing is loaded twice."""
        now = utc_now()
        quantity, side = request.quantity, request.side
        async with self._db.raw_transaction() as tx:
            fills = MarketFills(tx)
            balance = await fills.lock_balance(user_id)
            if balance is None:
                raise BusinessError(ErrorCode.VALIDATION_FAILED, "This account no longer exists.")
            found = await fills.asset(request.asset_symbol)
            if request.client_order_id is not None:
                previous = await fills.by_client_order_id(user_id, request.client_order_id)
                if previous is not None:
                    _check_same(previous, found, request)
                    return previous, None
            asset = self._check_asset(found, request)
            price = asset.price
            self._check_value(quantity, price)
            total = trade_total(side, quantity, price)
            position = None
            if side == OrderSide.BUY:
                available = balance["cash"] - balance["held"]
                if total > available:
                    raise _insufficient_funds(total, available)
            else:
                position = await fills.lock_position(user_id, asset.id)
                units = Decimal(0) if position is None else position["quantity"] - position["held"]
                if units < quantity:
                    raise _insufficient_asset(units, asset.symbol)
            order = await fills.insert_filled(
                user_id=user_id,
                asset_id=asset.id,
                client_order_id=request.client_order_id,
                side=side,
                quantity=quantity,
                time_in_force=request.effective_time_in_force,
                price=price,
                total=total,
                expires_at=expiry_of(request, now),
            )
            if position is None:  # a BUY: the position is locked (created if need be) now
                position = await fills.lock_or_create_position(user_id, asset.id)
                held = position["quantity"]
                average: Decimal | None = new_average_cost(
                    held, position["average_cost"], quantity, price
                )
                await fills.set_position(user_id, asset.id, held + quantity, average)
                cash_delta, ledger_type = -total, LedgerEntryType.ORDER_BUY
            else:
                remaining = position["quantity"] - quantity
                # A position sold down to nothing forgets its cost; sells otherwise keep it.
                average = position["average_cost"] if remaining > 0 else None
                await fills.set_position(user_id, asset.id, remaining, average)
                cash_delta, ledger_type = total, LedgerEntryType.ORDER_SELL
            await fills.append_asset_transaction(
                user_id, asset.id, order.id, side, quantity, price, total
            )
            cash = await fills.move_cash(user_id, cash_delta)
            await fills.append_ledger(user_id, ledger_type, cash_delta, cash, order.id)
        return order, asset

    async def publish(self, order: Order) -> None:
        await self._pubsub.publish(ORDERS_CHANNEL, encode_order(order))

    async def _previous(
        self, session: Session, user_id: int, asset: Asset | None, request: OrderRequest
    ) -> Order | None:
        if request.client_order_id is None:
            return None
        previous = await OrderRepository(session).by_client_order_id(
            user_id, request.client_order_id
        )
        if previous is not None:
            _check_same(previous, asset, request)
        return previous

    def _check_asset(self, asset: Asset | None, request: OrderRequest) -> Asset:
        if asset is None:
            raise asset_not_found(request.asset_symbol.strip().upper()[:20])
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
        self, session: Session, balance: CashBalance, asset: Asset, request: OrderRequest
    ) -> Order:
        # Valued at the price the order holds at (its limit, or a STOP's stop) and, when
        # it executes now, at our execution price; never at anything else the client
        # sends. A resting order is checked again at the price it fills at (matching.py).
        now = utc_now()
        marketable = _marketable(request, asset.price)
        resting_price = None
        if request.type != OrderType.MARKET:
            resting_price = hold_price(request.type, request.limit_price, request.stop_price)
        if resting_price is not None:
            self._check_value(request.quantity, resting_price)
        if marketable:
            self._check_value(request.quantity, asset.price)
        user_id = balance.user_id
        positions = PositionRepository(session)
        if request.side == OrderSide.BUY:
            needed = (
                trade_total(OrderSide.BUY, request.quantity, asset.price)
                if marketable or resting_price is None
                else cents_up(request.quantity * resting_price)
            )
            if needed > balance.available:
                raise _insufficient_funds(needed, balance.available)
        else:
            position: Position | None = await positions.lock(user_id, asset.id)
            available = Decimal(0) if position is None else position.available
            if available < request.quantity:
                raise _insufficient_asset(available, asset.symbol)
        orders = OrderRepository(session)
        common: dict[str, Any] = {
            "user_id": user_id,
            "asset_id": asset.id,
            "client_order_id": request.client_order_id,
            "side": request.side,
            "type": request.type,
            "quantity": request.quantity,
            "limit_price": request.limit_price,
            "stop_price": request.stop_price,
            "time_in_force": request.effective_time_in_force,
            "expires_at": expiry_of(request, now),
        }
        # A stop whose condition already holds triggers now, as the engine would.
        common["triggered"] = _triggered(request, asset.price)
        if marketable:
            total = trade_total(request.side, request.quantity, asset.price)
            order = await orders.create(
                **common,
                status=OrderStatus.FILLED,
                executed_price=asset.price,
                total=total,
                filled=True,
            )
            await settle_fill(
                session,
                user_id=user_id,
                asset_id=asset.id,
                order_id=order.id,
                side=request.side,
                quantity=request.quantity,
                price=asset.price,
                locked_position=None if request.side == OrderSide.BUY else position,
            )
            return order
        if request.effective_time_in_force == TimeInForce.IOC:
            # Immediate or cancel: what cannot execute now never rests, so holds nothing.
            return await orders.create(**common, status=OrderStatus.CANCELLED, cancelled=True)
        assert resting_price is not None
        if request.side == OrderSide.BUY:
            hold = cents_up(request.quantity * resting_price)
            await BalanceRepository(session).apply(user_id, held_delta=hold)
            return await orders.create(**common, status=OrderStatus.OPEN, held_cash=hold)
        await positions.hold(user_id, asset.id, request.quantity)
        return await orders.create(
            **common, status=OrderStatus.OPEN, held_quantity=request.quantity
        )
