"""Portfolio insights: a short reading of the user's portfolio."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.insights.service import Reading
from resolvers import insights as resolve
from resolvers.context import Info
from schema.common import from_attributes


@strawberry.type
class PortfolioInsights:
    summary: str
    generated_at: datetime
    model: str = strawberry.field(
        description=(
            "Which model wrote the summary, e.g. a Gemini model name, or the name of the "
            "local rule-based analyser."
        )
    )
    cached: bool = strawberry.field(description="True when this summary came from the cache.")

    @classmethod
    def from_reading(cls, reading: Reading) -> PortfolioInsights:
        return from_attributes(cls, reading)


async def user_insights(user_id: int, info: Info) -> PortfolioInsights:
    """User.insights. The field is nullable because a failure raises and nulls it."""
    reading = await resolve.for_user(info.context, user_id)
    return PortfolioInsights.from_reading(reading)


USER_INSIGHTS_DESCRIPTION = (
    "An AI-written reading of the portfolio, served from cache while the portfolio is "
    "unchanged. When the model cannot or may not be asked (its quota or an outage, or the "
    "user's hourly allowance is spent), the local rule-based analyser writes the reading "
    "instead and `model` is local-rules-v1. Null, with a top-level error whose "
    "extensions.code is INSIGHTS_UNAVAILABLE, only when no reading at all can be written."
)
