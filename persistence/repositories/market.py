"""The price engine's SQL: quotes in, prices and history out, old history thinned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.models import Asset, PricePoint


@dataclass(frozen=True, slots=True)
class PriceWrite:
    asset_id: int
    price: Decimal
    change_24h: Decimal | None
    change_7d: Decimal | None
    change_30d: Decimal | None
    high_24h: Decimal
    low_24h: Decimal


# Thinning of old history: (older than, bucket kept per asset). Newer points stay as written.
RETENTION = (
    (timedelta(days=1), timedelta(minutes=5)),
    (timedelta(days=7), timedelta(hours=1)),
)
HISTORY_HORIZON = timedelta(days=365)


class MarketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tradable(self) -> list[Asset]:
        statement = select(Asset).where(Asset.is_tradable.is_(True)).order_by(Asset.id)
        return list(await self.session.scalars(statement))

    async def moved_since(
        self, instant: datetime | None
    ) -> list[tuple[str, Decimal, Decimal | None, datetime]]:
        """(symbol, price, 24 h change, when) of tradable assets priced after ``instant``
        (all of them when None)."""
        statement = select(
            Asset.symbol, Asset.price, Asset.price_change_24h, Asset.price_updated_at
        ).where(Asset.is_tradable.is_(True))
        if instant is not None:
            statement = statement.where(Asset.price_updated_at > instant)
        return [tuple(row) for row in await self.session.execute(statement)]  # type: ignore[misc]

    async def prices_at(self, instant: datetime) -> dict[int, Decimal]:
        """Each asset's last recorded price at or before ``instant``."""
        statement = (
            select(PricePoint.asset_id, PricePoint.price)
            .where(PricePoint.at <= instant)
            .ext(distinct_on(PricePoint.asset_id))
            .order_by(PricePoint.asset_id, PricePoint.at.desc())
        )
        return {asset_id: price for asset_id, price in await self.session.execute(statement)}

    async def extremes_since(self, instant: datetime) -> dict[int, tuple[Decimal, Decimal]]:
        """(high, low) of each asset's recorded prices since ``instant``."""
        statement = (
            select(PricePoint.asset_id, func.max(PricePoint.price), func.min(PricePoint.price))
            .where(PricePoint.at >= instant)
            .group_by(PricePoint.asset_id)
        )
        return {a: (high, low) for a, high, low in await self.session.execute(statement)}

    async def write_prices(self, writes: list[PriceWrite], at: datetime) -> None:
        """Every moved asset's new figures in one executemany round trip."""
        if not writes:
            return
        statement = (
            update(Asset)
            .where(Asset.id == bindparam("b_id"))
            .values(
                price=bindparam("b_price"),
                price_updated_at=at,
                price_change_24h=bindparam("b_24h"),
                price_change_7d=bindparam("b_7d"),
                price_change_30d=bindparam("b_30d"),
                high_24h=bindparam("b_high"),
                low_24h=bindparam("b_low"),
            )
            .execution_options(synchronize_session=False)
        )
        connection = await self.session.connection()
        await connection.execute(
            statement,
            [
                {
                    "b_id": w.asset_id,
                    "b_price": w.price,
                    "b_24h": w.change_24h,
                    "b_7d": w.change_7d,
                    "b_30d": w.change_30d,
                    "b_high": w.high_24h,
                    "b_low": w.low_24h,
                }
                for w in writes
            ],
        )

    async def append_history(self, points: list[tuple[int, datetime, Decimal]]) -> None:
        if not points:
            return
        connection = await self.session.connection()
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        await driver.copy_records_to_table(
            "price_points", records=points, columns=["asset_id", "at", "price"]
        )

    async def thin_history(self, now: datetime) -> int:
        """Keep the last point of each bucket in older history; drop what is past the horizon."""
        removed = 0
        boundaries = [*(now - age for age, _ in RETENTION), now - HISTORY_HORIZON]
        for (_, bucket), newer, older in zip(RETENTION, boundaries, boundaries[1:], strict=False):
            result = await self.session.execute(
                text(
                    "DELETE FROM price_points p USING ("
                    "  SELECT asset_id, at, row_number() OVER ("
                    "    PARTITION BY asset_id, date_bin(:bucket, at, "
                    "    TIMESTAMPTZ '2000-01-01') ORDER BY at DESC) AS rank"
                    "  FROM price_points WHERE at < :newer AND at >= :older) d"
                    " WHERE p.asset_id = d.asset_id AND p.at = d.at AND d.rank > 1"
                ),
                {"bucket": bucket, "newer": newer, "older": older},
            )
            removed += result.rowcount or 0  # type: ignore[attr-defined]
        result = await self.session.execute(
            text("DELETE FROM price_points WHERE at < :horizon"), {"horizon": boundaries[-1]}
        )
        return removed + (result.rowcount or 0)  # type: ignore[attr-defined]
