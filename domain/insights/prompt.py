"""How a snapshot is shown to a model, and the fingerprint that keys the cache.

Every figure is rounded before it is written: values to three significant digits,
percentages to whole numbers. The prompt then changes only when the reading could
change, and the fingerprint, a hash of the prompt itself, survives price noise
(a 10,234.56 portfolio that ticks to 10,236.10 is still "$10,200") while any trade
changes it (a new order enters the list; a filled order changes its status).
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_HALF_EVEN, Decimal

from domain.insights.snapshot import Holding, PortfolioSnapshot, RecentOrder

PROMPT_VERSION = "insights-prompt-v1"
"""Part of every fingerprint: changing the prompt's wording must not serve old readings."""

SYSTEM_INSTRUCTION = (
    "You are the portfolio analyst of a crypto paper-trading app: the money is simulated. "
    "Read the portfolio figures you are given and write 2 to 4 plain sentences (no lists, "
    "no headings, no markdown) about its concentration, diversification, cash share, "
    "unrealised gains or losses and recent trading activity. Use only the figures given; "
    "do not invent prices, news or forecasts, and do not tell the user to buy or sell "
    "anything. Address the reader as 'you'."
)


def significant(value: Decimal, digits: int = 3) -> Decimal:
    """``value`` rounded to ``digits`` significant digits (10234.56 -> 1.02E+4)."""
    if value.is_zero() or not value.is_finite():
        return Decimal(0)
    exponent = value.adjusted() - digits + 1
    return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)


def whole(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN)


def rounded_like(value: Decimal, reference: Decimal) -> Decimal:
    """``value`` rounded to the step ``reference`` is shown with at three significant digits.

    A P&L moves cent for cent with its holding's value, so it must be rounded as
    coarsely: +$303.10 on a $5,003 holding reads "+$300", as the holding reads "$5,000".
    """
    if reference.is_zero() or not reference.is_finite():
        return significant(value)
    step = Decimal(1).scaleb(max(reference.adjusted() - 2, -2))
    return value.quantize(step, rounding=ROUND_HALF_EVEN)


def usd(value: Decimal, *, like: Decimal | None = None) -> str:
    """A dollar amount to three significant digits (or to ``like``'s step): "$10,200", "-$4.57"."""
    rounded = significant(value) if like is None else rounded_like(value, like)
    text = format(abs(rounded).normalize(), ",f")
    return f"-${text}" if rounded < 0 else f"${text}"


def signed_usd(value: Decimal, *, like: Decimal | None = None) -> str:
    text = usd(value, like=like)
    return text if text.startswith("-") or text == "$0" else "+" + text


def percent(value: Decimal) -> str:
    """A share in whole percent; "<1%" for a small share that is not zero."""
    rounded = whole(value)
    if rounded.is_zero() and not value.is_zero():
        return "<1%"
    return f"{rounded}%"


def signed_percent(value: Decimal) -> str:
    rounded = whole(value)
    return f"{rounded:+}%" if not rounded.is_zero() else "0%"


def pnl_percent(holding: Holding) -> Decimal | None:
    if holding.unrealized_pnl is None or not holding.cost_basis:
        return None
    return holding.unrealized_pnl / holding.cost_basis * 100


def _holding_line(holding: Holding) -> str:
    parts = [
        f"- {holding.symbol} ({holding.name}): value {usd(holding.market_value)}",
        f"{percent(holding.allocation)} of total",
    ]
    if holding.change_24h is not None:
        parts.append(f"24h change {signed_percent(holding.change_24h)}")
    if holding.unrealized_pnl is not None:
        pnl = f"unrealised P&L {signed_usd(holding.unrealized_pnl, like=holding.market_value)}"
        share = pnl_percent(holding)
        parts.append(pnl if share is None else f"{pnl} ({signed_percent(share)})")
    return ", ".join(parts)


def _order_line(order: RecentOrder) -> str:
    when = order.created_at.strftime("%Y-%m-%d %H:%M UTC")
    line = f"- {when}: {order.side} {order.type} {order.quantity.normalize():f} {order.symbol}"
    line += f", {order.status}"
    if order.price is not None:
        line += f" at {usd(order.price)}"
    if order.total is not None:
        line += f", total {usd(order.total)}"
    return line


def render_prompt(snapshot: PortfolioSnapshot) -> str:
    lines = [
        "Portfolio (USD, figures rounded):",
        f"Total value: {usd(snapshot.total_value)}",
        f"Cash: {usd(snapshot.cash)} ({percent(snapshot.cash_share)} of total)",
    ]
    held = len(snapshot.holdings) + snapshot.more_holdings
    if held:
        shown = "all shown" if not snapshot.more_holdings else f"largest {len(snapshot.holdings)}"
        lines.append(f"Holdings ({held} assets, {shown}):")
        lines.extend(_holding_line(holding) for holding in snapshot.holdings)
        if snapshot.more_holdings:
            share = (
                snapshot.more_holdings_value / snapshot.total_value * 100
                if snapshot.total_value > 0
                else Decimal(0)
            )
            lines.append(
                f"- {snapshot.more_holdings} smaller holdings: value "
                f"{usd(snapshot.more_holdings_value)}, {percent(share)} of total"
            )
    else:
        lines.append("Holdings: none (all cash).")
    if snapshot.recent_orders:
        lines.append(f"Most recent orders (newest first, {len(snapshot.recent_orders)}):")
        lines.extend(_order_line(order) for order in snapshot.recent_orders)
    else:
        lines.append("Recent orders: none.")
    return "\n".join(lines)


def fingerprint(snapshot: PortfolioSnapshot, model: str) -> str:
    """The cache key of a reading: the same rounded facts read by the same model."""
    digest = hashlib.sha256()
    for part in (PROMPT_VERSION, model, render_prompt(snapshot)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:40]
