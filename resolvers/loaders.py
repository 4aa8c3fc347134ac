"""Per-request dataloaders: every nested lookup of a kind batches into one query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from aiodataloader import DataLoader

from persistence.database import Database
from persistence.models import Asset, Order, PricePoint, User
from persistence.repositories.assets import AssetRepository
from persistence.repositories.orders import OrderRepository
from persistence.repositories.users import UserRepository


class AssetByIdLoader(DataLoader[int, Asset | None]):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def batch_load_fn(self, keys: Sequence[int]) -> list[Asset | None]:
        async with self._db.read() as session:
            assets = await AssetRepository(session).by_ids(list(keys))
        by_id = {asset.id: asset for asset in assets}
        return [by_id.get(key) for key in keys]


class UserByIdLoader(DataLoader[int, User | None]):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def batch_load_fn(self, keys: Sequence[int]) -> list[User | None]:
        async with self._db.read() as session:
            users = await UserRepository(session).get_many(list(keys))
        by_id = {user.id: user for user in users}
        return [by_id.get(key) for key in keys]


class OrderByIdLoader(DataLoader[int, Order | None]):
    """Orders by id, for any user: callers reach them only through the user's own rows."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def batch_load_fn(self, keys: Sequence[int]) -> list[Order | None]:
        async with self._db.read() as session:
            orders = await OrderRepository(session).by_ids(list(keys))
        by_id = {order.id: order for order in orders}
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
        self.asset_by_id = AssetByIdLoader(db)
        self.user_by_id = UserByIdLoader(db)
        self.order_by_id = OrderByIdLoader(db)
        self.price_history = PriceHistoryLoader(db)
