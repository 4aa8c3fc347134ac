from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Identity, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import Base, BigAmount, Percent, Price


class Asset(Base):
    __tablename__ = "assets"
    __table_args__ = (
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("symbol = upper(symbol)", name="symbol_upper_case"),
        Index("ix_assets_rank", "market_cap_rank"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(500))
    is_tradable: Mapped[bool] = mapped_column(default=True)
    price: Mapped[Decimal] = mapped_column(Price)
    price_updated_at: Mapped[datetime]
    market_cap: Mapped[Decimal | None] = mapped_column(BigAmount)
    market_cap_rank: Mapped[int | None]
    price_change_24h: Mapped[Decimal | None] = mapped_column(Percent)
    price_change_7d: Mapped[Decimal | None] = mapped_column(Percent)
    price_change_30d: Mapped[Decimal | None] = mapped_column(Percent)
    high_24h: Mapped[Decimal | None] = mapped_column(Price)
    low_24h: Mapped[Decimal | None] = mapped_column(Price)
    volume_24h: Mapped[Decimal | None] = mapped_column(BigAmount)
    circulating_supply: Mapped[Decimal | None] = mapped_column(BigAmount)
    total_supply: Mapped[Decimal | None] = mapped_column(BigAmount)
    max_supply: Mapped[Decimal | None] = mapped_column(BigAmount)
    all_time_high: Mapped[Decimal | None] = mapped_column(Price)
    all_time_high_at: Mapped[datetime | None]
    all_time_low: Mapped[Decimal | None] = mapped_column(Price)
    all_time_low_at: Mapped[datetime | None]
    volatility: Mapped[Decimal] = mapped_column(Percent, default=Decimal("0.6"))
    """Annualised volatility the price simulator uses for this asset."""


class PricePoint(Base):
    __tablename__ = "price_points"

    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(primary_key=True)
    price: Mapped[Decimal] = mapped_column(Price)
