"""Metrics on /metrics, one JSON access line per request, redaction, and the body limit."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import text
from websockets.asyncio.client import connect

from domain.market.matching import Matcher
from persistence.models import Order
from schema.extensions.operation_report import INVALID_NAME, operation_label
from tests.support.metrics import CNOP_METRICS
from web import metrics
from web.app import create_app
from web.body_limit import BodyLimitMiddleware
from web.config import Settings
from web.log_format import (
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    current_request_id,
    mask_email,
    redact,
)
from web.logs import configure_logging
from web.metrics import BoundedLabel

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status } errors { code } }
}"""
REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) { token errors { code field } }
}"""
LOGIN = """
mutation Login($input: LoginInput!) { login(input: $input) { token errors { code } } }
"""


def sample(name: str, **labels: str) -> float:
    value = metrics.REGISTRY.get_sample_value(name, labels)
    return 0.0 if value is None else value


def requests_of(operation: str, outcome: str) -> float:
    return sample("cnop_graphql_requests_total", operation=operation, outcome=outcome)


def errors_of(code: str) -> float:
    return sample("cnop_graphql_errors_total", code=code)


async def post(client: httpx.AsyncClient, query: str, **extra: Any) -> httpx.Response:
    token = extra.pop("token", None)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post("/graphql", json={"query": query, **extra}, headers=headers)


# ------------------------------------------------------------------- /metrics


async def test_metrics_serves_the_prometheus_text_format_with_every_family(client):
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    for family in (*CNOP_METRICS, "process_cpu_seconds_total"):
        assert f"# TYPE {family.removesuffix('_total')}" in response.text, family
    assert 'cnop_db_pool_connections{state="in_use"}' in response.text
    assert 'cnop_db_pool_connections{state="idle"}' in response.text


async def test_metrics_can_be_turned_off(settings, runtime):
    app = create_app(Settings(**{**_fields(settings), "metrics_enabled": False}), runtime)
    async with _http(app) as http:
        response = await http.get("/metrics")
    # Not found, or the single-page app's index.html when it is built: never metrics.
    assert "cnop_graphql_requests_total" not in response.text
    assert not response.headers.get("content-type", "").startswith("text/plain; version=")


async def test_a_named_operation_is_counted_and_timed_under_its_name(client):
    before = requests_of("CatalogueProbe", "ok")
    response = await post(client, "query CatalogueProbe { assets(first: 1) { totalCount } }")
    assert response.status_code == 200
    assert requests_of("CatalogueProbe", "ok") == before + 1
    assert sample("cnop_graphql_request_duration_seconds_count", operation="CatalogueProbe") >= 1


async def test_an_anonymous_operation_is_named_after_its_first_root_field(client):
    before = requests_of("assets", "ok")
    await post(client, "{ assets(first: 1) { totalCount } }")
    assert requests_of("assets", "ok") == before + 1


async def test_errors_are_counted_by_code_and_become_the_outcome(client):
    before = (
        requests_of("broken", "GRAPHQL_VALIDATION_FAILED"),
        errors_of("GRAPHQL_VALIDATION_FAILED"),
    )
    await post(client, "query broken { noSuchField }")
    assert requests_of("broken", "GRAPHQL_VALIDATION_FAILED") == before[0] + 1
    assert errors_of("GRAPHQL_VALIDATION_FAILED") == before[1] + 1


async def test_payload_errors_make_a_user_error_counted_by_their_code(
    client, make_user, make_asset
):
    user = await make_user(cash="10.00")
    symbol = await make_asset("100.00")
    before = (requests_of("Place", "user_error"), errors_of("INSUFFICIENT_FUNDS"))
    order = {"assetSymbol": symbol, "side": "BUY", "quantity": "1"}
    response = await post(client, PLACE, variables={"input": order}, token=user.token)
    assert response.json()["data"]["placeOrder"]["errors"] == [{"code": "INSUFFICIENT_FUNDS"}]
    assert requests_of("Place", "user_error") == before[0] + 1
    assert errors_of("INSUFFICIENT_FUNDS") == before[1] + 1


async def test_a_document_that_does_not_parse_is_a_parse_failure(client):
    before = requests_of("anonymous", "GRAPHQL_PARSE_FAILED")
    response = await post(client, "query Broken { assets(")
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    assert requests_of("anonymous", "GRAPHQL_PARSE_FAILED") == before + 1


async def test_requests_refused_before_parsing_count_as_errors(client):
    before = (requests_of("invalid_request", "BAD_REQUEST"), errors_of("BAD_REQUEST"))
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert requests_of("invalid_request", "BAD_REQUEST") == before[0] + 1
    assert errors_of("BAD_REQUEST") == before[1] + 1


async def test_hostile_operation_names_never_become_labels(client):
    await post(client, "query X { assets(first: 1) { totalCount } }", operationName="x" * 500)
    await post(client, "{ __typename }", operationName="<script>")
    body = (await client.get("/metrics")).text
    assert "x" * 101 not in body
    assert "<script>" not in body


def test_label_values_are_bounded_in_length_shape_and_number():
    label = BoundedLabel(3, max_length=10)
    assert [label(name) for name in ("a", "b", "a", "c", "d", "e")] == [
        "a", "b", "a", "c", "other", "other",
    ]  # fmt: skip
    fresh = BoundedLabel(10, max_length=10)
    assert fresh("y" * 11) == "other"
    assert fresh("has space") == "other"
    assert fresh('quote"') == "other"
    assert fresh(None) == "other"


def test_operation_names_come_from_the_request_or_the_first_root_field():
    from graphql import parse

    assert operation_label("Named", None) == "Named"
    assert operation_label("bad name!", None) == INVALID_NAME
    assert operation_label(None, parse("query Doc { a }")) == "Doc"
    assert operation_label(None, parse("{ ...F b } fragment F on Query { c }")) == "b"
    assert operation_label(None, None) == "anonymous"


async def test_orders_placed_and_filled_are_counted_by_side_and_type(
    client, runtime, make_user, make_asset, set_price
):
    user = await make_user(cash="1000.00")
    symbol = await make_asset("100.00")
    counts = ("cnop_orders_placed_total", "cnop_orders_filled_total")

    def now(side: str, kind: str) -> tuple[float, ...]:
        return tuple(sample(name, side=side, type=kind) for name in counts)

    market, limit = now("BUY", "MARKET"), now("BUY", "LIMIT")
    bought = await post(
        client,
        PLACE,
        variables={"input": {"assetSymbol": symbol, "side": "BUY", "quantity": "1"}},
        token=user.token,
    )
    assert bought.json()["data"]["placeOrder"]["order"]["status"] == "FILLED"
    assert now("BUY", "MARKET") == (market[0] + 1, market[1] + 1)

    resting = {
        "assetSymbol": symbol,
        "side": "BUY",
        "type": "LIMIT",
        "quantity": "1",
        "limitPrice": "90",
    }
    placed = await post(client, PLACE, variables={"input": resting}, token=user.token)
    assert placed.json()["data"]["placeOrder"]["order"]["status"] == "OPEN"
    assert now("BUY", "LIMIT") == (limit[0] + 1, limit[1])

    await set_price(symbol, "89")
    async with runtime.services.db.read() as session:
        asset_id = await session.scalar(
            text("SELECT id FROM assets WHERE symbol = :s"), {"s": symbol}
        )
    matcher = Matcher(runtime.services.db, runtime.services.orders, observer=metrics.ORDER_METRICS)
    filled = await matcher.match({int(asset_id): Decimal("89")})
    assert [order.status for order in filled] == ["FILLED"]
    assert now("BUY", "LIMIT") == (limit[0] + 1, limit[1] + 1)


async def test_the_matcher_reports_each_fill_to_its_observer(
    client, runtime, make_user, make_asset, set_price
):
    class Recorder:
        def __init__(self) -> None:
            self.filled: list[Order] = []

        def order_placed(self, order: Order) -> None:
            raise AssertionError("the matcher places nothing")

        def order_filled(self, order: Order) -> None:
            self.filled.append(order)

    user = await make_user(cash="1000.00")
    symbol = await make_asset("100.00")
    resting = {"assetSymbol": symbol, "side": "SELL", "type": "LIMIT", "quantity": "1"}
    await post(
        client,
        PLACE,
        variables={"input": {"assetSymbol": symbol, "side": "BUY", "quantity": "1"}},
        token=user.token,
    )
    await post(
        client, PLACE, variables={"input": {**resting, "limitPrice": "120"}}, token=user.token
    )
    await set_price(symbol, "125")
    async with runtime.services.db.read() as session:
        asset_id = await session.scalar(
            text("SELECT id FROM assets WHERE symbol = :s"), {"s": symbol}
        )
    recorder = Recorder()
    matcher = Matcher(runtime.services.db, runtime.services.orders, observer=recorder)
    await matcher.match({int(asset_id): Decimal("125")})
    assert [(order.side, order.type, order.status) for order in recorder.filled] == [
        ("SELL", "LIMIT", "FILLED")
    ]


async def test_a_request_over_its_rate_limit_is_counted_under_its_scope(settings, runtime):
    limited = Settings(
        **{**_fields(settings), "rate_limits_enabled": True, "rate_limit_ip_points": 3}
    )
    address = (f"10.77.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}", 1)
    transport = httpx.ASGITransport(app=create_app(limited, runtime), client=address)
    before = sample("cnop_rate_limited_total", scope="ip")
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        statuses = [
            (await http.post("/graphql", json={"query": "{ __typename }"})).status_code
            for _ in range(4)
        ]
    assert statuses[-1] == 429
    assert sample("cnop_rate_limited_total", scope="ip") == before + 1
    assert requests_of("__typename", "RATE_LIMITED") >= 1


def test_rate_limit_rejections_are_counted_by_scope():
    before = sample("cnop_rate_limited_total", scope="ip")
    metrics.record_rate_limited("ip")
    assert sample("cnop_rate_limited_total", scope="ip") == before + 1
    metrics.record_rate_limited("not a scope!")
    assert sample("cnop_rate_limited_total", scope="other") >= 1


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[int]:
    """``app`` on a real uvicorn (websockets need one), on a free port."""
    server = uvicorn.Server(
        uvicorn.Config(app, ws="websockets-sansio", lifespan="off", log_config=None)
    )
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        async with asyncio.timeout(5):
            while not server.started:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        yield listener.getsockname()[1]
    finally:
        server.should_exit = True
        await serving
        listener.close()


async def test_websocket_operations_are_logged_and_counted_when_they_end(settings, runtime, caplog):
    caplog.set_level(logging.INFO, logger="cnop.access")
    live = runtime.services.live
    before = requests_of("LivePrices", "ok")
    async with (
        served(create_app(settings, runtime)) as port,
        connect(
            f"ws://127.0.0.1:{port}/graphql",
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            additional_headers={"X-Request-ID": "ws-trace-1"},
        ) as ws,
    ):
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        subscribers = live.price_subscriber_count
        query = "subscription LivePrices { prices { symbol } }"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        async with asyncio.timeout(5):
            while live.price_subscriber_count == subscribers:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        async with httpx.AsyncClient() as http:
            scraped = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
        assert "cnop_websocket_connections 1.0" in scraped
        await ws.send(json.dumps({"id": "1", "type": "complete"}))
        async with asyncio.timeout(5):
            while requests_of("LivePrices", "ok") == before:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    lines = access_lines(caplog)
    [operation] = [line for line in lines if line["msg"] == "operation"]
    assert operation["operation"] == "LivePrices"
    assert operation["operation_type"] == "subscription"
    assert operation["transport"] == "websocket"
    assert operation["outcome"] == "ok"
    assert operation["request_id"] == "ws-trace-1"
    # A subscription's lifetime is not a latency.
    assert sample("cnop_graphql_request_duration_seconds_count", operation="LivePrices") == 0
    [connection] = [line for line in lines if line["msg"] == "websocket"]
    assert (connection["status"], connection["close_code"]) == (101, 1000)


# ---------------------------------------------------------------------- logs


def access_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    formatter = JsonFormatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "cnop.access"
    ]


async def test_each_request_writes_one_access_line_with_its_operation_and_user(
    client, make_user, caplog
):
    caplog.set_level(logging.INFO, logger="cnop.access")
    user = await make_user()
    response = await client.post(
        "/graphql",
        json={"query": "query WhoAmI { me { username } }"},
        headers={"Authorization": f"Bearer {user.token}", "X-Request-ID": "trace-7"},
    )
    assert response.status_code == 200
    [line] = access_lines(caplog)
    assert line["level"] == "INFO"
    assert line["msg"] == "request"
    assert line["request_id"] == "trace-7"
    assert line["operation"] == "WhoAmI"
    assert line["operation_type"] == "query"
    assert line["user_id"] == user.id
    assert line["outcome"] == "ok"
    assert line["status"] == 200
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert isinstance(line["duration_ms"], int | float)
    assert line["ts"].endswith("+00:00")


async def test_a_failing_operation_logs_its_code_as_outcome(client, caplog):
    caplog.set_level(logging.INFO, logger="cnop.access")
    await post(client, "query Nope { noSuchField }")
    [line] = access_lines(caplog)
    assert (line["operation"], line["outcome"], line["user_id"]) == (
        "Nope",
        "GRAPHQL_VALIDATION_FAILED",
        None,
    )


async def test_probes_are_logged_at_debug_only(client, caplog):
    caplog.set_level(logging.INFO, logger="cnop.access")
    await client.get("/health/live")
    await client.get("/metrics")
    assert access_lines(caplog) == []


async def test_no_log_line_holds_a_password_a_token_or_an_email(client, caplog):
    caplog.set_level(logging.DEBUG)
    username = f"obs_{uuid.uuid4().hex[:10]}"
    email = f"{username}@example.com"
    password = "Sup3r-Secret-Passw0rd!"
    registered = await post(
        client,
        REGISTER,
        variables={"input": {"username": username, "email": email, "password": password}},
    )
    token = registered.json()["data"]["register"]["token"]
    assert token
    await post(client, LOGIN, variables={"input": {"username": email, "password": password}})
    await post(client, "{ me { username } }", token=token)
    # An inlined literal that fails validation: GraphQL libraries quote the document.
    await post(
        client,
        f'mutation {{ login(input: {{username: "{email}", password: "{password}"}}) {{ nope }} }}',
    )
    output = "\n".join(
        formatter.format(record)
        for record in caplog.records
        for formatter in (JsonFormatter(), TextFormatter())
    )
    assert output
    for secret in (password, token, email, token.split(".")[1]):
        assert secret not in output


def test_redaction_masks_tokens_passwords_and_emails():
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    assert jwt not in redact(f"token {jwt} seen")
    assert redact("Authorization: Bearer abc.def-123") == "Authorization: Bearer [redacted]"
    assert redact('{"password": "hunter2"}') == '{"password": "[redacted]"}'
    assert redact("password=hunter2&x=1") == "password=[redacted]&x=1"
    assert redact("mail alice.smith@example.com now") == "mail a***@example.com now"
    assert mask_email("bob@example.org") == "b***@example.org"
    assert mask_email("not-an-email") == "***"


def test_json_lines_carry_the_request_id_being_served():
    record = logging.LogRecord("cnop", logging.ERROR, __file__, 1, "boom %s", ("x",), None)
    token = current_request_id.set("req-1")
    try:
        RequestIdFilter().filter(record)
    finally:
        current_request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-1"
    assert line["msg"] == "boom x"
    assert line["level"] == "ERROR"
    assert "req-1" in TextFormatter().format(record)


def test_configure_logging_picks_the_format_and_quiets_noisy_loggers():
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("INFO", "json")
        [handler] = root.handlers
        assert isinstance(handler.formatter, JsonFormatter)
        assert logging.getLogger("strawberry.execution").level == logging.CRITICAL
        configure_logging("DEBUG", "text")
        assert isinstance(root.handlers[0].formatter, TextFormatter)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


# ------------------------------------------------------------------- body limit


async def echo_length(scope: Any, receive: Any, send: Any) -> None:
    """A tiny ASGI app that reads the whole body and answers with its length."""
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def _limited(max_bytes: int = 1024) -> tuple[BodyLimitMiddleware, list[str]]:
    called: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(scope["path"])
        await echo_length(scope, receive, send)

    return BodyLimitMiddleware(app, max_bytes=max_bytes), called


def _http(app: Any) -> Any:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs():
    app, called = _limited(1024)
    async with _http(app) as http:
        response = await http.post("/x", content=b"a" * 1025)
    assert response.status_code == 413
    assert response.headers["connection"] == "close"
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "PAYLOAD_TOO_LARGE", "maxBytes": 1024}
    assert "1024 bytes" in error["message"]
    assert called == []


async def test_a_streamed_body_is_refused_once_it_passes_the_limit():
    app, called = _limited(1024)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"b" * 300

    async with _http(app) as http:
        response = await http.post("/x", content=chunks())
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert called == ["/x"]


@pytest.mark.parametrize("size", [0, 1, 1024])
async def test_bodies_within_the_limit_pass_untouched(size):
    app, _ = _limited(1024)
    async with _http(app) as http:
        response = await http.post("/x", content=b"c" * size)
    assert (response.status_code, response.text) == (200, str(size))


async def test_a_content_length_that_is_not_a_number_is_a_bad_request():
    app, called = _limited(1024)
    async with _http(app) as http:
        response = await http.post("/x", content=b"{}", headers={"Content-Length": "12abc"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert called == []


async def test_the_app_refuses_large_graphql_bodies_and_keeps_400_for_bad_json(settings, runtime):
    small = Settings(**{**_fields(settings), "max_body_bytes": 2048})
    async with _http(create_app(small, runtime)) as http:
        big = await http.post(
            "/graphql",
            json={"query": "{ __typename }", "variables": {"pad": "p" * 4096}},
        )
        broken = await http.post(
            "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
        )
        fine = await http.post("/graphql", json={"query": "{ __typename }"})
    assert big.status_code == 413
    assert big.headers["x-request-id"]
    assert big.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert broken.status_code == 400
    assert "JSON" in broken.text
    assert fine.status_code == 200


# --------------------------------------------------------------- configuration


def test_log_format_is_text_in_development_and_json_in_production():
    assert Settings.from_env({}).log_format == "text"
    production = {"APP_ENV": "production", "RED_POCKET_CONFIG": "/etc/cnop/red-pocket.json"}
    assert Settings.from_env(production).log_format == "json"
    assert Settings.from_env({"LOG_FORMAT": "JSON"}).log_format == "json"
    assert Settings.from_env({**production, "LOG_FORMAT": "text"}).log_format == "text"


def test_observability_settings_have_defaults_and_bounds():
    from web.config import ConfigError

    defaults = Settings.from_env({})
    assert defaults.metrics_enabled is True
    assert defaults.max_body_bytes == 1024 * 1024
    assert defaults.shutdown_timeout_s == 10
    chosen = Settings.from_env(
        {"METRICS_ENABLED": "false", "MAX_BODY_BYTES": "65536", "SHUTDOWN_TIMEOUT_S": "25"}
    )
    assert (chosen.metrics_enabled, chosen.max_body_bytes, chosen.shutdown_timeout_s) == (
        False,
        65536,
        25,
    )
    for name, value in (
        ("LOG_FORMAT", "xml"),
        ("MAX_BODY_BYTES", "10"),
        ("SHUTDOWN_TIMEOUT_S", "0"),
    ):
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({name: value})


def _fields(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in Settings.model_fields}
