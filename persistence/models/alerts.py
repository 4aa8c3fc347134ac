from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import Base, Price, known, now_column, owner_id, serial_id
from persistence.vocabulary import PriceAlertCondition, PriceAlertStatus


class PriceAlert(Base):
    """A user's wish to hear when an asset's price reaches ``price``; fires once."""

    __tablename__ = "price_alerts"
    __table_args__ = (
        known("condition", PriceAlertCondition, name="condition_known"),
        known("status", PriceAlertStatus, name="status_known"),
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint(
            "(status = 'TRIGGERED') = (triggered_at IS NOT NULL AND triggered_price IS NOT NULL)",
            name="triggered_has_firing",
        ),
        Index("ix_price_alerts_user_newest", "user_id", "status", "id"),
        # The engine's search: active alerts of the assets a tick moved.
        Index(
            "ix_price_alerts_active_by_asset",
            "asset_id",
            "condition",
            "price",
            postgresql_where=text("status = 'ACTIVE'"),
        ),
    )

    id: Mapped[int] = serial_id()
    user_id: Mapped[int] = owner_id()
    asset_id: Mapped[int] = mapped_column(Integer, ForeignKey("assets.id", ondelete="CASCADE"))
    condition: Mapped[str] = mapped_column(String(5))
    price: Mapped[Decimal] = mapped_column(Price)
    status: Mapped[str] = mapped_column(
        String(9), default=PriceAlertStatus.ACTIVE, server_default=PriceAlertStatus.ACTIVE.value
    )
    created_at: Mapped[datetime] = now_column()
    triggered_at: Mapped[datetime | None]
    triggered_price: Mapped[Decimal | None] = mapped_column(Price)


class WatchlistItem(Base):
    """An asset a user follows; ``id`` keeps the order they were added in."""

    __tablename__ = "watchlist_items"
    __table_args__ = (
        UniqueConstraint("user_id", "asset_id", name="uq_watchlist_items_user_asset"),
        Index("ix_watchlist_items_user_added", "user_id", "id"),
    )

    id: Mapped[int] = serial_id()
    user_id: Mapped[int] = owner_id()
    asset_id: Mapped[int] = mapped_column(Integer, ForeignKey("assets.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = now_column()
