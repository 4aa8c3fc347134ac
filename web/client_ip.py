"""The client's address, as uvicorn's proxy-headers middleware leaves it in the scope.

``ProxyHeadersMiddleware`` (installed outermost by ``web.app``, with the networks of
TRUSTED_PROXIES and nothing else) replaces the scope's ``client`` with the forwarded
address when, and only when, the socket's peer is a trusted proxy: it reads
X-Forwarded-For from the right, skips our own proxies, and takes the first other hop,
``host:port`` and ``[v6]:port`` hops included. Everything that needs the caller's
address (rate limits, the sign-in guard, websocket caps, the access log) reads it
here, after the middleware, so they all agree on it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import Scope

UNKNOWN = "unknown"


def trusted_hosts(entries: Iterable[str]) -> list[str]:
    """'10.0.0.1', '10.0.0.1/8', '::1' ... -> canonical networks; ValueError on nonsense.

    uvicorn parses networks strictly and silently treats a network with host bits set
    (10.0.0.1/8) as a literal that never matches: we normalise them first.
    """
    return [str(ipaddress.ip_network(entry.strip(), strict=False)) for entry in entries]


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else UNKNOWN
