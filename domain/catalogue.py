"""Browsing the asset catalogue."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.clock import utc_now
from domain.pagination import InvalidPageRequest, Page, check_first, decode_cursor, encode_cursor
from persistence.database import Database
from persistence.models import Asset
from persistence.repositories.assets import ORDERINGS, AssetRepository
from persistence.repositories.market import HISTORY_HORIZON

ASSET_CURSOR = "asset"
MAX_CHART_POINTS = 1000
DEFAULT_CHART_POINTS = 288
DEFAULT_CHART_WINDOW = timedelta(hours=24)
MAX_CHART_DAYS = HISTORY_HORIZON.days + 1
"""How far back ``since`` may reach: the history kept (a year), plus a day for clocks."""


def chart_window(
    since: datetime | None, limit: int | None
) -> tuple[datetime, datetime, int] | None:
    """(since, until, points) of a price chart, or None when the window is empty.

    ``until`` is rounded to the second so identical requests share one loader key.
    """
    points = DEFAULT_CHART_POINTS if limit is None else limit
    if not 1 <= points <= MAX_CHART_POINTS:
        raise InvalidPageRequest("limit", f"limit must be between 1 and {MAX_CHART_POINTS}.")
    until = utc_now().replace(microsecond=0) + timedelta(seconds=1)
    if since is not None and since < until - timedelta(days=MAX_CHART_DAYS):
        raise InvalidPageRequest(
            "since",
            f"since may reach back at most {MAX_CHART_DAYS} days; older prices are not kept.",
        )
    start = until - DEFAULT_CHART_WINDOW if since is None else since
    if start >= until:
        return None
    return start, until, points


MAX_SEARCH_LENGTH = 100


class Catalogue:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def version(self) -> str:
        """A short text that changes whenever prices, price history or the list of assets
        may have: one cheap statement, so a cached answer can be validated without
        computing it again."""
        async with self._db.read() as session:
            count, newest, updated = await AssetRepository(session).version()
        stamp = "-" if updated is None else updated.isoformat()
        return f"{count}.{newest}.{stamp}"

    async def asset(self, symbol: str) -> Asset | None:
        if not symbol.strip() or len(symbol) > 20:
            return None
        async with self._db.read() as session:
            return await AssetRepository(session).by_symbol(symbol)

    async def assets(
        self,
        *,
        first: int,
        after: str | None,
        search: str | None,
        tradable_only: bool,
        order_by: str,
    ) -> Page[Asset]:
        """A page of the catalogue. The list is small and re-sorts as prices move, so the
        cursor is a position in the ordering rather than a keyset."""
        first = check_first(first)
        position = decode_cursor(ASSET_CURSOR, after)
        offset = 0 if position is None else position + 1
        if search is not None and len(search) > MAX_SEARCH_LENGTH:
            raise InvalidPageRequest(
                "search", f"search is limited to {MAX_SEARCH_LENGTH} characters."
            )
        if order_by not in ORDERINGS:
            raise InvalidPageRequest("orderBy", "Unknown ordering.")
        async with self._db.read() as session:
            assets, total = await AssetRepository(session).page(
                search=search or None,
                tradable_only=tradable_only,
                order_by=order_by,
                offset=offset,
                limit=first,
            )
        return Page(
            items=assets,
            cursors=[encode_cursor(ASSET_CURSOR, offset + i) for i in range(len(assets))],
            has_next_page=offset + len(assets) < total,
            has_previous_page=offset > 0,
            total_count=total,
        )
