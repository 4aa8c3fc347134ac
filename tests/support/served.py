"""A runtime served over real sockets by uvicorn on the test's own event loop.

For fault tests that need to look inside a server while clients talk to it over
TCP (several of them make "several processes": each has its own stores, Redis
link, live hub and bid for the price engine).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn

from tests.support.servers import price_messages
from web.app import create_app
from web.config import Settings
from web.runtime import Runtime, start_runtime


@dataclass
class Served:
    runtime: Runtime
    url: str


@contextlib.asynccontextmanager
async def served(settings: Settings) -> AsyncIterator[Served]:
    runtime = await start_runtime(settings)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, runtime), ws="websockets-sansio", lifespan="on", log_config=None
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        yield Served(runtime, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(serving, 10)
        listener.close()
        await runtime.close()


@dataclass
class TickRecorder:
    """Every tick of one symbol a websocket subscriber receives, with when it arrived."""

    url: str
    symbol: str
    arrivals: list[float] = field(default_factory=list)
    task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> TickRecorder:
        self.task = asyncio.create_task(self._record())
        await self.wait_for_ticks(1, seconds=10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    def since(self, instant: float) -> int:
        return sum(1 for arrival in self.arrivals if arrival > instant)

    async def wait_for_ticks(self, count: int, *, seconds: float, after: float = 0.0) -> None:
        async with asyncio.timeout(seconds):
            while self.since(after) < count:
                if self.task is not None and self.task.done():
                    self.task.result()  # the subscription failed: say why
                await asyncio.sleep(0.02)

    async def _record(self) -> None:
        messages = price_messages(self.url, self.symbol)
        async with contextlib.aclosing(messages):
            async for _ in messages:
                self.arrivals.append(time.monotonic())
