"""Amounts are taken exactly as sent, or refused: never rounded to something else."""

from __future__ import annotations

from decimal import Decimal, getcontext

import pytest

from domain.validation import positive_amount
from tests.support.cash import DEPOSIT, WITHDRAW, cash_of, move
from tests.support.trading import codes, place, state

# More significant digits (33) than the decimal context holds (28): rounding it at any
# step would turn it into 10.
TOO_PRECISE = "10.0000000000000000000000000000001"


@pytest.mark.parametrize("mutation", [DEPOSIT, WITHDRAW], ids=["deposit", "withdraw"])
@pytest.mark.parametrize("amount", [TOO_PRECISE, "10.001", "10.0000000001"])
async def test_a_cash_amount_finer_than_a_cent_is_refused_not_rounded(
    gql, make_user, mutation, amount
):
    user = await make_user(cash="50.00")
    payload = await move(gql, mutation, user, amount)
    assert payload["balance"] is None
    assert codes(payload) == [("VALIDATION_FAILED", "amount")]
    assert "at most 2 decimal places" in payload["errors"][0]["message"]
    me = await cash_of(gql, user)
    assert me["balance"]["cash"] == "50.00"
    assert me["limits"]["depositedToday"] == me["limits"]["withdrawnToday"] == "0.00"


async def test_trailing_zeros_are_exact_and_accepted(gql, make_user):
    user = await make_user()
    payload = await move(gql, DEPOSIT, user, "10.000000000000000000000000000000")
    assert payload["errors"] == []
    assert payload["transaction"]["amount"] == "10.00"


@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("quantity", {"quantity": "1.0000000000000000000000000000001"}),
        ("quantity", {"quantity": "1.000000001"}),
        ("limitPrice", {"type": "LIMIT", "limitPrice": "5.0000000000000000000000000000001"}),
        ("limitPrice", {"type": "LIMIT", "limitPrice": "5.000000001"}),
    ],
)
async def test_an_order_finer_than_its_columns_is_refused_not_rounded(
    gql, make_user, make_asset, field, extra
):
    user = await make_user(cash="100.00")
    symbol = await make_asset("10.00")
    order = {"quantity": "1", **extra}
    payload = await place(gql, user, symbol, "BUY", order.pop("quantity"), **order)
    assert payload["order"] is None
    assert codes(payload) == [("VALIDATION_FAILED", field)]
    assert "at most 8 decimal places" in payload["errors"][0]["message"]
    me = await state(gql, user)
    assert me["balance"] == {"cash": "100.00", "available": "100.00"}
    assert me["positions"] == []


async def test_eight_decimal_places_of_quantity_are_kept_exactly(gql, make_user, make_asset):
    user = await make_user(cash="100.00")
    symbol = await make_asset("10.00")
    payload = await place(gql, user, symbol, "BUY", "1.12345678")
    assert payload["errors"] == []
    assert payload["order"]["quantity"] == "1.12345678"


def test_more_digits_than_the_context_holds_are_refused_whatever_the_bounds():
    digits = getcontext().prec + 1
    value = Decimal("1" * digits)
    problem = positive_amount(value, "amount", places=2, at_most=Decimal(10) ** 40, what="Amount")
    assert problem is not None
    assert (problem.code, problem.field) == ("VALIDATION_FAILED", "amount")
    assert f"{getcontext().prec} significant digits" in problem.message
