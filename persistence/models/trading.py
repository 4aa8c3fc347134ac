from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import (
    Base,
    Cash,
    Price,
    Quantity,
    held_within,
    known,
    now_column,
    owner_id,
    serial_id,
)
from persistence.vocabulary import OrderSide, OrderStatus, OrderType, TimeInForce


class Position(Base):
    """Units of one asset a user holds. ``held`` is reserved by open sell orders."""

    __tablename__ = "positions"
    __table_args__ = held_within("quantity")

    user_id: Mapped[int] = owner_id(primary_key=True)
    asset_id: Mapped[int] = mapped_column(Integer, ForeignKey("assets.id"), primary_key=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    held: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    average_cost: Mapped[Decimal | None] = mapped_column(Price)
    updated_at: Mapped[datetime] = now_column()

    @property
    def available(self) -> Decimal:
        return self.quantity - self.held


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("user_id", "client_order_id", name="uq_orders_user_client_order_id"),
        known("side", OrderSide, name="side_known"),
        known("type", OrderType, name="type_known"),
        known("status", OrderStatus, name="status_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        known("time_in_force", TimeInForce, name="time_in_force_known"),
        CheckConstraint(
            "(type IN ('LIMIT', 'STOP_LIMIT')) = (limit_price IS NOT NULL)",
            name="limit_price_iff_limit_types",
        ),
        CheckConstraint(
            "(type IN ('STOP', 'STOP_LIMIT')) = (stop_price IS NOT NULL)",
            name="stop_price_iff_stop_types",
        ),
        CheckConstraint("type <> 'MARKET' OR time_in_force = 'IOC'", name="market_is_ioc"),
        CheckConstraint(
            "(time_in_force IN ('DAY', 'GTD')) = (expires_at IS NOT NULL)",
            name="expiry_iff_day_or_gtd",
        ),
        CheckConstraint(
            "triggered_at IS NULL OR stop_price IS NOT NULL", name="triggered_only_stops"
        ),
        CheckConstraint("(status = 'EXPIRED') = (expired_at IS NOT NULL)", name="expired_has_time"),
        CheckConstraint(
            "(status = 'FILLED') = (executed_price IS NOT NULL AND total IS NOT NULL)",
            name="filled_has_execution",
        ),
        CheckConstraint("held_cash >= 0", name="held_cash_not_negative"),
        CheckConstraint("held_quantity >= 0", name="held_quantity_not_negative"),
        Index("ix_orders_user_newest", "user_id", "id"),
        # The matcher's search: open orders of one asset whose limit a price crosses.
        Index(
            "ix_orders_open_by_asset",
            "asset_id",
            "side",
            "limit_price",
            postgresql_where=text("status = 'OPEN'"),
        ),
        # The matcher's trigger search: open stops still waiting for their stop price.
        Index(
            "ix_orders_waiting_stops",
            "asset_id",
            "side",
            "stop_price",
            postgresql_where=text("status = 'OPEN' AND triggered_at IS NULL"),
        ),
        # The matcher's expiry search: open orders that have an expiry.
        Index(
            "ix_orders_open_expiry",
            "expires_at",
            postgresql_where=text("status = 'OPEN' AND expires_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = serial_id()
    user_id: Mapped[int] = owner_id()
    asset_id: Mapped[int] = mapped_column(Integer, ForeignKey("assets.id"))
    client_order_id: Mapped[str | None] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(4))
    type: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(9))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    limit_price: Mapped[Decimal | None] = mapped_column(Price)
    stop_price: Mapped[Decimal | None] = mapped_column(Price)
    """STOP and STOP_LIMIT: the price that triggers them."""
    time_in_force: Mapped[str] = mapped_column(String(3))
    executed_price: Mapped[Decimal | None] = mapped_column(Price)
    total: Mapped[Decimal | None] = mapped_column(Cash)
    held_cash: Mapped[Decimal] = mapped_column(Cash, default=Decimal(0), server_default="0")
    """Cash an open BUY reserves (quantity x limitPrice rounded up); 0 once it leaves OPEN."""
    held_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0), server_default="0")
    """Units an open SELL reserves; 0 once it leaves OPEN."""
    created_at: Mapped[datetime] = now_column()
    filled_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    """DAY and GTD: when the order expires if still open."""
    triggered_at: Mapped[datetime | None]
    """STOP and STOP_LIMIT: when the stop condition held."""
    expired_at: Mapped[datetime | None]


class AssetTransaction(Base):
    """A movement of units in or out of a position, always caused by an order fill."""

    __tablename__ = "asset_transactions"
    __table_args__ = (
        known("side", OrderSide, name="side_known"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        Index("ix_asset_transactions_user_newest", "user_id", "id"),
    )

    id: Mapped[int] = serial_id()
    user_id: Mapped[int] = owner_id()
    asset_id: Mapped[int] = mapped_column(Integer, ForeignKey("assets.id"))
    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("orders.id"))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    price: Mapped[Decimal] = mapped_column(Price)
    total: Mapped[Decimal] = mapped_column(Cash)
    created_at: Mapped[datetime] = now_column()
