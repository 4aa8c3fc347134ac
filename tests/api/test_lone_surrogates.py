"""A lone UTF-16 surrogate in a variable ("\ud800" in JSON) is valid JSON but not UTF-8:
echoed in an error message it must still be answered, never with a 500."""

from __future__ import annotations

import json

import httpx

from web.app import create_app

REGISTER = """mutation R($input: RegisterInput!) {
  register(input: $input) { token errors { code field message } } }"""


async def test_a_lone_surrogate_in_a_variable_is_answered_not_a_500(settings, runtime):
    variables = {
        "input": {
            "username": "surrogate_1",
            "email": "surrogate.1@example.com",
            "password": "Aa1!00000000",
            "dateOfBirth": "\ud800",
        }
    }
    body = json.dumps({"query": REGISTER, "variables": variables})  # escapes the surrogate
    transport = httpx.ASGITransport(app=create_app(settings, runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 200, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "dateOfBirth" in error["message"]
