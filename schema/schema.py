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
from schema.alerts import AlertMutation
from schema.broadcast import SharedEventExecutor
from schema.cash import CashMutation
from schema.catalogue import CatalogueQuery
from schema.extensions.error_discipline import ErrorDiscipline
from schema.extensions.http_caching import HttpCaching
from schema.extensions.operation_limits import OperationLimits, OperationLimitsExtension
from schema.extensions.operation_report import OperationReporter, ReportOperation
from schema.extensions.rate_limits import RateLimitExtension, RatePolicy
from schema.extensions.trusted_documents import (
    TrustedDocuments,
    TrustedDocumentsExtension,
    trust_rule,
)
from schema.red_pocket import RedPocketMutation
from schema.scalars import SCALARS
from schema.subscriptions import Subscription
from schema.trading import TradingMutation, TradingQuery
from schema.watchlist import WatchlistMutation

DEFAULT_LIMITS = OperationLimits()

Query = merge_types("Query", (AccountQuery, CatalogueQuery, TradingQuery))
Mutation = merge_types(
    "Mutation",
    (
        AccountMutation,
        CashMutation,
        TradingMutation,
        RedPocketMutation,
        AlertMutation,
        WatchlistMutation,
    ),
)


def build_schema(
    *,
    introspection: bool = True,
    suggestions: bool = True,
    limits: OperationLimits = DEFAULT_LIMITS,
    rate_policy: RatePolicy | None = None,
    on_rate_limited: Callable[[str], None] = lambda scope: None,
    report_operation: ReportOperation | None = None,
    public_max_age: int = 1,
    trusted_documents: TrustedDocuments | None = None,
    only_trusted_documents: bool = False,
    tracing: Callable[[], SchemaExtension] | None = None,
) -> strawberry.Schema:
    """The schema with its extensions; ``rate_policy`` None turns rate limits off.
    ``public_max_age``: seconds for which a public answer may be cached over HTTP."""
    # Parsing and validating cost ~1 ms per request; clients that send the same document
    # with variables hit these caches and skip both. The limits run inside validation,
    # so they are cached too, and refuse an operation before any resolver runs.
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: ErrorDiscipline(hide_suggestions=not suggestions),
        lambda: OperationLimitsExtension(limits),
        lambda: ParserCache(maxsize=128),
        lambda: ValidationCache(maxsize=128),
        # Before the rate limits: a 304 still spends the budget, and a refusal (429)
        # replaces the 304 and is never cached.
        lambda: HttpCaching(public_max_age),
    ]
    if report_operation is not None:
        # First: it exits last, so it sees every error with the code clients get.
        extensions.insert(0, lambda: OperationReporter(report_operation))
    if rate_policy is not None:
        extensions.append(lambda: RateLimitExtension(rate_policy, on_rate_limited))
    if tracing is not None:
        # Outermost: the operation's span covers every other extension's work.
        extensions.insert(0, tracing)
    if not introspection:
        extensions.append(DisableIntrospection)
    if trusted_documents is not None or only_trusted_documents:
        documents = trusted_documents or TrustedDocuments({})
        rule = trust_rule(documents, only_trusted=only_trusted_documents)
        extensions.append(lambda: TrustedDocumentsExtension(documents, rule))
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        scalar_overrides=SCALARS,
        # A price tick is executed once per document, not once per subscriber.
        execution_context_class=SharedEventExecutor,
    )
