"""Insights resolvers: a reading of the user's portfolio, or INSIGHTS_UNAVAILABLE."""

from __future__ import annotations

from graphql import GraphQLError

from domain.insights.service import InsightsUnavailable, Reading
from resolvers import portfolio
from resolvers.context import Context


class InsightsUnavailableError(GraphQLError):
    """Null field plus a top-level error: the message is for people, nothing else leaks."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "INSIGHTS_UNAVAILABLE"})


async def for_user(context: Context, user_id: int) -> Reading:
    # The request's one valuation: shared with `portfolio` and `positions` when asked together.
    valued = await portfolio.valuation(context, user_id)
    try:
        return await context.services.insights.for_user(user_id, valued)
    except InsightsUnavailable as failure:
        raise InsightsUnavailableError(failure.message) from None
