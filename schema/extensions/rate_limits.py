"""Per-user and per-address budgets of operation points, in Redis (or in-process).

One budget for every transport: an HTTP request and an operation sent over a
websocket spend the same points; a subscription spends them when it starts.

An operation spends points by its weight: 1 plus a tenth of its cost, plus 10 per
mutation field, so a page of 100 nested orders weighs what 30 small queries do.
Over budget: a top-level RATE_LIMITED error with extensions.retryAfter, HTTP 429
and Retry-After; every answer carries X-RateLimit-Limit/-Remaining/-Reset for the
tighter of the two budgets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from starlette.requests import Request
from strawberry.extensions import SchemaExtension

from persistence.stores.rate_limits import RateDecision
from resolvers.context import Context, RateLimited
from schema.extensions.operation_limits import operation_cost

MUTATION_WEIGHT = 10


@dataclass(frozen=True, slots=True)
class RatePolicy:
    window: int = 60
    user_points: int = 600
    ip_points: int = 1200


class RateLimitExtension(SchemaExtension):
    def __init__(
        self, policy: RatePolicy, on_limited: Callable[[str], None] = lambda scope: None
    ) -> None:
        self.policy = policy
        self.on_limited = on_limited

    def _weight(self) -> int:
        context = self.execution_context
        document = context.graphql_document
        if document is None or context.query is None:
            return 1
        return _weight(
            context.schema._schema,
            context.query,
            context.operation_name,
            document,
            context.variables or {},
        )

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, Context):
            yield
            return
        weight = self._weight()
        limiter = context.services.stores.rate_limiter
        budgets = [("ip", f"ip:{context.client_ip}", self.policy.ip_points)]
        if context.claims is not None:
            budgets.append(("user", f"user:{context.claims.user_id}", self.policy.user_points))
        decisions: list[tuple[str, RateDecision]] = []
        for scope, key, points in budgets:
            decision = await limiter.hit(
                f"ops:{key}", limit=points, window=self.policy.window, cost=weight
            )
            decisions.append((scope, decision))
        scope, binding = min(decisions, key=lambda d: (d[1].allowed, d[1].remaining))
        context.answer_http(
            headers={
                "X-RateLimit-Limit": str(binding.limit),
                "X-RateLimit-Remaining": str(binding.remaining),
                "X-RateLimit-Reset": str(binding.retry_after or self.policy.window),
            }
        )
        if not binding.allowed:
            self.on_limited(scope)
            if not isinstance(context.request, Request):
                # A websocket operation, subscription or not: an error for it alone, and
                # the socket stays open. (A result set here would not stop a subscription.)
                raise RateLimited(binding.retry_after)
            context.answer_http(429, {"Retry-After": str(binding.retry_after)})
            self.execution_context.result = ExecutionResult(
                data=None, errors=[RateLimited(binding.retry_after)]
            )
        yield


_WEIGHTS: dict[tuple[int, str, str | None, tuple[tuple[str, int], ...]], int] = {}
"""Weights by schema, document text, operation and page sizes: clients resend the same
documents, and only whole-number variables (first, limit) change a weight."""
MAX_CACHED_WEIGHTS = 1024


def _weight(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    document: DocumentNode,
    variables: dict[str, Any],
) -> int:
    """An operation's price in points: unlike the cost limit, it knows the variables."""
    sizes = tuple(
        sorted(
            (name, value)
            for name, value in variables.items()
            if isinstance(value, int) and not isinstance(value, bool)
        )
    )
    key = (id(schema), query, operation_name, sizes)
    weight = _WEIGHTS.get(key)
    if weight is not None:
        return weight
    mutations = sum(
        len(definition.selection_set.selections)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and definition.operation == OperationType.MUTATION
        and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        )
    )
    weight = (
        1
        + operation_cost(schema, document, operation_name, dict(sizes)) // 10
        + MUTATION_WEIGHT * mutations
    )
    if len(_WEIGHTS) >= MAX_CACHED_WEIGHTS:
        _WEIGHTS.clear()
    _WEIGHTS[key] = weight
    return weight
