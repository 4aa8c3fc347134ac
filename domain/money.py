"""Exact money arithmetic: Decimal only, explicit rounding at every boundary."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
ZERO_CASH = Decimal("0.00")


def _digits(value: Decimal) -> tuple[str, int]:
    """The coefficient without trailing zeros, and its exponent; no context rounding.

    Read from the value's own digits: ``normalize()`` and arithmetic round to the
    context precision (28 digits), which turned 10.0000000000000000000000000000001
    into 10 before any check could see the 1.
    """
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        return "", 0  # NaN or infinity: refused by every caller before this matters
    text = "".join(map(str, digits)).lstrip("0")
    stripped = text.rstrip("0")
    return stripped, exponent + len(text) - len(stripped)


def decimal_places(value: Decimal) -> int:
    """Fractional digits the exact value needs: "1.50" -> 1, "10.000" -> 0."""
    coefficient, exponent = _digits(value)
    return -exponent if coefficient and exponent < 0 else 0


def significant_digits(value: Decimal) -> int:
    """Digits from the first to the last non-zero one: "0.0012300" -> 3, "1000" -> 1."""
    return len(_digits(value)[0])


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


def decimal_text(value: Decimal) -> str:
    """The one way amounts are written out (API and exports alike): exact, with at least
    two decimal places and no trailing zeros past them: "1000.00", "0.5" -> "0.50",
    "0.0000130000" -> "0.000013"."""
    text = format(value, "f")
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return f"{whole}.{fraction.ljust(2, '0')}"
