from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from persistence.models.base import Base, Cash, known, now_column, owner_id, serial_id
from persistence.vocabulary import LedgerEntryType, RedPocketKind


class LedgerEntry(Base):
    """One signed cash movement; a user's cash is the sum of their entries."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        known("type", LedgerEntryType, name="type_known"),
        CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        Index("ix_ledger_entries_user_newest", "user_id", "id"),
        # Serves the daily-limit sums: one user's entries of one type since midnight UTC.
        Index("ix_ledger_entries_user_type_created", "user_id", "type", "created_at"),
    )

    id: Mapped[int] = serial_id()
    user_id: Mapped[int] = owner_id()
    type: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Cash)
    balance_after: Mapped[Decimal] = mapped_column(Cash)
    order_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("orders.id"))
    created_at: Mapped[datetime] = now_column()


class IdempotencyKey(Base):
    """The first outcome of a cash movement sent with an idempotency key."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[int] = owner_id(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    operation: Mapped[str] = mapped_column(String(10))
    amount: Mapped[Decimal] = mapped_column(Cash)
    ledger_entry_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("ledger_entries.id"))
    created_at: Mapped[datetime] = now_column()


class RedPocketClaim(Base):
    """One guess in the red-pocket game.

    Partial unique indexes allow one paying claim of each kind per user and day.
    """

    __tablename__ = "red_pocket_claims"
    __table_args__ = (
        known("kind", RedPocketKind, name="kind_known"),
        Index(
            "uq_red_pocket_claims_secret_daily",
            "user_id",
            "day",
            unique=True,
            postgresql_where=text("kind = 'SECRET'"),
        ),
        Index(
            "uq_red_pocket_claims_consolation_daily",
            "user_id",
            "day",
            unique=True,
            postgresql_where=text("kind = 'CONSOLATION'"),
        ),
    )

    id: Mapped[int] = serial_id()
    user_id: Mapped[int] = owner_id()
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(11))
    amount: Mapped[Decimal] = mapped_column(Cash)
    ledger_entry_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("ledger_entries.id"))
    created_at: Mapped[datetime] = now_column()
