"""Cash: the balance, the ledger, deposits and withdrawals, and today's limits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal

import strawberry

from domain.cash import CashMovement
from domain.limits import DailyUsage
from persistence.models import CashBalance, LedgerEntry
from resolvers.context import Info
from schema.common import from_attributes, given
from schema.enums import BalanceTransactionType
from schema.payloads import mutation, payload
from schema.trading import Order, build_order


@strawberry.type(description="Cash in USD.")
class Balance:
    cash: Decimal = strawberry.field(description="All cash, including what open buy orders hold.")
    available: Decimal = strawberry.field(
        description="Cash not held by open orders: what can be spent or withdrawn now."
    )
    updated_at: datetime

    @classmethod
    def from_model(cls, model: CashBalance) -> Balance:
        return from_attributes(cls, model)


@strawberry.type(description="One cash movement of the ledger.")
class BalanceTransaction:
    order_id: strawberry.Private[int | None]
    id: strawberry.ID
    type: BalanceTransactionType
    amount: Decimal = strawberry.field(
        description="Signed: positive adds cash, negative removes it."
    )
    balance_after: Decimal = strawberry.field(description="cash right after this movement.")
    created_at: datetime

    @strawberry.field
    async def order(self, info: Info) -> Order | None:
        if self.order_id is None:
            return None
        return await build_order(info, await info.context.loaders.order(self.order_id))

    @classmethod
    def from_model(cls, model: LedgerEntry) -> BalanceTransaction:
        return from_attributes(cls, model)


@strawberry.type(description="What the user may still move today (UTC day) and the per-order cap.")
class Limits:
    deposit_limit: Decimal
    deposited_today: Decimal
    deposit_remaining: Decimal
    withdraw_limit: Decimal
    withdrawn_today: Decimal
    withdraw_remaining: Decimal
    max_order_value: Decimal = strawberry.field(
        description="Largest total value (quantity x price) one order may have."
    )

    @classmethod
    def from_usage(cls, usage: DailyUsage) -> Limits:
        return from_attributes(cls, usage)


@strawberry.input
class CashMovementInput:
    amount: Decimal = strawberry.field(description="USD, positive, at most two decimal places.")
    idempotency_key: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=(
            "Optional. A retry with the same key returns the first result and moves no money "
            "again; the same key with a different amount is an IDEMPOTENCY_CONFLICT."
        ),
    )


@payload
class BalancePayload:
    balance: Balance | None = None
    transaction: BalanceTransaction | None = None

    @classmethod
    def moved(cls, movement: CashMovement) -> BalancePayload:
        return cls(
            balance=Balance.from_model(movement.balance),
            transaction=BalanceTransaction.from_model(movement.entry),
        )


async def _move(
    info: Info,
    input: CashMovementInput,
    move: Callable[[int, Decimal, str | None], Awaitable[CashMovement]],
) -> BalancePayload:
    user_id = info.context.require_user_id()
    movement = await move(user_id, input.amount, given(input.idempotency_key))
    return BalancePayload.moved(movement)


@strawberry.type
class CashMutation:
    @mutation()
    async def deposit(self, info: Info, input: CashMovementInput) -> BalancePayload:
        return await _move(info, input, info.context.services.cash.deposit)

    @mutation()
    async def withdraw(self, info: Info, input: CashMovementInput) -> BalancePayload:
        return await _move(info, input, info.context.services.cash.withdraw)
