"""GraphQL over HTTP: media types, GET for queries, and HTTP caching of public answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.http import app_client, bearer, fresh_host, rate_limited_client
from web.media_types import GRAPHQL_RESPONSE, JSON, negotiate

NEW = {"Accept": GRAPHQL_RESPONSE}
CATALOGUE = """query Catalogue($first: Int) {
  assets(first: $first, tradableOnly: false) { edges { node { symbol price } } totalCount }
}"""
ONE_ASSET = "query One($symbol: String!) { asset(symbol: $symbol) { symbol price } }"
ME = "{ me { username } }"
OLD_HISTORY = """query($s: String!, $t: DateTime) {
  asset(symbol: $s) { symbol priceHistory(since: $t) { price } }
}"""


async def get(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **params: str,
) -> httpx.Response:
    params = {"query": query, **params}
    if variables is not None:
        params["variables"] = json.dumps(variables)
    return await http.get("/graphql", params=params, headers=headers or {})


# ---------------------------------------------------------------------------- media types


def test_negotiation_keeps_json_unless_the_new_type_is_named_and_preferred():
    assert negotiate(None) == JSON
    assert negotiate("") == JSON
    assert negotiate("*/*") == JSON
    assert negotiate("application/json") == JSON
    assert negotiate("text/html") == JSON
    assert negotiate(GRAPHQL_RESPONSE) == GRAPHQL_RESPONSE
    assert negotiate(f"{GRAPHQL_RESPONSE}, application/json") == GRAPHQL_RESPONSE
    assert negotiate(f"application/json, {GRAPHQL_RESPONSE};q=0.9") == JSON
    assert negotiate(f"{GRAPHQL_RESPONSE};q=0, */*") == JSON


async def test_the_new_media_type_is_spoken_when_asked_for(client):
    response = await client.post("/graphql", json={"query": "{ __typename }"}, headers=NEW)
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ noSuchField }"}, "GRAPHQL_VALIDATION_FAILED"),
        (
            {"query": "query($symbol: String!) { asset(symbol: $symbol) { symbol } }"},
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ],
    ids=["parse", "validation", "coercion"],
)
async def test_request_errors_are_400_without_data_in_the_new_type(client, body, code):
    response = await client.post("/graphql", json=body, headers=NEW)
    assert response.status_code == 400
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    answer = response.json()
    assert "data" not in answer
    assert answer["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
async def test_request_errors_stay_200_with_null_data_for_json_clients(client, accept):
    headers = {} if accept is None else {"Accept": accept}
    response = await client.post("/graphql", json={"query": "{ noSuchField }"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == JSON
    answer = response.json()
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_field_error_keeps_its_data_and_200_in_the_new_type(client, make_asset):
    symbol = await make_asset("10.00")
    too_old = (datetime.now(UTC) - timedelta(days=4000)).isoformat()
    response = await client.post(
        "/graphql",
        json={"query": OLD_HISTORY, "variables": {"s": symbol, "t": too_old}},
        headers=NEW,
    )
    assert response.status_code == 200
    answer = response.json()
    assert "data" in answer
    assert answer["errors"][0]["path"] == ["asset", "priceHistory"]


# ---------------------------------------------------------------------------------- GET


async def test_a_query_over_get_answers_what_post_does(client, make_asset):
    symbol = await make_asset("123.45")
    by_get = await get(client, ONE_ASSET, {"symbol": symbol}, operationName="One")
    by_post = await client.post(
        "/graphql",
        json={"query": ONE_ASSET, "variables": {"symbol": symbol}, "operationName": "One"},
    )
    assert by_get.status_code == 200
    assert (
        by_get.json()
        == by_post.json()
        == {"data": {"asset": {"symbol": symbol, "price": "123.45"}}}
    )


async def test_get_with_variables_that_are_not_json_is_400(client):
    response = await client.get("/graphql", params={"query": ONE_ASSET, "variables": "{symbol"})
    assert response.status_code == 400


async def test_a_mutation_over_get_is_405_with_allow_post(client):
    login = 'mutation { login(input: {username: "x", password: "y"}) { token } }'
    response = await get(client, login, headers=NEW)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "POST" in response.text


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_points_to_the_websocket(client, method):
    query = "subscription { prices { symbol } }"
    if method == "GET":
        response = await get(client, query)
    else:
        response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert "websocket" in response.text


async def test_a_mutation_over_get_changes_nothing(client, make_user, gql):
    user = await make_user("100.00")
    deposit = 'mutation { deposit(input: {amount: "50.00"}) { balance { cash } } }'
    response = await get(client, deposit, headers=bearer(user.token))
    assert response.status_code == 405
    data = await gql("{ me { balance { cash } } }", token=user.token)
    assert data["me"]["balance"]["cash"] == "100.00"


async def test_get_reads_the_same_bearer_token_as_post(client, make_user):
    user = await make_user()
    signed_in = await get(client, ME, headers=bearer(user.token))
    assert signed_in.json() == {"data": {"me": {"username": user.username}}}
    anonymous = await get(client, ME)
    assert anonymous.json() == {"data": {"me": None}}


async def test_get_is_held_to_the_same_operation_limits(client):
    deep = (
        "{ __schema { types { fields { type "
        + "{ ofType " * 16
        + "{ name }"
        + " }" * 16
        + " } } } }"
    )
    response = await get(client, deep, headers=NEW)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_get_spends_the_same_rate_budget_as_post(settings, runtime, make_user):
    user = await make_user()
    address = (fresh_host("10.77"), 5000)
    async with rate_limited_client(
        settings,
        runtime,
        address,
        rate_limit_ip_points=1000,
        rate_limit_user_points=50,
    ) as http:
        page = {"first": 20}
        by_post = await http.post(
            "/graphql", json={"query": CATALOGUE, "variables": page}, headers=bearer(user.token)
        )
        by_get = await get(http, CATALOGUE, page, headers=bearer(user.token))
        after_post = int(by_post.headers["x-ratelimit-remaining"])
        after_get = int(by_get.headers["x-ratelimit-remaining"])
        # The signed-in user's budget is the tighter one: the token was read over GET too.
        assert int(by_get.headers["x-ratelimit-limit"]) == 50
        spent = 50 - after_post
        assert spent > 1  # a page of assets weighs more than one point
        assert after_post - after_get == spent
        # A revalidation answered 304 spends it as well.
        revalidated = await get(
            http,
            CATALOGUE,
            page,
            headers={**bearer(user.token), "If-None-Match": by_get.headers["etag"]},
        )
        assert revalidated.status_code == 304
        assert after_get - int(revalidated.headers["x-ratelimit-remaining"]) == spent


# ------------------------------------------------------------------------------ caching


async def test_public_answers_carry_cache_control_and_an_etag(client, make_asset):
    symbol = await make_asset()
    for response in [
        await get(client, CATALOGUE, {"first": 5}),
        await get(client, ONE_ASSET, {"symbol": symbol}),
        await get(client, '{ asset(symbol: "BTC") { priceHistory { price at } } }'),
    ]:
        assert response.status_code == 200, response.text
        assert "errors" not in response.json()
        # The test settings tick every second (PRICE_TICK_MS=1000).
        assert response.headers["cache-control"] == "public, max-age=1"
        assert response.headers["etag"].startswith('"')
        assert "Accept" in response.headers["vary"]


async def test_max_age_follows_the_price_tick(settings, runtime):
    async with app_client(settings, runtime, price_tick_ms=5000) as http:
        response = await get(http, CATALOGUE)
    assert response.headers["cache-control"] == "public, max-age=5"


@pytest.mark.parametrize(
    "query",
    [
        ME,
        "{ me { username } assets(first: 1) { totalCount } }",
        "query { ...Mine } fragment Mine on Query { me { email } }",
        'query { order(id: "1") { id } }',
    ],
    ids=["me", "mixed", "fragment", "order"],
)
async def test_answers_that_may_read_a_user_are_private(client, make_user, query):
    user = await make_user()
    for response in [
        await get(client, query, headers=bearer(user.token)),
        await client.post("/graphql", json={"query": query}, headers=bearer(user.token)),
    ]:
        assert response.status_code == 200
        assert response.headers["cache-control"] == "private, no-store"
        assert "etag" not in response.headers


async def test_a_mutation_answer_is_private(client):
    login = 'mutation { login(input: {username: "nobody", password: "wrong-password"}) { token } }'
    response = await client.post("/graphql", json={"query": login})
    assert response.headers["cache-control"] == "private, no-store"


async def test_a_public_query_with_the_token_of_a_user_is_still_public(client, make_user):
    user = await make_user()
    response = await get(client, CATALOGUE, headers=bearer(user.token))
    assert response.headers["cache-control"] == "public, max-age=1"


async def test_a_public_answer_with_errors_is_not_stored(client, make_asset):
    symbol = await make_asset()
    too_old = (datetime.now(UTC) - timedelta(days=4000)).isoformat()
    response = await get(client, OLD_HISTORY, {"s": symbol, "t": too_old})
    assert response.json()["errors"]
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def test_a_matching_etag_is_answered_304_without_running_the_operation(
    client, make_asset, statements
):
    symbol = await make_asset("10.00")
    first = await get(client, ONE_ASSET, {"symbol": symbol})
    etag = first.headers["etag"]
    statements.clear()
    again = await get(client, ONE_ASSET, {"symbol": symbol}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["cache-control"] == "public, max-age=1"
    # Only the catalogue's version was read: the asset itself was not.
    assert len(statements) == 1, statements
    assert "max(assets.price_updated_at)" in statements[0]


async def test_the_etag_changes_when_a_price_moves(client, make_asset, set_price):
    symbol = await make_asset("10.00")
    first = await get(client, ONE_ASSET, {"symbol": symbol})
    await set_price(symbol, "11.00")
    again = await get(
        client, ONE_ASSET, {"symbol": symbol}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 200
    assert again.json()["data"]["asset"]["price"] == "11.00"
    assert again.headers["etag"] != first.headers["etag"]


async def test_the_etag_names_the_document_variables_and_media_type(client, make_asset):
    one, other = await make_asset(), await make_asset()
    etags = {
        (await get(client, ONE_ASSET, {"symbol": one})).headers["etag"],
        (await get(client, ONE_ASSET, {"symbol": other})).headers["etag"],
        (await get(client, ONE_ASSET, {"symbol": one}, headers=NEW)).headers["etag"],
        (await get(client, CATALOGUE)).headers["etag"],
    }
    assert len(etags) == 4


async def test_a_public_post_is_fresh_for_a_tick_without_an_etag(client, statements):
    first = await get(client, CATALOGUE)
    statements.clear()
    response = await client.post(
        "/graphql", json={"query": CATALOGUE}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert response.status_code == 200
    assert response.json()["data"]["assets"]["edges"] is not None
    assert response.headers["cache-control"] == "public, max-age=1"
    # Caches keep GET answers only: a POST is spared the statement an ETag costs.
    assert "etag" not in response.headers
    assert not any("max(assets.price_updated_at)" in statement for statement in statements)


async def test_other_methods_are_405_with_allow(client):
    response = await client.request("HEAD", "/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


@pytest.mark.parametrize("name", [{"obj": "ect"}, ["array"], 0, False])
async def test_an_operation_name_that_is_not_a_string_is_400(client, name):
    response = await client.post(
        "/graphql", json={"query": "query Q { __typename }", "operationName": name}
    )
    assert response.status_code == 400
    assert "operationName" in response.text
