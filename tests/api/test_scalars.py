"""Wire formats of the custom scalars: Decimal only as strings, DateTime always with +00:00,
Date validated on the way in."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

import pytest

DEPOSIT = """
mutation Deposit($input: CashMovementInput!) {
  deposit(input: $input) {
    balance { cash available updatedAt }
    transaction { amount balanceAfter createdAt }
    errors { code field message }
  }
}"""
INLINE_DEPOSIT = """
mutation { deposit(input: {amount: %s}) { balance { cash } errors { code message } } }"""
ME = "{ me { createdAt updatedAt dateOfBirth balance { cash updatedAt } } }"
REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    token
    expiresAt
    user { username dateOfBirth createdAt updatedAt }
    errors { code field message }
  }
}"""
PASSWORD = "Correct-Horse-9-Battery"
UTC_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00")


async def cash_of(gql, user) -> str:
    cash: str = (await gql(ME, token=user.token))["me"]["balance"]["cash"]
    return cash


def single_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    assert "Traceback" not in json.dumps(body)
    error_: dict[str, Any] = error
    return error_


async def refused_deposit(gql, make_user, variables=None, document=DEPOSIT) -> dict[str, Any]:
    """The one error of a deposit the API must refuse whole: the cash stays at 100.00."""
    user = await make_user(cash="100.00")
    error = single_error(await gql.raw(document, variables, token=user.token))
    assert await cash_of(gql, user) == "100.00"
    return error


def assert_utc_timestamp(value: str) -> None:
    assert UTC_TIMESTAMP.fullmatch(value), value
    assert dt.datetime.fromisoformat(value).utcoffset() == dt.timedelta(0)


# ------------------------------------------------------------ Decimal input


@pytest.mark.parametrize("amount", [12.5, 12, 0.1, 1e3])
async def test_decimal_as_json_number_in_variables_is_refused(gql, make_user, amount):
    error = await refused_deposit(gql, make_user, {"input": {"amount": amount}})
    assert "strings" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("literal", ["12.5", "12", "1e3"])
async def test_decimal_as_number_literal_in_the_document_is_refused(gql, make_user, literal):
    error = await refused_deposit(gql, make_user, document=INLINE_DEPOSIT % literal)
    assert "strings" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize(
    "amount",
    ["1e3", "abc", "", " ", "1.2.3", "NaN", "Infinity", "0x10", "12,50", "1_000", "$5", "9" * 41],
)
async def test_malformed_decimal_string_is_refused(gql, make_user, amount):
    error = await refused_deposit(gql, make_user, {"input": {"amount": amount}})
    assert "decimal number" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


@pytest.mark.parametrize("amount", [True, None, {"value": "1.00"}, ["1.00"]])
async def test_decimal_of_another_json_type_is_refused(gql, make_user, amount):
    await refused_deposit(gql, make_user, {"input": {"amount": amount}})


async def test_decimal_string_is_accepted_exactly(gql, make_user):
    user = await make_user()
    data = await gql(DEPOSIT, {"input": {"amount": "12.50"}}, token=user.token)
    assert data["deposit"]["errors"] == []
    assert data["deposit"]["balance"]["cash"] == "12.50"
    assert data["deposit"]["transaction"]["amount"] == "12.50"
    assert await cash_of(gql, user) == "12.50"


async def test_decimal_string_literal_in_the_document_is_accepted(gql, make_user):
    user = await make_user()
    data = await gql(INLINE_DEPOSIT % '"0.10"', token=user.token)
    assert data["deposit"]["errors"] == []
    assert data["deposit"]["balance"]["cash"] == "0.10"


async def test_many_small_deposits_add_up_without_float_drift(gql, make_user):
    user = await make_user()
    for _ in range(3):
        await gql(DEPOSIT, {"input": {"amount": "0.10"}}, token=user.token)
    assert await cash_of(gql, user) == "0.30"


# ------------------------------------------------------------ DateTime output


async def test_datetimes_carry_an_explicit_utc_offset(gql, make_user):
    user = await make_user()
    deposit = (await gql(DEPOSIT, {"input": {"amount": "1.00"}}, token=user.token))["deposit"]
    me = (await gql(ME, token=user.token))["me"]
    for value in (
        deposit["balance"]["updatedAt"],
        deposit["transaction"]["createdAt"],
        me["createdAt"],
        me["updatedAt"],
        me["balance"]["updatedAt"],
    ):
        assert_utc_timestamp(value)


# ----------------------------------------------------------------- Date input


def registration(**overrides: Any) -> dict[str, Any]:
    username = f"u_{uuid.uuid4().hex[:12]}"
    values: dict[str, Any] = {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("value", ["not-a-date", "1990-02-30", "1990/04/01", "", 19900401])
async def test_invalid_date_of_birth_is_refused_and_registers_nobody(gql, value):
    values = registration(dateOfBirth=value)
    body = await gql.raw(REGISTER, {"input": values})
    error = single_error(body)
    assert "date" in error["message"].lower()
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # Nothing was created: the same username and email are still free.
    retry = (await gql(REGISTER, {"input": {**values, "dateOfBirth": None}}))["register"]
    assert retry["errors"] == []
    assert retry["user"]["username"] == values["username"]


async def test_valid_date_of_birth_round_trips(gql):
    values = registration(dateOfBirth="1990-04-01")
    payload = (await gql(REGISTER, {"input": values}))["register"]
    assert payload["errors"] == []
    assert payload["user"]["dateOfBirth"] == "1990-04-01"
    assert_utc_timestamp(payload["expiresAt"])
    assert_utc_timestamp(payload["user"]["createdAt"])
    me = (await gql(ME, token=payload["token"]))["me"]
    assert me["dateOfBirth"] == "1990-04-01"
