"""Servers under test: one uvicorn worker per app, each in its own process."""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.http_client import Connection, build_request

HOST = "127.0.0.1"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PR_SET_PDEATHSIG = 1
READY_TIMEOUT = 30.0
KEEP_ALIVE_SECONDS = 300
STOP_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Server:
    name: str
    host: str
    port: int
    pid: int


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it if the benchmark dies without cleaning up."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def uvicorn_command(factory: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        factory,
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--ws",
        "websockets-sansio",
        "--lifespan",
        "on",
        "--no-access-log",
        "--no-proxy-headers",
        # Interleaved slices leave a target's connections idle for several seconds;
        # uvicorn's default (5 s) would close them under the waiting clients.
        "--timeout-keep-alive",
        str(KEEP_ALIVE_SECONDS),
        "--log-level",
        "warning",
    ]


@asynccontextmanager
async def uvicorn_server(name: str, factory: str, env: Mapping[str, str]) -> AsyncIterator[Server]:
    """Start ``factory`` under uvicorn, wait until it answers, and always stop it on exit."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            *uvicorn_command(factory, port),
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            preexec_fn=_die_with_parent,
        )
        try:
            live = build_request("GET", HOST, port, "/health/live")
            await wait_ready(f"{name} server", process, log, live, port=port)
            yield Server(name, HOST, port, process.pid)
        finally:
            await _stop(process)
            tail = _tail(log)
            if process.returncode not in (0, -signal.SIGTERM) and tail:
                print(f"{name} server output:\n{tail}", file=sys.stderr)


async def wait_ready(
    label: str,
    process: asyncio.subprocess.Process,
    log,
    request: bytes,
    *,
    port: int,
    ready_within: float = READY_TIMEOUT,
    interval: float = 0.1,
) -> None:
    """Send ``request`` until it answers 200; fail with the log's tail if the process
    exits first or ``ready_within`` seconds pass."""
    deadline = time.monotonic() + ready_within
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise RuntimeError(f"{label} exited with {process.returncode}:\n{_tail(log)}")
        connection = Connection(HOST, port)
        try:
            if (await connection.send(request)).status == 200:
                return
        except (OSError, EOFError):
            pass  # not listening yet
        finally:
            await connection.close()
        await asyncio.sleep(interval)
    raise RuntimeError(f"{label} not ready after {ready_within:.0f} s:\n{_tail(log)}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    process.terminate()
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()


def _tail(log, limit: int = 4000) -> str:
    log.flush()
    log.seek(0)
    text: str = log.read().decode(errors="replace")
    return text[-limit:].strip()
