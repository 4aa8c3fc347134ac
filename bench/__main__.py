"""``python -m bench`` (``make bench``): one run, every scenario, every concurrency level.

Creates a fresh database, seeds funded users, checks that the direct transaction still
sends the product's SQL, starts the GraphQL server and the baseline under uvicorn,
measures, prints the results and writes them to bench/results/latest.json. The servers
and the database are removed at the end whatever happens.

Exits 1 when the run is flagged (a request failed, or the direct transaction no longer
matches the product's SQL): its figures are not to be trusted. A missed goal is a
finding, not a failure of the benchmark: it exits 0.
"""

from __future__ import annotations

import gc
import os
import secrets
import shutil
import sys
import tempfile
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import uvloop

from bench import peer, report
from bench.database import BenchUser, create_users, fresh_database, order_counts
from bench.direct_order import BUY, SELL, place_market_order
from bench.http_client import Connection
from bench.load import Measurement, measure, merge
from bench.processes import Server, uvicorn_server
from bench.scenarios import (
    A_GRAPHQL_ORDER,
    B_BASELINE_ORDER,
    C_DIRECT_ORDER,
    JOIN_GRAPHQL_READ,
    JOIN_STARLETTE_READ,
    NESTED_READ,
    RECENT,
    SYMBOL,
    DirectTarget,
    Target,
    baseline_orders,
    baseline_recent,
    graphql_orders,
    graphql_recent,
    join_graphql_recent,
    order_quantity,
)
from bench.sql_parity import SqlParity, check_sql_parity
from domain.limits import Limits
from domain.tokens import TokenCodec
from persistence.database import sync_free_url
from web.config import SAMPLE_RED_POCKET_CONFIG, Settings
from web.logs import configure_logging

LEVELS = (1, 4, 16)
WARMUP_SECONDS = 1.0
"""Before a target's first slice at each level."""
SETTLE_SECONDS = 0.3
"""Before each later slice: a few round trips for the clients to fall out of step."""
ROUNDS = 5
"""Slices per window, when the window is long enough for slices of MIN_SLICE_SECONDS."""
MIN_SLICE_SECONDS = 1.0
UNLIMITED = 10**9
DEFAULT_SECONDS = 5.0
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PHASES = ("orders", "reads", "peer")
"""What one run measures (BENCH_PHASES picks some): the order transaction, the nested
read against the one-JOIN baselines, the nested read against PostGraphile."""
PEER_GOAL = 1.0
RESULTS_FILE = Path(__file__).resolve().parent / "results" / "latest.json"


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    quantity: Decimal
    postgres_version: str
    parity: SqlParity
    orders: list[Measurement]
    reads: list[Measurement]
    load_before: float
    """The 1-minute load average when the run started: other work shares these cores."""
    peer: list[Measurement]
    """The nested read against PostGraphile 4 (bench/peer.py), PEER_CLIENTS clients."""
    phases: frozenset[str]


def _say(text: str) -> None:
    print(text, flush=True)


def red_pocket_copy() -> str:
    """Production refuses the repository's sample red-pocket words by path: a copy of them
    elsewhere (no red pocket is claimed in a benchmark)."""
    copy = Path(tempfile.mkdtemp(prefix="cnop_bench_")) / "red-pocket.json"
    shutil.copyfile(SAMPLE_RED_POCKET_CONFIG, copy)
    return str(copy)


def server_env(url: str) -> dict[str, str]:
    """What both servers run with, on top of the caller's environment.

    No price engine: a deployment runs it in exactly one process, and here it would land
    in whichever server took its lock first, charge that server for every tick and move
    the prices under the orders. Both servers run without it. Rate limits stay on (their
    bookkeeping is part of every request) with budgets a benchmark cannot exhaust.
    """
    return {
        "DATABASE_URL": url,
        "JWT_SECRET": secrets.token_urlsafe(48),
        "MIGRATE_ON_START": "false",
        "LOG_LEVEL": "WARNING",
        "APP_ENV": "production",
        "PRICE_ENGINE": "false",
        # Without the engine prices never update: let orders trade on the loaded ones.
        "MAX_PRICE_AGE_S": "31536000",
        "RATE_LIMIT_USER_POINTS": str(UNLIMITED),
        "RATE_LIMIT_IP_POINTS": str(UNLIMITED),
        "RED_POCKET_CONFIG": red_pocket_copy(),
    }


