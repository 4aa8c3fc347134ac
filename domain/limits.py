from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Limits:
    """The platform's money limits (from configuration)."""

    daily_deposit: Decimal = Decimal("10000")
    daily_withdraw: Decimal = Decimal("5000")
    max_order_value: Decimal = Decimal("10000")
    max_cash_movement: Decimal = Decimal("1000000")
    """The most one deposit or withdrawal may move."""
    min_order_value: Decimal = Decimal("1.00")
    max_price_age: timedelta = timedelta(seconds=300)
    """How old an asset's last price may be for an order to trade on it."""


@dataclass(frozen=True, slots=True)
class DailyUsage:
    deposit_limit: Decimal
    deposited_today: Decimal
    withdraw_limit: Decimal
    withdrawn_today: Decimal
    max_order_value: Decimal

    @property
    def deposit_remaining(self) -> Decimal:
        return max(Decimal("0.00"), self.deposit_limit - self.deposited_today)

    @property
    def withdraw_remaining(self) -> Decimal:
        return max(Decimal("0.00"), self.withdraw_limit - self.withdrawn_today)
