"""The local rule-based analyser: its readings of constructed portfolios."""

from __future__ import annotations

import re

import pytest

from domain.insights.local import LOCAL_MODEL, LocalAnalyser
from tests.support.insights_samples import holding, order, snapshot, typical

analyser = LocalAnalyser()


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?=\s|$)", text))


def test_it_names_itself_as_local_rules_not_a_language_model():
    assert analyser.model == LOCAL_MODEL == "local-rules-v1"


def test_a_concentrated_portfolio():
    reading = analyser.read(
        snapshot("1000", [holding("BTC", "8000", "80"), holding("ETH", "1000", "10")])
    )
    assert reading.startswith("BTC makes up 80% of your portfolio, a concentrated position")


def test_a_diversified_portfolio():
    held = [holding(s, "1500", "15") for s in ("BTC", "ETH", "SOL", "ADA", "XRP", "DOT")]
    reading = analyser.read(snapshot("1000", held))
    assert "spread across 6 assets and none is above 15%" in reading


def test_a_few_assets_without_a_dominant_one():
    held = [
        holding("ETH", "4000", "40"),
        holding("BTC", "3000", "30"),
        holding("SOL", "2000", "20"),
    ]
    reading = analyser.read(snapshot("1000", held))
    assert reading.startswith("You hold 3 assets; the largest, ETH, is 40% of the portfolio.")


def test_a_single_modest_holding():
    reading = analyser.read(snapshot("7000", [holding("SOL", "3000", "30")]))
    assert reading.startswith("SOL is your only holding, at 30% of the portfolio.")


@pytest.mark.parametrize(
    ("cash", "expected"),
    [
        ("9000", "Cash is 90% of your total value of $10,000, which cushions market swings"),
        ("300", "Almost all of your $10,000 is invested, with cash at 3%."),
        ("2000", "Cash is 20% of your total value of $10,000."),
    ],
)
def test_the_cash_share(cash, expected):
    value = str(10000 - int(cash))
    allocation = str((10000 - int(cash)) / 100)
    reading = analyser.read(snapshot(cash, [holding("BTC", value, allocation)]))
    assert expected in reading


def test_an_all_cash_portfolio_that_has_traded():
    reading = analyser.read(snapshot("5120.40", [], [order("BTC", "SELL"), order("BTC")]))
    assert reading == (
        "You hold only cash ($5,120), so market moves do not touch it. "
        "Your last 2 orders were 1 buy and 1 sell; the newest was a sell of BTC."
    )


def test_an_unrealised_gain_names_its_leader():
    held = [
        holding("BTC", "5000", "50", pnl="400", cost="4600"),
        holding("ETH", "3000", "30", pnl="-100", cost="3100"),
    ]
    reading = analyser.read(snapshot("2000", held))
    assert "an unrealised gain of $300 (+4%), led by BTC." in reading


def test_an_unrealised_loss_names_the_biggest_drag():
    held = [
        holding("DOGE", "600", "30", pnl="-400", cost="1000"),
        holding("ETH", "1000", "50", pnl="50", cost="950"),
    ]
    reading = analyser.read(snapshot("400", held))
    assert "an unrealised loss of $350 (-18%), weighed down most by DOGE (-40%)." in reading


def test_break_even_holdings():
    held = [holding("BTC", "5000", "50", pnl="10", cost="4990")]
    assert "close to break-even overall (+$10)" in analyser.read(snapshot("5000", held))


def test_unknown_costs_leave_pnl_out():
    reading = analyser.read(snapshot("5000", [holding("BTC", "5000", "50")]))
    assert "unrealised" not in reading


def test_recent_activity_counts_buys_sells_and_open_orders():
    orders = [order("ETH", "SELL", status="OPEN"), order("BTC"), order("BTC", minutes_ago=9)]
    reading = analyser.read(snapshot("5000", [holding("BTC", "5000", "50")], orders))
    assert reading.endswith(
        "Your last 3 orders were 2 buys and 1 sell, 1 still open; the newest was a sell of ETH."
    )


def test_a_single_order():
    reading = analyser.read(snapshot("5000", [holding("BTC", "5000", "50")], [order("BTC")]))
    assert reading.endswith("Your only order so far was a buy of BTC.")


@pytest.mark.parametrize(
    "portfolio",
    [
        typical(),
        snapshot("0", [holding("BTC", "100", "100")]),
        snapshot("10", [], [order("BTC", "SELL")]),
        snapshot(
            "100",
            [holding(f"C{n}", str(1000 - n), "9", pnl="5", cost="990") for n in range(10)],
            [order("C1", "SELL", minutes_ago=n) for n in range(10)],
        ),
    ],
)
def test_every_reading_is_two_to_four_plain_sentences(portfolio):
    reading = analyser.read(portfolio)
    assert 2 <= sentences(reading) <= 4
    assert "\n" not in reading
    assert not re.search(r"[*#`]", reading)


async def test_summarise_is_the_reading():
    assert await analyser.summarise(typical()) == analyser.read(typical())