def limits_of(settings: Settings) -> Limits:
    return Limits(
        daily_deposit=settings.daily_deposit_limit,
        daily_withdraw=settings.daily_withdraw_limit,
        max_order_value=settings.max_order_value,
        max_price_age=timedelta(seconds=settings.max_price_age_s),
    )


def codec_of(settings: Settings) -> TokenCodec:
    assert settings.jwt_secret is not None
    return TokenCodec(
        settings.jwt_secret.get_secret_value(),
        ttl_minutes=settings.jwt_ttl_minutes,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


def slice_count(seconds: float) -> int:
    return max(1, min(ROUNDS, int(seconds // MIN_SLICE_SECONDS)))


async def run_levels(
    targets: list[Target],
    users: list[BenchUser],
    seconds: float,
    levels: tuple[int, ...] = LEVELS,
) -> list[Measurement]:
    """Every target at every level, its window cut in up to ROUNDS slices taken in turn.

    Interleaving puts the compared targets through the same moments: a burst of other
    work on the machine then weighs on all of them instead of on whichever ran during it.
    """
    rounds = slice_count(seconds)
    results: list[Measurement] = []
    for clients in levels:
        _say(f"  {clients} client(s): {', '.join(target.name for target in targets)}")
        async with AsyncExitStack() as stack:
            calls = [await stack.enter_async_context(t.clients(users[:clients])) for t in targets]
            slices: list[list[Measurement]] = [[] for _ in targets]
            for round_ in range(rounds):
                order = range(len(targets)) if round_ % 2 == 0 else reversed(range(len(targets)))
                for index in order:
                    target = targets[index]
                    measured = await measure(
                        target.name,
                        calls[index],
                        warmup=WARMUP_SECONDS if round_ == 0 else SETTLE_SECONDS,
                        seconds=seconds / rounds,
                        server_pid=target.server_pid,
                    )
                    slices[index].append(measured)
        results.extend(merge(taken) for taken in slices)
    return results


async def top_up_orders(
    url: str, pool: asyncpg.Pool, users: list[BenchUser], limits: Limits, quantity: Decimal
) -> int:
    """Give every user at least RECENT orders, so every nested read lists a full page."""
    added = 0
    counts = await order_counts(url, users)
    async with pool.acquire() as connection:
        for user in users:
            for index in range(max(0, RECENT - counts[user.id])):
                side = BUY if index % 2 == 0 else SELL
                await place_market_order(connection, limits, user.id, SYMBOL, side, quantity)
                added += 1
    return added


async def run_peer(
    url: str, settings: Settings, product: Server, seconds: float
) -> list[Measurement]:
    """The product's nested read and PostGraphile's, same data, slices taken in turn."""
    users = await create_users(url, peer.PEER_USERS, codec_of(settings))
    await peer.seed_orders(url, users)
    async with peer.postgraphile_server(url) as postgraphile:
        _say(
            f"nested read vs PostGraphile {peer.postgraphile_version()} (node "
            f"{peer.node_version()}, :{postgraphile.port}): {peer.PEER_USERS} users x "
            f"{peer.PEER_ORDERS} orders over {peer.PEER_ASSETS} assets"
        )
        targets: list[Target] = [peer.product_read(product), peer.peer_read(postgraphile)]
        if not await _same_first_answer(product, postgraphile, users[0]):
            raise RuntimeError("the product and PostGraphile list different orders")
        # Clients take users in turn, so the 32 clients read 32 different users' pages.
        return await run_levels(targets, users, seconds, (peer.PEER_CLIENTS,))


async def _same_first_answer(product: Server, postgraphile: Server, user: BenchUser) -> bool:
    answers = []
    for target, server in ((peer.product_read, product), (peer.peer_read, postgraphile)):
        (request,) = target(server).requests_for(server, user)
        connection = Connection(server.host, server.port)
        try:
            answers.append(await connection.send(request))
        finally:
            await connection.close()
    return peer.same_answers(*answers)


async def run(admin_url: str, seconds: float, phases: frozenset[str]) -> Run:
    load_before = os.getloadavg()[0]
    async with fresh_database(admin_url) as url:
        env = server_env(url)
        settings = Settings.from_env({**os.environ, **env})
        limits = limits_of(settings)
        users = await create_users(url, max(LEVELS), codec_of(settings))
        _say(f"database {url.rsplit('/', 1)[-1]}: migrated, {len(users)} funded users")
        async with asyncpg.create_pool(
            sync_free_url(url), min_size=max(LEVELS), max_size=max(LEVELS)
        ) as pool:
            postgres_version = await pool.fetchval("SHOW server_version")
            price = await pool.fetchval("SELECT price FROM assets WHERE symbol = $1", SYMBOL)
            quantity = order_quantity(price)
            parity = await check_sql_parity(settings, limits, users[0].id, SYMBOL, quantity)
            _say(
                f"direct transaction vs Orders.place: {parity.direct_statements} vs "
                f"{parity.product_statements} statements per BUY+SELL, "
                + ("identical SQL" if parity.matches else "SQL DIFFERS (run flagged)")
            )
            async with (
                uvicorn_server("graphql", "bench.product_app:create", env) as graphql,
                uvicorn_server("baseline", "bench.baseline_app:create", env) as baseline,
            ):
                _say(f"servers up: GraphQL :{graphql.port}, baseline :{baseline.port}")
                orders: list[Measurement] = []
                reads: list[Measurement] = []
                peer_reads: list[Measurement] = []
                if "orders" in phases:
                    _say(f"order transaction ({quantity} {SYMBOL} per order, BUY/SELL in turn):")
                    orders = await run_levels(
                        [
                            graphql_orders(graphql, quantity),
                            baseline_orders(baseline, quantity),
                            DirectTarget(pool, limits, quantity),
                        ],
                        users,
                        seconds,
                    )
                if "reads" in phases:
                    added = await top_up_orders(url, pool, users, limits, quantity)
                    _say(f"nested read ({added} orders added so every user has >= {RECENT}):")
                    reads = await run_levels(
                        [
                            graphql_recent(graphql),
                            join_graphql_recent(baseline),
                            baseline_recent(baseline),
                        ],
                        users,
                        seconds,
                    )
                if "peer" in phases:
                    peer_reads = await run_peer(url, settings, graphql, seconds)
    return Run(
        seconds,
        quantity,
        postgres_version,
        parity,
        orders,
        reads,
        load_before,
        peer_reads,
        phases,
    )


def _by(results: list[Measurement], name: str, clients: int) -> Measurement:
    return next(m for m in results if m.scenario == name and m.clients == clients)


def ratios_of(result: Run) -> list[report.Ratio]:
    a, b, c = A_GRAPHQL_ORDER, B_BASELINE_ORDER, C_DIRECT_ORDER
    nested, join_graphql, join_starlette = NESTED_READ, JOIN_GRAPHQL_READ, JOIN_STARLETTE_READ
    orders, reads = result.orders, result.reads
    ratios: list[report.Ratio] = []
    if result.peer:
        n = peer.PEER_CLIENTS
        ratios.append(
            report.ratio(
                "nested/postgraphile",
                _by(result.peer, peer.PRODUCT_READ, n),
                _by(result.peer, peer.PEER_READ, n),
                PEER_GOAL,
            )
        )
    if orders:
        ratios += [
            *(
                report.ratio("a/b", _by(orders, a, n), _by(orders, b, n), report.GOAL)
                for n in LEVELS
            ),
            *(report.ratio("a/c", _by(orders, a, n), _by(orders, c, n), None) for n in LEVELS),
        ]
    if not reads:
        return ratios
    return [
        *ratios,
        *(
            report.ratio(
                "nested/join-graphql",
                _by(reads, nested, n),
                _by(reads, join_graphql, n),
                report.GOAL,
            )
            for n in LEVELS
        ),
        *(
            report.ratio(
                "nested/join-starlette", _by(reads, nested, n), _by(reads, join_starlette, n), None
            )
            for n in LEVELS
        ),
    ]


def present(result: Run) -> int:
    """Print the run, write it as JSON; the exit status (1: the run is flagged)."""
    ratios = ratios_of(result)
    machine = report.machine_info(result.postgres_version, result.load_before)
    python = report.python_info()
    measurements = result.orders + result.reads + result.peer
    errors = sum(m.errors for m in measurements)
    goals_met = all(r.verdict == "PASS" for r in ratios if r.goal is not None)
    slices = slice_count(result.seconds)
    window = (
        f"{result.seconds:g} s per scenario and level in {slices} interleaved slice(s), "
        f"after a {WARMUP_SECONDS:g} s warm-up"
    )

    if result.orders:
        _say("")
        _say(report.format_table(f"Order transaction, {window}", result.orders))
    if result.reads:
        _say("")
        _say(report.format_table(f"Nested read of {RECENT} orders, {window}", result.reads))
    if result.peer:
        _say("")
        _say(
            report.format_table(
                f"Nested read of {peer.PAGE} orders vs PostGraphile {peer.postgraphile_version()}"
                f" (one Node process), {window}",
                result.peer,
            )
        )
    _say("")
    _say(
        report.format_ratios(
            "Ratios (a/b: a's req/s over b's; CPU/req: b's CPU per request over a's)", ratios
        )
    )
    _say("")
    _say(report.format_environment(machine, python))
    _say(f"node:    {peer.node_version()}, postgraphile {peer.postgraphile_version()}")
    _say(
        f"goals (a/b and nested/join-graphql >= {report.GOAL}, nested/postgraphile >= "
        f"{PEER_GOAL}): " + ("met" if goals_met else "NOT met")
    )
    if errors:
        first = next(m.first_error for m in measurements if m.first_error)
        _say(f"FLAGGED: {errors} request(s) failed; first: {first}")
    if not result.parity.matches:
        _say("FLAGGED: bench/direct_order.py no longer matches Orders.place:")
        _say(result.parity.difference)

    report.write_json(
        RESULTS_FILE,
        {
            "command": "make bench",
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds_per_level": result.seconds,
            "warmup_seconds": WARMUP_SECONDS,
            "interleaved_slices": slices,
            "levels": list(LEVELS),
            "order_quantity": str(result.quantity),
            "machine": machine,
            "python": python,
            "direct_sql_matches_product": result.parity.matches,
            "direct_sql_difference": result.parity.difference,
            "orders": [report.measurement_dict(m) for m in result.orders],
            "reads": [report.measurement_dict(m) for m in result.reads],
            "peer": [report.measurement_dict(m) for m in result.peer],
            "phases": sorted(result.phases),
            "ratios": [r.as_dict() for r in ratios],
            "goals_met": goals_met,
            "errors": errors,
            "flagged": bool(errors) or not result.parity.matches,
        },
    )
    _say(f"results written to {os.path.relpath(RESULTS_FILE)}")
    return 1 if errors or not result.parity.matches else 0


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS") or DEFAULT_SECONDS)
    if seconds <= 0:
        raise SystemExit("BENCH_SECONDS must be positive")
    admin_url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_ADMIN_URL
    phases = frozenset((os.environ.get("BENCH_PHASES") or ",".join(PHASES)).split(","))
    if not phases or not phases <= set(PHASES):
        raise SystemExit(f"BENCH_PHASES: a comma-separated subset of {','.join(PHASES)}")
    configure_logging("WARNING")
    # The servers' GC tuning (see bench/product_app.py): the direct scenario runs here.
    gc.set_threshold(20_000, 20, 10)
    sys.exit(present(uvloop.run(run(admin_url, seconds, phases))))


if __name__ == "__main__":
    main()
