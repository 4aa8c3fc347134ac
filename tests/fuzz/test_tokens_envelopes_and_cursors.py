"""Around the mutations: forged tokens refused by every one, hostile request
envelopes, and forged cursors that must page only the caller's rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import text

from tests.conftest import TEST_PASSWORD
from tests.support.fuzz.bench import post
from tests.support.fuzz.examples import attempt, fuzz, new_trader, resolve
from tests.support.fuzz.judging import assert_no_leak, judge
from tests.support.fuzz.tokens import authorizations, forged_tokens
from tests.support.fuzz.values import (
    SECRET_PHRASES,
    Ref,
    forged_cursors,
    hostile_text,
    mix,
    small_json,
    wrong_type,
)

pytestmark = pytest.mark.usefixtures("quiet_strawberry_errors")


VALID_INPUTS: dict[str, Any] = {
    "logout": {},
    "updateProfile": {"input": {"firstName": "Mallory", "email": Ref("fresh_email")}},
    "changePassword": {
        "input": {"currentPassword": TEST_PASSWORD, "newPassword": "Another-Strong-9-Pass"}
    },
    "deposit": {"input": {"amount": "10.00"}},
    "withdraw": {"input": {"amount": "10.00"}},
    "placeOrder": {"input": {"assetSymbol": Ref("symbol"), "side": "BUY", "quantity": "1"}},
    "cancelOrder": {"id": Ref("open_order_id")},
    "claimRedPocket": {"phrase": SECRET_PHRASES[0]},
}


@fuzz(40)
@given(mutation=st.sampled_from(sorted(VALID_INPUTS)), authorization=authorizations)
async def test_forged_tokens_are_refused_by_every_mutation(bench, tally, mutation, authorization):
    user, names = await new_trader(bench)
    header = resolve(authorization, forged_tokens(user))
    variables = resolve(VALID_INPUTS[mutation], names)
    answer = await attempt(bench, tally, mutation, variables, user=user, authorization=header)
    assert answer.codes == ["UNAUTHENTICATED"], answer.body
    assert answer.body["data"] is None, answer.body


envelope_queries = mix(
    (
        3,
        st.sampled_from(
            [
                "{ __typename }",
                "mutation { logout { success } }",
                'mutation { deposit(input: {amount: "1.00"}) { errors { code } } }',
                "query Q { assets(first: 1) { totalCount } }",
                "query A { __typename } query B { __typename }",
                "{",
                "",
                "{ " * 500,
                "fragment F on Query { ...F } { ...F }",
                "{ __schema { types { name } } }",
            ]
        ),
    ),
    (1, hostile_text),
    (1, wrong_type),
)
json_any = st.recursive(small_json, lambda inner: st.lists(inner, max_size=3), max_leaves=8)
envelopes = mix(
    (
        4,
        st.fixed_dictionaries(
            {},
            optional={
                "query": envelope_queries,
                "variables": mix(
                    (1, json_any), (1, st.dictionaries(st.text(max_size=5), json_any))
                ),
                "operationName": mix((2, st.sampled_from(["Q", "A", "B", ""])), (1, json_any)),
                "extensions": json_any,
            },
        ).map(lambda envelope: json.dumps(envelope).encode()),
    ),
    (1, json_any.map(lambda value: json.dumps(value).encode())),
    (1, st.binary(max_size=64)),
    (
        1,
        st.sampled_from(
            [
                b"",
                b"{",
                b'{"query": "{ __typename }"',
                b"[" * 100_000 + b"]" * 100_000,
                b'{"query": "{ __typename }", "variables": ' + b"{" * 50_000 + b"}" * 50_000 + b"}",
                b'{"query": "\xff\xfe"}',
                b"\xff\xfe\x00",
                b'[{"query": "{ __typename }"}]',
                b'{"query": "{ __typename }", "variables": {"x": "' + b"a" * 2_000_000 + b'"}}',
            ]
        ),
    ),
)
content_types = st.sampled_from(
    [
        "application/json",
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "application/graphql",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "",
    ]
)


@fuzz(60)
@example(body=b'{"query": "{ __typename }", "x": "' + b"a" * 2_000_000 + b'"}', content_type="")
@example(body=b"[" * 100_000 + b"]" * 100_000, content_type="application/json")
@given(body=envelopes, content_type=content_types)
async def test_hostile_request_envelopes(bench, tally, body, content_type):
    response = await bench.http.post(
        "/graphql", content=body, headers={"content-type": content_type}
    )
    sent = body.decode("utf-8", "replace")
    status = response.status_code
    assert status < 500, f"HTTP {status} for {body[:300]!r} ({content_type})"
    assert_no_leak(response.text, None, sent, [])
    if status == 200:
        answer = judge(response, mutation=None, sent=sent)
        tally.outcomes[answer.outcome] += 1
    else:
        assert status in (400, 405, 413, 415, 422, 429), status
        tally.outcomes[f"HTTP {status}"] += 1
    tally.examples += 1


HISTORY = {
    "orders": "SELECT id FROM orders WHERE user_id = :id",
    "transactions": "SELECT id FROM ledger_entries WHERE user_id = :id",
    "assetTransactions": "SELECT id FROM asset_transactions WHERE user_id = :id",
}


@fuzz(40)
@example(field="orders", after=Ref("cursor_of_other_order"), first=5)
@given(
    field=st.sampled_from(sorted(HISTORY)),
    after=mix((3, forged_cursors), (2, hostile_text), (1, st.none())),
    first=mix((3, st.integers(0, 100)), (1, st.integers(-(2**31), 2**31 - 1))),
)
async def test_forged_cursors_page_only_the_callers_rows(bench, tally, field, after, first):
    user, names = await new_trader(bench)
    cursor = resolve(after, names)
    query = (
        f"query Page($after: String, $first: Int) {{ me {{ {field}(first: $first, after: $after)"
        " { edges { node { id } } } } }"
    )
    response, sent = await post(
        bench.http, query, {"after": cursor, "first": first}, authorization=f"Bearer {user.token}"
    )
    answer = judge(response, mutation=None, sent=sent, secrets=[user.token])
    for error in answer.body.get("errors") or []:
        extensions = error["extensions"]
        assert (extensions["code"], extensions.get("field")) in {
            ("VALIDATION_FAILED", "after"),
            ("VALIDATION_FAILED", "first"),
            ("GRAPHQL_VALIDATION_FAILED", None),
            ("QUERY_TOO_COMPLEX", None),
        }, error
    async with bench.runtime.services.db.read() as session:
        own = {str(row) for row in await session.scalars(text(HISTORY[field]), {"id": user.id})}
    me = (answer.body.get("data") or {}).get("me") or {}
    shown = {edge["node"]["id"] for edge in (me.get(field) or {}).get("edges", [])}
    assert shown <= own, f"{field} after {cursor!r} shows rows of someone else"
    tally.examples += 1
    tally.outcomes[answer.outcome if answer.codes else f"{len(shown)} rows"] += 1
