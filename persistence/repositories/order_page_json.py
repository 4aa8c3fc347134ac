"""A page of a user's orders answered as JSON that PostgreSQL builds: one statement.

The orders page is read far more than anything else, and decoding its rows into
objects and completing them field by field cost more than the database's whole work.
When a selection is fully described here (``JsonObject``), the statement builds the
answer itself: exactly the selected fields under their response keys, in order, each
value already written as the API writes it (Decimal text with every significant digit
and at least two decimals, timestamps in UTC ISO-8601, ids and cursors as strings).

A value whose SQL rendering might differ from the API's (a timestamp outside years
1000-9999, a NaN) makes the statement answer "not exact" instead; the caller then
reads the page as rows. Same filters, same keyset, same order as ``order_pages``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Literal, TypeAlias

from sqlalchemy import Boolean, DateTime, Integer, Numeric, String, Table, Text

from persistence.database import RawReads
from persistence.models import Asset, Order
from persistence.repositories.order_pages import UNKNOWN_ASSET, asset_filter, page_statement

Kind: TypeAlias = Literal["id", "text", "enum", "bool", "int", "decimal", "datetime"]
"""How a column's value is written: as the GraphQL scalar of that name serialises it."""

PageFactName: TypeAlias = Literal[
    "cursor", "has_next_page", "has_previous_page", "start_cursor", "end_cursor"
]


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the order (``orders``) or of its asset (``assets``)."""

    table: Literal["orders", "assets"]
    name: str
    kind: Kind
    non_null: bool
    """The API promises a value: only a NOT NULL column can keep that promise here."""


@dataclass(frozen=True, slots=True)
class Constant:
    text: str
    """A ``__typename``."""


@dataclass(frozen=True, slots=True)
class PageFact:
    """``cursor`` is the order's (inside ``EachOrder``); the others are the page's."""

    name: PageFactName


@dataclass(frozen=True, slots=True)
class JsonObject:
    fields: tuple[tuple[str, Part], ...]
    """Response key and value, in response order."""


@dataclass(frozen=True, slots=True)
class EachOrder:
    """A JSON array: ``item`` once per order of the page, newest first."""

    item: JsonObject


Part: TypeAlias = Column | Constant | PageFact | JsonObject | EachOrder


class Unrenderable(Exception):
    """The description cannot be built exactly in SQL: read the page as rows."""


_TABLES: dict[str, tuple[str, Table]] = {
    "orders": ("o", Order.__table__),  # type: ignore[dict-item]
    "assets": ("a", Asset.__table__),  # type: ignore[dict-item]
}
_KIND_TYPES: dict[Kind, tuple[type, ...]] = {
    "id": (Integer,),  # BigInteger is an Integer
    "text": (String, Text),
    "enum": (String,),
    "bool": (Boolean,),
    "int": (Integer,),
    "decimal": (Numeric,),
    "datetime": (DateTime,),
}
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_CURSOR = (
    "rtrim(translate(encode(convert_to('order:' || {}, 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"
)
"""domain.pagination.encode_cursor("order", id): URL-safe base64 without padding."""


def _name(text: str) -> str:
    # Only GraphQL names reach here (response keys, type names): nothing to escape, in
    # SQL or in JSON.
    if not _NAME.fullmatch(text):
        raise Unrenderable(text)
    return text


def _quoted(text: str) -> str:
    """A JSON string of text with nothing to escape (digits, letters, "-.:+_"), or null."""
    return f"coalesce('\"' || {text} || '\"', 'null')"


def _boolean(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 'true' ELSE 'false' END"


def decimal_text_sql(value: str) -> str:
    # domain.money.decimal_text: every significant digit, at least two decimals. Trailing
    # zeros dropped (trim_scale), then rounded to max(scale, 2) places, which only pads:
    # numeric's text is plain notation with exactly that scale. A third of the database's
    # work of the text functions (split_part, rtrim, rpad) that do the same.
    trimmed = f"trim_scale({value})"
    return f"round({trimmed}, greatest(scale({trimmed}), 2))::text"


def datetime_text_sql(value: str) -> str:
    # schema.scalars.serialize_datetime: isoformat() in UTC, microseconds only when non-zero
    # (".000000" can stand nowhere else in this text).
    text = f"to_char({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"
    return f"replace({text}, '.000000', '') || '+00:00'"


class _Renderer:
    """SQL expressions of JSON text, written compactly as orjson writes a response:
    no space, keys in order, strings escaped by to_json (the same escapes as orjson's,
    tests/test_order_page_json.py)."""

    def __init__(self) -> None:
        self.guards: list[str] = []
        self.joins_assets = False
        self.reads_after = False

    def part(self, part: Part, per_order: bool) -> str:
        if isinstance(part, Constant):
            return f"'\"{_name(part.text)}\"'"
        if isinstance(part, JsonObject):
            return self.object(part, per_order)
        if isinstance(part, EachOrder):
            if per_order:
                raise Unrenderable("a list of orders inside an order")
            item = self.object(part.item, per_order=True)
            return f"'[' || coalesce(string_agg({item}, ',' ORDER BY o.id DESC), '') || ']'"
        if isinstance(part, PageFact):
            return self.fact(part.name, per_order)
        return self.column(part, per_order)

    def object(self, part: JsonObject, per_order: bool) -> str:
        if not part.fields:
            raise Unrenderable("an empty selection")
        pieces = []
        for position, (key, value) in enumerate(part.fields):
            opening = "{" if position == 0 else ","
            pieces.append(f"'{opening}\"{_name(key)}\":' || ({self.part(value, per_order)})")
        return "(" + " || ".join(pieces) + " || '}')"

    def fact(self, name: PageFactName, per_order: bool) -> str:
        if (name == "cursor") != per_order:
            raise Unrenderable(name)
        self.reads_after |= name == "has_previous_page"
        return {
            "cursor": _quoted(_CURSOR.format("o.id")),
            "has_next_page": _boolean("(SELECT count(*) FROM page) > $LIMIT"),
            "has_previous_page": _boolean("$AFTER::boolean"),
            "start_cursor": _quoted(_CURSOR.format("max(o.id)")),
            "end_cursor": _quoted(_CURSOR.format("min(o.id)")),
        }[name]

    def column(self, part: Column, per_order: bool) -> str:
        alias, table = _TABLES[part.table]
        column = table.columns.get(part.name)
        if (
            not per_order
            or column is None
            or (part.non_null and column.nullable)
            or not isinstance(column.type, _KIND_TYPES[part.kind])
            or (part.kind == "datetime" and not column.type.timezone)  # type: ignore[attr-defined]
        ):
            raise Unrenderable(f"{part.table}.{part.name} as {part.kind}")
        self.joins_assets |= part.table == "assets"
        value = f"{alias}.{part.name}"
        if part.kind == "decimal":
            self.guards.append(f"{value} <> 'NaN'")
            return _quoted(decimal_text_sql(value))
        if part.kind == "datetime":
            self.guards.append(f"{value} >= '1000-01-01 UTC' AND {value} < '10000-01-01 UTC'")
            return _quoted(datetime_text_sql(value))
        if part.kind in ("id", "enum"):
            # Digits; and the enum's names, which check constraints keep to [A-Z_].
            return _quoted(f"{value}::text")
        if part.kind == "text":
            return f"coalesce(to_json({value})::text, 'null')"
        return f"coalesce({value}::text, 'null')"  # bool ("true", "false") and int


@cache
def _statement(
    connection: JsonObject, *, before: bool, status: bool, side: bool, asset: bool
) -> tuple[str, bool]:
    """The statement, and whether it takes "after" (a statement takes only the parameters
    it reads)."""
    renderer = _Renderer()
    answer = renderer.object(connection, per_order=False)
    page = page_statement(before=before, status=status, side=side, asset=asset)
    filters = sum((before, status, side, asset))
    # Parameters: $1 the user, $2 the page's rows + 1, the filters, the page size, "after".
    answer = answer.replace("$LIMIT", f"${filters + 3}").replace("$AFTER", f"${filters + 4}")
    # An aggregate in every statement: one row, whatever the selection.
    exact = " AND ".join(renderer.guards) or "true"
    assets = " JOIN assets AS a ON a.id = o.asset_id" if renderer.joins_assets else ""
    return (
        f"WITH page AS ({page}) "  # noqa: S608
        f"SELECT {answer} AS answer, coalesce(bool_and({exact}), true) AS exact "
        f"FROM (SELECT * FROM page ORDER BY id DESC LIMIT ${filters + 3}) AS o{assets}"
    ), renderer.reads_after


async def orders_page_json(
    reads: RawReads,
    user_id: int,
    connection: JsonObject,
    *,
    before_id: int | None,
    limit: int,
    after_given: bool,
    status: str | None,
    side: str | None,
    asset_symbol: str | None,
) -> str | None:
    """The connection as JSON text, or None when it cannot be built exactly here."""
    try:
        statement, reads_after = _statement(
            connection,
            before=before_id is not None,
            status=status is not None,
            side=side is not None,
            asset=asset_symbol is not None,
        )
    except Unrenderable:
        return None
    asset_id = await asset_filter(reads, asset_symbol)
    if asset_id == UNKNOWN_ASSET:
        # No such asset: an empty page, as History.orders answers it (no previous page).
        after_given = False
    arguments = [value for value in (before_id, status, side, asset_id) if value is not None]
    arguments.append(limit)
    if reads_after:
        arguments.append(after_given)
    (row,) = await reads.fetch(statement, user_id, limit + 1, *arguments)
    answer: str | None = row["answer"] if row["exact"] else None
    return answer
