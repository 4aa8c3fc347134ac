"""GraphQL over HTTP and WebSocket (graphql-transport-ws) on /graphql."""

from __future__ import annotations

from typing import Any

import strawberry
from cross_web import HTTPException
from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types.unset import UnsetType

from domain.tokens import Claims
from resolvers.context import Context, Services


def bearer_token(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authorization_param(params: dict[str, Any]) -> object:
    """The connection_init payload's Authorization value (key in any case), or None."""
    for key, value in params.items():
        if key.lower() == "authorization":
            return value
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_task_exception(self, error: Exception) -> None:
        # A client that leaves while its ticks are being sent is an ordinary goodbye,
        # not an error worth a traceback (a thousand of them when a page of clients goes).
        if isinstance(error, WebSocketDisconnected):
            return
        await super().handle_task_exception(error)


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(self, schema: strawberry.Schema, *, graphiql: bool) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )

    def parse_json(self, data: str | bytes) -> Any:
        parsed = super().parse_json(data)
        # A JSON string, number or null would otherwise crash the view: answer 400.
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object with a `query`.")
        return parsed

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
        # A websocket's one context lives as long as the connection; its claims come
        # from the connection_init payload, in on_ws_connect.
        return Context(services=services, request=request, response=response, claims=claims)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate a websocket from the Authorization of its connection_init payload.

        No token: accepted, anonymous, since prices are public. A token that is present
        but malformed, expired or revoked: refused, which Strawberry turns into close
        code 4403. An operation that needs a user on an anonymous connection closes it
        with 4403 as well, when it starts (``resolvers.live.refuse``): the protocol has
        no per-operation refusal, and the contract promises the same code either way.
        """
        value = authorization_param(context.connection_params)
        if value is None or value == "":
            return UnsetType()
        token = bearer_token(value) if isinstance(value, str) else None
        claims = None if token is None else await context.services.accounts.authenticate(token)
        if claims is None:
            raise ConnectionRejectionError()
        context.claims = claims
        return UnsetType()
