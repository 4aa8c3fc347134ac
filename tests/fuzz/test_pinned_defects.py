"""The defects fuzzing found, pinned: text PostgreSQL cannot hold, superscript digits
taken for an id, passwords echoed by input-coercion messages, bodies that crashed
the JSON decoder."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.support.fuzz.bench import Bench, send
from tests.support.fuzz.promises import NUL

pytestmark = pytest.mark.usefixtures("quiet_strawberry_errors")


async def _answer(bench: Bench, mutation: str, variables: Any, token: str | None) -> dict[str, Any]:
    response = await send(bench, mutation, variables, token)
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    return body


def _payload_codes(body: dict[str, Any], mutation: str) -> list[tuple[str, str | None]]:
    assert "errors" not in body, body["errors"]
    return [(error["code"], error["field"]) for error in body["data"][mutation]["errors"]]


async def test_login_with_a_nul_byte_in_the_username_is_a_payload_error(bench):
    user = await bench.make_user()
    body = await _answer(
        bench, "login", {"input": {"username": user.username + NUL, "password": "x"}}, None
    )
    assert _payload_codes(body, "login") == [("INVALID_CREDENTIALS", None)]


async def test_place_order_with_a_nul_byte_in_the_symbol_is_a_payload_error(bench):
    user = await bench.make_user(cash="1000.00")
    variables = {"input": {"assetSymbol": "BTC" + NUL, "side": "BUY", "quantity": "0.001"}}
    body = await _answer(bench, "placeOrder", variables, user.token)
    assert _payload_codes(body, "placeOrder") == [("ASSET_NOT_FOUND", "assetSymbol")]


async def test_cancel_order_with_a_superscript_digit_id_is_order_not_found(bench):
    user = await bench.make_user()
    body = await _answer(bench, "cancelOrder", {"id": "\u00b2"}, user.token)
    assert _payload_codes(body, "cancelOrder") == [("ORDER_NOT_FOUND", "id")]


async def test_login_with_a_lone_surrogate_in_the_password_is_a_payload_error(bench):
    user = await bench.make_user()
    variables = {"input": {"username": user.username, "password": "Aa1!\ud800xxxxxxxx"}}
    body = await _answer(bench, "login", variables, None)
    assert _payload_codes(body, "login") == [("INVALID_CREDENTIALS", None)]


async def test_register_with_a_lone_surrogate_in_the_password_is_a_payload_error(bench):
    fresh = uuid.uuid4().hex[:16]
    variables = {
        "input": {
            "username": f"fz_{fresh}",
            "email": f"fz.{fresh}@example.com",
            "password": "Correct-Horse-9-\ud800",
        }
    }
    body = await _answer(bench, "register", variables, None)
    assert _payload_codes(body, "register") == [("VALIDATION_FAILED", "password")]


async def test_change_password_with_a_lone_surrogate_is_a_payload_error(bench):
    user = await bench.make_user()
    variables = {"input": {"currentPassword": "\ud800", "newPassword": "New-Strong-9-Pass"}}
    body = await _answer(bench, "changePassword", variables, user.token)
    assert _payload_codes(body, "changePassword") == [("INVALID_CREDENTIALS", "currentPassword")]


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(
            lambda secret: {"username": "x", "password": secret, "extra": 1}, id="unknown"
        ),
        pytest.param(lambda secret: {"password": secret}, id="missing"),
        pytest.param(lambda secret: [{"username": "x", "password": secret}], id="list"),
    ],
)
async def test_malformed_input_objects_do_not_echo_the_password(bench, shape):
    secret = f"Pw-{uuid.uuid4().hex}"
    body = await _answer(bench, "login", {"input": shape(secret)}, None)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert secret not in json.dumps(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested"),
        pytest.param(b'{"query": "{ __typename }", "x": "\xff"}', id="not-utf8"),
    ],
)
async def test_undecodable_or_deeply_nested_bodies_are_answered_400(bench, body):
    response = await bench.http.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400, response.status_code
