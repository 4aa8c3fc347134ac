"""The engine's alert step: fire every ACTIVE alert a tick's prices meet, once."""

from __future__ import annotations

import logging
from decimal import Decimal

from domain.price_alerts import PriceAlerts
from persistence.database import Database
from persistence.models import PriceAlert
from persistence.repositories.price_alerts import PriceAlertRepository

log = logging.getLogger(__name__)


class AlertFiring:
    def __init__(self, db: Database, alerts: PriceAlerts) -> None:
        self._db = db
        self._alerts = alerts

    async def fire(self, prices: dict[int, Decimal]) -> list[PriceAlert]:
        """Fire the alerts ``prices`` (asset id -> price) meet, then publish them.

        One UPDATE ... WHERE status = 'ACTIVE' RETURNING: only the transaction that
        flips an alert gets it back, so two engines (a failover overlap) never fire
        one twice, and it is published only after that transaction committed.
        """
        if not prices:
            return []
        async with self._db.transaction() as session:
            fired = await PriceAlertRepository(session).trigger_crossed(prices)
        if fired:
            log.info("price alerts: %d fired", len(fired))
            await self._alerts.publish(fired)
        return fired
