"""Closed-loop load: N clients, each sending its next request as soon as the last one answered.

A warm-up lets connections, prepared statements and caches settle; then, for a fixed
window, every request that completes inside it is timed. CPU seconds of the server
process and of this driver are read at both edges of the window. Windows of the same
scenario taken at different times merge into one measurement.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

Call = Callable[[], Awaitable[None]]
"""One request of one client; raises when the answer is not a success."""

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Measurement:
    scenario: str
    clients: int
    seconds: float
    latencies: list[float]
    """Seconds, one per request completed inside the window."""
    errors: int
    first_error: str | None
    server_cpu: float | None
    """CPU seconds the server process used inside the window (None: not measured)."""
    driver_cpu: float

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        rank = max(1, math.ceil(fraction * len(ordered)))
        return ordered[rank - 1] * 1000

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.server_cpu is None or not self.requests:
            return None
        return self.server_cpu * 1000 / self.requests

    @property
    def driver_cpu_percent(self) -> float:
        return 100 * self.driver_cpu / self.seconds


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may contain spaces: split after its closing parenthesis.
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def measure(
    scenario: str,
    calls: Sequence[Call],
    *,
    warmup: float,
    seconds: float,
    server_pid: int | None = None,
) -> Measurement:
    latencies: list[float] = []
    errors: list[str] = []
    start = time.perf_counter()
    window_start, window_end = start + warmup, start + warmup + seconds

    async def client(call: Call) -> None:
        while (began := time.perf_counter()) < window_end:
            try:
                await call()
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error}"[:300])
                await asyncio.sleep(0.01)  # a broken target must not spin the driver
                continue
            ended = time.perf_counter()
            if window_start <= ended <= window_end:
                latencies.append(ended - began)

    async def cpu_meter() -> tuple[float | None, float]:
        await asyncio.sleep(window_start - time.perf_counter())
        server_before = None if server_pid is None else process_cpu_seconds(server_pid)
        driver_before = time.process_time()
        await asyncio.sleep(window_end - time.perf_counter())
        server = None
        if server_pid is not None and server_before is not None:
            server = process_cpu_seconds(server_pid) - server_before
        return server, time.process_time() - driver_before

    meter = asyncio.ensure_future(cpu_meter())
    await asyncio.gather(*(client(call) for call in calls))
    server_cpu, driver_cpu = await meter
    return Measurement(
        scenario=scenario,
        clients=len(calls),
        seconds=seconds,
        latencies=latencies,
        errors=len(errors),
        first_error=errors[0] if errors else None,
        server_cpu=server_cpu,
        driver_cpu=driver_cpu,
    )


def merge(slices: Sequence[Measurement]) -> Measurement:
    """One measurement from several windows of the same scenario and clients."""
    first = slices[0]
    server = [m.server_cpu for m in slices]
    return Measurement(
        scenario=first.scenario,
        clients=first.clients,
        seconds=sum(m.seconds for m in slices),
        latencies=[latency for m in slices for latency in m.latencies],
        errors=sum(m.errors for m in slices),
        first_error=next((m.first_error for m in slices if m.first_error), None),
        server_cpu=None if None in server else sum(s for s in server if s is not None),
        driver_cpu=sum(m.driver_cpu for m in slices),
    )
