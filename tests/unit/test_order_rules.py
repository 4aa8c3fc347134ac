"""When a limit order crosses a price and when a stop order's trigger is reached.

A BUY limit fills at or below its limit and a SELL at or above it; a BUY stop
triggers at or above its stop and a SELL at or below it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.market.matching import crosses
from domain.orders import stop_reached

# For each rule and side: the price against a level of 100, and whether the rule holds.
RULES = {
    crosses: {
        "BUY": {"100": True, "99.99": True, "100.01": False},
        "SELL": {"100": True, "100.01": True, "99.99": False},
    },
    stop_reached: {
        "BUY": {"100": True, "100.01": True, "99.99": False},
        "SELL": {"100": True, "99.99": True, "100.01": False},
    },
}


@pytest.mark.parametrize(
    ("rule", "side", "price", "holds"),
    [
        (rule, side, price, holds)
        for rule, sides in RULES.items()
        for side, prices in sides.items()
        for price, holds in prices.items()
    ],
)
def test_crossing_and_trigger_rules_at_a_level_of_100(rule, side, price, holds):
    assert rule(side, Decimal("100"), Decimal(price)) is holds
