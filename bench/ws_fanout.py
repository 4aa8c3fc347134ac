"""Websocket fan-out: N subscribers of `prices` receiving ticks published through Redis.

    python -m bench.ws_fanout [--subscribers 100,1000] [--ticks 20] [--interval 1.0]
                              [--symbols N [--spread window|random]]

Three kinds of process take part, all started from here:

* the server: ``cnop serve`` (one uvicorn worker, websockets-sansio) on a fresh,
  migrated database, with REDIS_URL set, so ticks reach it the way they reach
  every replica: through Redis pub/sub, relayed by its live hub. REDIS_NAMESPACE
  is the bench's own, so no other server on this machine hears its ticks and it
  hears none of theirs; the price engine is off (the bench is the publisher);
* one or more drivers: websocket clients (the ``websockets`` package) that each
  open a share of the subscriptions (graphql-transport-ws, ``prices`` for every
  symbol, or with ``--symbols N`` ``prices(symbols: $symbols)`` for N symbols,
  a window that rotates over the catalogue from one subscriber to the next, or
  a random sample per subscriber with ``--spread random``) and
  record, for every message, the lag from the tick's ``at`` to its arrival;
* this process: it creates and drops the database, publishes one tick of every
  catalogue symbol per interval, samples the server's CPU time and RSS with
  psutil, and prints the report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import signal
import socket
import sys
import tempfile
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import psutil  # type: ignore[import-untyped]
import redis.asyncio as aioredis

HOST = "127.0.0.1"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = "subscription { prices { symbol price priceChange24h at } }"
# --batched: one message per tick carrying every price (priceTicks).
BATCHED_DOCUMENT = "subscription { priceTicks { symbol price priceChange24h at } }"
BATCHED_FILTERED_DOCUMENT = (
    "subscription PriceTicks($symbols: [String!]) "
    "{ priceTicks(symbols: $symbols) { symbol price priceChange24h at } }"
)
# The SPA's document: the symbols on its screen, as a variable.
FILTERED_DOCUMENT = (
    "subscription Prices($symbols: [String!]) "
    "{ prices(symbols: $symbols) { symbol price priceChange24h at } }"
)
CONNECT_BATCH = 50


# ------------------------------------------------------------------------- driver


@dataclass(slots=True)
class Subscriber:
    symbols: list[str] | None = None
    """The symbols subscribed to; None for every symbol."""
    counts: dict[str, int] = field(default_factory=dict)
    """Messages received per tick (keyed by the tick's `at` text)."""


def symbol_window(catalogue: Sequence[str], size: int, index: int, spread: str) -> list[str]:
    """The ``size`` symbols of subscriber ``index``.

    ``window``: a window that moves one symbol along the catalogue per subscriber, so
    every symbol has as many subscribers (and subscribers ``len(catalogue)`` apart send
    the same list, as viewers of the same screen do). ``random``: a sample of its own
    per subscriber, so nearly no two subscribers send the same variables.
    """
    if spread == "random":
        chosen = set(random.Random(index).sample(catalogue, size))
    else:
        chosen = {catalogue[(index + offset) % len(catalogue)] for offset in range(size)}
    # Sorted, as the SPA sends them (the catalogue is in symbol order).
    return [symbol for symbol in catalogue if symbol in chosen]


async def drive(
    url: str,
    connections: int,
    compression: bool,
    out: Path,
    windows: list[list[str]] | None,
    batched: bool = False,
) -> None:
    """Open the subscriptions, say "ready", record until told "stop", write the results."""
    from websockets.asyncio.client import connect

    at_epochs: dict[str, float] = {}
    tick_at = array("d")
    lag = array("d")
    subscribers = [
        Subscriber(symbols=None if windows is None else windows[i]) for i in range(connections)
    ]
    opened: list[Any] = []
    failures: list[str] = []

    async def listen(ws: Any, subscriber: Subscriber) -> None:
        counts = subscriber.counts
        wanted = None if subscriber.symbols is None else frozenset(subscriber.symbols)
        async for raw in ws:
            received = time.time()
            message = json.loads(raw)
            if message.get("type") != "next":
                failures.append(str(message)[:200])
                continue
            data = message["payload"]["data"]
            for tick in data["priceTicks"] if batched else (data["prices"],):
                at = tick["at"]
                if wanted is not None and tick["symbol"] not in wanted:
                    failures.append(f"unsubscribed symbol {tick['symbol']!r}")
                    continue
                epoch = at_epochs.get(at)
                if epoch is None:
                    epoch = at_epochs[at] = datetime.fromisoformat(at).timestamp()
                counts[at] = counts.get(at, 0) + 1
                tick_at.append(epoch)
                lag.append(received - epoch)

    async def open_one(subscriber: Subscriber) -> asyncio.Task[None]:
        ws = await connect(
            url,
            subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            compression="deflate" if compression else None,
            max_queue=None,
            ping_interval=None,
            open_timeout=60,
        )
        opened.append(ws)
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await ws.recv())
        assert ack["type"] == "connection_ack", ack
        everything, filtered = (
            (BATCHED_DOCUMENT, BATCHED_FILTERED_DOCUMENT)
            if batched
            else (DOCUMENT, FILTERED_DOCUMENT)
        )
        if subscriber.symbols is None:
            payload: dict[str, Any] = {"query": everything}
        else:
            payload = {"query": filtered, "variables": {"symbols": subscriber.symbols}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        return asyncio.create_task(listen(ws, subscriber))

    listeners: list[asyncio.Task[None]] = []
    for start in range(0, connections, CONNECT_BATCH):
        batch = subscribers[start : start + CONNECT_BATCH]
        listeners += await asyncio.gather(*(open_one(s) for s in batch))
    print("ready", flush=True)

    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)
    for task in listeners:
        task.cancel()
    await asyncio.gather(*listeners, return_exceptions=True)
    await asyncio.gather(*(ws.close() for ws in opened), return_exceptions=True)

    write_driver_output(out, subscribers, failures, tick_at, lag)
    print("done", flush=True)


