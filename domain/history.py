"""A user's history: orders, cash movements and asset movements, newest first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol, Required, TypedDict, TypeVar, Unpack

from domain.pagination import Page, check_first, decode_cursor, encode_cursor
from domain.vocabulary import LedgerEntryType, OrderSide, OrderStatus
from persistence.database import Database
from persistence.models import AssetTransaction, LedgerEntry, Order
from persistence.repositories.asset_transactions import AssetTransactionRepository
from persistence.repositories.assets import AssetRepository
from persistence.repositories.keyset import KeysetPage
from persistence.repositories.ledger import LedgerRepository
from persistence.repositories.order_page_json import JsonObject, orders_page_json
from persistence.repositories.order_pages import ASSET_PREFIX, OrderRow, newest_orders
from persistence.repositories.orders import OrderRepository
from persistence.session import Session

# An orders page row carries its asset's columns under this prefix (``orders``).
ASSET_COLUMNS_PREFIX = ASSET_PREFIX


class _HasId(Protocol):
    id: int


RowT = TypeVar("RowT", bound=_HasId)


def _page(
    kind: str, keyset: KeysetPage[RowT], after: str | None, count: Callable[[], Awaitable[int]]
) -> Page[RowT]:
    return Page(
        items=keyset.rows,
        cursors=[encode_cursor(kind, row.id) for row in keyset.rows],
        has_next_page=keyset.has_more,
        has_previous_page=after is not None,
        total_count=None,
        count=count,
    )


def _empty() -> Page[RowT]:
    return Page([], [], False, False, 0)


class OrdersAsked(TypedDict, total=False):
    """What a client asks of ``orders``: as ``History.orders`` takes it."""

    first: Required[int]
    after: Required[str | None]
    status: OrderStatus | None
    side: OrderSide | None
    asset_symbol: str | None


class _OrderPage(TypedDict):
    before_id: int | None
    limit: int
    status: str | None
    side: str | None
    asset_symbol: str | None


def _order_page(
    first: int, after: str | None, status: str | None, side: str | None, symbol: str | None
) -> _OrderPage:
    """The keyset page an orders request asks for; InvalidPageRequest for a bad one."""
    limit, before = check_first(first), decode_cursor("order", after)
    return {
        "before_id": before,
        "limit": limit,
        "status": status,
        "side": side,
        "asset_symbol": symbol,
    }


NO_SUCH_ASSET = -1


async def _asset_filter(session: Session, symbol: str | None) -> int | None:
    """The asset id to filter on: None for no filter, NO_SUCH_ASSET for an unknown symbol."""
    if symbol is None:
        return None
    asset = await AssetRepository(session).by_symbol(symbol)
    return NO_SUCH_ASSET if asset is None else asset.id


class History:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def order(self, user_id: int, order_id: str) -> Order | None:
        if not (order_id.isascii() and order_id.isdigit()) or len(order_id) > 18:
            return None
        async with self._db.read() as session:
            return await OrderRepository(session).for_user(user_id, int(order_id))

    async def orders(
        self,
        user_id: int,
        *,
        first: int,
        after: str | None,
        status: OrderStatus | None = None,
        side: OrderSide | None = None,
        asset_symbol: str | None = None,
        with_assets: bool = False,
    ) -> Page[OrderRow]:
        """A page of orders as plain rows (``order_pages.ORDER_COLUMNS``), and with
        ``with_assets`` each asset's columns beside its first order in the page."""
        request = _order_page(first, after, status, side, asset_symbol)
        async with self._db.raw() as reads:
            found = await newest_orders(reads, user_id, **request, with_assets=with_assets)
        if found.unknown_asset:
            return _empty()
        count = self._counter(
            lambda session: OrderRepository(session).count(
                user_id, status=status, side=side, asset_id=found.asset_id
            )
        )
        return Page(
            items=found.rows,
            cursors=[encode_cursor("order", row["id"]) for row in found.rows],
            has_next_page=found.has_more,
            has_previous_page=after is not None,
            total_count=None,
            count=count,
        )

    async def orders_json(
        self, user_id: int, connection: JsonObject, **asked: Unpack[OrdersAsked]
    ) -> str | None:
        """The page ``orders`` answers, as the JSON of ``connection`` (a description of
        the client's selection), or None when the database cannot write it exactly."""
        after = asked["after"]
        request = _order_page(
            asked["first"],
            after,
            asked.get("status"),
            asked.get("side"),
            asked.get("asset_symbol"),
        )
        async with self._db.raw() as reads:
            return await orders_page_json(
                reads, user_id, connection, **request, after_given=after is not None
            )

    async def transactions(
        self, user_id: int, *, first: int, after: str | None, type_: LedgerEntryType | None = None
    ) -> Page[LedgerEntry]:
        limit, before = check_first(first), decode_cursor("ledger", after)
        async with self._db.read() as session:
            keyset = await LedgerRepository(session).page(
                user_id, before_id=before, limit=limit, type_=type_
            )
        count = self._counter(lambda session: LedgerRepository(session).count(user_id, type_=type_))
        return _page("ledger", keyset, after, count)

    async def asset_transactions(
        self, user_id: int, *, first: int, after: str | None, asset_symbol: str | None = None
    ) -> Page[AssetTransaction]:
        limit, before = check_first(first), decode_cursor("asset-move", after)
        async with self._db.read() as session:
            asset_id = await _asset_filter(session, asset_symbol)
            if asset_id == NO_SUCH_ASSET:
                return _empty()
            keyset = await AssetTransactionRepository(session).page(
                user_id, before_id=before, limit=limit, asset_id=asset_id
            )
        count = self._counter(
            lambda session: AssetTransactionRepository(session).count(user_id, asset_id=asset_id)
        )
        return _page("asset-move", keyset, after, count)

    def _counter(self, count: Callable[[Session], Awaitable[int]]) -> Callable[[], Awaitable[int]]:
        """A page's total, counted only if asked for, in a read of its own."""

        async def counted() -> int:
            async with self._db.read() as session:
                return await count(session)

        return counted
