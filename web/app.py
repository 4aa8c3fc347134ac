"""The Starlette application: GraphQL on /graphql, health checks, middleware, lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Route, WebSocketRoute

from schema.schema import build_schema
from web import health
from web.config import Settings
from web.graphql_app import GraphQLApp
from web.request_id import RequestIdMiddleware
from web.runtime import Runtime, start_runtime

log = logging.getLogger("cnop")


def create_app(settings: Settings, runtime: Runtime | None = None) -> Starlette:
    """The app; with ``runtime`` given (tests), the lifespan uses it instead of starting one."""
    graphql = GraphQLApp(
        build_schema(introspection=settings.introspection), graphiql=settings.graphiql
    )

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
            if owned:
                await active.close()

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/health/live", health.live),
        Route("/health/ready", health.ready),
    ]
    middleware = [Middleware(RequestIdMiddleware)]
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
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    if runtime is not None:
        app.state.services = runtime.services
        app.state.runtime = runtime
    return app