def write_driver_output(
    out: Path,
    subscribers: list[Subscriber],
    failures: list[str],
    tick_at: array[float],
    lag: array[float],
) -> None:
    with out.with_suffix(".at").open("wb") as file:
        tick_at.tofile(file)
    with out.with_suffix(".lag").open("wb") as file:
        lag.tofile(file)
    out.write_text(
        json.dumps({"counts": [s.counts for s in subscribers], "failures": failures[:20]})
    )


@dataclass(slots=True)
class DriverOutput:
    delivered: int = 0
    complete: int = 0
    lags: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def read_driver_output(out: Path, measured: list[str], symbols: int, into: DriverOutput) -> None:
    """Add one driver's figures for the measured ticks to ``into``."""
    first_measured = datetime.fromisoformat(measured[0]).timestamp()
    result = json.loads(out.read_text())
    into.failures += result["failures"]
    for counts in result["counts"]:
        into.delivered += sum(counts.get(at, 0) for at in measured)
        into.complete += all(counts.get(at, 0) == symbols for at in measured)
    at_values = array("d")
    lag_values = array("d")
    with out.with_suffix(".at").open("rb") as file:
        at_values.frombytes(file.read())
    with out.with_suffix(".lag").open("rb") as file:
        lag_values.frombytes(file.read())
    into.lags += [
        lag for at, lag in zip(at_values, lag_values, strict=True) if at >= first_measured
    ]


# ------------------------------------------------------------------- orchestrator


