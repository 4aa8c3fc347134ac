"""The nested read against a peer: PostGraphile 4, one Node process, same data, same run.

PostGraphile compiles a whole GraphQL query into one SQL statement that returns the
finished JSON: the fastest way a GraphQL server can answer this read, and a fair
yardstick for the product's. Both serve the same scratch database, seeded with
PEER_USERS users of PEER_ORDERS orders each over PEER_ASSETS assets, and each client
reads its own user's newest 100 orders with their assets:

- the product: ``me { orders(first: 100) { edges { node { id side quantity
  executedPrice asset { symbol price } } } } }`` with the user's bearer token;
- PostGraphile: ``userById(id:) { ordersByUserId(first: 100, orderBy: CREATED_AT_DESC)
  { nodes { id side quantity executedPrice assetByAssetId { symbol price } } } }``.

PostGraphile is installed from npm (``postgraphile@4``) into bench/.cache (git-ignored)
the first time, and started as one Node process with its query log off.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

from bench.database import BenchUser
from bench.http_client import HttpError, Response, build_request
from bench.processes import HOST, Server, _die_with_parent, _stop, free_port, wait_ready
from bench.scenarios import HttpTarget, _graphql_data
from persistence.database import sync_free_url

PEER_USERS = 100
PEER_ORDERS = 100
PEER_ASSETS = 50
PEER_CLIENTS = 32
PAGE = 100

PRODUCT_READ = "nested: GraphQL me.orders (product)"
PEER_READ = "peer: PostGraphile 4 userById"

CACHE = Path(__file__).resolve().parent / ".cache" / "postgraphile"
PACKAGE = "postgraphile@4"
READY_TIMEOUT = 60.0

PRODUCT_QUERY = """
query RecentOrders($first: Int!) {
  me { orders(first: $first) { edges { node {
    id side quantity executedPrice asset { symbol price } } } } }
}
"""

PEER_QUERY = """
query RecentOrders($id: BigInt!, $first: Int!) {
  userById(id: $id) { ordersByUserId(first: $first, orderBy: CREATED_AT_DESC) { nodes {
    id side quantity executedPrice assetByAssetId { symbol price } } } }
}
"""


async def seed_orders(url: str, users: list[BenchUser]) -> None:
    """PEER_ORDERS filled orders per user, spread over PEER_ASSETS assets, at their prices."""
    connection = await asyncpg.connect(sync_free_url(url))
    try:
        assets = await connection.fetch(
            "SELECT id, price FROM assets WHERE is_tradable ORDER BY id LIMIT $1", PEER_ASSETS
        )
        await connection.execute(
            """
            INSERT INTO orders (user_id, asset_id, side, type, status, quantity, executed_price,
                                total, time_in_force, created_at, filled_at)
            SELECT u.id, a.id, CASE WHEN n % 2 = 0 THEN 'BUY' ELSE 'SELL' END, 'MARKET', 'FILLED',
                   0.5, a.price, round(0.5 * a.price, 2), 'IOC',
                   now() - make_interval(secs => $2 - n), now() - make_interval(secs => $2 - n)
            FROM unnest($1::bigint[]) AS u(id)
            CROSS JOIN generate_series(1, $2) AS n
            JOIN unnest($3::int[], $4::numeric[]) WITH ORDINALITY AS a(id, price, k)
              ON a.k = 1 + (n + u.id) % $5
            """,
            [user.id for user in users],
            PEER_ORDERS,
            [row["id"] for row in assets],
            [row["price"] for row in assets],
            len(assets),
        )
        await connection.execute("ANALYZE orders")
    finally:
        await connection.close()


def _install() -> Path:
    cli = CACHE / "node_modules" / "postgraphile" / "cli.js"
    if not cli.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm not found: the peer benchmark needs Node.js 20 and npm")
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), PACKAGE],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return cli


@asynccontextmanager
async def postgraphile_server(url: str) -> AsyncIterator[Server]:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node not found: the peer benchmark needs Node.js 20")
    cli = _install()
    port = free_port()
    command = [
        node,
        str(cli),
        "--connection",
        sync_free_url(url),
        "--schema",
        "public",
        "--host",
        HOST,
        "--port",
        str(port),
        "--disable-query-log",
        "--disable-default-mutations",
    ]
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            *command,
            env={**os.environ, "NODE_ENV": "production"},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
        try:
            probe = build_request("POST", HOST, port, "/graphql", body={"query": "{ __typename }"})
            await wait_ready(
                "postgraphile",
                process,
                log,
                probe,
                port=port,
                ready_within=READY_TIMEOUT,
                interval=0.2,
            )
            yield Server("postgraphile", HOST, port, process.pid)
        finally:
            await _stop(process)


def _product_listed(response: Response) -> None:
    edges = _graphql_data(response)["me"]["orders"]["edges"]
    if len(edges) != PAGE or not edges[0]["node"]["asset"]["symbol"]:
        raise HttpError(f"expected {PAGE} orders with assets, got {len(edges)}")


def _peer_listed(response: Response) -> None:
    nodes = _graphql_data(response)["userById"]["ordersByUserId"]["nodes"]
    if len(nodes) != PAGE or not nodes[0]["assetByAssetId"]["symbol"]:
        raise HttpError(f"expected {PAGE} orders with assets, got {len(nodes)}")


def product_read(server: Server) -> HttpTarget:
    def requests_for(server: Server, user: BenchUser) -> list[bytes]:
        body = {
            "query": PRODUCT_QUERY,
            "operationName": "RecentOrders",
            "variables": {"first": PAGE},
        }
        return [
            build_request("POST", server.host, server.port, "/graphql", token=user.token, body=body)
        ]

    return HttpTarget(PRODUCT_READ, server, requests_for, _product_listed)


def peer_read(server: Server) -> HttpTarget:
    def requests_for(server: Server, user: BenchUser) -> list[bytes]:
        # PostGraphile serialises BigInt as a string: the variable is sent the same way.
        variables = {"id": str(user.id), "first": PAGE}
        body = {"query": PEER_QUERY, "operationName": "RecentOrders", "variables": variables}
        return [build_request("POST", server.host, server.port, "/graphql", body=body)]

    return HttpTarget(PEER_READ, server, requests_for, _peer_listed)


def same_answers(product: Response, peer: Response) -> bool:
    """Both servers list the same orders, in the same order, with the same figures."""
    edges = _graphql_data(product)["me"]["orders"]["edges"]
    nodes = _graphql_data(peer)["userById"]["ordersByUserId"]["nodes"]
    mine = [
        (e["node"]["id"], e["node"]["side"], e["node"]["quantity"], e["node"]["executedPrice"])
        for e in edges
    ]
    theirs = [(str(n["id"]), n["side"], n["quantity"], n["executedPrice"]) for n in nodes]
    return _numbers(mine) == _numbers(theirs)


def _numbers(rows: list[tuple[str, str, str, str]]) -> list[tuple[str, str, float, float]]:
    # Only to check that both read the same rows; the product's own exactness is tested.
    return [(i, s, float(q), float(p)) for i, s, q, p in rows]


def node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "none"
    return subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()


def postgraphile_version() -> str:
    package = CACHE / "node_modules" / "postgraphile" / "package.json"
    if not package.exists():
        return "not installed"
    return str(json.loads(package.read_text())["version"])


if __name__ == "__main__":  # pragma: no cover - a manual check of the installation
    print(_install(), postgraphile_version(), node_version(), file=sys.stderr)
