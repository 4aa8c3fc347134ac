from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    MetaData,
    Numeric,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Column types for money and quantities: exact decimals, fixed scale.
Cash = Numeric(20, 2, asdecimal=True)
"""USD amounts: cents."""
Quantity = Numeric(30, 8, asdecimal=True)
"""Units of an asset: eight decimal places."""
Price = Numeric(30, 10, asdecimal=True)
"""USD per unit: ten decimal places, so sub-cent coins keep their precision."""
Percent = Numeric(14, 4, asdecimal=True)
BigAmount = Numeric(38, 8, asdecimal=True)
"""Market caps, volumes, supplies."""


def known(column: str, words: type[StrEnum], name: str) -> CheckConstraint:
    """Keeps ``column`` within one closed set of words (persistence/vocabulary.py)."""
    listed = ", ".join(repr(str(word)) for word in words)
    return CheckConstraint(f"{column} IN ({listed})", name=name)


def held_within(total: str) -> tuple[CheckConstraint, CheckConstraint]:
    """``total`` is never negative, and ``held``, the part open orders reserve, lies within it."""
    return (
        CheckConstraint(f"{total} >= 0", name=f"{total}_not_negative"),
        CheckConstraint(f"held >= 0 AND held <= {total}", name=f"held_within_{total}"),
    )


def serial_id() -> Mapped[int]:
    """A BIGINT identity primary key."""
    return mapped_column(BigInteger, Identity(), primary_key=True)


def owner_id(**options: Any) -> Mapped[int]:
    """The user a row belongs to; the row goes when the user does."""
    return mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), **options)


def now_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: DateTime(timezone=True),
        Decimal: Cash,
    }