@dataclass(slots=True)
class RoundResult:
    subscribers: int
    ticks: int
    symbols: int
    """Symbols per subscriber (every tick should deliver each of them)."""
    published: int
    """Symbols per published tick (the whole catalogue)."""
    interval: float
    expected: int
    delivered: int
    complete_subscribers: int
    lag_p50_ms: float
    lag_p99_ms: float
    lag_max_ms: float
    server_cpu_s_per_s: float
    server_cpu_us_per_message: float
    driver_cpu_s_per_s: float
    other_cpu_s_per_s: float
    """CPU the rest of the machine used meanwhile (other processes share these cores)."""
    rss_idle_mb: float
    rss_per_connection_kb: float
    failures: list[str]

    @property
    def goal_met(self) -> bool:
        return (
            self.complete_subscribers == self.subscribers
            and self.lag_p99_ms < 2 * self.interval * 1000
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def machine_cpu_seconds() -> float:
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    guests = getattr(times, "guest", 0.0) + getattr(times, "guest_nice", 0.0)
    return float(sum(times) - idle - guests)


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def wait_ready(port: int, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 60
    request = f"GET /health/live HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n"
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(request.encode())
            status = await reader.readline()
            writer.close()
            if b" 200 " in status:
                return
        except OSError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("the server did not become ready")


async def create_database() -> tuple[str, str]:
    from web.runtime import prepare_database

    name = f"cnop_wsbench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    await prepare_database(url)
    return name, url


async def drop_database(name: str) -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def catalogue_symbols(url: str) -> list[tuple[str, Decimal]]:
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT symbol, price FROM assets WHERE is_tradable ORDER BY symbol"
        )
    finally:
        await connection.close()
    return [(row["symbol"], Decimal(row["price"])) for row in rows]


class Publisher:
    """One message per tick holding every symbol, like the price engine."""

    def __init__(self, redis: aioredis.Redis, namespace: str, assets: list[tuple[str, Decimal]]):
        from persistence.stores.pubsub import RedisPubSub

        self._pubsub = RedisPubSub(redis, namespace)
        self._prices = dict(assets)
        self._random = random.Random(7)

    async def publish(self) -> str:
        from domain.market.events import PRICES_CHANNEL, PriceTick, encode_ticks

        at = datetime.now(UTC)
        ticks = []
        for symbol, price in self._prices.items():
            moved = (price * Decimal(1 + self._random.gauss(0, 0.001))).quantize(price)
            self._prices[symbol] = moved if moved > 0 else price
            ticks.append(PriceTick(symbol, self._prices[symbol], Decimal("1.25"), at))
        await self._pubsub.publish(PRICES_CHANNEL, encode_ticks(ticks))
        return at.isoformat()


async def run_round(
    *,
    subscribers: int,
    drivers: int,
    url: str,
    server: psutil.Process,
    publisher: Publisher,
    catalogue: list[str],
    symbols_each: int | None,
    spread: str,
    ticks: int,
    warmup: int,
    interval: float,
    compression: bool,
    workdir: Path,
    batched: bool = False,
) -> RoundResult:
    rss_idle = server.memory_info().rss
    shares = [
        subscribers // drivers + (1 if i < subscribers % drivers else 0) for i in range(drivers)
    ]
    symbols = len(catalogue) if symbols_each is None else symbols_each
    processes = []
    outputs = []
    for index, share in enumerate(shares):
        out = workdir / f"driver-{subscribers}-{index}.json"
        outputs.append(out)
        command = [sys.executable, "-m", "bench.ws_fanout", "drive", "--url", url]
        command += ["--connections", str(share), "--out", str(out)]
        if symbols_each is not None:
            # Subscriber numbers run on across drivers, so the windows keep rotating.
            command += ["--symbols", str(symbols_each), "--first", str(sum(shares[:index]))]
            command += ["--catalogue", ",".join(catalogue), "--spread", spread]
        if not compression:
            command.append("--no-compression")
        if batched:
            command.append("--batched")
        processes.append(
            await asyncio.create_subprocess_exec(
                *command,
                cwd=PROJECT_ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        )
    for process in processes:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 300)
        if line.strip() != b"ready":
            raise RuntimeError(f"a driver failed to connect ({line!r})")
    driver_processes = [psutil.Process(p.pid) for p in processes]

    # The first ticks warm the path up (and let every subscription register); not measured.
    measured: list[str] = []
    started = time.monotonic()
    cpu_start = driver_cpu_start = machine_cpu_start = 0.0
    measure_start = 0.0
    rss_connected = 0
    for number in range(warmup + ticks):
        delay = started + number * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if number == warmup:
            rss_connected = server.memory_info().rss
            cpu_start = cpu_seconds(server)
            driver_cpu_start = sum(cpu_seconds(p) for p in driver_processes)
            machine_cpu_start = machine_cpu_seconds()
            measure_start = time.monotonic()
        at = await publisher.publish()
        if number >= warmup:
            measured.append(at)
    await asyncio.sleep(interval)
    window = time.monotonic() - measure_start
    cpu_used = cpu_seconds(server) - cpu_start
    driver_cpu_used = sum(cpu_seconds(p) for p in driver_processes) - driver_cpu_start
    machine_cpu_used = machine_cpu_seconds() - machine_cpu_start
    # Whatever is still in flight after two more intervals counts as not delivered.
    await asyncio.sleep(interval)

    for process in processes:
        assert process.stdin is not None
        assert process.stdout is not None
        process.stdin.write(b"stop\n")
        await process.stdin.drain()
        await asyncio.wait_for(process.stdout.readline(), 120)
        await process.wait()

    output = DriverOutput()
    for out in outputs:
        read_driver_output(out, measured, symbols, output)
    lags = output.lags
    delivered = output.delivered
    complete = output.complete
    failures = output.failures
    lags.sort()
    return RoundResult(
        subscribers=subscribers,
        ticks=ticks,
        symbols=symbols,
        published=len(catalogue),
        interval=interval,
        expected=subscribers * ticks * symbols,
        delivered=delivered,
        complete_subscribers=complete,
        lag_p50_ms=percentile(lags, 0.50) * 1000,
        lag_p99_ms=percentile(lags, 0.99) * 1000,
        lag_max_ms=(lags[-1] if lags else float("nan")) * 1000,
        server_cpu_s_per_s=cpu_used / window,
        server_cpu_us_per_message=cpu_used / max(delivered, 1) * 1e6,
        driver_cpu_s_per_s=driver_cpu_used / window,
        other_cpu_s_per_s=max(0.0, machine_cpu_used - cpu_used - driver_cpu_used) / window,
        rss_idle_mb=rss_idle / 2**20,
        rss_per_connection_kb=(rss_connected - rss_idle) / subscribers / 1024,
        failures=failures,
    )


def report(results: list[RoundResult], args: argparse.Namespace) -> str:
    lines = [
        f"python: {sys.executable} ({sys.version.split()[0]}); {os.cpu_count()} CPUs; "
        f"{results[0].published} symbols per tick, "
        + (
            "each subscriber subscribed to all of them"
            if args.symbols is None
            else f"each subscriber subscribed to {results[0].symbols} "
            + ("(a rotating window)" if args.spread == "window" else "(a random sample each)")
        )
        + f"; one tick every {args.interval:g} s, "
        f"{args.ticks} ticks measured after {args.warmup} warm-up ticks; "
        f"permessage-deflate {'on' if args.compression else 'off'}; {args.drivers} driver(s)"
        + (
            "; priceTicks: one message per tick per subscriber (delivered and CPU/message "
            "count prices, not messages)"
            if args.batched
            else "; prices: one message per price"
        ),
        "",
        "| subscribers | delivered | every tick | lag p50 | lag p99 | lag max "
        "| server CPU | CPU/message | driver CPU | other CPU | RSS/connection | goal |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.subscribers:,} | {r.delivered / r.expected:.1%} of {r.expected:,} "
            f"| {r.complete_subscribers:,}/{r.subscribers:,} "
            f"| {r.lag_p50_ms:,.0f} ms | {r.lag_p99_ms:,.0f} ms | {r.lag_max_ms:,.0f} ms "
            f"| {r.server_cpu_s_per_s:.2f} s/s | {r.server_cpu_us_per_message:.0f} µs "
            f"| {r.driver_cpu_s_per_s:.2f} s/s | {r.other_cpu_s_per_s:.2f} s/s "
            f"| {r.rss_per_connection_kb:,.0f} KiB "
            f"| {'met' if r.goal_met else 'not met'} |"
        )
        if r.failures:
            lines.append(f"|  | unexpected messages: {r.failures[:3]} |")
    return "\n".join(lines)


async def orchestrate(args: argparse.Namespace) -> None:
    namespace = f"cnop-wsbench-{os.getpid()}"
    name, db_url = await create_database()
    port = free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=REDIS_URL,
        REDIS_NAMESPACE=namespace,
        # Every subscriber connects from 127.0.0.1: lift the per-address websocket cap.
        WS_MAX_CONNECTIONS_PER_IP=str(max(args.subscribers) + 100),
        JWT_SECRET=secrets.token_urlsafe(48),
        MIGRATE_ON_START="false",
        PRICE_ENGINE="false",
        HOST=HOST,
        PORT=str(port),
        LOG_LEVEL="WARNING",
        GRAPHIQL="false",
    )
    server_process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "web.cli",
        "serve",
        cwd=PROJECT_ROOT,
        env=env,
    )
    redis = aioredis.Redis.from_url(REDIS_URL)
    try:
        await wait_ready(port, server_process)
        server = psutil.Process(server_process.pid)
        print(f"server pid {server.pid} (attach a profiler here)", file=sys.stderr, flush=True)
        assets = await catalogue_symbols(db_url)
        if args.symbols is not None and not 0 < args.symbols <= len(assets):
            raise SystemExit(f"--symbols must be between 1 and {len(assets)}")
        publisher = Publisher(redis, namespace, assets)
        results = []
        with tempfile.TemporaryDirectory(prefix="cnop-wsbench-") as folder:
            for subscribers in args.subscribers:
                print(f"{subscribers} subscribers ...", file=sys.stderr, flush=True)
                results.append(
                    await run_round(
                        subscribers=subscribers,
                        drivers=args.drivers,
                        url=f"ws://{HOST}:{port}/graphql",
                        server=server,
                        publisher=publisher,
                        catalogue=[symbol for symbol, _ in assets],
                        symbols_each=args.symbols,
                        spread=args.spread,
                        ticks=args.ticks,
                        warmup=args.warmup,
                        interval=args.interval,
                        compression=args.compression,
                        workdir=Path(folder),
                        batched=args.batched,
                    )
                )
                # Let the server release the round's connections before the next one.
                await asyncio.sleep(2)
        print(report(results, args))
    finally:
        await redis.aclose()
        if server_process.returncode is None:
            server_process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(server_process.wait(), 30)
            except TimeoutError:
                server_process.kill()
                await server_process.wait()
        await drop_database(name)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ws_fanout", description=__doc__)
    parser.add_argument(
        "role",
        nargs="?",
        default="bench",
        choices=["bench", "drive"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument(
        "--subscribers",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[100, 1000],
        help="comma-separated subscriber counts, one round each (default 100,1000)",
    )
    parser.add_argument("--ticks", type=int, default=20, help="measured ticks per round")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured ticks first")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between ticks")
    parser.add_argument("--drivers", type=int, default=1, help="driver processes")
    parser.add_argument(
        "--symbols",
        type=int,
        default=None,
        metavar="N",
        help=(
            "each subscriber subscribes to N symbols with prices(symbols: [...]), spread over "
            "the catalogue as --spread says (default: every symbol, prices without a filter)"
        ),
    )
    parser.add_argument(
        "--spread",
        choices=["window", "random"],
        default="window",
        help=(
            "with --symbols: a rotating window (default; subscribers share lists) or a "
            "random sample per subscriber (nearly every subscriber's variables differ)"
        ),
    )
    parser.add_argument(
        "--no-compression",
        dest="compression",
        action="store_false",
        help="decline permessage-deflate (browsers ask for it, so it is on by default)",
    )
    parser.add_argument(
        "--batched",
        action="store_true",
        help="subscribe to priceTicks (one message per tick with every price) instead of prices",
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--connections", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--first", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--catalogue", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.role == "drive":
        import uvloop

        windows = None
        if args.symbols is not None:
            catalogue = args.catalogue.split(",")
            windows = [
                symbol_window(catalogue, args.symbols, args.first + i, args.spread)
                for i in range(args.connections)
            ]
        uvloop.run(
            drive(args.url, args.connections, args.compression, args.out, windows, args.batched)
        )
    else:
        asyncio.run(orchestrate(args))


if __name__ == "__main__":
    main()
