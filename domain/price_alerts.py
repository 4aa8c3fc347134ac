"""Price alerts: create, list and delete a user's alerts; one that already holds fires at once.

An alert fires exactly once. The price engine fires the ones a tick meets
(domain/market/alerts.py); an alert whose condition already holds when it is
created fires in its creating transaction, at the price that transaction read
under a share lock on the asset row, so no tick can slip between reading that
price and the alert becoming visible to the engine. Fired alerts are published
on the ``alerts`` channel after their transaction has committed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.errors import BusinessError, ErrorCode, asset_not_found, invalid
from domain.market.events import ALERTS_CHANNEL, encode_alert
from domain.validation import positive_amount
from domain.vocabulary import PriceAlertCondition, PriceAlertStatus
from persistence.database import Database
from persistence.models import PriceAlert
from persistence.repositories.assets import AssetRepository
from persistence.repositories.price_alerts import PriceAlertRepository
from persistence.stores.pubsub import PubSub

MAX_ACTIVE_ALERTS = 50
"""ACTIVE alerts one user may have at once."""
MAX_LISTED_ALERTS = 200
"""Most alerts one listing returns (newest first): the ACTIVE ones always fit."""
MAX_ALERT_PRICE = Decimal("100000000000")


@dataclass(frozen=True, slots=True)
class AlertRequest:
    asset_symbol: str
    condition: PriceAlertCondition
    price: Decimal


def holds(condition: str, alert_price: Decimal, price: Decimal) -> bool:
    """ABOVE holds at or above the alert's price, BELOW at or below it."""
    return price >= alert_price if condition == PriceAlertCondition.ABOVE else price <= alert_price


def alert_not_found() -> BusinessError:
    return BusinessError(ErrorCode.ALERT_NOT_FOUND, "No such price alert.", "id")


class PriceAlerts:
    def __init__(self, db: Database, pubsub: PubSub) -> None:
        self._db = db
        self._pubsub = pubsub

    async def create(self, user_id: int, request: AlertRequest) -> PriceAlert:
        problem = positive_amount(
            request.price, "price", places=10, at_most=MAX_ALERT_PRICE, what="price"
        )
        if problem is not None:
            raise problem
        if not request.asset_symbol.strip() or len(request.asset_symbol) > 20:
            raise invalid("assetSymbol", "Give the symbol of an asset, such as BTC.")
        async with self._db.transaction() as session:
            alerts, assets = PriceAlertRepository(session), AssetRepository(session)
            # The user's row first: two creations of one user count one after the other.
            await alerts.lock_owner(user_id)
            asset = await assets.by_symbol(request.asset_symbol)
            if asset is None:
                raise asset_not_found(f'"{request.asset_symbol.strip()[:20]}"')
            if await alerts.count_active(user_id) >= MAX_ACTIVE_ALERTS:
                raise BusinessError(
                    ErrorCode.ALERT_LIMIT_REACHED,
                    f"You already have {MAX_ACTIVE_ALERTS} active alerts; delete one first.",
                )
            # Share-locked: the engine's price write waits until this alert is visible.
            locked = await assets.lock_price(asset.id)
            price = asset.price if locked is None else locked.price
            alert = await alerts.create(
                user_id=user_id, asset_id=asset.id, condition=request.condition, price=request.price
            )
            if holds(alert.condition, alert.price, price):
                fired = await alerts.trigger(alert.id, price)
                alert = fired if fired is not None else alert
        if alert.status == PriceAlertStatus.TRIGGERED:
            await self.publish([alert])
        return alert

    async def delete(self, user_id: int, alert_id: str) -> PriceAlert:
        """Delete one of the user's alerts, ACTIVE or TRIGGERED; someone else's is not found."""
        if not (alert_id.isascii() and alert_id.isdigit()) or len(alert_id) > 18:
            raise alert_not_found()
        async with self._db.transaction() as session:
            deleted = await PriceAlertRepository(session).delete_own(int(alert_id), user_id)
        if deleted is None:
            raise alert_not_found()
        return deleted

    async def of_user(self, user_id: int, status: PriceAlertStatus | None) -> list[PriceAlert]:
        async with self._db.read() as session:
            return await PriceAlertRepository(session).of_user(user_id, status, MAX_LISTED_ALERTS)

    async def publish(self, alerts: list[PriceAlert]) -> None:
        for alert in alerts:
            await self._pubsub.publish(ALERTS_CHANNEL, encode_alert(alert))
