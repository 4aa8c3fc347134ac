"""The insights service over Redis: one cached reading serves every server process."""

from __future__ import annotations

from tests.support.insights_samples import (
    FakeGemini,
    answer,
    service,
    typical,
)


async def test_a_shared_cache_serves_every_process(redis_stores):
    first_process, second_process = FakeGemini(answer("Written once.")), FakeGemini()
    await service(first_process, cache=redis_stores.cache).for_snapshot(typical())
    reading = await service(second_process, cache=redis_stores.cache).for_snapshot(typical())
    assert (reading.summary, reading.cached) == ("Written once.", True)
    assert second_process.requests == []
