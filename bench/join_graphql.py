"""The nested read's GraphQL baseline: the same query, answered by one SQL JOIN.

A minimal Strawberry schema with the product's shape for this query,
``me { orders(first) { edges { node { asset { symbol price } } } } }``, the same
``ParserCache`` and ``ValidationCache`` extensions, the product's scalar wire formats and
bearer-token check (``Accounts.authenticate``). ``User.orders`` runs ONE statement,
``orders JOIN assets`` for the user's newest ``first`` orders, and builds every node with
its asset already attached: no dataloader, no per-order resolver, no ORM objects.

What the product does on top of this for the same document (loading the user row,
a keyset page of full ``Order`` models, the asset batch, cursors, the operation-limits,
error and rate-limit extensions, the access-log and request-id middleware) is what the
benchmark's nested/join-graphql ratio puts a price on.

Served by the baseline process at /graphql-join (bench/baseline_app.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

from persistence.models import Asset as AssetModel
from persistence.models import Order as OrderModel
from resolvers.context import Services
from schema.scalars import SCALARS
from web.graphql_app import bearer_token

MAX_FIRST = 100


@dataclass(slots=True)
class JoinContext:
    services: Services
    user_id: int | None


@strawberry.type
class Asset:
    symbol: str
    price: Decimal


@strawberry.type
class Order:
    id: strawberry.ID
    asset: Asset


@strawberry.type
class OrderEdge:
    node: Order


@strawberry.type
class OrderConnection:
    edges: list[OrderEdge]


def _statement(user_id: int, limit: int) -> Any:
    return (
        select(OrderModel.id, AssetModel.id, AssetModel.symbol, AssetModel.price)
        .join_from(OrderModel, AssetModel, AssetModel.id == OrderModel.asset_id)
        .where(OrderModel.user_id == user_id)
        .order_by(OrderModel.id.desc())
        .limit(limit)
    )


@strawberry.type
class User:
    id: strawberry.ID
    user_id: strawberry.Private[int]

    @strawberry.field
    async def orders(
        self, info: strawberry.Info[JoinContext, None], first: int | None = 20
    ) -> OrderConnection:
        limit = max(0, min(20 if first is None else first, MAX_FIRST))
        async with info.context.services.db.read() as session:
            rows = (await session.execute(_statement(self.user_id, limit))).all()
        assets: dict[int, Asset] = {}  # one object per distinct asset, as the product builds
        edges = []
        for order_id, asset_id, symbol, price in rows:
            asset = assets.get(asset_id)
            if asset is None:
                asset = assets[asset_id] = Asset(symbol=symbol, price=price)
            edges.append(OrderEdge(node=Order(id=strawberry.ID(str(order_id)), asset=asset)))
        return OrderConnection(edges=edges)


@strawberry.type
class Query:
    @strawberry.field
    def me(self, info: strawberry.Info[JoinContext, None]) -> User | None:
        # The token was checked in get_context; no user row is read (the product's `me`
        # loads it, one more statement).
        user_id = info.context.user_id
        return None if user_id is None else User(id=strawberry.ID(str(user_id)), user_id=user_id)


def build_schema() -> strawberry.Schema:
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
    return strawberry.Schema(query=Query, extensions=extensions, scalar_overrides=SCALARS)


class JoinGraphQL(GraphQL[JoinContext, None]):
    """POST-only GraphQL over HTTP; the services come from the baseline's runtime."""

    def __init__(self, services: Callable[[], Services]) -> None:
        super().__init__(build_schema(), graphql_ide=None, allow_queries_via_get=False)
        self._services = services

    async def get_context(self, request: Request | WebSocket, response: Any) -> JoinContext:
        services = self._services()
        token = bearer_token(request.headers.get("authorization"))
        signed_in = None if token is None else await services.accounts.authenticate(token)
        return JoinContext(services, None if signed_in is None else signed_in.claims.user_id)
