"""The one GraphQL schema: per-domain root types merged, with the extensions we rely on."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.tools import merge_types

from schema.accounts import AccountMutation, AccountQuery
from schema.broadcast import SharedEventExecutor
from schema.cash import CashMutation
from schema.catalogue import CatalogueQuery
from schema.extensions.error_discipline import ErrorDiscipline
from schema.red_pocket import RedPocketMutation
from schema.scalars import SCALARS
from schema.subscriptions import Subscription
from schema.trading import TradingMutation, TradingQuery

Query = merge_types("Query", (AccountQuery, CatalogueQuery, TradingQuery))
Mutation = merge_types(
    "Mutation", (AccountMutation, CashMutation, TradingMutation, RedPocketMutation)
)


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    # Parsing and validating cost ~1 ms per request; clients that send the same document
    # with variables hit these caches and skip both.
    extensions: list[Callable[[], SchemaExtension]] = [
        ErrorDiscipline,
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        scalar_overrides=SCALARS,
        # A price tick is executed once per document, not once per subscriber.
        execution_context_class=SharedEventExecutor,
    )
