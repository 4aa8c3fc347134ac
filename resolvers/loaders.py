"""Per-request dataloaders: every nested lookup of a kind batches into one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession

from persistence.database import Database
from persistence.models import Asset, Order, PricePoint, User
from persistence.repositories.assets import AssetRepository
from persistence.repositories.orders import OrderRepository
from persistence.repositories.users import UserRepository


class _Row(Protocol):
    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=_Row)


class ByIdLoader(DataLoader[int, RowT | None]):
    """Rows of one table by id, each batch in one statement (``fetch``)."""

    def __init__(
        self, db: Database, fetch: Callable[[AsyncSession, list[int]], Awaitable[list[RowT]]]
    ) -> None:
        super().__init__()
        self._db = db
        self._fetch = fetch

    async def batch_load_fn(self, keys: Sequence[int]) -> list[RowT | None]:
        async with self._db.read() as session:
            rows = await self._fetch(session, list(keys))
        by_id = {row.id: row for row in rows}
        return [by_id.get(key) for key in keys]


HistoryKey = tuple[int, datetime, datetime, int]
"""(asset id, since, until, points)"""


class PriceHistoryLoader(DataLoader[HistoryKey, list[PricePoint]]):
    """Charts of many assets in one request: one statement per distinct window."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def batch_load_fn(self, keys: Sequence[HistoryKey]) -> list[list[PricePoint]]:
        windows: dict[tuple[datetime, datetime, int], list[int]] = defaultdict(list)
        for asset_id, since, until, points in keys:
            windows[(since, until, points)].append(asset_id)
        found: dict[HistoryKey, list[PricePoint]] = {}
        async with self._db.read() as session:
            repository = AssetRepository(session)
            for (since, until, points), asset_ids in windows.items():
                history = await repository.price_history(asset_ids, since, until, points)
                for asset_id, series in history.items():
                    found[(asset_id, since, until, points)] = series
        return [found[key] for key in keys]


class Loaders:
    def __init__(self, db: Database) -> None:
        self.asset_by_id = ByIdLoader[Asset](
            db, lambda session, ids: AssetRepository(session).by_ids(ids)
        )
        self.user_by_id = ByIdLoader[User](
            db, lambda session, ids: UserRepository(session).get_many(ids)
        )
        # Orders of any user: callers reach them only through the user's own rows.
        self.order_by_id = ByIdLoader[Order](
            db, lambda session, ids: OrderRepository(session).by_ids(ids)
        )
        self.price_history = PriceHistoryLoader(db)

    def prime_assets(self, assets: Iterable[Asset]) -> None:
        """Assets read whole by some other query: later lookups of them need no query."""
        for asset in assets:
            self.asset_by_id.prime(asset.id, asset)

    async def asset(self, asset_id: int) -> Asset:
        """An asset a row of ours refers to: a foreign key, so it exists."""
        asset = await self.asset_by_id.load(asset_id)
        if asset is None:
            raise LookupError(f"asset {asset_id} is missing")
        return asset

    async def assets(self, asset_ids: Iterable[int]) -> dict[int, Asset]:
        """Assets by id: one query for the whole batch."""
        found = await self.asset_by_id.load_many(sorted(set(asset_ids)))
        return {asset.id: asset for asset in found if asset is not None}

    async def order(self, order_id: int) -> Order:
        """An order a row of ours refers to (a ledger entry, an asset movement)."""
        order = await self.order_by_id.load(order_id)
        if order is None:
            raise LookupError(f"order {order_id} is missing")
        return order
