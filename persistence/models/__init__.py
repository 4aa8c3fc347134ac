"""SQLAlchemy models: the tables of the system of record.

Every amount is NUMERIC (Decimal in Python), every timestamp timestamptz, and
every relationship ``lazy="raise"`` so no implicit load can hide an N+1.
"""

from persistence.models.account import CashBalance, RevokedToken, User
from persistence.models.alerts import PriceAlert, WatchlistItem
from persistence.models.base import Base
from persistence.models.catalogue import Asset, PricePoint
from persistence.models.ledger import IdempotencyKey, LedgerEntry, RedPocketClaim
from persistence.models.trading import AssetTransaction, Order, Position

__all__ = [
    "Asset",
    "AssetTransaction",
    "Base",
    "CashBalance",
    "IdempotencyKey",
    "LedgerEntry",
    "Order",
    "Position",
    "PriceAlert",
    "PricePoint",
    "RedPocketClaim",
    "RevokedToken",
    "User",
    "WatchlistItem",
]
