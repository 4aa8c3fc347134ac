"""The local rule-based analyser: a reading without any model, when no API key is set.

It applies fixed thresholds to the same rounded figures a model would see, and its
``model`` name says so: it never passes itself off as a language model.
"""

from __future__ import annotations

from decimal import Decimal

from domain.insights.prompt import percent, pnl_percent, signed_percent, signed_usd, usd, whole
from domain.insights.snapshot import PortfolioSnapshot
from domain.vocabulary import OrderSide, OrderStatus

LOCAL_MODEL = "local-rules-v1"

CONCENTRATED = Decimal(50)
"""One asset at or above this share of the portfolio is a concentrated position."""
SPREAD_MAX_SHARE = Decimal(25)
"""Five or more assets, none above this share: a diversified portfolio."""
CASH_HEAVY = Decimal(50)
CASH_LIGHT = Decimal(5)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _allocation(snapshot: PortfolioSnapshot) -> str:
    top = snapshot.holdings[0]
    count = len(snapshot.holdings) + snapshot.more_holdings
    share = percent(top.allocation)
    if top.allocation >= CONCENTRATED:
        return (
            f"{top.symbol} makes up {share} of your portfolio, a concentrated position: "
            "its price swings move most of your value."
        )
    if count == 1:
        return f"{top.symbol} is your only holding, at {share} of the portfolio."
    if count >= 5 and top.allocation <= SPREAD_MAX_SHARE:
        return (
            f"Your holdings are spread across {count} assets and none is above {share}, "
            "so no single asset dominates."
        )
    return f"You hold {count} assets; the largest, {top.symbol}, is {share} of the portfolio."


def _cash(snapshot: PortfolioSnapshot) -> str:
    share = percent(snapshot.cash_share)
    total = usd(snapshot.total_value)
    if not snapshot.holdings and not snapshot.more_holdings:
        return f"You hold only cash ({usd(snapshot.cash)}), so market moves do not touch it."
    if snapshot.cash_share >= CASH_HEAVY:
        return (
            f"Cash is {share} of your total value of {total}, which cushions market swings "
            "but leaves most of it uninvested."
        )
    if snapshot.cash_share < CASH_LIGHT:
        return f"Almost all of your {total} is invested, with cash at {share}."
    return f"Cash is {share} of your total value of {total}."


def _unrealised(snapshot: PortfolioSnapshot) -> str | None:
    known = [h for h in snapshot.holdings if h.unrealized_pnl is not None and h.cost_basis]
    if not known:
        return None
    pnl = sum((h.unrealized_pnl or Decimal(0) for h in known), Decimal(0))
    cost = sum((h.cost_basis or Decimal(0) for h in known), Decimal(0))
    value = sum((h.market_value for h in known), Decimal(0))
    share = pnl / cost * 100
    if whole(share).is_zero():
        return f"Your holdings are close to break-even overall ({signed_usd(pnl, like=value)})."
    if pnl > 0:
        best = max(known, key=lambda h: (h.unrealized_pnl or 0, h.symbol))
        return (
            f"Your holdings show an unrealised gain of {usd(pnl, like=value)} "
            f"({signed_percent(share)}), led by {best.symbol}."
        )
    worst = min(known, key=lambda h: (h.unrealized_pnl or 0, h.symbol))
    worst_share = pnl_percent(worst)
    detail = "" if worst_share is None else f" ({signed_percent(worst_share)})"
    return (
        f"Your holdings show an unrealised loss of {usd(-pnl, like=value)} "
        f"({signed_percent(share)}), weighed down most by {worst.symbol}{detail}."
    )


def _activity(snapshot: PortfolioSnapshot) -> str | None:
    orders = snapshot.recent_orders
    if not orders:
        return None
    newest = orders[0]
    latest = f"a {newest.side.lower()} of {newest.symbol}"
    if len(orders) == 1:
        return f"Your only order so far was {latest}."
    buys = sum(1 for order in orders if order.side == OrderSide.BUY)
    sells = len(orders) - buys
    still_open = sum(1 for order in orders if order.status == OrderStatus.OPEN)
    waiting = f", {still_open} still open" if still_open else ""
    if not sells or not buys:
        mix = "all buys" if not sells else "all sells"
    else:
        mix = f"{_plural(buys, 'buy')} and {_plural(sells, 'sell')}"
    return f"Your last {len(orders)} orders were {mix}{waiting}; the newest was {latest}."


class LocalAnalyser:
    """Reads concentration, diversification, cash share, unrealised P&L and recent activity."""

    @property
    def model(self) -> str:
        return LOCAL_MODEL

    def read(self, snapshot: PortfolioSnapshot) -> str:
        """Two to four sentences about a non-empty snapshot."""
        sentences: list[str | None] = []
        if snapshot.holdings:
            sentences.append(_allocation(snapshot))
        sentences.append(_cash(snapshot))
        sentences.append(_unrealised(snapshot))
        sentences.append(_activity(snapshot))
        return " ".join(sentence for sentence in sentences if sentence)

    async def summarise(self, snapshot: PortfolioSnapshot) -> str:
        return self.read(snapshot)

    async def aclose(self) -> None:
        return None
