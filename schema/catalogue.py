"""The asset catalogue: Asset, its connection, and the public queries over it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from operator import attrgetter
from typing import Annotated, Any, Protocol, TypeVar

import strawberry

from domain.catalogue import MAX_CHART_DAYS, chart_window
from persistence.models import Asset as AssetModel
from resolvers.context import Context, Info
from schema.common import given
from schema.pagination import CATALOGUE_PAGE_SIZE, PublicConnection, page_request
from schema.public import PUBLIC


@strawberry.enum
class AssetOrder(Enum):
    MARKET_CAP_RANK = strawberry.enum_value(
        "MARKET_CAP_RANK", description="Rank 1 first; unranked assets last."
    )
    SYMBOL = strawberry.enum_value("SYMBOL", description="A to Z.")
    PRICE_CHANGE_24H = strawberry.enum_value(
        "PRICE_CHANGE_24H", description="Biggest gainer first."
    )
    VOLUME_24H = strawberry.enum_value("VOLUME_24H", description="Largest volume first.")


_MEMO_KEY = "asset"
"""The request memo's key for built Assets (resolvers.context.Context.memo)."""


_FIELDS = (
    "id",
    "symbol",
    "name",
    "category",
    "description",
    "image_url",
    "is_tradable",
    "price",
    "price_updated_at",
    "market_cap",
    "market_cap_rank",
    "price_change_24h",
    "price_change_7d",
    "price_change_30d",
    "high_24h",
    "low_24h",
    "volume_24h",
    "circulating_supply",
    "total_supply",
    "max_supply",
    "all_time_high",
    "all_time_high_at",
    "all_time_low",
    "all_time_low_at",
)
"""Asset's fields, each named as its column in ``assets``."""
_read_fields = attrgetter(*_FIELDS)


@cache
def _keys(prefix: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, prefix + name) for name in _FIELDS)


@strawberry.type(description="A recorded price.", directives=[PUBLIC])
class PricePoint:
    price: Decimal
    at: datetime


@strawberry.type(
    description="A crypto asset of the catalogue, with its latest market figures.",
    directives=[PUBLIC],
)
class Asset:
    id: strawberry.Private[int]
    symbol: str = strawberry.field(description='Ticker, upper case, e.g. "BTC". Unique.')
    name: str
    category: str | None
    description: str | None
    image_url: str | None
    is_tradable: bool
    price: Decimal = strawberry.field(description="Latest USD price.")
    price_updated_at: datetime
    market_cap: Decimal | None
    market_cap_rank: int | None
    price_change_24h: Decimal | None = strawberry.field(
        description="Percent change over the last 24 hours (likewise 7 and 30 days)."
    )
    price_change_7d: Decimal | None
    price_change_30d: Decimal | None
    high_24h: Decimal | None
    low_24h: Decimal | None
    volume_24h: Decimal | None
    circulating_supply: Decimal | None
    total_supply: Decimal | None
    max_supply: Decimal | None
    all_time_high: Decimal | None
    all_time_high_at: datetime | None
    all_time_low: Decimal | None
    all_time_low_at: datetime | None

    @strawberry.field(
        description=(
            "Recorded prices, oldest first, at most `limit` points since `since` (default: the "
            f"last 24 hours). History is kept for a year: `since` may reach back at most "
            f"{MAX_CHART_DAYS} days (VALIDATION_FAILED beyond)."
        )
    )
    async def price_history(
        self, info: Info, since: datetime | None = strawberry.UNSET, limit: int | None = 288
    ) -> list[PricePoint]:
        window = chart_window(given(since), limit)
        if window is None:
            return []
        points = await info.context.loaders.price_history.load((self.id, *window))
        return [PricePoint(price=point.price, at=point.at) for point in points]

    @classmethod
    def from_model(cls, model: AssetModel) -> Asset:
        return cls(**dict(zip(_FIELDS, _read_fields(model), strict=True)))

    @classmethod
    def of_request(cls, context: Context, model: AssetModel) -> Asset:
        """``from_model``, once per model a request reads: a page of 100 orders often
        names one asset 100 times, and building it costs more than the order's fields."""
        key = (_MEMO_KEY, id(model))
        kept = context.memo.get(key)
        if kept is None:
            # The model is kept with its Asset: its id stays its own while the memo lives.
            kept = context.memo[key] = (model, cls.from_model(model))
        built: Asset = kept[1]
        return built

    @classmethod
    def from_row(cls, row: Mapping[str, Any], prefix: str = "") -> Asset:
        """From plain columns (``prefix`` + column name), e.g. beside an order in its row."""
        return cls(**{name: row[key] for name, key in _keys(prefix)})


class _BuiltWithAsset(Protocol):
    preloaded_asset: Asset | None


def built_asset(self: _BuiltWithAsset) -> Asset:
    """The ``asset`` field of a type built with its asset already loaded (by
    ``build_with_assets``: one loader batch; or from a page of rows: one statement). It
    answers at once: no coroutine, no Info, and a completion plan covers it
    (schema/plans.py)."""
    assert self.preloaded_asset is not None, f"a {type(self).__name__} built without its asset"
    return self.preloaded_asset


class _HasAsset(Protocol):
    @property
    def asset_id(self) -> int: ...


RowT = TypeVar("RowT", bound=_HasAsset)
BuiltT = TypeVar("BuiltT")


async def build_with_assets(
    context: Context, rows: Sequence[RowT], build: Callable[[RowT, Asset | None], BuiltT]
) -> list[BuiltT]:
    """``build`` each row with the asset it names, the assets loaded in one batch through
    the request's loader."""
    models = await context.loaders.assets(row.asset_id for row in rows)
    assets = {asset_id: Asset.of_request(context, model) for asset_id, model in models.items()}
    return [build(row, assets.get(row.asset_id)) for row in rows]


@strawberry.type
class CatalogueQuery:
    @strawberry.field(
        description=(
            "The asset catalogue, public. Ordered by market-cap rank unless orderBy says otherwise."
        ),
        directives=[PUBLIC],
    )
    async def assets(
        self,
        info: Info,
        first: int | None = CATALOGUE_PAGE_SIZE,
        after: str | None = strawberry.UNSET,
        search: Annotated[
            str | None, strawberry.argument(description="Case-insensitive match on symbol or name.")
        ] = strawberry.UNSET,
        tradable_only: bool | None = True,
        order_by: AssetOrder | None = AssetOrder.MARKET_CAP_RANK,
    ) -> PublicConnection[Asset]:
        page = await info.context.services.catalogue.assets(
            **page_request(first, after, CATALOGUE_PAGE_SIZE),
            search=given(search),
            tradable_only=tradable_only is not False,
            order_by=(order_by or AssetOrder.MARKET_CAP_RANK).name,
        )
        return PublicConnection.of(page, map(Asset.from_model, page.items))

    @strawberry.field(
        description="One asset by its symbol (case-insensitive), or null.", directives=[PUBLIC]
    )
    async def asset(self, info: Info, symbol: str) -> Asset | None:
        model = await info.context.services.catalogue.asset(symbol)
        return None if model is None else Asset.from_model(model)
