"""Per-user and per-address budgets of operation points, in Redis (or in-process).

One budget for every transport: an HTTP request and an operation sent over a
websocket spend the same points; a subscription spends them when it starts.

An operation spends points by its weight: 1 plus a tenth of its cost, plus 10 per
mutation field, so a page of 100 nested orders weighs what 30 small queries do. The cost
is the one the operation limits computed for this request, with its variables
(schema/extensions/operation_limits.py).
Over budget: a top-level RATE_LIMITED error with extensions.retryAfter, HTTP 429
and Retry-After; every answer carries X-RateLimit-Limit/-Remaining/-Reset for the
tighter of the two budgets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from graphql import ExecutionResult
from starlette.requests import Request
from strawberry.extensions import SchemaExtension

from resolvers.context import Context, RateLimited
from schema.extensions.operation_limits import OperationMeasure, request_measure

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
        measure = request_measure(self.execution_context)
        return 1 if measure is None else price(measure)

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if not isinstance(context, Context):
            yield
            return
        weight, window = self._weight(), self.policy.window
        limiter = context.services.stores.rate_limiter
        budgets = [("ip", f"ip:{context.client_ip}", self.policy.ip_points)]
        if context.claims is not None:
            budgets.append(("user", f"user:{context.claims.user_id}", self.policy.user_points))
        decisions = [
            (scope, await limiter.hit(f"ops:{key}", limit=points, window=window, cost=weight))
            for scope, key, points in budgets
        ]
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


def price(measure: OperationMeasure) -> int:
    """An operation's price in points."""
    return 1 + measure.cost // 10 + MUTATION_WEIGHT * measure.mutations
