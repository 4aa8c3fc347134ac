"""Single flight: concurrent callers asking for the same key share one piece of work."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """Per process: the first caller for a key starts the work, later ones await it too."""

    def __init__(self) -> None:
        self._flights: dict[str, asyncio.Task[T]] = {}

    def in_flight(self, key: str) -> bool:
        return key in self._flights

    async def run(self, key: str, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        task = self._flights.get(key)
        if task is None:
            task = asyncio.create_task(work())
            self._flights[key] = task
            task.add_done_callback(lambda done: self._land(key, done))
        # Shielded: a caller that goes away (a closed connection) does not cancel the
        # work the other callers are waiting for.
        return await asyncio.shield(task)

    def _land(self, key: str, task: asyncio.Task[T]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        # Retrieve the outcome so an exception nobody awaited is not reported as lost.
        if not task.cancelled():
            task.exception()
