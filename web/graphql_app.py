"""GraphQL over HTTP and WebSocket (graphql-transport-ws) on /graphql."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any, cast

import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseRequestProtocol
from strawberry.http.types import QueryParams
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UnsetType

from domain.accounts import Authenticated
from resolvers.context import Context, Services
from schema.extensions.operation_limits import CODE as TOO_COMPLEX
from schema.extensions.operation_limits import parsing_aborted
from schema.json_text import JsonText
from web.client_ip import client_address
from web.media_types import GRAPHQL_RESPONSE, JSON, is_request_error, negotiate
from web.playground import playground_page
from web.signed_in_sockets import SignedInSockets
from web.transport_ws import TransportWSHandler


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


class MethodNotAllowed(HTTPException):
    """405 with the Allow header RFC 9110 requires."""

    def __init__(self, reason: str, allow: str) -> None:
        super().__init__(405, reason)
        self.headers = {"Allow": allow}


class GraphQLSubResponse(Response):
    """What resolvers and extensions set on an HTTP answer (status, headers) before it
    is built, with the media type the request's Accept header chose."""

    def __init__(self, media_type: str) -> None:
        super().__init__()
        self.negotiated = media_type
        self.status_code = None  # type: ignore[assignment]  # unset until someone sets it
        del self.headers["content-length"]


# An integer of 19 digits or more may not fit in 64 bits, which orjson reads as a float
# where the standard library keeps it exact (and says so in a coercion error).
_LONG_NUMBER = re.compile(rb"[0-9]{19}")

HTTP_OPERATIONS = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}


class GraphQLApp(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        schema: strawberry.Schema,
        *,
        graphiql: bool,
        max_connections_per_ip: int = 20,
        max_subscriptions_per_connection: int = 20,
        token_recheck_s: float = 1.0,
        playground: Path | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            # Queries only (execute_single): a mutation over GET is refused with 405.
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=max_subscriptions_per_connection,
        )
        self.max_connections_per_ip = max_connections_per_ip
        self._connections: Counter[str] = Counter()
        self.signed_in = SignedInSockets(token_recheck_s)
        self.playground = playground

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own build of GraphiQL instead of Strawberry's page, which loads it from a CDN.
        if self.playground is None:
            return await super().render_graphql_ide(request)
        return playground_page(self.playground)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.answer_http(scope, receive, send)
            return
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

    async def answer_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Strawberry's own, but a refusal keeps its headers (405's Allow).
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as error:
            headers: dict[str, str] | None = getattr(error, "headers", None)
            if error.status_code == 405 and headers is None:
                headers = {"Allow": "GET, POST"}  # Strawberry's refusal of other methods
            response = PlainTextResponse(error.reason, error.status_code, headers=headers)
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        return GraphQLSubResponse(negotiate(request.headers.get("accept")))

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        # A GET that names a trusted document by hash (``extensions``) has no ``query``
        # but is a GraphQL request all the same, not a browser asking for the playground.
        return (
            super().should_render_graphql_ide(request)
            and request.query_params.get("extensions") is None
        )

    def parse_query_params(self, params: QueryParams) -> dict[str, Any]:
        """A GET request: ``query`` and ``operationName`` as they are, ``variables`` and
        ``extensions`` as URL-encoded JSON. A trusted document named by its hash
        (``extensions``) is looked up by the trusted-documents extension, as for POST."""
        return super().parse_query_params(params)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # Strawberry's own, with the operations each method may carry: queries over GET
        # (which must never change anything: caches and prefetchers replay it), queries
        # and mutations over POST, subscriptions over the websocket only.
        method = request_adapter.method
        if not isinstance(request_data.operation_name, str | None):
            # Strawberry checks query, variables and extensions, but not this one.
            raise HTTPException(
                400,
                "The GraphQL operation's `operationName` must be a string or null, if provided.",
            )
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=HTTP_OPERATIONS.get(method, ()),
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise HTTPException(
                    400, "Subscriptions go over the websocket (graphql-transport-ws) on /graphql."
                ) from error
            raise MethodNotAllowed(
                "Only queries may be sent with GET: send mutations with POST.", allow="POST"
            ) from error

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        if sub_response.status_code == 304:
            # The client's copy is current (see schema.extensions.http_caching): no body.
            not_modified = Response(status_code=304)
            not_modified.headers.raw.extend(sub_response.headers.raw)
            return not_modified
        media_type = getattr(sub_response, "negotiated", JSON)
        if (
            media_type == GRAPHQL_RESPONSE
            and isinstance(response_data, dict)
            and is_request_error(cast("dict[str, object]", response_data))
        ):
            # The spec's rule for this media type: no data entry, and a 4xx status
            # (400 unless something more precise was set, such as 429).
            response_data = cast(
                "GraphQLHTTPResponse",
                {key: value for key, value in response_data.items() if key != "data"},
            )
            sub_response.status_code = sub_response.status_code or 400
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = media_type
        return response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response = await super().process_result(request, result)
        # Syntax errors are raised before the extensions can shape them: give them a code.
        errors: list[dict[str, Any]] = cast("list[dict[str, Any]]", response.get("errors") or [])
        for error in errors:
            extensions = error.setdefault("extensions", {})
            if "code" not in extensions:
                too_long = parsing_aborted(str(error.get("message", "")))
                extensions["code"] = TOO_COMPLEX if too_long else "GRAPHQL_PARSE_FAILED"
        return response

    def encode_json(self, data: object) -> str:
        # Every response and websocket frame: orjson is ~15x json.dumps on a page of orders.
        # A str, not bytes: Strawberry sends bytes on a websocket as binary frames.
        try:
            return orjson.dumps(data, default=_splice).decode()
        except TypeError:
            # A lone surrogate (a request's "\ud800" echoed back) is not UTF-8, which
            # orjson refuses; the standard library writes it as the escape it came in as.
            return json.dumps(data, separators=(",", ":"), default=_spliced)

    def decode_json(self, data: str | bytes) -> object:
        # orjson reads a request body ~5x faster than json.loads. What it refuses (NaN,
        # lone surrogates, a BOM) or might read differently (long integers) goes to the
        # standard library, so every body means what it meant before.
        raw = data.encode() if isinstance(data, str) else data
        if _LONG_NUMBER.search(raw) is None:
            try:
                return orjson.loads(raw)
            except orjson.JSONDecodeError:
                pass
        return super().decode_json(data)

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
        authenticated: Authenticated | None = None
        if isinstance(request, Request):
            token = bearer_token(request.headers.get("authorization"))
            if token is not None:
                authenticated = await services.accounts.authenticate(token)
        # A websocket's context here is the connection's: its claims come from the
        # connection_init payload (on_ws_connect), and each operation runs with a copy
        # whose claims are checked again (TransportWSHandler.operation_context).
        return Context.signed_in(
            authenticated,
            services=services,
            request=request,
            response=response,
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
        accounts = context.services.accounts
        authenticated = None if token is None else await accounts.authenticate(token)
        if authenticated is None:
            raise ConnectionRejectionError()
        context.claims = authenticated.claims
        context.token = token
        return UnsetType()


def _splice(value: object) -> orjson.Fragment:
    """JSON text a completed value carries (schema/json_text.py), placed as it is."""
    if isinstance(value, JsonText):
        return orjson.Fragment(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _spliced(value: object) -> object:
    """The same for the standard library's encoder, which cannot splice: parsed."""
    if isinstance(value, JsonText):
        return json.loads(value.text)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
