"""Running one request both ways: with completion plans (and the page JSON PostgreSQL
builds), and with standard execution; the two HTTP bodies must be equal."""

from __future__ import annotations

import re
from typing import Any

import pytest

from domain.clock import utc_now
from schema import plans


async def body(client: Any, query: str, variables: dict[str, Any], token: str) -> bytes:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    content: bytes = response.content
    return content


# Reads that say "as of now" (a portfolio's asOf) read this clock: both runs see one instant.
CLOCKS = ["domain.portfolio", "domain.catalogue", "domain.cash", "domain.insights.service"]


# Answers timed by PostgreSQL's own now() (no clock here can hold it still): their
# timestamps are masked, everything else still compared byte for byte.
DATABASE_CLOCK = {"PortfolioHistory": rb'"at":"[^"]*"'}


async def both_ways(
    client: Any, query: str, variables: dict[str, Any], token: str, mask: bytes | None = None
) -> bytes:
    now = utc_now()
    with pytest.MonkeyPatch.context() as patch:
        for module in CLOCKS:
            patch.setattr(f"{module}.utc_now", lambda: now)
        planned = await body(client, query, variables, token)
        patch.setattr(plans.PlannedExecutor, "_plan", lambda *_: None)
        standard = await body(client, query, variables, token)
    # The one difference allowed: each request's own id, quoted in an internal error.
    same = rb'"requestId":"-"'
    planned, standard = (re.sub(rb'"requestId":"[0-9a-f]+"', same, b) for b in (planned, standard))
    if mask is not None:
        planned, standard = (re.sub(mask, b'"at":"-"', b) for b in (planned, standard))
    assert planned == standard, (query, variables)
    return planned
