"""Exact money arithmetic: Decimal only, explicit rounding at every boundary."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
ZERO_CASH = Decimal("0.00")


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def cents_up(value: Decimal) -> Decimal:
    """What a buyer pays: never less than the exact value."""
    return value.quantize(CENT, rounding=ROUND_CEILING)


def cents_down(value: Decimal) -> Decimal:
    """What a seller receives: never more than the exact value."""
    return value.quantize(CENT, rounding=ROUND_FLOOR)


def cents(value: Decimal) -> Decimal:
    """A reported value (market value, P&L), rounded half-even to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
