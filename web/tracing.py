"""OpenTelemetry tracing: one trace per HTTP request, with the GraphQL operation, the
resolvers, the SQL statements, the Redis commands and the Gemini calls inside it.

Off unless an OTLP endpoint is configured the standard way
(``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``; see
``web.config``): then nothing here is imported, no extension or middleware is
added, and the only cost left is the Gemini adapter's span on OpenTelemetry's
no-op tracer. The SDK reads every other ``OTEL_*`` variable itself (service
name, sampler, headers, protocol).

Spans carry the request id (``web.request_id``) as ``cnop.request_id``, so a
trace and the access log's line find each other. Operation and resolver spans
record no document text and no argument values: an inline password or token
would otherwise end up in the tracing backend.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import LifecycleStep, SchemaExtension
from strawberry.extensions.tracing import OpenTelemetryExtension

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

REQUEST_ID = "cnop.request_id"
SERVICE_NAME = "cnop"
UNTRACED_PATHS = "/health/live,/health/ready,/metrics"


def _request_id(scope: Any) -> str | None:
    state = scope.get("state", {}) if isinstance(scope, dict) else {}
    value = state.get("request_id")
    return None if value is None else str(value)


class OperationTracing(OpenTelemetryExtension):
    """Strawberry's OpenTelemetry extension, with the operation span current for the
    whole operation (so the rate limits' Redis calls and the dataloaders' SQL nest
    in it), the request id on it, and neither document text nor arguments recorded."""

    def __init__(self, tracer_provider: TracerProvider) -> None:
        super().__init__(tracer_provider=tracer_provider, arg_filter=lambda _args, _info: {})

    def on_operation(self) -> Generator[None, None, None]:
        execution = self.execution_context
        name = execution.operation_name
        span = self._tracer.start_span(
            f"GraphQL Query: {name}" if name else "GraphQL Query", kind=SpanKind.SERVER
        )
        self._span_holder[LifecycleStep.OPERATION] = span
        span.set_attribute("component", "graphql")
        request = getattr(execution.context, "request", None)
        request_id = _request_id(getattr(request, "scope", None))
        if request_id is not None:
            span.set_attribute(REQUEST_ID, request_id)
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            yield
        finally:
            otel_context.detach(token)
            if not name and execution.operation_name:
                span.update_name(f"GraphQL Query: {execution.operation_name}")
            if execution.operation_name:
                span.set_attribute("graphql.operation.name", execution.operation_name)
            span.end()


class HttpTracing:
    """OpenTelemetry's ASGI middleware for HTTP requests only: a websocket lives for
    hours, and each of its subscriptions has its own operation span."""

    def __init__(self, app: ASGIApp, tracer_provider: TracerProvider) -> None:
        from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

        def tag(span: Span, scope: dict[str, Any]) -> None:
            request_id = _request_id(scope)
            if span.is_recording() and request_id is not None:
                span.set_attribute(REQUEST_ID, request_id)

        self.app = app
        self.traced = OpenTelemetryMiddleware(
            app,
            excluded_urls=UNTRACED_PATHS,
            server_request_hook=tag,
            tracer_provider=tracer_provider,
            exclude_spans=["receive", "send"],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.traced(scope, receive, send)
        else:
            await self.app(scope, receive, send)


@dataclass
class Tracing:
    """A tracer provider and what the app hangs on it."""

    provider: TracerProvider
    _instrumented: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def with_processor(cls, processor: SpanProcessor) -> Tracing:
        from opentelemetry.sdk.resources import SERVICE_NAME as SERVICE_NAME_KEY
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider

        # OTEL_SERVICE_NAME, when set, wins over this default (the SDK merges it last).
        resource = Resource.create({SERVICE_NAME_KEY: SERVICE_NAME})
        provider = TracerProvider(resource=resource)
        provider.add_span_processor(processor)
        return cls(provider)

    @classmethod
    def from_env(cls) -> Tracing:
        """Spans batched to the OTLP/HTTP endpoint of the OTEL_* variables; also the
        global provider, which the Gemini adapter's tracer uses."""
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        tracing = cls.with_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(tracing.provider)
        return tracing

    def extension(self) -> Callable[[], SchemaExtension]:
        return lambda: OperationTracing(self.provider)

    def middleware(self) -> Middleware:
        return Middleware(HttpTracing, tracer_provider=self.provider)

    def instrument(self) -> None:
        """Every SQL statement (at the asyncpg driver, beneath SQLAlchemy, whose own
        instrumentation does not support SQLAlchemy 2.1 yet) and every Redis command."""
        from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
        from opentelemetry.instrumentation.redis import RedisInstrumentor

        asyncpg = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
        for instrumentor in (asyncpg, RedisInstrumentor()):
            if not instrumentor.is_instrumented_by_opentelemetry:
                instrumentor.instrument(tracer_provider=self.provider)
                self._instrumented.append(instrumentor.uninstrument)

    def shutdown(self) -> None:
        """Undo the instrumentation and flush what is left to the exporter."""
        while self._instrumented:
            self._instrumented.pop()()
        self.provider.shutdown()
