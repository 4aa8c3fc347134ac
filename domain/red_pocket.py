"""The Chinese New Year red-pocket game: guess a secret phrase, win its amount.

Per user and UTC day: each secret phrase pays at most once and, once one has paid,
every secret phrase is ALREADY_CLAIMED_TODAY; the first wrong guess pays a
consolation reward and later wrong guesses pay nothing, without an error, so the
guessing can go on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.clock import utc_today
from domain.errors import BusinessError, ErrorCode, invalid
from domain.money import ZERO_CASH
from domain.vocabulary import LedgerEntryType, RedPocketKind
from persistence.database import Database
from persistence.models import CashBalance
from persistence.repositories.balances import BalanceRepository
from persistence.repositories.ledger import LedgerRepository
from persistence.repositories.red_pocket_claims import RedPocketClaimRepository

MAX_PHRASE_LENGTH = 100


def already_claimed_today() -> BusinessError:
    return BusinessError(
        ErrorCode.ALREADY_CLAIMED_TODAY,
        "You have already opened today's red pocket; come back tomorrow (UTC day).",
    )


@dataclass(frozen=True, slots=True)
class RedPocketOutcome:
    amount: Decimal
    """What was credited; 0.00 when nothing was."""
    got_red_pocket: bool
    """True only when a secret phrase paid out."""
    balance: CashBalance


def check_phrase(phrase: str) -> str:
    """The guess as it is compared: trimmed, case kept."""
    if len(phrase) > MAX_PHRASE_LENGTH:
        raise invalid("phrase", f"A phrase is at most {MAX_PHRASE_LENGTH} characters long.")
    guess = phrase.strip()
    if not guess:
        raise invalid("phrase", "Type a phrase to guess.")
    return guess


class RedPocket:
    def __init__(
        self,
        db: Database,
        secret_words: Mapping[str, Decimal],
        consolation_reward: Decimal,
        *,
        today: Callable[[], date] = utc_today,
    ) -> None:
        self._db = db
        self._secret_words = dict(secret_words)
        self._consolation_reward = consolation_reward
        self._today = today

    def _payout(
        self, prize: Decimal | None, paid_today: set[RedPocketKind]
    ) -> tuple[RedPocketKind, Decimal]:
        """The kind of claim a guess makes and what it pays, given what already paid today."""
        if prize is not None:
            if RedPocketKind.SECRET in paid_today:
                raise already_claimed_today()
            return RedPocketKind.SECRET, prize
        if RedPocketKind.CONSOLATION in paid_today:
            return RedPocketKind.NONE, ZERO_CASH
        return RedPocketKind.CONSOLATION, self._consolation_reward

    async def claim(self, user_id: int, phrase: str) -> RedPocketOutcome:
        prize = self._secret_words.get(check_phrase(phrase))
        day = self._today()
        async with self._db.transaction() as session:
            balances = BalanceRepository(session)
            # The balance lock comes first, as in every money transaction: a user's
            # parallel claims queue here, and each then sees what the previous one paid.
            balance = await balances.lock(user_id)
            if balance is None:
                raise BusinessError(ErrorCode.VALIDATION_FAILED, "This account no longer exists.")
            claims = RedPocketClaimRepository(session)
            kind, amount = self._payout(prize, await claims.paid_kinds(user_id, day))
            ledger_entry_id = None
            if amount > 0:
                balance = await balances.apply(user_id, cash_delta=amount)
                entry = await LedgerRepository(session).append(
                    user_id, LedgerEntryType.REWARD, amount, balance.cash
                )
                ledger_entry_id = entry.id
            await claims.record(user_id, day, kind, amount, ledger_entry_id)
        return RedPocketOutcome(
            amount=amount, got_red_pocket=kind == RedPocketKind.SECRET, balance=balance
        )
