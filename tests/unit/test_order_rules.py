"""When a limit order crosses a price and when a stop order's trigger is reached.

A BUY limit fills at or below its limit and a SELL at or above it; a BUY stop
triggers at or above its stop and a SELL at or below it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.market.matching import crosses
from domain.orders import stop_reached


@pytest.mark.parametrize(
    ("rule", "side", "price", "holds"),
    [
        (crosses, "BUY", "100", True),
        (crosses, "BUY", "99.99", True),
        (crosses, "BUY", "100.01", False),
        (crosses, "SELL", "100", True),
        (crosses, "SELL", "100.01", True),
        (crosses, "SELL", "99.99", False),
        (stop_reached, "BUY", "100", True),
        (stop_reached, "BUY", "100.01", True),
        (stop_reached, "BUY", "99.99", False),
        (stop_reached, "SELL", "100", True),
        (stop_reached, "SELL", "99.99", True),
        (stop_reached, "SELL", "100.01", False),
    ],
)
def test_crossing_and_trigger_rules_at_a_level_of_100(rule, side, price, holds):
    assert rule(side, Decimal("100"), Decimal(price)) is holds
