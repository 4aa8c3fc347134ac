"""Schemathesis in GraphQL mode over the whole served schema, as one bounded test.

The schema is loaded from the ASGI app by introspection. That app runs its own runtime
(started by its lifespan on schemathesis' ASGI event loop, in a thread of its own, so it
never shares a connection with the session loop) on the session's database, with the
per-request rate limits off. Every query and mutation field gets positive cases and,
where it takes arguments, negative ones, each sent with a fresh bearer token of one
funded user so that authenticated fields are reached and a generated ``logout`` signs
out only its own case.

Checked on every answer: no 5xx, a well-formed GraphQL response (schemathesis' own
response_schema_conformance: a JSON object, no null in a non-null field), every error
with a code the API promises, no internal detail and no token echoed.

The defects it found on the query side (text PostgreSQL cannot hold, superscript digits
taken for an id, out-of-range dates, an out-of-range token subject) are pinned by the
focused tests at the bottom.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import jwt
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes
from schemathesis.python import asgi as schemathesis_asgi

from tests.conftest import JWT_SECRET, unthrottled
from tests.support.fuzz.promises import TOP_LEVEL_CODES
from web.app import create_app
from web.config import Settings

pytestmark = pytest.mark.usefixtures("quiet_strawberry_errors")

BUDGET_PER_OPERATION_S = 2.0
"""Wall-clock time the generated cases may take per operation of the schema, shared out
between the operations (so a schema that grows keeps each operation's share)."""
MAX_EXAMPLES = 80
MIN_CALLS = 5
CONTRACT_OPERATIONS = {
    "Query.me",
    "Query.assets",
    "Query.asset",
    "Query.order",
    "Mutation.register",
    "Mutation.login",
    "Mutation.logout",
    "Mutation.updateProfile",
    "Mutation.changePassword",
    "Mutation.deposit",
    "Mutation.withdraw",
    "Mutation.placeOrder",
    "Mutation.cancelOrder",
    "Mutation.claimRedPocket",
}
ERROR_CODES = {
    "VALIDATION_FAILED",
    "USERNAME_TAKEN",
    "EMAIL_TAKEN",
    "INVALID_CREDENTIALS",
    "ASSET_NOT_FOUND",
    "ASSET_NOT_TRADABLE",
    "PRICE_UNAVAILABLE",
    "INSUFFICIENT_FUNDS",
    "INSUFFICIENT_ASSET",
    "ORDER_VALUE_LIMIT_EXCEEDED",
    "DAILY_LIMIT_EXCEEDED",
    "ORDER_NOT_FOUND",
    "ORDER_NOT_CANCELLABLE",
    "IDEMPOTENCY_CONFLICT",
    "ALREADY_CLAIMED_TODAY",
    "ALERT_NOT_FOUND",
    "ALERT_LIMIT_REACHED",
}
READ_CODES = TOP_LEVEL_CODES | ERROR_CODES | {"INSIGHTS_UNAVAILABLE"}
"""Codes a field that reads may raise (a bad `first`, a forged cursor...); a mutation's own
business failures belong in its payload instead."""
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "site-packages",
    "asyncpg",
    "sqlalchemy",
    "SQLAlchemy",
    "psycopg",
    "postgres",
    "SQLSTATE",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    "DELETE FROM",
    "password_hash",
    "argon2",
    "Exception",
    "ValueError",
    "TypeError",
    "KeyError",
    "LookupError",
    "RecursionError",
    "UnicodeEncodeError",
    "OverflowError",
    "InvalidOperation",
    "IntegrityError",
    "DataError",
    "CharacterNotInRepertoire",
)

# Decimals travel as strings: mostly well-formed (so that cases reach the resolvers),
# sometimes not.
_decimals = st.one_of(
    st.decimals(min_value=Decimal("-1000"), max_value=Decimal("20000"), places=2).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(lambda value: format(value, "f")),
    st.sampled_from(["0", "-1", "0.00000001", "1.001", "9" * 40, "NaN", "1e3", "", " 1 "]),
)
schemathesis.graphql.scalar("Decimal", _decimals.map(nodes.String))

# ------------------------------------------------------------------ the app under test


@pytest.fixture(scope="module")
def served(settings: Settings) -> Iterator[Any]:
    # No runtime given: the app's lifespan starts one on schemathesis' own ASGI loop.
    app = create_app(unthrottled(settings).model_copy(update={"db_pool_size": 5}))
    schema = schemathesis.graphql.from_asgi("/graphql", app)
    yield schema
    schemathesis_asgi.shutdown_lifespans()


@pytest.fixture(scope="module")
async def fuzz_user(make_user):
    return await make_user(cash="1000.00")


@dataclasses.dataclass
class Stats:
    calls: int = 0
    skipped: int = 0
    statuses: dict[int, int] = dataclasses.field(default_factory=dict)
    codes: dict[str, int] = dataclasses.field(default_factory=dict)


