"""Deposits and withdrawals: one locking transaction each, within daily limits, idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.clock import start_of_utc_day, utc_now
from domain.errors import BusinessError, ErrorCode
from domain.limits import DailyUsage, Limits
from domain.validation import client_key, positive_amount
from domain.vocabulary import LedgerEntryType
from persistence.database import Database
from persistence.models import CashBalance, LedgerEntry
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.ledger import IdempotencyRepository, LedgerRepository
from persistence.session import Session


@dataclass(frozen=True, slots=True)
class CashMovement:
    balance: CashBalance
    entry: LedgerEntry


class Cash:
    def __init__(self, db: Database, limits: Limits) -> None:
        self._db = db
        self._limits = limits

    async def balance(self, user_id: int) -> CashBalance | None:
        async with self._db.read() as session:
            return await BalanceRepository(session).get(user_id)

    async def usage_today(self, user_id: int) -> DailyUsage:
        async with self._db.read() as session:
            totals = await LedgerRepository(session).totals_since(
                user_id,
                (LedgerEntryType.DEPOSIT, LedgerEntryType.WITHDRAWAL),
                start_of_utc_day(utc_now()),
            )
        return DailyUsage(
            deposit_limit=self._limits.daily_deposit,
            deposited_today=totals[LedgerEntryType.DEPOSIT],
            withdraw_limit=self._limits.daily_withdraw,
            withdrawn_today=-totals[LedgerEntryType.WITHDRAWAL],
            max_order_value=self._limits.max_order_value,
        )

    async def deposit(self, user_id: int, amount: Decimal, key: str | None) -> CashMovement:
        return await self._move(user_id, LedgerEntryType.DEPOSIT, amount, key)

    async def withdraw(self, user_id: int, amount: Decimal, key: str | None) -> CashMovement:
        return await self._move(user_id, LedgerEntryType.WITHDRAWAL, amount, key)

    def _check_input(self, amount: Decimal, key: str | None) -> None:
        problem = positive_amount(
            amount, "amount", places=2, at_most=self._limits.max_cash_movement, what="Amount"
        ) or client_key(key, "idempotencyKey")
        if problem is not None:
            raise problem

    async def _move(
        self, user_id: int, operation: LedgerEntryType, amount: Decimal, key: str | None
    ) -> CashMovement:
        self._check_input(amount, key)
        amount = amount.quantize(Decimal("0.01"))
        async with self._db.transaction() as session:
            balances = BalanceRepository(session)
            ledger = LedgerRepository(session)
            # The cash row lock comes first: it serialises this user's money movements,
            # so the idempotency lookup, the limit sum and the write below see one truth.
            balance = await balances.lock(user_id)
            if balance is None:
                raise BusinessError(ErrorCode.VALIDATION_FAILED, "This account no longer exists.")
            if key is not None:
                replay = await self._replay(session, user_id, key, operation, amount)
                if replay is not None:
                    return CashMovement(balance, replay)
            day_start = start_of_utc_day(utc_now())
            used = abs(await ledger.total_since(user_id, operation, day_start))
            limit = (
                self._limits.daily_deposit
                if operation == LedgerEntryType.DEPOSIT
                else self._limits.daily_withdraw
            )
            if used + amount > limit:
                raise BusinessError(
                    ErrorCode.DAILY_LIMIT_EXCEEDED,
                    f"That would exceed today's {operation.lower()} limit of {limit:,.2f} USD; "
                    f"{max(limit - used, Decimal(0)):,.2f} USD remain until midnight UTC.",
                    "amount",
                )
            if operation == LedgerEntryType.WITHDRAWAL and amount > balance.available:
                raise BusinessError(
                    ErrorCode.INSUFFICIENT_FUNDS,
                    f"Only {balance.available:,.2f} USD is available to withdraw.",
                    "amount",
                )
            delta = amount if operation == LedgerEntryType.DEPOSIT else -amount
            balance = await balances.apply(user_id, cash_delta=delta)
            entry = await ledger.append(user_id, operation, delta, balance.cash)
            if key is not None:
                await IdempotencyRepository(session).record(
                    user_id, key, operation, amount, entry.id
                )
            return CashMovement(balance, entry)

    @staticmethod
    async def _replay(
        session: Session, user_id: int, key: str, operation: LedgerEntryType, amount: Decimal
    ) -> LedgerEntry | None:
        """The first outcome recorded under ``key``, or None when the key is new."""
        previous = await IdempotencyRepository(session).get(user_id, key)
        if previous is None:
            return None
        if previous.operation != operation or previous.amount != amount:
            raise BusinessError(
                ErrorCode.IDEMPOTENCY_CONFLICT,
                "This idempotency key was already used for a different movement.",
                "idempotencyKey",
            )
        entry = await LedgerRepository(session).get(previous.ledger_entry_id)
        assert entry is not None
        return entry
