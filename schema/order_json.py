"""A user's orders connection built as JSON by PostgreSQL, when the selection allows.

``User.orders`` answers with an ``OrdersRead``: the execution context (schema/plans.py)
asks it to ``describe`` the client's selection once per document. A selection of the
connection's plain fields (edges, cursor, node, the order's columns, its asset's
columns, pageInfo, ``__typename``, aliases, fragments) becomes a description the
database renders (persistence/repositories/order_page_json.py), and the page arrives
as the finished answer, compact JSON text that the response encoder splices in as it
is (``JsonText``): no row decoded into objects, no field completed one by one.
Anything else (``totalCount``, ``priceHistory``, a directive, a scalar whose SQL text
is not certain) is not covered, and the page is read as rows and completed as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import FieldDetails
from strawberry.types.field import StrawberryField

from domain.history import OrdersAsked
from domain.order_json import Column, Constant, EachOrder, JsonObject, PageFact, Part
from resolvers.context import Info
from schema.catalogue import built_asset
from schema.common import selects
from schema.enums import OrderSide, OrderStatus
from schema.json_text import JsonText
from schema.pagination import Connection
from schema.plans import NotCovered, PendingRead, Selection
from schema.scalars import serialize_datetime, serialize_decimal
from schema.trading import Order, orders_from_rows

_PAGE_FACTS: dict[str, PageFact] = {
    "hasNextPage": PageFact("has_next_page"),
    "hasPreviousPage": PageFact("has_previous_page"),
    "startCursor": PageFact("start_cursor"),
    "endCursor": PageFact("end_cursor"),
}
_SCALAR_KINDS: dict[str, Any] = {"ID": "id", "String": "text", "Boolean": "bool", "Int": "int"}
_SERIALIZERS: dict[str, tuple[Any, Any]] = {
    "Decimal": ("decimal", serialize_decimal),
    "DateTime": ("datetime", serialize_datetime),
}
_DEFINITION = "strawberry-definition"


def _object_type(type_: GraphQLOutputType) -> GraphQLObjectType:
    """The object type of a non-null object field; anything else is not covered."""
    if not isinstance(type_, GraphQLNonNull) or not isinstance(type_.of_type, GraphQLObjectType):
        raise NotCovered
    return type_.of_type


def _kind(type_: GraphQLOutputType) -> Any:
    """How a leaf is written, only where its SQL text is certain to be the scalar's."""
    nullable = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(nullable, GraphQLEnumType):
        # Columns hold the enum's names (check constraints); an enum whose values are
        # other words would need a mapping.
        if any(str(value.value) != name for name, value in nullable.values.items()):
            raise NotCovered
        return "enum"
    if not isinstance(nullable, GraphQLScalarType):
        raise NotCovered
    if nullable.name in _SCALAR_KINDS:
        return _SCALAR_KINDS[nullable.name]
    kind, serializer = _SERIALIZERS.get(nullable.name, (None, None))
    if kind is None or nullable.serialize is not serializer:
        raise NotCovered
    return kind


DescribeField = Callable[[str, GraphQLField, Sequence[FieldDetails]], Part]
"""A field's part, from its name, definition and field details; NotCovered if none."""


class _Describer:
    def __init__(self, selection: Selection) -> None:
        self.selection = selection

    def object(
        self, type_: GraphQLObjectType, details: Sequence[FieldDetails], part: DescribeField
    ) -> JsonObject:
        fields: list[tuple[str, Part]] = []
        for key, field_details in self.selection.fields(type_, details):
            name = field_details[0].node.name.value
            if name == "__typename":
                fields.append((key, Constant(type_.name)))
                continue
            field_def = type_.fields.get(name)
            if field_def is None or field_def.args:
                raise NotCovered
            fields.append((key, part(name, field_def, field_details)))
        return JsonObject(tuple(fields))

    def connection(self, type_: GraphQLObjectType, details: Sequence[FieldDetails]) -> JsonObject:
        def part(name: str, field: GraphQLField, details: Sequence[FieldDetails]) -> Part:
            if name == "edges":
                edges = field.type
                # [Edge!]!: an empty page is an empty list, never null.
                if not isinstance(edges, GraphQLNonNull) or not isinstance(
                    edges.of_type, GraphQLList
                ):
                    raise NotCovered
                edge = _object_type(edges.of_type.of_type)
                return EachOrder(self.object(edge, details, self.edge))
            if name == "pageInfo":
                return self.object(_object_type(field.type), details, _page_fact)
            raise NotCovered

        return self.object(type_, details, part)

    def edge(self, name: str, field: GraphQLField, details: Sequence[FieldDetails]) -> Part:
        if name == "cursor":
            return PageFact("cursor")
        if name == "node":
            return self.object(_object_type(field.type), details, self.order)
        raise NotCovered

    def order(self, name: str, field: GraphQLField, details: Sequence[FieldDetails]) -> Part:
        definition = field.extensions.get(_DEFINITION)
        if name == "asset" and isinstance(definition, StrawberryField):
            resolver = definition.base_resolver
            if resolver is not None and resolver.wrapped_func is built_asset:
                return self.object(_object_type(field.type), details, _asset_column)
        return _column("orders", field)


def _page_fact(name: str, field: GraphQLField, details: Sequence[FieldDetails]) -> Part:
    if name not in _PAGE_FACTS:
        raise NotCovered
    return _PAGE_FACTS[name]


def _asset_column(name: str, field: GraphQLField, details: Sequence[FieldDetails]) -> Part:
    return _column("assets", field)


def _column(table: Any, field: GraphQLField) -> Column:
    """A field read from the column of its own name, as ``Order.from_row`` and
    ``Asset.from_row`` read them: only a plain attribute, no resolver."""
    definition = field.extensions.get(_DEFINITION)
    if (
        not isinstance(definition, StrawberryField)
        or definition.base_resolver is not None
        or definition.extensions
    ):
        raise NotCovered
    non_null = isinstance(field.type, GraphQLNonNull)
    return Column(table, definition.python_name, _kind(field.type), non_null)


class OrdersRead(PendingRead):
    """``User.orders``: a page the database builds as JSON, or rows completed as before."""

    def __init__(
        self,
        info: Info,
        user_id: int,
        *,
        first: int,
        after: str | None,
        status: OrderStatus | None,
        side: OrderSide | None,
        asset_symbol: str | None,
    ) -> None:
        self.info = info
        self.user_id = user_id
        self.request: OrdersAsked = {
            "first": first,
            "after": after,
            "status": status,
            "side": side,
            "asset_symbol": asset_symbol,
        }

    @classmethod
    def describe(
        cls, selection: Selection, type_: GraphQLOutputType, details: Sequence[FieldDetails]
    ) -> JsonObject:
        return _Describer(selection).connection(_object_type(type_), details)

    async def built(self, description: Any) -> Any | None:
        history = self.info.context.services.history
        text = await history.orders_json(self.user_id, description, **self.request)
        # Written as the response encoder writes it: spliced in as it is, never parsed.
        return None if text is None else JsonText(text)

    async def value(self) -> Connection[Order]:
        with_assets = selects(self.info, "edges", "node", "asset")
        history = self.info.context.services.history
        page = await history.orders(self.user_id, **self.request, with_assets=with_assets)
        return Connection.of(page, orders_from_rows(page.items, with_assets))
