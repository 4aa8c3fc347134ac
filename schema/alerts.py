"""Price alerts: the type, the mutations that create and delete them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from domain.price_alerts import MAX_ACTIVE_ALERTS, AlertRequest
from persistence.models import PriceAlert as PriceAlertModel
from resolvers.context import Info
from schema.catalogue import Asset, build_with_assets, built_asset
from schema.common import from_attributes
from schema.enums import PriceAlertCondition, PriceAlertStatus
from schema.payloads import mutation, payload


@strawberry.type
class PriceAlert:
    id: strawberry.ID
    condition: PriceAlertCondition
    price: Decimal
    status: PriceAlertStatus
    created_at: datetime
    triggered_at: datetime | None
    triggered_price: Decimal | None = strawberry.field(
        description="The price that fired it; null while ACTIVE."
    )
    preloaded_asset: strawberry.Private[Asset | None] = None
    asset: Asset = strawberry.field(resolver=built_asset)

    @classmethod
    def from_model(cls, model: PriceAlertModel, asset: Asset | None) -> PriceAlert:
        return from_attributes(cls, model, preloaded_asset=asset)


async def build_alerts(info: Info, models: list[PriceAlertModel]) -> list[PriceAlert]:
    return await build_with_assets(info.context, models, PriceAlert.from_model)


async def build_alert(info: Info, model: PriceAlertModel) -> PriceAlert:
    (alert,) = await build_with_assets(info.context, [model], PriceAlert.from_model)
    return alert


@strawberry.input
class CreatePriceAlertInput:
    asset_symbol: str
    condition: PriceAlertCondition
    price: Decimal = strawberry.field(description="Positive.")

    def to_domain(self) -> AlertRequest:
        return AlertRequest(
            asset_symbol=self.asset_symbol, condition=self.condition, price=self.price
        )


@payload
class PriceAlertPayload:
    alert: PriceAlert | None = None


@strawberry.type
class AlertMutation:
    @mutation(
        description=(
            "An alert fires at most once, when the asset's price meets the condition (at once "
            "if it already does), and is pushed on the priceAlerts subscription. At most "
            f"{MAX_ACTIVE_ALERTS} ACTIVE alerts per user."
        )
    )
    async def create_price_alert(
        self, info: Info, input: CreatePriceAlertInput
    ) -> PriceAlertPayload:
        context = info.context
        alert = await context.services.price_alerts.create(
            context.require_user_id(), input.to_domain()
        )
        return PriceAlertPayload(alert=await build_alert(info, alert))

    @mutation()
    async def delete_price_alert(self, info: Info, id: strawberry.ID) -> PriceAlertPayload:
        context = info.context
        alert = await context.services.price_alerts.delete(context.require_user_id(), str(id))
        return PriceAlertPayload(alert=await build_alert(info, alert))
