"""Checks on the numbers and keys clients send with money operations."""

from __future__ import annotations

import re
from decimal import Decimal, getcontext

from domain.errors import BusinessError, invalid
from domain.money import decimal_places, significant_digits

KEY = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


def positive_amount(
    value: Decimal, field: str, *, places: int, at_most: Decimal, what: str
) -> BusinessError | None:
    """Refuses what cannot be taken exactly as sent: nothing here rounds."""
    if not value.is_finite() or value <= 0:
        return invalid(field, f"{what} must be greater than zero.")
    if decimal_places(value) > places:
        return invalid(field, f"{what} may have at most {places} decimal places.")
    if value > at_most:
        return invalid(field, f"{what} may be at most {at_most:,}.")
    # Past the context precision, arithmetic on the value would round it.
    if significant_digits(value) > getcontext().prec:
        return invalid(field, f"{what} may have at most {getcontext().prec} significant digits.")
    return None


def client_key(value: str | None, field: str) -> BusinessError | None:
    if value is not None and not KEY.fullmatch(value):
        return invalid(field, "Use 1 to 64 letters, digits, dots, colons, underscores or hyphens.")
    return None
