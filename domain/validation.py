"""Checks on the numbers and keys clients send with money operations."""

from __future__ import annotations

import re
from decimal import Decimal

from domain.errors import BusinessError, invalid
from domain.money import decimal_places

KEY = re.compile(r"[A-Za-z0-9._:\-]{1,64}")


def positive_amount(
    value: Decimal, field: str, *, places: int, at_most: Decimal, what: str
) -> BusinessError | None:
    if not value.is_finite() or value <= 0:
        return invalid(field, f"{what} must be greater than zero.")
    if decimal_places(value) > places:
        return invalid(field, f"{what} may have at most {places} decimal places.")
    if value > at_most:
        return invalid(field, f"{what} may be at most {at_most:,}.")
    return None


def client_key(value: str | None, field: str) -> BusinessError | None:
    if value is not None and not KEY.fullmatch(value):
        return invalid(field, "Use 1 to 64 letters, digits, dots, colons, underscores or hyphens.")
    return None
