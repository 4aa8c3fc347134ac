"""Loads the shipped asset catalogue into an empty database, with 30 days of price history.

The history is a seeded random walk that ends at the snapshot price (and passes
through the snapshot's price 24 hours earlier), so charts and the 7- and 30-day
changes have values from the first start. The same seed gives the same history.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Asset
from persistence.repositories.assets import AssetRepository

CATALOGUE_FILE = Path(__file__).with_name("assets.json")
HISTORY_DAYS = 30
RECENT_STEP = timedelta(minutes=5)
OLDER_STEP = timedelta(hours=1)
YEAR = timedelta(days=365)
PRICE_PLACES = Decimal("1e-10")


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    at: datetime
    price: Decimal


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


def _to_price(value: float) -> Decimal:
    """Eight significant digits, at most ten decimal places, never zero."""
    exact = Decimal(f"{value:.8g}").quantize(PRICE_PLACES)
    return max(exact, PRICE_PLACES)


def simulated_history(
    symbol: str, price: Decimal, change_24h: Decimal | None, volatility: Decimal, now: datetime
) -> list[HistoryPoint]:
    """Points from 30 days ago to ``now``, oldest first: hourly, then every 5 minutes for 24 h."""
    rng = random.Random(f"catalogue-history:{symbol}")  # noqa: S311 - simulation, not secrets
    sigma = float(volatility)
    instants: list[datetime] = []
    at = now
    while at > now - timedelta(days=1):
        instants.append(at)
        at -= RECENT_STEP
    while at >= now - timedelta(days=HISTORY_DAYS):
        instants.append(at)
        at -= OLDER_STEP
    # Walk backwards in log-price from now.
    log_prices = [math.log(float(price))]
    for newer, older in itertools.pairwise(instants):
        step_sigma = sigma * math.sqrt((newer - older) / YEAR)
        log_prices.append(log_prices[-1] - rng.gauss(0.0, step_sigma))
    if change_24h is not None and float(change_24h) > -100:
        # Bend the last day so that the price a day ago matches the snapshot's 24h change.
        day_ago = next(i for i, t in enumerate(instants) if t <= now - timedelta(days=1))
        target = math.log(float(price) / (1 + float(change_24h) / 100))
        drift = target - log_prices[day_ago]
        for i in range(1, len(log_prices)):
            log_prices[i] += drift * min(1.0, i / day_ago)
    points = [
        HistoryPoint(at, _to_price(math.exp(lp)))
        for at, lp in zip(instants, log_prices, strict=True)
    ]
    points[0] = HistoryPoint(now, price)
    points.reverse()
    return points


def percent_change(old: Decimal, new: Decimal) -> Decimal:
    return ((new - old) / old * 100).quantize(Decimal("0.0001"))


def _price_at(points: list[HistoryPoint], instant: datetime) -> Decimal:
    return next(p.price for p in points if p.at >= instant)


async def load_catalogue_if_empty(session: AsyncSession, path: Path = CATALOGUE_FILE) -> int:
    """Insert the catalogue and its history when there is no asset yet; returns assets added."""
    if await AssetRepository(session).count() > 0:
        return 0
    document = json.loads(path.read_text())  # noqa: ASYNC240 - small file, read once
    now = datetime.now(UTC).replace(microsecond=0)
    history_rows: list[tuple[int, datetime, Decimal]] = []
    for item in document["assets"]:
        price = Decimal(item["price"])
        change_24h = _decimal(item.get("price_change_24h"))
        volatility = _decimal(item.get("volatility")) or Decimal("0.6")
        points = simulated_history(item["symbol"], price, change_24h, volatility, now)
        last_day = [p.price for p in points if p.at >= now - timedelta(days=1)]
        values = {
            "symbol": item["symbol"].upper(),
            "name": item["name"],
            "category": item.get("category"),
            "description": item.get("description"),
            "image_url": item.get("image_url"),
            "is_tradable": bool(item.get("is_tradable", True)),
            "price": price,
            "price_updated_at": now,
            "market_cap": _decimal(item.get("market_cap")),
            "market_cap_rank": item.get("market_cap_rank"),
            "price_change_24h": percent_change(_price_at(points, now - timedelta(days=1)), price),
            "price_change_7d": percent_change(_price_at(points, now - timedelta(days=7)), price),
            "price_change_30d": percent_change(points[0].price, price),
            "high_24h": max(last_day),
            "low_24h": min(last_day),
            "volume_24h": _decimal(item.get("volume_24h")),
            "circulating_supply": _decimal(item.get("circulating_supply")),
            "total_supply": _decimal(item.get("total_supply")),
            "max_supply": _decimal(item.get("max_supply")),
            "all_time_high": _decimal(item.get("all_time_high")),
            "all_time_high_at": _instant(item.get("all_time_high_at")),
            "all_time_low": _decimal(item.get("all_time_low")),
            "all_time_low_at": _instant(item.get("all_time_low_at")),
            "volatility": volatility,
        }
        asset_id = await session.scalar(insert(Asset).values(**values).returning(Asset.id))
        assert asset_id is not None
        history_rows.extend((asset_id, p.at, p.price) for p in points)
    # COPY: tens of thousands of points in a fraction of a second.
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.copy_records_to_table(
        "price_points", records=history_rows, columns=["asset_id", "at", "price"]
    )
    return len(document["assets"])
