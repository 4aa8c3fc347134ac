"""GraphQL over HTTP and WebSocket (graphql-transport-ws) on /graphql."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

import strawberry
from cross_web import HTTPException
from starlette.requests import Request
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from domain.tokens import Claims
from resolvers.context import Context, Services
from web.client_ip import client_address


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

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        graphiql: bool,
        max_connections_per_ip: int = 20,
        max_subscriptions_per_connection: int = 20,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=max_subscriptions_per_connection,
        )
        self.max_connections_per_ip = max_connections_per_ip
        self._connections: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await super().__call__(scope, receive, send)
            return
        address = client_address(scope)
        if self._connections[address] >= self.max_connections_per_ip:
            # Refused before the handshake completes: 1008 is "policy violation".
            await send({"type": "websocket.close", "code": 1008, "reason": "too many connections"})
            return
        self._connections[address] += 1
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._connections[address] -= 1
            if self._connections[address] <= 0:
                del self._connections[address]

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        # Syntax errors are raised before the extensions can shape them: give them a code.
        errors: list[dict[str, Any]] = cast("list[dict[str, Any]]", response.get("errors") or [])
        for error in errors:
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                too_long = "Parsing aborted" in str(error.get("message", ""))
                extensions["code"] = "QUERY_TOO_COMPLEX" if too_long else "GRAPHQL_PARSE_FAILED"
        return response

    def parse_json(self, data: str | bytes) -> Any:
        try:
            parsed = super().parse_json(data)
        except (RecursionError, UnicodeDecodeError, ValueError) as error:
            # Nested past the interpreter's limit, or not UTF-8: still the client's mistake.
            raise HTTPException(400, "Unable to parse request body as JSON") from error
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
        return Context(
            services=services,
            request=request,
            response=response,
            claims=claims,
            client_ip=client_address(request.scope),
        )

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
