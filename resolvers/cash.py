from __future__ import annotations

from decimal import Decimal

from domain.cash import CashMovement
from domain.limits import DailyUsage
from persistence.models import CashBalance
from resolvers.context import Context


async def balance(context: Context, user_id: int) -> CashBalance:
    found = await context.services.cash.balance(user_id)
    if found is None:
        raise LookupError(f"user {user_id} has no cash balance")
    return found


async def limits(context: Context, user_id: int) -> DailyUsage:
    return await context.services.cash.usage_today(user_id)


async def deposit(context: Context, amount: Decimal, key: str | None) -> CashMovement:
    return await context.services.cash.deposit(context.require_user_id(), amount, key)


async def withdraw(context: Context, amount: Decimal, key: str | None) -> CashMovement:
    return await context.services.cash.withdraw(context.require_user_id(), amount, key)
