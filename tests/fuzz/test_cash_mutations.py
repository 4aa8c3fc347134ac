"""Hostile values thrown at deposit and withdraw."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tests.support.fuzz.bench import Bench, call
from tests.support.fuzz.examples import attempt, fuzz, new_user, resolve
from tests.support.fuzz.values import (
    Field,
    cash_amounts,
    decimal_nasty,
    decimal_odd,
    input_object,
    mix,
    refs,
    text_field,
)

pytestmark = pytest.mark.usefixtures("quiet_strawberry_errors")


def cash_inputs(other_operation_key: str) -> SearchStrategy[Any]:
    return input_object(
        amount=Field(mix((3, cash_amounts), (2, decimal_odd)), nasty=decimal_nasty),
        idempotencyKey=text_field(
            (2, refs("fresh_key")),
            (2, st.just("fz-deposit")),
            (1, st.just(other_operation_key)),
            (1, st.from_regex(r"\A[A-Za-z0-9._:\-]{0,70}\Z")),
            optional=True,
        ),
    )


async def cash_user(bench: Bench) -> tuple[Any, dict[str, Any]]:
    """Funded, with one deposit and one withdrawal made today under known keys."""
    user, names = await new_user(bench)
    await call(
        bench, "deposit", {"input": {"amount": "10.00", "idempotencyKey": "fz-deposit"}}, user.token
    )
    await call(
        bench,
        "withdraw",
        {"input": {"amount": "5.00", "idempotencyKey": "fz-withdraw"}},
        user.token,
    )
    return user, names


@fuzz(60)
@example(variables={"input": {"amount": "10.00", "idempotencyKey": "fz-deposit"}})
@example(variables={"input": {"amount": "11.00", "idempotencyKey": "fz-deposit"}})
@example(variables={"input": {"amount": "9999.99"}})
@given(variables=st.fixed_dictionaries({"input": cash_inputs("fz-withdraw")}))
async def test_deposit(bench, tally, variables):
    user, names = await cash_user(bench)
    await attempt(bench, tally, "deposit", resolve(variables, names), user=user)


@fuzz(60)
@example(variables={"input": {"amount": "1000.00"}})
@example(variables={"input": {"amount": "5.00", "idempotencyKey": "fz-deposit"}})
@given(variables=st.fixed_dictionaries({"input": cash_inputs("fz-deposit")}))
async def test_withdraw(bench, tally, variables):
    user, names = await cash_user(bench)
    await attempt(bench, tally, "withdraw", resolve(variables, names), user=user)
