from __future__ import annotations

from domain.price_alerts import AlertRequest
from domain.vocabulary import PriceAlertStatus
from persistence.models import PriceAlert
from resolvers.context import Context


async def create(context: Context, request: AlertRequest) -> PriceAlert:
    return await context.services.price_alerts.create(context.require_user_id(), request)


async def delete(context: Context, alert_id: str) -> PriceAlert:
    return await context.services.price_alerts.delete(context.require_user_id(), alert_id)


async def of_user(
    context: Context, user_id: int, status: PriceAlertStatus | None
) -> list[PriceAlert]:
    return await context.services.price_alerts.of_user(user_id, status)
