"""What a client selected of an orders page, described for the database to write as JSON.

The schema describes a selection with these (schema/order_json.py) and
``History.orders_json`` hands the description to the statement that renders it.
"""

from __future__ import annotations

from persistence.repositories.order_page_json import (
    Column,
    Constant,
    EachOrder,
    JsonObject,
    Kind,
    PageFact,
    Part,
)

__all__ = ["Column", "Constant", "EachOrder", "JsonObject", "Kind", "PageFact", "Part"]