def _checks(token: str, stats: Stats) -> list[Any]:
    """Check functions for one case (they know its token)."""

    def not_a_5xx(ctx: Any, response: Any, case: Any) -> None:
        assert response.status_code < 500, f"HTTP {response.status_code}"

    def disciplined_errors(ctx: Any, response: Any, case: Any) -> None:
        text = response.content.decode("utf-8", "replace")
        sent = str(case.body).lower()
        for marker in LEAK_MARKERS:
            if marker.lower() not in sent:
                assert marker not in text, f"the answer reveals {marker!r}: {text[:1000]}"
        assert token not in text, "the bearer token is echoed"
        body = json.loads(response.content)
        assert isinstance(body, dict), text[:500]
        assert set(body) <= {"data", "errors", "extensions"}, sorted(body)
        is_mutation = case.operation.label.startswith("Mutation.")
        for error in body.get("errors") or []:
            extensions = error.get("extensions") or {}
            code = extensions.get("code")
            stats.codes[str(code)] = stats.codes.get(str(code), 0) + 1
            assert isinstance(error.get("message"), str), error
            assert error["message"], error
            assert code != "INTERNAL_SERVER_ERROR", f"INTERNAL_SERVER_ERROR: {error}"
            own_field = len(error.get("path") or ()) == 1
            allowed = TOP_LEVEL_CODES if is_mutation and own_field else READ_CODES
            assert code in allowed, f"error with code {code!r}: {error}"
        data = body.get("data")
        if is_mutation and isinstance(data, dict):
            for payload in data.values():
                for failure in (payload or {}).get("errors") or []:
                    # The generated selection may leave `code` out.
                    code = failure.get("code", "VALIDATION_FAILED")
                    assert code in ERROR_CODES, failure
                    stats.codes[f"payload {code}"] = stats.codes.get(f"payload {code}", 0) + 1

    return [not_a_5xx, schemathesis.checks.response_schema_conformance, disciplined_errors]


def _runner(strategy: Any, stats: Stats, share_ends: float, issue_token: Any) -> Any:
    """The hypothesis test of one operation: send each case, then check the answer."""

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        # Past its share of the time, an operation still gets its MIN_CALLS cases: a
        # busy machine slows the run down, it does not leave operations unfuzzed.
        if time.monotonic() > share_ends and stats.calls >= MIN_CALLS:
            stats.skipped += 1
            return
        # A fresh token per case: a generated logout revokes only its own.
        token = issue_token()
        headers = {"Authorization": f"Bearer {token}"}
        response = case.call(headers=headers)
        stats.calls += 1
        stats.statuses[response.status_code] = stats.statuses.get(response.status_code, 0) + 1
        case.validate_response(response, checks=_checks(token, stats), headers=headers)

    return run


def test_schemathesis_over_the_whole_schema(served, fuzz_user, codec):
    operations = [result.ok() for result in served.get_all_operations()]
    labels = {operation.label for operation in operations}
    assert labels >= CONTRACT_OPERATIONS, CONTRACT_OPERATIONS - labels

    def issue_token() -> str:
        return str(codec.issue(fuzz_user.id, fuzz_user.username).token)

    deadline = time.monotonic() + BUDGET_PER_OPERATION_S * len(operations)
    report: dict[str, Stats] = {}
    failures: list[str] = []
    for index, operation in enumerate(operations):
        stats = report.setdefault(operation.label, Stats())
        share_ends = time.monotonic() + (deadline - time.monotonic()) / (len(operations) - index)
        strategy = operation.as_strategy(GenerationMode.POSITIVE)
        if operation.definition.raw.args:
            strategy = st.one_of(strategy, operation.as_strategy(GenerationMode.NEGATIVE))
        try:
            _runner(strategy, stats, share_ends, issue_token)()
        # Every operation gets its run and every failure is reported (schemathesis raises
        # a BaseExceptionGroup of its failures).
        except (Exception, BaseExceptionGroup) as failure:
            failures.append(f"{operation.label}:\n{failure}")

    print("\nschemathesis, GraphQL mode:")
    for label, stats in report.items():
        print(
            f"  {label:28} {stats.calls:3} calls"
            + (f" ({stats.skipped} over budget)" if stats.skipped else "")
            + f", HTTP {stats.statuses}, error codes {stats.codes}"
        )
    assert not failures, "\n\n".join(failures)
    starved = {label: s.calls for label, s in report.items() if s.calls < MIN_CALLS}
    assert not starved, f"operations that got too few cases within the budget: {starved}"


# ------------------------------------------------------------------ defects, pinned


@pytest.fixture(scope="module")
async def http(settings, runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(unthrottled(settings), runtime)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://fuzz.test") as client:
        yield client


async def _ask(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param(
            "query($s: String!) { asset(symbol: $s) { symbol } }", {"asset": None}, id="asset"
        ),
        pytest.param(
            "query($s: String) { assets(search: $s) { totalCount } }",
            {"assets": {"totalCount": 0}},
            id="assets-search",
        ),
        pytest.param(
            "query($s: String) { me { orders(assetSymbol: $s) { totalCount } } }",
            {"me": {"orders": {"totalCount": 0}}},
            id="orders-symbol",
        ),
    ],
)
async def test_reads_with_a_nul_byte_are_not_internal_errors(http, fuzz_user, query, expected):
    body = await _ask(http, query, {"s": "BTC\x00"}, fuzz_user.token)
    assert body == {"data": expected}


async def test_order_with_a_superscript_digit_id_is_null(http, fuzz_user):
    body = await _ask(
        http, "query($id: ID!) { order(id: $id) { id } }", {"id": "\u00b2"}, fuzz_user.token
    )
    assert body == {"data": {"order": None}}


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
async def test_out_of_range_datetime_literals_are_validation_errors(http, since):
    query = f'{{ asset(symbol: "BTC") {{ priceHistory(since: "{since}") {{ price }} }} }}'
    body = await _ask(http, query, {})
    assert [error["extensions"]["code"] for error in body["errors"]] == [
        "GRAPHQL_VALIDATION_FAILED"
    ]


async def test_a_signed_token_with_an_out_of_range_subject_is_just_anonymous(http):
    now = int(time.time())
    claims = {
        "sub": str(10**22),
        "jti": "x",
        "iat": now,
        "exp": now + 600,
        "iss": "cnop",
        "aud": "cnop-web",
    }
    token = jwt.encode(claims, JWT_SECRET, algorithm="HS256")
    body = await _ask(http, "{ me { id } }", {}, token)
    assert body == {"data": {"me": None}}
