"""Whatever fails inside, the client gets GraphQL-shaped JSON: never a plain-text 500."""

from __future__ import annotations

import dataclasses

import httpx
import redis.exceptions
from sqlalchemy.exc import DBAPIError, InterfaceError

from domain.catalogue import Catalogue
from persistence.database import Database
from persistence.outages import RETRY_AFTER_S, is_outage
from web.app import create_app

ASSETS = "{ assets(first: 1) { edges { node { symbol } } } }"


class FailingAccounts:
    """Token checks that fail the way a broken dependency or a bug would."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def authenticate(self, token: str) -> None:
        raise self.error


async def post(app, query: str, token: str | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    headers = {"X-Request-ID": "req-under-test"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.post("/graphql", json={"query": query}, headers=headers)


def with_services(settings, runtime, **changes):
    services = dataclasses.replace(runtime.services, **changes)
    return create_app(settings, dataclasses.replace(runtime, services=services))


async def test_a_bug_before_execution_is_a_json_500_with_the_request_id(settings, runtime):
    app = with_services(settings, runtime, accounts=FailingAccounts(RuntimeError("secret")))
    response = await post(app, ASSETS, token="any")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"] == "req-under-test"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-under-test"}
    assert "secret" not in response.text


async def test_a_dependency_down_before_execution_is_a_json_503(settings, runtime):
    down = redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")
    app = with_services(settings, runtime, accounts=FailingAccounts(down))
    response = await post(app, ASSETS, token="any")
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_S)
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "SERVICE_UNAVAILABLE",
        "retryAfter": RETRY_AFTER_S,
        "requestId": "req-under-test",
    }
    assert "6379" not in response.text


async def test_a_database_down_during_execution_is_service_unavailable(settings, runtime):
    # Nothing listens on port 1: every connection is refused at once.
    database = Database("postgresql://postgres@127.0.0.1:1/postgres", pool_size=1)
    try:
        app = with_services(settings, runtime, db=database, catalogue=Catalogue(database))
        response = await post(app, ASSETS)
    finally:
        await database.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == str(RETRY_AFTER_S)
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert error["extensions"]["retryAfter"] == RETRY_AFTER_S
    assert error["extensions"]["requestId"] == "req-under-test"
    assert "127.0.0.1" not in response.text


def test_outages_are_told_apart_from_bugs():
    lost = DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    assert is_outage(lost)
    assert is_outage(redis.exceptions.TimeoutError("slow"))
    wrapped = RuntimeError("wrapped")
    wrapped.__cause__ = ConnectionResetError("reset by peer")
    assert is_outage(wrapped)
    assert not is_outage(RuntimeError("a bug"))
    assert not is_outage(InterfaceError("SELECT 1", {}, Exception("misuse")))
