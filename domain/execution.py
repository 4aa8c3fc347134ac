"""Settling a fill: the cash, position, asset movement and ledger entry of one execution.

Called inside the transaction that already locked the user's cash row (and the
order, for resting orders); the position is locked here, always after them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from domain.money import cents_down, cents_up
from domain.vocabulary import LedgerEntryType, OrderSide
from persistence.models import Position
from persistence.repositories.asset_transactions import AssetTransactionRepository
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.ledger import LedgerRepository
from persistence.repositories.positions import PositionRepository
from persistence.session import Session

AVERAGE_COST_PLACES = Decimal("1e-10")


def trade_total(side: str, quantity: Decimal, price: Decimal) -> Decimal:
    """Cash that changes hands: a buyer pays rounded up, a seller receives rounded down."""
    value = quantity * price
    return cents_up(value) if side == OrderSide.BUY else cents_down(value)


def new_average_cost(
    held: Decimal, average: Decimal | None, bought: Decimal, price: Decimal
) -> Decimal:
    """Volume-weighted average of executed prices (not of rounded totals)."""
    if held == 0 or average is None:
        return price
    exact = (held * average + bought * price) / (held + bought)
    return exact.quantize(AVERAGE_COST_PLACES, rounding=ROUND_HALF_EVEN)


async def settle_fill(
    session: Session,
    *,
    user_id: int,
    asset_id: int,
    order_id: int,
    side: str,
    quantity: Decimal,
    price: Decimal,
    held_cash: Decimal = Decimal(0),
    held_quantity: Decimal = Decimal(0),
    locked_position: Position | None = None,
) -> Decimal:
    """Apply one execution and release what the order held; returns the cash total.

    The caller has checked that the money or units are there (or were held);
    ``locked_position`` saves a round trip when the caller already locked it.
    """
    positions = PositionRepository(session)
    total = trade_total(side, quantity, price)
    if side == OrderSide.BUY:
        position = await positions.lock_or_create(user_id, asset_id)
        average: Decimal | None = new_average_cost(
            position.quantity, position.average_cost, quantity, price
        )
        await positions.set(
            user_id, asset_id, quantity=position.quantity + quantity, average_cost=average
        )
        cash_delta, ledger_type = -total, LedgerEntryType.ORDER_BUY
    else:
        position_or_none = locked_position or await positions.lock(user_id, asset_id)
        assert position_or_none is not None, "a sell settles only against a held position"
        remaining = position_or_none.quantity - quantity
        # A position sold down to nothing forgets its cost; sells otherwise keep it.
        average = position_or_none.average_cost if remaining > 0 else None
        await positions.set(
            user_id, asset_id, quantity=remaining, average_cost=average, held_delta=-held_quantity
        )
        cash_delta, ledger_type = total, LedgerEntryType.ORDER_SELL
    await AssetTransactionRepository(session).append(
        user_id=user_id,
        asset_id=asset_id,
        order_id=order_id,
        side=side,
        quantity=quantity,
        price=price,
        total=total,
    )
    balance = await BalanceRepository(session).apply(
        user_id, cash_delta=cash_delta, held_delta=-held_cash
    )
    await LedgerRepository(session).append(user_id, ledger_type, cash_delta, balance.cash, order_id)
    return total
