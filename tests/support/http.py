"""The app behind an in-process HTTP client from a chosen address, and posting GraphQL to it."""

from __future__ import annotations

import dataclasses

import httpx

from web.app import create_app


def app_client(settings, runtime, *, client=("127.0.0.1", 5000), **overrides):
    app = create_app(dataclasses.replace(settings, **overrides), runtime)
    transport = httpx.ASGITransport(app=app, client=client)
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def post(http: httpx.AsyncClient, query: str, variables=None, headers=None):
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers or {}
    )
    return response, response.json()


def code_of(body) -> str:
    return str(body["errors"][0]["extensions"]["code"])
