"""Placing orders: every check, then every change, in one transaction under row locks.

Lock order, the same on every path that moves money or units: the user's cash
row first, then the position row. Two requests can therefore only queue behind
each other, never deadlock; contention waits, it never surfaces as an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import BusinessError, ErrorCode, invalid
from domain.limits import Limits
from domain.money import cents_down, cents_up
from domain.validation import client_key, positive_amount
from persistence.database import Database
from persistence.models import Asset, Order
from persistence.repositories.asset_transactions import AssetTransactionRepository
from persistence.repositories.assets import AssetRepository
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.ledger import LedgerRepository
from persistence.repositories.orders import OrderRepository
from persistence.repositories.positions import PositionRepository

BUY, SELL = "BUY", "SELL"
MARKET, LIMIT = "MARKET", "LIMIT"
MAX_QUANTITY = Decimal("1000000000000")
AVERAGE_COST_PLACES = Decimal("1e-10")


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
        raise invalid("type", "Limit orders are not available yet; place a MARKET order.")


def _same_request(order: Order, asset_id: int | None, request: OrderRequest) -> bool:
    return (
        order.asset_id == asset_id
        and order.side == request.side
        and order.type == request.type
        and order.quantity == request.quantity
        and order.limit_price == request.limit_price
    )


def new_average_cost(
    held: Decimal, average: Decimal | None, bought: Decimal, price: Decimal
) -> Decimal:
    """Volume-weighted average of executed prices (not of rounded totals)."""
    if held == 0 or average is None:
        return price
    exact = (held * average + bought * price) / (held + bought)
    return exact.quantize(AVERAGE_COST_PLACES, rounding=ROUND_HALF_EVEN)


class Orders:
    def __init__(self, db: Database, limits: Limits) -> None:
        self._db = db
        self._limits = limits

    async def place(self, user_id: int, request: OrderRequest) -> Order:
        _check_input(request)
        async with self._db.transaction() as session:
            balance = await BalanceRepository(session).lock(user_id)
            if balance is None:
                raise BusinessError(ErrorCode.VALIDATION_FAILED, "This account no longer exists.")
            asset = await AssetRepository(session).by_symbol(request.asset_symbol)
            if request.client_order_id is not None:
                previous = await OrderRepository(session).by_client_order_id(
                    user_id, request.client_order_id
                )
                if previous is not None:
                    if not _same_request(previous, asset.id if asset else None, request):
                        raise BusinessError(
                            ErrorCode.IDEMPOTENCY_CONFLICT,
                            "This clientOrderId was already used for a different order.",
                            "clientOrderId",
                        )
                    return previous
            asset = self._check_asset(asset, request)
            return await self._execute_market(session, user_id, balance.available, asset, request)

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
        return asset

    async def _execute_market(
        self,
        session: AsyncSession,
        user_id: int,
        available_cash: Decimal,
        asset: Asset,
        request: OrderRequest,
    ) -> Order:
        price = asset.price
        value = request.quantity * price
        if value < self._limits.min_order_value:
            raise invalid(
                "quantity",
                f"The order is worth {value:.2f} USD at {price} USD; orders start at "
                f"{self._limits.min_order_value} USD.",
            )
        if value > self._limits.max_order_value:
            raise BusinessError(
                ErrorCode.ORDER_VALUE_LIMIT_EXCEEDED,
                f"The order is worth {value:,.2f} USD; one order may be worth at most "
                f"{self._limits.max_order_value:,.2f} USD.",
                "quantity",
            )
        positions = PositionRepository(session)
        if request.side == BUY:
            total = cents_up(value)
            if total > available_cash:
                raise BusinessError(
                    ErrorCode.INSUFFICIENT_FUNDS,
                    f"The order costs {total:,.2f} USD but only {available_cash:,.2f} USD is "
                    "available.",
                    "quantity",
                )
            position = await positions.lock_or_create(user_id, asset.id)
            quantity = position.quantity + request.quantity
            average: Decimal | None = new_average_cost(
                position.quantity, position.average_cost, request.quantity, price
            )
            cash_delta = -total
        else:
            position_or_none = await positions.lock(user_id, asset.id)
            held = Decimal(0) if position_or_none is None else position_or_none.available
            if position_or_none is None or held < request.quantity:
                raise BusinessError(
                    ErrorCode.INSUFFICIENT_ASSET,
                    f"You can sell at most {held.normalize():f} {asset.symbol}.",
                    "quantity",
                )
            position = position_or_none
            total = cents_down(value)
            quantity = position.quantity - request.quantity
            # A position sold down to nothing forgets its cost; sells otherwise keep it.
            average = position.average_cost if quantity > 0 else None
            cash_delta = total
        await positions.set(user_id, asset.id, quantity=quantity, average_cost=average)
        order = await OrderRepository(session).create(
            user_id=user_id,
            asset_id=asset.id,
            client_order_id=request.client_order_id,
            side=request.side,
            type=MARKET,
            status="FILLED",
            quantity=request.quantity,
            executed_price=price,
            total=total,
            filled=True,
        )
        await AssetTransactionRepository(session).append(
            user_id=user_id,
            asset_id=asset.id,
            order_id=order.id,
            side=request.side,
            quantity=request.quantity,
            price=price,
            total=total,
        )
        balance = await BalanceRepository(session).apply(user_id, cash_delta=cash_delta)
        await LedgerRepository(session).append(
            user_id,
            "ORDER_BUY" if request.side == BUY else "ORDER_SELL",
            cash_delta,
            balance.cash,
            order.id,
        )
        return order
