"""Business failures: expected outcomes that clients receive as data, never as crashes."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class ErrorCode(StrEnum):
    VALIDATION_FAILED = "VALIDATION_FAILED"
    USERNAME_TAKEN = "USERNAME_TAKEN"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    ASSET_NOT_FOUND = "ASSET_NOT_FOUND"
    ASSET_NOT_TRADABLE = "ASSET_NOT_TRADABLE"
    PRICE_UNAVAILABLE = "PRICE_UNAVAILABLE"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    INSUFFICIENT_ASSET = "INSUFFICIENT_ASSET"
    ORDER_VALUE_LIMIT_EXCEEDED = "ORDER_VALUE_LIMIT_EXCEEDED"
    DAILY_LIMIT_EXCEEDED = "DAILY_LIMIT_EXCEEDED"
    ORDER_NOT_FOUND = "ORDER_NOT_FOUND"
    ORDER_NOT_CANCELLABLE = "ORDER_NOT_CANCELLABLE"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    ALREADY_CLAIMED_TODAY = "ALREADY_CLAIMED_TODAY"
    ALERT_NOT_FOUND = "ALERT_NOT_FOUND"
    ALERT_LIMIT_REACHED = "ALERT_LIMIT_REACHED"


class BusinessError(Exception):
    """A failure a user can act on, or several found at once (e.g. every invalid field of
    a form): ``errors`` lists each of them, this one first. Raising it inside a
    transaction rolls the transaction back."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        field: str | None = None,
        *,
        also: Sequence[BusinessError] = (),
    ) -> None:
        self.code = code
        self.message = message
        self.field = field
        self.also = tuple(also)
        super().__init__("; ".join(error.message for error in self.errors))

    @property
    def errors(self) -> list[BusinessError]:
        return [self, *self.also]

    @classmethod
    def all_of(cls, errors: Sequence[BusinessError]) -> BusinessError:
        """One failure to raise for ``errors`` (at least one), in their order."""
        first, *rest = [each for error in errors for each in error.errors]
        return cls(first.code, first.message, first.field, also=rest)

    def __repr__(self) -> str:
        also = f", also={list(self.also)!r}" if self.also else ""
        return f"BusinessError({self.code}, {self.message!r}, field={self.field!r}{also})"


def invalid(field: str, message: str) -> BusinessError:
    return BusinessError(ErrorCode.VALIDATION_FAILED, message, field)


def asset_not_found(shown_symbol: str) -> BusinessError:
    """``shown_symbol`` is the symbol as the message shows it: trading shows it upper-cased,
    the watchlist and alerts quote it as it was typed."""
    return BusinessError(
        ErrorCode.ASSET_NOT_FOUND, f"No asset has the symbol {shown_symbol}.", "assetSymbol"
    )
