"""What a model is shown: the snapshot, the prompt built from it, and its fingerprint."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from domain.insights.prompt import fingerprint, percent, render_prompt, signed_usd, usd
from domain.insights.snapshot import MAX_HOLDINGS, MAX_ORDERS, PortfolioSnapshot, snapshot_from
from domain.portfolio import Valuation, ValuedPosition
from persistence.models import Asset, Order
from tests.support.insights_samples import NOW, holding, order, snapshot, typical, with_noise


def valued(symbol: str, value: str, allocation: str, *, cost: str | None = "90") -> ValuedPosition:
    asset = Asset(symbol=symbol, name=f"{symbol} Token", price=Decimal(100))
    asset.price_change_24h = Decimal("-3.4")
    quantity = Decimal(value) / 100
    return ValuedPosition(
        asset=asset,
        quantity=quantity,
        available=quantity,
        average_cost=None if cost is None else Decimal(cost),
        market_value=Decimal(value),
        unrealized_pnl=None if cost is None else Decimal(value) - quantity * Decimal(cost),
        allocation=Decimal(allocation),
    )


def placed(n: int) -> tuple[Order, str]:
    model = Order(
        side="BUY" if n % 2 else "SELL",
        type="MARKET",
        status="FILLED",
        quantity=Decimal("0.5"),
        executed_price=Decimal("200"),
        total=Decimal("100.00"),
        created_at=NOW - timedelta(hours=n),
    )
    return model, f"S{n}"


def valuation(positions: list[ValuedPosition], cash: str = "1000.00") -> Valuation:
    held = sum((p.market_value for p in positions), Decimal(0))
    return Valuation(Decimal(cash), held, Decimal(cash) + held, positions, NOW)


# ------------------------------------------------------------------ the snapshot


def test_a_snapshot_holds_figures_only_never_personal_data():
    names = {field.name for field in dataclasses.fields(PortfolioSnapshot)}
    assert names == {
        "cash",
        "total_value",
        "holdings",
        "recent_orders",
        "more_holdings",
        "more_holdings_value",
    }


def test_the_snapshot_keeps_the_ten_largest_holdings_and_ten_newest_orders():
    positions = [valued(f"A{n:02}", str(100 * (n + 1)), "5") for n in range(12)]
    result = snapshot_from(valuation(positions), [placed(n) for n in range(12)])
    assert len(result.holdings) == MAX_HOLDINGS == 10
    assert [h.symbol for h in result.holdings][:2] == ["A11", "A10"]
    assert (result.more_holdings, result.more_holdings_value) == (2, Decimal("300"))
    assert len(result.recent_orders) == MAX_ORDERS == 10
    assert [o.symbol for o in result.recent_orders][:2] == ["S0", "S1"]


def test_a_holding_carries_allocation_change_and_pnl():
    result = snapshot_from(valuation([valued("BTC", "500", "33.33", cost="80")]), [])
    [btc] = result.holdings
    assert (btc.symbol, btc.name, btc.allocation, btc.change_24h) == (
        "BTC",
        "BTC Token",
        Decimal("33.33"),
        Decimal("-3.4"),
    )
    assert (btc.unrealized_pnl, btc.cost_basis) == (Decimal("100"), Decimal("400.00"))


def test_an_unfilled_order_shows_its_limit_price():
    model = Order(
        side="BUY",
        type="LIMIT",
        status="OPEN",
        quantity=Decimal(2),
        limit_price=Decimal("95.5"),
        created_at=NOW,
    )
    [shown] = snapshot_from(valuation([]), [(model, "ETH")]).recent_orders
    assert (shown.price, shown.total) == (Decimal("95.5"), None)


def test_no_holdings_and_no_orders_is_empty_whatever_the_cash():
    assert snapshot_from(valuation([], cash="5000.00"), []).is_empty
    assert not snapshot_from(valuation([], cash="5000.00"), [placed(1)]).is_empty


# ------------------------------------------------------------------ the prompt


def test_the_prompt_carries_cash_total_holdings_and_orders():
    prompt = render_prompt(typical())
    assert "Total value: $10,200" in prompt
    assert "Cash: $3,030 (30% of total)" in prompt
    assert (
        "- BTC (BTC coin): value $5,000, 49% of total, 24h change +2%, "
        "unrealised P&L +$300 (+6%)" in prompt
    )
    assert "- ETH (ETH coin): value $2,200, 21% of total, 24h change -1%" in prompt
    assert "- 2026-11-28 09:25 UTC: BUY MARKET 1 ETH, FILLED at $100, total $100" in prompt


def test_the_prompt_shows_ten_holdings_and_sums_the_rest():
    positions = [valued(f"A{n:02}", str(100 * (n + 1)), "5") for n in range(12)]
    prompt = render_prompt(snapshot_from(valuation(positions), [placed(n) for n in range(12)]))
    assert "Holdings (12 assets, largest 10):" in prompt
    assert prompt.count("\n- A") == 10
    assert "- 2 smaller holdings: value $300, 3% of total" in prompt
    assert "Most recent orders (newest first, 10):" in prompt
    assert prompt.count(" UTC: ") == 10


def test_an_all_cash_portfolio_says_so():
    prompt = render_prompt(snapshot("500", [], [order("BTC", "SELL")]))
    assert "Holdings: none (all cash)." in prompt


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("10234.56", "$10,200"),
        ("999.5", "$1,000"),
        ("0.37", "$0.37"),
        ("-4.567", "-$4.57"),
        ("0", "$0"),
        ("0.0000123456", "$0.0000123"),
    ],
)
def test_dollar_amounts_keep_three_significant_digits(value, text):
    assert usd(Decimal(value)) == text


def test_a_pnl_is_rounded_like_its_holding():
    assert signed_usd(Decimal("303.10"), like=Decimal("5003.10")) == "+$300"
    assert signed_usd(Decimal("-51.30"), like=Decimal("2198.70")) == "-$50"
    assert signed_usd(Decimal("4.10"), like=Decimal("5003.10")) == "$0"


def test_percentages_are_whole_and_small_shares_show_as_under_one():
    assert [percent(Decimal(v)) for v in ("49.6", "0.4", "0")] == ["50%", "<1%", "0%"]


# ------------------------------------------------------------------ the fingerprint


def test_price_noise_keeps_the_fingerprint():
    assert fingerprint(typical(), "m") == fingerprint(with_noise(), "m")


def test_the_model_is_part_of_the_fingerprint():
    assert fingerprint(typical(), "gemini-a") != fingerprint(typical(), "gemini-b")


@pytest.mark.parametrize(
    "changed",
    [
        # A new order.
        dataclasses.replace(typical(), recent_orders=(order("SOL"), *typical().recent_orders)),
        # A real move in allocation.
        dataclasses.replace(
            typical(), holdings=(holding("BTC", "5000.00", "55"), *typical().holdings[1:])
        ),
        # A real move in the 24h change.
        dataclasses.replace(
            typical(),
            holdings=(holding("BTC", "5000.00", "48.85", change="-6"), *typical().holdings[1:]),
        ),
        # Cash withdrawn.
        dataclasses.replace(typical(), cash=Decimal("1000.00")),
    ],
)
def test_a_change_that_matters_changes_the_fingerprint(changed):
    assert fingerprint(changed, "m") != fingerprint(typical(), "m")


def test_an_order_filling_changes_the_fingerprint():
    open_order = snapshot("100", [holding("BTC", "100", "50")], [order("BTC", status="OPEN")])
    filled = dataclasses.replace(open_order, recent_orders=(order("BTC"),))
    assert fingerprint(open_order, "m") != fingerprint(filled, "m")
