from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import Base, Cash, held_within, now_column, owner_id, serial_id


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_username_lower", func.lower(text("username")), unique=True),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: Mapped[int] = serial_id()
    username: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(50))
    last_name: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(15))
    date_of_birth: Mapped[date | None]
    marketing_emails_consent: Mapped[bool] = mapped_column(default=False)
    tokens_valid_after: Mapped[datetime | None]
    """Tokens issued before this instant are no longer accepted (set on password change)."""
    created_at: Mapped[datetime] = now_column()
    updated_at: Mapped[datetime] = now_column()


class RevokedToken(Base):
    """A token signed out before it expired; kept until it would have expired anyway.

    PostgreSQL, not a cache, holds revocations: a sign-out must outlive a restart
    and a Redis outage alike.
    """

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = owner_id(index=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class CashBalance(Base):
    """A user's USD cash. ``held`` is the part reserved by open buy orders."""

    __tablename__ = "cash_balances"
    __table_args__ = held_within("cash")

    user_id: Mapped[int] = owner_id(primary_key=True)
    cash: Mapped[Decimal] = mapped_column(Cash, default=Decimal("0.00"))
    held: Mapped[Decimal] = mapped_column(Cash, default=Decimal("0.00"))
    updated_at: Mapped[datetime] = now_column()

    @property
    def available(self) -> Decimal:
        return self.cash - self.held
