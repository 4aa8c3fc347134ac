"""A Redis server of the test's own, to stop and start under a running app."""

from __future__ import annotations

import pytest

from tests.support.redis_process import RedisProcess


@pytest.fixture
async def redis_process(tmp_path):
    server = RedisProcess(tmp_path)
    await server.start()
    yield server
    await server.stop()
