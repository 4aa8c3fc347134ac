"""The Starlette application: GraphQL on /graphql, health checks, middleware, lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from schema.extensions.operation_limits import OperationLimits
from schema.extensions.rate_limits import RatePolicy
from schema.schema import build_schema
from web import health, metrics
from web.access_log import AccessLogMiddleware, report_operation
from web.body_limit import BodyLimitMiddleware
from web.client_ip import trusted_hosts
from web.config import Settings
from web.connections import OpenWebSockets, WebSocketTracker
from web.error_boundary import ErrorBoundary
from web.exports import ExportRoutes
from web.graphql_app import GraphQLApp
from web.request_id import RequestIdMiddleware
from web.runtime import Runtime, start_runtime

log = logging.getLogger("cnop")

FRONTEND_DIST = Path(__file__).resolve().parent.parent / "frontend" / "dist"
"""The built single-page app (`make run` builds it when Node.js is available)."""


class SinglePageApp(StaticFiles):
    """The built SPA: its files as they are, and index.html for any other path without
    a file extension, so that a reload on a client-side route (/market/BTC) works."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            response = await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or "." in PurePosixPath(path).name:
                raise
            response = await super().get_response("index.html", scope)
        # Vite names built assets by content hash: cache them for good, revalidate the page.
        immutable = path.startswith("assets/")
        response.headers.setdefault(
            "Cache-Control", "public, max-age=31536000, immutable" if immutable else "no-cache"
        )
        return response


def create_app(settings: Settings, runtime: Runtime | None = None) -> Starlette:
    """The app; with ``runtime`` given (tests), the lifespan uses it instead of starting one."""
    schema = build_schema(
        introspection=settings.introspection,
        report_operation=report_operation,
        on_rate_limited=metrics.record_rate_limited,
        suggestions=not settings.is_production,
        # Public answers are fresh for one price tick: the next tick may move them.
        public_max_age=settings.price_tick_ms // 1000,
        limits=OperationLimits(
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_query_aliases,
            max_tokens=settings.max_query_tokens,
            max_cost=settings.max_query_cost,
            max_selections=settings.max_query_selections,
        ),
        rate_policy=RatePolicy(
            window=settings.rate_limit_window_s,
            user_points=settings.rate_limit_user_points,
            ip_points=settings.rate_limit_ip_points,
        )
        if settings.rate_limits_enabled
        else None,
    )
    graphql = GraphQLApp(
        schema,
        graphiql=settings.graphiql,
        max_connections_per_ip=settings.ws_max_connections_per_ip,
        max_subscriptions_per_connection=settings.ws_max_subscriptions,
        # A socket whose token stops standing is closed within one price tick.
        token_recheck_s=settings.price_tick_ms / 1000,
    )

    websockets = OpenWebSockets()
    exports = ExportRoutes(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = runtime is None
        active = await start_runtime(settings) if runtime is None else runtime
        app.state.services = active.services
        app.state.runtime = active
        if owned:
            log.info("ready on http://%s:%d/graphql", settings.host, settings.port)
        try:
            yield
        finally:
            # Under `cnop serve` they are closed already (web.server), before uvicorn
            # waited for in-flight requests; the runtime closes only after those.
            await websockets.close_all()
            if owned:
                await active.close()

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health/live", health.live),
        Route("/health/ready", health.ready),
        Route("/export/orders.csv", exports.orders, methods=["GET"]),
        Route("/export/transactions.csv", exports.transactions, methods=["GET"]),
    ]
    if settings.metrics_enabled:
        routes.append(Route("/metrics", metrics.endpoint, methods=["GET"]))
    if (FRONTEND_DIST / "index.html").is_file():
        # Last, so that /graphql and /health/* keep precedence over the SPA's routes.
        routes.append(Mount("/", SinglePageApp(directory=FRONTEND_DIST, html=True)))
    middleware = [
        # Outermost: everything inside reads the client's address from scope["client"].
        # An explicit list, never uvicorn's default (which trusts 127.0.0.1).
        Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted_hosts(settings.trusted_proxies)),
        Middleware(RequestIdMiddleware),
        Middleware(AccessLogMiddleware),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID"],
                max_age=600,
            )
        )
    # Inside the access log, which records the answer it gives, and inside CORS, whose
    # headers that answer needs as much as any other.
    middleware.append(Middleware(ErrorBoundary))
    # Inside CORS, so that a refused body still carries the CORS headers a browser needs.
    middleware.append(Middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes))
    middleware.append(Middleware(WebSocketTracker, connections=websockets))
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.websockets = websockets
    if runtime is not None:
        app.state.services = runtime.services
        app.state.runtime = runtime
    return app
