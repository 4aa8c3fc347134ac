"""The HTTP surface around GraphQL: health checks, request ids, GraphiQL, error hygiene."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from persistence.database import Database
from persistence.stores import open_stores
from web.app import create_app

HEX_ID = re.compile(r"[0-9a-f]{32}")
SECRET = "secret sql detail"
NO_REDIS = "redis://127.0.0.1:1/0"
"""Nothing listens on port 1: a Redis there is down from the start."""


@asynccontextmanager
async def http_client(app: Any, *, raise_app_exceptions: bool = True) -> AsyncIterator[Any]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=raise_app_exceptions)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


# ------------------------------------------------------------------- health


async def test_liveness_answers_ok(client):
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_checks_the_database_and_reports_redis_as_not_configured(client):
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured"},
        "stores": "in-process",
        "price_engine": "off",
    }


async def test_readiness_reports_a_reachable_redis(settings, runtime, redis_stores):
    services = dataclasses.replace(runtime.services, stores=redis_stores)
    app = create_app(settings, dataclasses.replace(runtime, services=services))
    async with http_client(app) as http:
        response = await http.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}
    assert response.json()["stores"] == "shared"


async def probes_without(settings, runtime, **down: Any) -> tuple[httpx.Response, httpx.Response]:
    """Readiness and liveness of an app whose ``down`` services (``db``, ``stores``) point at
    port 1, where nothing listens: their connections are refused at once."""
    services = dataclasses.replace(runtime.services, **down)
    app = create_app(settings, dataclasses.replace(runtime, services=services))
    try:
        async with http_client(app) as http:
            return await http.get("/health/ready"), await http.get("/health/live")
    finally:
        await down["stores"].close()
        if "db" in down:
            await down["db"].dispose()


def in_process_readiness(status: str, database: str) -> dict[str, Any]:
    return {
        "status": status,
        "checks": {"database": database, "redis": "down"},
        "stores": "in-process",
        "price_engine": "off",
    }


async def test_readiness_stays_up_but_degraded_while_only_redis_is_down(settings, runtime):
    response, _ = await probes_without(settings, runtime, stores=open_stores(NO_REDIS))
    # The process serves from in-process stores: keep it behind the load balancer.
    assert response.status_code == 200
    assert response.json() == in_process_readiness("degraded", database="ok")


async def test_readiness_is_503_when_dependencies_are_down(settings, runtime):
    database = Database("postgresql://postgres@127.0.0.1:1/postgres", pool_size=1)
    response, live = await probes_without(
        settings, runtime, db=database, stores=open_stores(NO_REDIS)
    )
    assert response.status_code == 503
    assert response.json() == in_process_readiness("unavailable", database="down")
    assert live.status_code == 200


# --------------------------------------------------------------- request id


@pytest.mark.parametrize("path", ["/health/live", "/graphql"])
async def test_request_id_is_echoed_when_sent(client, path):
    sent = "trace-42.abc_DEF"
    if path == "/graphql":
        response = await client.post(
            path, json={"query": "{ __typename }"}, headers={"X-Request-ID": sent}
        )
    else:
        response = await client.get(path, headers={"X-Request-ID": sent})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == sent


async def test_request_id_is_generated_when_absent(client):
    first = await client.get("/health/live")
    second = await client.get("/health/live")
    assert HEX_ID.fullmatch(first.headers["x-request-id"])
    assert HEX_ID.fullmatch(second.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize(
    "hostile",
    ["has spaces in it", "a" * 300, "a" * 129, "<script>alert(1)</script>", "id;rm -rf /", ""],
)
async def test_hostile_request_id_is_replaced(client, hostile):
    response = await client.get("/health/live", headers={"X-Request-ID": hostile})
    assert response.status_code == 200
    echoed = response.headers["x-request-id"]
    assert echoed != hostile
    assert HEX_ID.fullmatch(echoed)


async def test_longest_acceptable_request_id_is_kept(client):
    sent = "b" * 128
    response = await client.get("/health/live", headers={"X-Request-ID": sent})
    assert response.headers["x-request-id"] == sent


# ----------------------------------------------------------------- GraphiQL


async def test_graphiql_is_served_to_browsers(settings, runtime, tmp_path, monkeypatch):
    # The page is the web app build's (tests/web/test_playground.py); a stand-in here.
    (tmp_path / "graphiql.html").write_text("<title>GraphiQL</title>")
    monkeypatch.setattr("web.app.FRONTEND_DIST", tmp_path)
    async with http_client(create_app(settings, runtime)) as http:
        response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_graphiql_is_not_served_when_disabled(settings, runtime):
    app = create_app(settings.model_copy(update={"graphiql": False}), runtime)
    async with http_client(app) as http:
        response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code != 200
    assert "graphiql" not in response.text.lower()


async def test_mutations_over_get_are_refused(client):
    # Queries may come by GET (tests/api/test_graphql_over_http.py); nothing that writes may.
    response = await client.get(
        "/graphql",
        params={"query": 'mutation { login(input: {username: "a", password: "b"}) { token } }'},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 405
    assert "token" not in response.text


# ------------------------------------------------------- unexpected faults


@pytest.fixture
def broken_catalogue(runtime, monkeypatch):
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(runtime.services.catalogue, "assets", fail)
    monkeypatch.setattr(runtime.services.catalogue, "asset", fail)


async def test_unexpected_exception_becomes_internal_server_error(
    settings, runtime, broken_catalogue, caplog
):
    app = create_app(settings, runtime)
    caplog.set_level(logging.ERROR)
    async with http_client(app) as http:
        response = await http.post(
            "/graphql", json={"query": "{ assets(first: 3) { totalCount } }"}
        )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert HEX_ID.fullmatch(error["extensions"]["requestId"])
    assert error["path"] == ["assets"]
    for leak in (SECRET, "RuntimeError", "Traceback", 'File "', ".py"):
        assert leak not in response.text, leak
    # The operator, however, finds the cause in the log under the same request id.
    logged = [record for record in caplog.records if record.exc_info]
    assert any(
        error["extensions"]["requestId"] in record.getMessage()
        and SECRET in str(record.exc_info[1])
        for record in logged
    )


async def test_internal_error_quotes_the_request_id_the_client_sent(
    settings, runtime, broken_catalogue
):
    app = create_app(settings, runtime)
    async with http_client(app) as http:
        response = await http.post(
            "/graphql",
            json={"query": '{ ok: __typename asset(symbol: "BTC") { symbol } }'},
            headers={"X-Request-ID": "client-trace-7"},
        )
    body = response.json()
    assert SECRET not in response.text
    # The failing field is nullable: the rest of the answer survives.
    assert body["data"] == {"ok": "Query", "asset": None}
    [error] = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "client-trace-7"}


# --------------------------------------------------------- malformed bodies


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"\xff\xfe",
        b'{"query": ',
        b'"just a string"',
        b"42",
        b"null",
        b"[]",
        b'{"variables": {}}',
        b'{"query": 5}',
        b'{"query": "{ __typename }", "variables": "x"}',
    ],
)
async def test_malformed_request_body_is_a_client_error_not_a_500(settings, runtime, body):
    app = create_app(settings, runtime)
    async with http_client(app, raise_app_exceptions=False) as http:
        response = await http.post(
            "/graphql", content=body, headers={"Content-Type": "application/json"}
        )
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert "Traceback" not in response.text


async def test_unsupported_content_type_is_a_client_error(client):
    response = await client.post(
        "/graphql", content=b"query=1", headers={"Content-Type": "text/plain"}
    )
    assert 400 <= response.status_code < 500


async def test_a_well_formed_request_still_works_after_malformed_ones(client):
    await client.post(
        "/graphql", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    response = await client.post("/graphql", json={"query": '{ asset(symbol: "BTC") { symbol } }'})
    assert response.status_code == 200
    assert json.loads(response.text) == {"data": {"asset": {"symbol": "BTC"}}}
