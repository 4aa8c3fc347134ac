"""The fuzzed app, its bench and the tally of examples, shared by the fuzz tests.

The app is the real one on the session's database, with a runtime of its own and
the per-request rate limits off: a few hundred hostile requests from one test
address must neither be throttled into meaninglessness nor lock other tests out.
One app and one bench serve the whole folder (package scope), as they served the
one file the folder grew from."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.conftest import unthrottled
from tests.support.fuzz.bench import Bench, place
from tests.support.fuzz.examples import MIN_EXAMPLES, TALLIES, Tally
from web.app import create_app
from web.config import Settings
from web.runtime import Runtime, start_runtime


@pytest.fixture(scope="package")
async def fuzz_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    active = await start_runtime(unthrottled(settings))
    yield active
    await active.close()


@pytest.fixture(scope="package")
async def bench(settings, fuzz_runtime, runtime, make_user, make_asset) -> AsyncIterator[Bench]:
    app = create_app(unthrottled(settings), fuzz_runtime)
    # Unhandled exceptions become the 500 a real server would send, not test errors.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://fuzz.test") as http:
        symbol = await make_asset("100.00")
        untradable = await make_asset("100.00", tradable=False)
        bystander = await make_user(cash="5000.00")
        partial = Bench(http, runtime, make_user, symbol, untradable, bystander, "")
        resting = await place(
            partial, bystander, side="BUY", type="LIMIT", quantity="1", limit="10"
        )
        yield dataclasses.replace(partial, bystander_order=resting)


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """Counts the examples hypothesis really ran: a test that silently ran none fails."""
    counted = Tally()
    failed_before = request.session.testsfailed
    started = time.monotonic()
    yield counted
    TALLIES[request.node.name] = counted
    print(
        f"\n{request.node.name}: {counted.examples} examples in "
        f"{time.monotonic() - started:.1f} s, {dict(counted.outcomes)}"
    )
    if request.session.testsfailed == failed_before:
        assert counted.examples >= MIN_EXAMPLES, f"only {counted.examples} examples ran"
