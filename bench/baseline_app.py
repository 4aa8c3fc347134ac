"""The baselines: the same work as the GraphQL server, behind plain Starlette routes and
a minimal Strawberry schema.

POST /orders authenticates the bearer token with ``Accounts.authenticate`` and calls the
same ``Orders.place``, on services built by the same ``start_runtime`` as the GraphQL
server's, so the SQL transaction is identical to the placeOrder mutation's.
GET /orders/recent answers the nested read's question (the user's newest 100 orders with
their asset's symbol and price) with one SQL JOIN. Everything the GraphQL server does on
top of this is what the benchmark's a/b ratio puts a price on.
POST /graphql-join answers the nested read's very GraphQL document with that one JOIN
behind a minimal Strawberry schema (bench/join_graphql.py): the nested read's goal is
judged against it.

Served by uvicorn in its own process: ``uvicorn bench.baseline_app:create --factory``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bench.join_graphql import JoinGraphQL
from bench.product_app import configure_process
from domain.errors import BusinessError
from domain.orders import OrderRequest
from domain.vocabulary import OrderSide, OrderType
from persistence.models import Asset, Order
from resolvers.context import Services
from schema.scalars import serialize_decimal
from web.config import Settings
from web.graphql_app import bearer_token
from web.runtime import Runtime, start_runtime

RECENT_LIMIT = 100


class Baseline:
    """The two routes, over the very services the GraphQL server builds (``start_runtime``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runtime: Runtime | None = None

    @property
    def services(self) -> Services:
        assert self._runtime is not None, "used outside the app's lifespan"
        return self._runtime.services

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._runtime = await start_runtime(self.settings)
        try:
            yield
        finally:
            await self._runtime.close()

    async def user_id(self, request: Request) -> int | None:
        token = bearer_token(request.headers.get("authorization"))
        signed_in = None if token is None else await self.services.accounts.authenticate(token)
        return None if signed_in is None else signed_in.claims.user_id

    async def place_order(self, request: Request) -> Response:
        user_id = await self.user_id(request)
        if user_id is None:
            return JSONResponse({"error": "UNAUTHENTICATED"}, status_code=401)
        body = await request.json()
        try:
            order_request = OrderRequest(
                asset_symbol=str(body["assetSymbol"]),
                side=OrderSide(str(body["side"])),
                type=OrderType(str(body.get("type", "MARKET"))),
                quantity=Decimal(str(body["quantity"])),
            )
        except (KeyError, ValueError, InvalidOperation):
            return JSONResponse({"error": "BAD_REQUEST"}, status_code=400)
        try:
            order = await self.services.orders.place(user_id, order_request)
        except BusinessError as failure:
            return JSONResponse(
                {"errors": [{"code": str(failure.code), "message": failure.message}]},
                status_code=422,
            )
        return JSONResponse({"order": _order_json(order), "errors": []})

    async def recent_orders(self, request: Request) -> Response:
        user_id = await self.user_id(request)
        if user_id is None:
            return JSONResponse({"error": "UNAUTHENTICATED"}, status_code=401)
        statement = (
            select(Asset.symbol, Asset.price)
            .join_from(Order, Asset, Asset.id == Order.asset_id)
            .where(Order.user_id == user_id)
            .order_by(Order.id.desc())
            .limit(RECENT_LIMIT)
        )
        async with self.services.db.read() as session:
            rows = (await session.execute(statement)).all()
        orders = [
            {"asset": {"symbol": symbol, "price": serialize_decimal(price)}}
            for symbol, price in rows
        ]
        return JSONResponse({"orders": orders})


def _order_json(order: Order) -> dict[str, Any]:
    """The fields the benchmark's placeOrder mutation selects, in the same wire format."""
    return {
        "id": str(order.id),
        "side": order.side,
        "quantity": serialize_decimal(order.quantity),
        "executedPrice": None
        if order.executed_price is None
        else serialize_decimal(order.executed_price),
        "total": None if order.total is None else serialize_decimal(order.total),
    }


async def _live(request: Request) -> Response:
    return PlainTextResponse("ok")


def create() -> Starlette:
    """The uvicorn factory: settings from the same environment the GraphQL server reads."""
    settings = Settings.from_env()
    configure_process(settings)
    baseline = Baseline(settings)
    return Starlette(
        routes=[
            Route("/orders", baseline.place_order, methods=["POST"]),
            Route("/orders/recent", baseline.recent_orders, methods=["GET"]),
            Route("/graphql-join", JoinGraphQL(lambda: baseline.services), methods=["POST"]),
            Route("/health/live", _live),
        ],
        lifespan=baseline.lifespan,
    )
