"""What each scenario sends, how it checks the answer, and the clients that send it.

Every client is one distinct user with its own token and its own connection. Orders
alternate a BUY and a SELL of the same small quantity of BTC, so positions and cash
stay where they started (minus a cent of rounding per pair). The GraphQL clients send
the same document with variables every time, as real clients do, so the server's
parser and validation caches hit.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any, Protocol

import asyncpg

from bench.database import BenchUser
from bench.direct_order import BUY, SELL, place_market_order
from bench.http_client import Connection, HttpError, Response, build_request
from bench.load import Call
from bench.processes import Server
from domain.limits import Limits

SYMBOL = "BTC"
ORDER_VALUE = Decimal("5.00")
"""About what each order is worth: above the 1.00 USD minimum, far below the maximum."""
RECENT = 100

A_GRAPHQL_ORDER = "a: GraphQL placeOrder"
B_BASELINE_ORDER = "b: Starlette POST /orders"
C_DIRECT_ORDER = "c: asyncpg transaction"
NESTED_READ = "nested: GraphQL me.orders"
JOIN_GRAPHQL_READ = "join-graphql: one JOIN"
"""The same GraphQL document, answered by a minimal Strawberry schema over one JOIN."""
JOIN_STARLETTE_READ = "join-starlette: one JOIN"
"""One JOIN behind a bare Starlette JSON route: no GraphQL at all."""

PLACE_ORDER = """
mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id side quantity executedPrice total }
    errors { code message }
  }
}
"""

RECENT_ORDERS = """
query RecentOrders($first: Int!) {
  me { orders(first: $first) { edges { node { asset { symbol price } } } } }
}
"""


def order_quantity(price: Decimal) -> Decimal:
    """The BTC quantity (eight places) worth at least ORDER_VALUE at ``price``."""
    return (ORDER_VALUE / price).quantize(Decimal("1e-8"), rounding=ROUND_CEILING)


class Target(Protocol):
    """Something to put load on: its clients, and the process whose CPU it costs."""

    @property
    def name(self) -> str: ...

    @property
    def server_pid(self) -> int: ...

    def clients(self, users: list[BenchUser]) -> AbstractAsyncContextManager[list[Call]]:
        """One Call per user, each with its own connection, closed on exit."""
        ...


# -- answers ------------------------------------------------------------------------------


def _json(response: Response) -> Any:
    if response.status != 200:
        raise HttpError(f"HTTP {response.status}: {response.body[:200]!r}")
    return response.json()


def _graphql_data(response: Response) -> Any:
    body = _json(response)
    if body.get("errors"):
        raise HttpError(f"GraphQL errors: {body['errors']}")
    return body["data"]


def graphql_order_placed(response: Response) -> None:
    payload = _graphql_data(response)["placeOrder"]
    if payload["errors"] or payload["order"] is None:
        raise HttpError(f"placeOrder refused: {payload['errors']}")


def baseline_order_placed(response: Response) -> None:
    if not _json(response)["order"]["id"]:
        raise HttpError("no order id in the answer")


def graphql_recent_listed(response: Response) -> None:
    edges = _graphql_data(response)["me"]["orders"]["edges"]
    if len(edges) != RECENT or edges[0]["node"]["asset"]["symbol"] != SYMBOL:
        raise HttpError(f"expected {RECENT} {SYMBOL} orders, got {len(edges)}")


def baseline_recent_listed(response: Response) -> None:
    orders = _json(response)["orders"]
    if len(orders) != RECENT or orders[0]["asset"]["symbol"] != SYMBOL:
        raise HttpError(f"expected {RECENT} {SYMBOL} orders, got {len(orders)}")


# -- HTTP targets -------------------------------------------------------------------------


class _HttpCall:
    """One client: its connection and its requests, sent in turn."""

    def __init__(
        self, connection: Connection, requests: list[bytes], check: Callable[[Response], None]
    ) -> None:
        self._connection = connection
        self._requests = requests
        self._check = check
        self._next = 0

    async def __call__(self) -> None:
        self._check(await self._connection.send(self._requests[self._next]))
        # Only after a success: a failed BUY is retried, never followed by its SELL.
        self._next = (self._next + 1) % len(self._requests)


@dataclass(frozen=True, slots=True)
class HttpTarget:
    name: str
    server: Server
    requests_for: Callable[[Server, BenchUser], list[bytes]]
    check: Callable[[Response], None]

    @property
    def server_pid(self) -> int:
        return self.server.pid

    @asynccontextmanager
    async def clients(self, users: list[BenchUser]) -> AsyncIterator[list[Call]]:
        connections = [Connection(self.server.host, self.server.port) for _ in users]
        try:
            yield [
                _HttpCall(connection, self.requests_for(self.server, user), self.check)
                for connection, user in zip(connections, users, strict=True)
            ]
        finally:
            for connection in connections:
                await connection.close()


def _market_order(side: str, quantity: Decimal) -> dict[str, str]:
    return {"assetSymbol": SYMBOL, "side": side, "type": "MARKET", "quantity": str(quantity)}


def _order_requests(
    path: str, body: Callable[[str], dict[str, object]]
) -> Callable[[Server, BenchUser], list[bytes]]:
    """A BUY then a SELL to ``path``, as ``user``: each client alternates them."""

    def requests_for(server: Server, user: BenchUser) -> list[bytes]:
        return [
            build_request("POST", server.host, server.port, path, token=user.token, body=body(side))
            for side in (BUY, SELL)
        ]

    return requests_for


def graphql_orders(server: Server, quantity: Decimal) -> HttpTarget:
    def body(side: str) -> dict[str, object]:
        return {
            "query": PLACE_ORDER,
            "operationName": "PlaceOrder",
            "variables": {"input": _market_order(side, quantity)},
        }

    requests_for = _order_requests("/graphql", body)
    return HttpTarget(A_GRAPHQL_ORDER, server, requests_for, graphql_order_placed)


def baseline_orders(server: Server, quantity: Decimal) -> HttpTarget:
    def body(side: str) -> dict[str, object]:
        return dict(_market_order(side, quantity))

    requests_for = _order_requests("/orders", body)
    return HttpTarget(B_BASELINE_ORDER, server, requests_for, baseline_order_placed)


def _recent_orders_request(path: str) -> Callable[[Server, BenchUser], list[bytes]]:
    def requests_for(server: Server, user: BenchUser) -> list[bytes]:
        body = {
            "query": RECENT_ORDERS,
            "operationName": "RecentOrders",
            "variables": {"first": RECENT},
        }
        return [build_request("POST", server.host, server.port, path, token=user.token, body=body)]

    return requests_for


def graphql_recent(server: Server) -> HttpTarget:
    return HttpTarget(
        NESTED_READ, server, _recent_orders_request("/graphql"), graphql_recent_listed
    )


def join_graphql_recent(server: Server) -> HttpTarget:
    """The same document to the baseline's one-JOIN Strawberry schema."""
    return HttpTarget(
        JOIN_GRAPHQL_READ, server, _recent_orders_request("/graphql-join"), graphql_recent_listed
    )


def baseline_recent(server: Server) -> HttpTarget:
    def requests_for(server: Server, user: BenchUser) -> list[bytes]:
        return [build_request("GET", server.host, server.port, "/orders/recent", token=user.token)]

    return HttpTarget(JOIN_STARLETTE_READ, server, requests_for, baseline_recent_listed)


# -- the direct target --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DirectTarget:
    """(c): the transaction run in this process, one pooled connection per client."""

    pool: asyncpg.Pool
    limits: Limits
    quantity: Decimal
    name: str = C_DIRECT_ORDER

    @property
    def server_pid(self) -> int:
        return os.getpid()

    @asynccontextmanager
    async def clients(self, users: list[BenchUser]) -> AsyncIterator[list[Call]]:
        async with AsyncExitStack() as stack:
            calls: list[Call] = []
            for user in users:
                connection = await stack.enter_async_context(self.pool.acquire())
                calls.append(self._client(connection, user.id))
            yield calls

    def _client(self, connection: asyncpg.Connection, user_id: int) -> Call:
        sides = [BUY, SELL]

        async def call() -> None:
            await place_market_order(
                connection, self.limits, user_id, SYMBOL, sides[0], self.quantity
            )
            sides.reverse()  # only after a success, as for the HTTP clients

        return call
