"""Deposits, withdrawals, daily limits and idempotency keys."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.support.cash import DEPOSIT, WITHDRAW, cash_of, move


async def test_deposit_then_withdraw_moves_exact_cents(gql, make_user):
    user = await make_user()
    first = await move(gql, DEPOSIT, user, "100.10")
    assert first["errors"] == []
    assert first["balance"] == {"cash": "100.10", "available": "100.10"}
    assert first["transaction"]["type"] == "DEPOSIT"
    assert first["transaction"]["amount"] == "100.10"
    second = await move(gql, WITHDRAW, user, "0.20")
    assert second["transaction"]["amount"] == "-0.20"
    assert second["transaction"]["balanceAfter"] == "99.90"
    me = await cash_of(gql, user)
    assert me["balance"]["cash"] == "99.90"
    assert me["limits"]["depositedToday"] == "100.10"
    assert me["limits"]["depositRemaining"] == "9899.90"
    assert me["limits"]["withdrawnToday"] == "0.20"
    assert me["limits"]["withdrawRemaining"] == "4999.80"
    assert me["limits"]["maxOrderValue"] == "10000.00"


@pytest.mark.parametrize(
    ("amount", "message_part"),
    [
        ("0", "greater than zero"),
        ("-5", "greater than zero"),
        ("1.001", "two decimal places"),
        ("1000000.01", "at most"),
    ],
)
async def test_bad_amounts_are_rejected_and_change_nothing(gql, make_user, amount, message_part):
    user = await make_user(cash="50.00")
    for mutation in (DEPOSIT, WITHDRAW):
        payload = await move(gql, mutation, user, amount)
        assert payload["balance"] is None
        (error,) = payload["errors"]
        assert (error["code"], error["field"]) == ("VALIDATION_FAILED", "amount")
        assert message_part in error["message"].replace("2 decimal", "two decimal")
    assert (await cash_of(gql, user))["balance"]["cash"] == "50.00"


async def test_amounts_must_be_strings(gql, make_user):
    user = await make_user()
    body = await gql.raw(DEPOSIT, {"input": {"amount": 12.5}}, token=user.token)
    assert "strings" in body["errors"][0]["message"]
    assert (await cash_of(gql, user))["balance"]["cash"] == "0.00"


async def test_withdrawal_cannot_overdraw(gql, make_user):
    user = await make_user(cash="10.00")
    payload = await move(gql, WITHDRAW, user, "10.01")
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("INSUFFICIENT_FUNDS", "amount")
    ]
    assert (await move(gql, WITHDRAW, user, "10.00"))["balance"]["cash"] == "0.00"


async def test_daily_deposit_limit(gql, make_user):
    user = await make_user()
    assert (await move(gql, DEPOSIT, user, "9999.99"))["errors"] == []
    over = await move(gql, DEPOSIT, user, "0.02")
    assert [e["code"] for e in over["errors"]] == ["DAILY_LIMIT_EXCEEDED"]
    assert "0.01" in over["errors"][0]["message"]
    assert (await move(gql, DEPOSIT, user, "0.01"))["balance"]["cash"] == "10000.00"
    assert (await cash_of(gql, user))["limits"]["depositRemaining"] == "0.00"


async def test_daily_withdraw_limit(gql, make_user):
    user = await make_user(cash="9000.00")
    assert (await move(gql, WITHDRAW, user, "5000.00"))["errors"] == []
    over = await move(gql, WITHDRAW, user, "0.01")
    assert [e["code"] for e in over["errors"]] == ["DAILY_LIMIT_EXCEEDED"]
    assert (await cash_of(gql, user))["balance"]["cash"] == "4000.00"


async def test_idempotency_key_replays_the_first_result(gql, make_user):
    user = await make_user()
    key = uuid.uuid4().hex
    first = await move(gql, DEPOSIT, user, "25.00", key)
    again = await move(gql, DEPOSIT, user, "25.00", key)
    assert again["transaction"]["id"] == first["transaction"]["id"]
    assert again["balance"]["cash"] == "25.00"
    conflict = await move(gql, DEPOSIT, user, "26.00", key)
    assert [(e["code"], e["field"]) for e in conflict["errors"]] == [
        ("IDEMPOTENCY_CONFLICT", "idempotencyKey")
    ]
    as_withdrawal = await move(gql, WITHDRAW, user, "25.00", key)
    assert [e["code"] for e in as_withdrawal["errors"]] == ["IDEMPOTENCY_CONFLICT"]
    assert (await cash_of(gql, user))["balance"]["cash"] == "25.00"


async def test_racing_retries_move_money_once(gql, make_user):
    user = await make_user()
    key = uuid.uuid4().hex
    results = await asyncio.gather(*(move(gql, DEPOSIT, user, "40.00", key) for _ in range(12)))
    assert {r["transaction"]["id"] for r in results} == {results[0]["transaction"]["id"]}
    assert (await cash_of(gql, user))["balance"]["cash"] == "40.00"


async def test_bad_idempotency_key_is_rejected(gql, make_user):
    user = await make_user()
    payload = await move(gql, DEPOSIT, user, "1.00", "x" * 65)
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("VALIDATION_FAILED", "idempotencyKey")
    ]


async def test_cash_mutations_need_a_user(gql):
    body = await gql.raw(DEPOSIT, {"input": {"amount": "1.00"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
