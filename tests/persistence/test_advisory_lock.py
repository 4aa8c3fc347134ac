"""The engine's leadership lock: one holder, and a lock that always leaves with its holder."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import text

from persistence.advisory_lock import AdvisoryLock


async def _acquired_within(lock: AdvisoryLock, seconds: float) -> bool:
    for _ in range(int(seconds / 0.05)):
        if await lock.try_acquire():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_holder_cancelled_mid_statement_still_lets_go(runtime):
    # A supervisor stopped while its lock's connection runs a statement (the
    # leader's liveness check) must give the lock up, not raise on release and
    # not keep it on a pooled connection.
    engine = runtime.services.db.engine
    holder, standby = AdvisoryLock(engine, 4343), AdvisoryLock(engine, 4343)
    assert await holder.try_acquire() is True
    connection = holder._connection
    assert connection is not None
    statement = asyncio.create_task(connection.scalar(text("SELECT pg_sleep(5)")))
    await asyncio.sleep(0.2)
    statement.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await statement

    await holder.release()

    assert holder.held is False
    assert await _acquired_within(standby, 3.0) is True
    await standby.release()
