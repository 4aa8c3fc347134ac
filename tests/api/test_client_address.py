"""The client's address behind proxies: one rule (uvicorn's proxy-headers middleware,
trusting TRUSTED_PROXIES only) for rate limits, the sign-in guard, websocket caps and
the access log."""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from tests.support.http import app_client, behind_proxy, fresh_host, rate_limited_client
from web.app import create_app
from web.client_ip import trusted_hosts
from web.config import ConfigError, Settings

QUERY = {"query": "{ __typename }"}


async def statuses(http: httpx.AsyncClient, forwarded: list[str]) -> list[int]:
    answers = []
    for hop in forwarded:
        response = await http.post("/graphql", json=QUERY, headers={"X-Forwarded-For": hop})
        answers.append(response.status_code)
    return answers


async def test_forwarded_host_port_hops_resolve_to_the_client_host(settings, runtime):
    proxy = (fresh_host("10.30"), 40000)
    first, second = fresh_host("203.0"), fresh_host("198.51")
    async with behind_proxy(settings, runtime, proxy, rate_limit_ip_points=2) as http:
        # Two clients behind one proxy that writes host:port hops: two budgets, each
        # keyed by the client's host (its port changes from one connection to the next).
        answers = await statuses(
            http,
            [f"{first}:5555", f"{second}:5555", f"{first}:5556", f"{second}:6000", f"{first}:1"],
        )
    assert answers == [200, 200, 200, 200, 429]


async def test_bracketed_ipv6_hops_and_proxy_chains(settings, runtime):
    proxy = (fresh_host("10.31"), 1)
    inner = fresh_host("10.32")
    client = f"2001:db8::{uuid.uuid4().int % 65000:x}"
    async with rate_limited_client(
        settings,
        runtime,
        proxy,
        rate_limit_ip_points=2,
        # A network with host bits set is still a network (uvicorn alone would ignore it).
        trusted_proxies=(f"{proxy[0]}/16", inner),
    ) as http:
        answers = await statuses(
            http,
            [
                f"192.0.2.1, [{client}]:443, {inner}:8080",
                f"[{client}]:444",
                f"198.51.100.9, {client}",
            ],
        )
    assert answers == [200, 200, 429]  # one client, whatever its port and whoever precedes it


async def test_no_proxy_is_trusted_by_default_not_even_localhost(settings, runtime):
    peer = ("127.0.0.1", 1)
    spoofed = [f"192.0.2.{i}" for i in range(3)]
    async with rate_limited_client(
        settings,
        runtime,
        peer,
        rate_limit_ip_points=2,
        rate_limit_window_s=1,
    ) as http:
        await asyncio.sleep(1)  # a fresh window for 127.0.0.1
        answers = await statuses(http, spoofed)
    assert answers[-1] == 429  # one budget, the peer's, whatever the header says


async def test_the_access_log_names_the_forwarded_client(settings, runtime, caplog):
    caplog.set_level(logging.INFO, logger="cnop.access")
    proxy = (fresh_host("10.33"), 1)
    async with app_client(settings, runtime, client=proxy, trusted_proxies=(proxy[0],)) as http:
        await http.post("/graphql", json=QUERY, headers={"X-Forwarded-For": "203.0.113.7:5555"})
        await http.post("/graphql", json=QUERY)
    fields = [
        record.__dict__["fields"] for record in caplog.records if record.name == "cnop.access"
    ]
    assert [line["client"] for line in fields] == ["203.0.113.7", proxy[0]]


def test_trusted_proxies_are_normalised_networks_and_nonsense_stops_start_up():
    assert trusted_hosts(["10.0.0.1/8", " 172.28.0.10 ", "::1"]) == [
        "10.0.0.0/8",
        "172.28.0.10/32",
        "::1/128",
    ]
    with pytest.raises(ConfigError, match=r"^TRUSTED_PROXIES: "):
        Settings.from_env({"TRUSTED_PROXIES": "10.0.0.0/8,proxy.internal"})


def test_serve_does_not_add_uvicorns_own_proxy_headers(monkeypatch):
    from web import cli

    seen: dict[str, Any] = {}

    class Server:
        def __init__(self, config: uvicorn.Config, **_: Any) -> None:
            seen["config"] = config

        def run(self) -> None:
            return None

    monkeypatch.setattr("web.server.GracefulServer", Server)
    cli.serve(Settings(trusted_proxies=("10.0.0.0/8",)))
    assert seen["config"].proxy_headers is False


@pytest.fixture
async def proxied_ws_url(settings, runtime) -> AsyncIterator[str]:
    app = create_app(
        settings.model_copy(
            update={"ws_max_connections_per_ip": 1, "trusted_proxies": ("127.0.0.1",)}
        ),
        runtime,
    )
    config = uvicorn.Config(
        app, ws="websockets-sansio", lifespan="off", log_config=None, proxy_headers=False
    )
    server = uvicorn.Server(config)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.01)
    yield f"ws://127.0.0.1:{listener.getsockname()[1]}/graphql"
    server.should_exit = True
    await serving
    listener.close()


async def test_websocket_caps_count_forwarded_clients_apart(proxied_ws_url):
    protocols = [Subprotocol("graphql-transport-ws")]

    def via_proxy(hop: str):
        return connect(
            proxied_ws_url, subprotocols=protocols, additional_headers={"X-Forwarded-For": hop}
        )

    async with via_proxy("203.0.113.7:5555") as first, via_proxy("203.0.113.8:5555") as second:
        assert first.state.name == "OPEN"
        assert second.state.name == "OPEN"
        with pytest.raises((InvalidStatus, ConnectionClosed)):
            async with via_proxy("203.0.113.7:6000") as third:  # same client, new port
                await asyncio.wait_for(third.recv(), 2)
