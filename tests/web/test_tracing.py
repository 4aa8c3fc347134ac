"""Tracing: with an exporter configured, each HTTP request is one trace holding its
GraphQL operation, and the SQL the operation ran sits inside the operation's span;
every span of it carries the request id. Without one, nothing is added."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from web.app import create_app
from web.config import Settings
from web.tracing import REQUEST_ID, HttpTracing, OperationTracing, Tracing

OTLP = "http://127.0.0.1:4318"
ME = "query Me { me { username balance { cash } orders(first: 5) { edges { node { id } } } } }"


@pytest.fixture
def exported() -> Iterator[tuple[Tracing, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    tracing = Tracing.with_processor(SimpleSpanProcessor(exporter))
    yield tracing, exporter
    tracing.shutdown()


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    chain = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        chain.append(span)
    return chain


async def test_one_trace_per_request_with_the_sql_inside_the_operation(
    settings, runtime, make_user, exported
):
    tracing, exporter = exported
    user = await make_user(cash="100.00")
    app = create_app(settings, runtime, tracing=tracing)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for request_id in ("trace-one", "trace-two"):
            response = await http.post(
                "/graphql",
                json={"query": ME},
                headers={"Authorization": f"Bearer {user.token}", "X-Request-ID": request_id},
            )
            assert response.status_code == 200
            assert "errors" not in response.json()

    spans = exporter.get_finished_spans()
    traces: dict[str, set[int]] = {}
    for span in spans:
        tagged = span.attributes.get(REQUEST_ID) if span.attributes else None
        if tagged is not None:
            traces.setdefault(str(tagged), set()).add(span.context.trace_id)
    # One trace per request, and a different one for each.
    assert set(traces) == {"trace-one", "trace-two"}
    assert all(len(ids) == 1 for ids in traces.values()), traces
    assert traces["trace-one"] != traces["trace-two"]

    for request_id, (trace_id,) in traces.items():
        in_trace = [span for span in spans if span.context.trace_id == trace_id]
        by_id = {span.context.span_id: span for span in in_trace}
        roots = [span for span in in_trace if span.parent is None]
        assert len(roots) == 1, [span.name for span in roots]
        assert roots[0].name.startswith("POST")
        assert roots[0].attributes[REQUEST_ID] == request_id

        (operation,) = [span for span in in_trace if span.name == "GraphQL Query: Me"]
        assert operation.attributes[REQUEST_ID] == request_id
        assert "query" not in operation.attributes, "no document text in the tracing backend"

        statements = [span for span in in_trace if (span.attributes or {}).get("db.system")]
        inside = [span for span in statements if operation in ancestors(span, by_id)]
        assert inside, [
            (span.name, [a.name for a in ancestors(span, by_id)]) for span in statements
        ]
        assert all(span.name.split()[0] in {"SELECT", "INSERT", "UPDATE"} for span in inside)


async def test_a_password_sent_inline_is_not_recorded(settings, runtime, exported):
    tracing, exporter = exported
    app = create_app(settings, runtime, tracing=tracing)
    secret = "Inline-Secret-Horse-9"
    mutation = 'mutation { login(input: {username: "nobody_here", password: "SECRET"}) { token } }'
    mutation = mutation.replace("SECRET", secret)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await http.post("/graphql", json={"query": mutation})

    recorded: list[Any] = []
    for span in exporter.get_finished_spans():
        recorded.extend((span.attributes or {}).values())
    assert recorded
    assert not any(secret in str(value) for value in recorded)


def test_without_an_endpoint_tracing_adds_nothing(settings: Settings, runtime):
    assert settings.tracing is False
    app = create_app(settings, runtime)
    assert HttpTracing not in [getattr(m, "cls", None) for m in app.user_middleware]
    schema = app.router.routes[0].endpoint.schema  # type: ignore[attr-defined]
    assert not any(
        isinstance(extension, OperationTracing)
        or getattr(extension, "func", None) is OperationTracing
        for extension in (factory() for factory in schema.extensions)
    )


@pytest.mark.parametrize(
    ("env", "on"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, True),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": OTLP, "OTEL_SDK_DISABLED": "true"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": OTLP, "OTEL_TRACES_EXPORTER": "none"}, False),
    ],
)
def test_tracing_follows_the_standard_variables(env, on):
    assert Settings.from_env(env).tracing is on


async def test_a_gemini_call_is_a_client_span_inside_the_current_one():
    from opentelemetry import trace

    from tests.support.insights_samples import FakeGemini, snapshot

    exporter = InMemorySpanExporter()
    # The adapter's tracer follows the global provider, which web.tracing sets in a
    # served process (once per process: this test is the only one here to set it).
    tracing = Tracing.with_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(tracing.provider)
    fake = FakeGemini()
    provider = fake.provider()
    try:
        with tracing.provider.get_tracer("test").start_as_current_span("operation") as outer:
            await provider.summarise(snapshot("1000.00"))
    finally:
        await provider.aclose()

    (call,) = [span for span in exporter.get_finished_spans() if span.name.startswith("gemini")]
    assert call.kind is trace.SpanKind.CLIENT
    assert (call.attributes or {}).get("gen_ai.request.model") == "gemini-test"
    assert call.parent is not None
    assert call.parent.span_id == outer.get_span_context().span_id
