"""The closed sets of words orders, the ledger, price alerts and red pockets are spoken in.

Defined once in ``persistence/vocabulary.py``, the bottom of the layering, since the
tables store these words and persistence imports nothing above it. Everything above
persistence (the domain, the schema, the web edge) takes them from here.
"""

from persistence.vocabulary import (
    LedgerEntryType,
    OrderSide,
    OrderStatus,
    OrderType,
    PriceAlertCondition,
    PriceAlertStatus,
    RedPocketKind,
    TimeInForce,
)

__all__ = [
    "LedgerEntryType",
    "OrderSide",
    "OrderStatus",
    "OrderType",
    "PriceAlertCondition",
    "PriceAlertStatus",
    "RedPocketKind",
    "TimeInForce",
]
