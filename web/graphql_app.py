"""GraphQL over HTTP and WebSocket (graphql-transport-ws) on /graphql."""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from domain.tokens import Claims
from resolvers.context import Context, Services


def bearer_token(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, schema: strawberry.Schema, *, graphiql: bool) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )

    @staticmethod
    def services(request: Request | WebSocket) -> Services:
        services: Services = request.app.state.services
        return services

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        services = self.services(request)
        claims: Claims | None = None
        if isinstance(request, Request):
            token = bearer_token(request.headers.get("authorization"))
            if token is not None:
                claims = await services.accounts.authenticate(token)
        return Context(services=services, request=request, response=response, claims=claims)
