"""The app behind an in-process HTTP client from a chosen address, and posting GraphQL to it."""

from __future__ import annotations

import uuid

import httpx

from web.app import create_app


def fresh_host(prefix: str) -> str:
    """A host under ``prefix`` (two octets) that no other test uses: its budgets start full."""
    return f"{prefix}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def app_client(settings, runtime, *, client=("127.0.0.1", 5000), **overrides):
    app = create_app(settings.model_copy(update=overrides), runtime)
    transport = httpx.ASGITransport(app=app, client=client)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def post(http: httpx.AsyncClient, query: str, variables=None, headers=None):
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    return response, response.json()


def code_of(body) -> str:
    return str(body["errors"][0]["extensions"]["code"])


def rate_limited_client(settings, runtime, client, **overrides):
    """An app with its rate limits on, seen from ``client`` (host, port)."""
    return app_client(settings, runtime, client=client, rate_limits_enabled=True, **overrides)


def behind_proxy(settings, runtime, proxy, **overrides):
    """A rate-limited app whose every request comes from ``proxy`` (host, port), trusted to
    name the client it forwards for."""
    return rate_limited_client(settings, runtime, proxy, trusted_proxies=(proxy[0],), **overrides)


def user_budget_client(settings, runtime, prefix: str, points: int):
    """A rate-limited app seen from a fresh host under ``prefix``, where a signed-in user
    may spend ``points`` a window."""
    address = (fresh_host(prefix), 1)
    return rate_limited_client(settings, runtime, address, rate_limit_user_points=points)
