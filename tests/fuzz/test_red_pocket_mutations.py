"""Hostile phrases thrown at claimRedPocket."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.support.fuzz.bench import call
from tests.support.fuzz.examples import attempt, fuzz, new_user, resolve
from tests.support.fuzz.promises import NUL
from tests.support.fuzz.values import SECRET_PHRASES, arguments, text_field

pytestmark = pytest.mark.usefixtures("quiet_strawberry_errors")


phrases = text_field(
    (2, st.sampled_from(SECRET_PHRASES)),
    (1, st.sampled_from(SECRET_PHRASES).map(lambda phrase: f"  {phrase}\n")),
    (1, st.sampled_from(SECRET_PHRASES).map(lambda phrase: phrase + NUL)),
    (1, st.sampled_from(["gong xi fa cai", "a" * 100, "a" * 101, " " * 101])),
)


@fuzz(50)
@example(preclaimed=True, variables={"phrase": SECRET_PHRASES[0]})
@given(
    preclaimed=st.booleans(),
    variables=arguments(phrase=phrases),
)
async def test_claim_red_pocket(bench, tally, preclaimed, variables):
    user, names = await new_user(bench)
    if preclaimed:
        await call(bench, "claimRedPocket", {"phrase": SECRET_PHRASES[-1]}, user.token)
    await attempt(bench, tally, "claimRedPocket", resolve(variables, names), user=user)
