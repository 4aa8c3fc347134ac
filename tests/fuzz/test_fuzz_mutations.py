"""Hostile values thrown at every mutation: no 5xx, no leak, and no change on rejection.

Each hypothesis example makes a fresh funded user (and, where the mutation needs them,
a filled order, open orders, a used idempotency key...), snapshots every row the
database holds for that user and for a bystander, sends one mutation whose variables
hypothesis filled with hostile values, judges the answer and, when the answer is a
rejection, compares the snapshots. Whatever the answer, the books must still balance.

The app under test is the real one on the session's database, with a runtime of its
own and the per-request rate limits off: a few hundred hostile requests from one test
address must neither be throttled into meaninglessness nor lock other tests out.

The defects it found (text PostgreSQL cannot hold, superscript digits taken for an
id, passwords echoed by input-coercion messages, bodies that crashed the JSON decoder)
are pinned by the focused tests at the bottom.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from typing import Any

import graphql
import httpx
import jwt
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from sqlalchemy import text

from schema.schema import build_schema as build_served_schema
from tests.conftest import JWT_SECRET, TEST_PASSWORD, unthrottled
from tests.support.paths import PROJECT
from web.app import create_app
from web.config import Settings
from web.runtime import Runtime, start_runtime

pytestmark = pytest.mark.usefixtures("quiet_strawberry_errors")

# ------------------------------------------------------------------ what the API promises

SERVED = graphql.build_schema(build_served_schema().as_str())
ERROR_CODES = frozenset(SERVED.type_map["ErrorCode"].values)  # type: ignore[attr-defined]
TOP_LEVEL_CODES = frozenset(
    {
        # The contract's own list...
        "UNAUTHENTICATED",
        "RATE_LIMITED",
        "QUERY_TOO_COMPLEX",
        # ...and what the error discipline gives graphql-core's parse, validation and
        # input-coercion errors.
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
        "BAD_USER_INPUT",
    }
)
INTERNAL = "INTERNAL_SERVER_ERROR"
MUTATIONS = tuple(SERVED.mutation_type.fields)  # type: ignore[union-attr]


def _error_fields(mutation: str) -> frozenset[str]:
    """The names a UserError.field may carry: the mutation's arguments and input fields."""
    names: set[str] = set()
    for name, argument in SERVED.mutation_type.fields[mutation].args.items():  # type: ignore[union-attr]
        names.add(name)
        named = graphql.get_named_type(argument.type)
        if isinstance(named, graphql.GraphQLInputObjectType):
            names.update(named.fields)
    return frozenset(names)


ERROR_FIELDS = {mutation: _error_fields(mutation) for mutation in MUTATIONS}

# Words that have no business in an answer unless the request itself carried them.
LEAK_MARKERS = (
    "Traceback",
    'File "',
    "site-packages",
    '.py"',
    "asyncpg",
    "sqlalchemy",
    "SQLAlchemy",
    "psycopg",
    "postgres",
    "PostgreSQL",
    "SQLSTATE",
    "sqlstate",
    "SELECT ",
    "INSERT ",
    "UPDATE ",
    "DELETE FROM",
    " WHERE ",
    "ledger_entries",
    "cash_balances",
    "password_hash",
    "$argon2",
    "argon2",
    "Exception",
    "Error(",
    "ValueError",
    "TypeError",
    "KeyError",
    "AttributeError",
    "LookupError",
    "AssertionError",
    "RecursionError",
    "UnicodeEncodeError",
    "UnicodeDecodeError",
    "OverflowError",
    "InvalidOperation",
    "IntegrityError",
    "DataError",
    "CharacterNotInRepertoire",
    "UntranslatableCharacter",
)

DOCUMENTS = {
    "register": """mutation Register($input: RegisterInput!) {
  register(input: $input) {
    token expiresAt user { id username email } errors { code field message }
  }
}""",
    "login": """mutation Login($input: LoginInput!) {
  login(input: $input) { token expiresAt user { id username } errors { code field message } }
}""",
    "logout": "mutation Logout { logout { success errors { code field message } } }",
    "updateProfile": """mutation UpdateProfile($input: UpdateProfileInput!) {
  updateProfile(input: $input) {
    user { id email firstName lastName phone dateOfBirth marketingEmailsConsent }
    errors { code field message }
  }
}""",
    "changePassword": """mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { user { id } errors { code field message } }
}""",
    "deposit": """mutation Deposit($input: CashMovementInput!) {
  deposit(input: $input) {
    balance { cash available } transaction { id type amount balanceAfter }
    errors { code field message }
  }
}""",
    "withdraw": """mutation Withdraw($input: CashMovementInput!) {
  withdraw(input: $input) {
    balance { cash available } transaction { id type amount balanceAfter }
    errors { code field message }
  }
}""",
    "placeOrder": """mutation PlaceOrder($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id clientOrderId side type status quantity limitPrice executedPrice total }
    errors { code field message }
  }
}""",
    "cancelOrder": """mutation CancelOrder($id: ID!) {
  cancelOrder(id: $id) { order { id status } errors { code field message } }
}""",
    "claimRedPocket": """mutation ClaimRedPocket($phrase: String!) {
  claimRedPocket(phrase: $phrase) {
    amount gotRedPocket balance { cash available } errors { code field message }
  }
}""",
}
ME = "{ me { id username } }"

NUL, SURROGATES = "\x00", range(0xD800, 0xE000)


# ------------------------------------------------------------------ hostile values

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()


@dataclasses.dataclass(frozen=True)
class Ref:
    """A value that only exists once the example's user and orders do."""

    name: str

    def __repr__(self) -> str:
        return f"<{self.name}>"


def mix(*choices: tuple[int, SearchStrategy[Any]]) -> SearchStrategy[Any]:
    """One of the strategies, picked with the given weights."""
    bag = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(bag).flatmap(lambda strategy: strategy)


def refs(*names: str) -> SearchStrategy[Ref]:
    return st.sampled_from([Ref(name) for name in names])


SQL_LOOKALIKES = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "admin'--",
    "1; DROP TABLE users; --",
    "'); DELETE FROM ledger_entries; --",
    "x' UNION SELECT password_hash FROM users --",
    "%' AND 1=0 UNION SELECT NULL, NULL --",
    "$$; SELECT pg_sleep(5); $$",
    "\\'; COPY users TO '/tmp/x'; --",
    "1' AND (SELECT 1 FROM pg_sleep(3)) --",
    "robert'); update cash_balances set cash = 1e9; --",
]
NASTY = [
    *SQL_LOOKALIKES,
    "",
    " ",
    "   ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "a\x00b",
    "\x00\x00\x00",
    "\x1b[31mred\x1b[0m",
    "\x7f\x08\x0c",
    "\ufeff",
    "\u200b",
    "\u202eevil",
    "\u2028\u2029",
    "\U0001f680",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\U0001d54f",
    "\u0663",
    "\u0661\u0662\u0663",
    "\uff11\uff12\uff13",
    "\u216b",
    "\u00b2",
    "\u00bd",
    "null",
    "None",
    "undefined",
    "NaN",
    "true",
    "[]",
    "{}",
    "__proto__",
    "${jndi:ldap://example.invalid/a}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "%s%s%s%n",
    "\\",
    '"',
    "'",
    "`",
    "\ud800",
    "x\udfff",
    "\udbff\udc00",
]
LONG = ["A" * 10_000, "\U0001f680" * 10_000, "9" * 10_000, " " * 10_000, "\u00e9" * 10_000]

any_text = st.text(max_size=60)
odd_text = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Nd", "No", "Nl", "So"]),
    max_size=20,
)
hostile_text = mix(
    (4, st.sampled_from(NASTY)), (3, any_text), (2, odd_text), (1, st.sampled_from(LONG))
)
small_json = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.text(max_size=8))
json_numbers = st.one_of(
    st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True)
)
wrong_type = mix(
    (3, json_numbers),
    (1, st.booleans()),
    (1, st.none()),
    (1, st.lists(small_json, max_size=3)),
    (1, st.dictionaries(st.text(max_size=6), small_json, max_size=3)),
)

DECIMAL_NASTY = [
    # Strings the Decimal scalar must refuse: not digits[.digits], or longer than 40.
    "NaN",
    "nan",
    "-NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "+Inf",
    "1e3",
    "1E-2",
    "1e400",
    ".",
    "1..2",
    "1,5",
    "1 000",
    "1_000",
    "0x1A",
    "--1",
    "+-1",
    "",
    " ",
    "\u0661\u0662",
    "\uff11\uff12",
    "\u0663.\u0665",
    "\u00b2",
    "\u216b",
    "\u00bd",
    "1\x00",
    "9" * 41,
    "1" * 10_000,
]
DECIMAL_ODD = [
    # Strings the scalar accepts, most of which the rules must refuse.
    "0",
    "-0",
    "+0",
    "0.00",
    "-0.01",
    "-1",
    "+1",
    "00001.50",
    "1.",
    ".5",
    " 12.50 ",
    "\t1\n",
    "1.001",
    "0.001",
    "0.000000001",
    "9" * 40,
    "0." + "0" * 38 + "1",
    "99999999999999999999.99",
    "1000000.01",
    "10000.01",
    "5000.01",
    "0.01",
]
decimal_nasty = mix(
    (3, st.sampled_from(DECIMAL_NASTY)),
    (1, st.decimals(allow_nan=True, allow_infinity=True).map(str)),
)
decimal_odd = mix(
    (3, st.sampled_from(DECIMAL_ODD)),
    (
        2,
        st.integers(0, 12)
        .flatmap(
            lambda places: st.decimals(
                min_value=Decimal(-(10**6)), max_value=Decimal(10**7), places=places
            )
        )
        .map(lambda value: format(value, "f")),
    ),
    (1, st.from_regex(r"\A[+-]?[0-9]{1,20}(\.[0-9]{0,19})?\Z")),
)
cash_amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("12000"), places=2).map(str)


@dataclasses.dataclass(frozen=True)
class Field:
    """One input field: values of the right JSON type (hostile content welcome), values of
    any other shape that only this field's type refuses, and whether it may be left out."""

    typed: SearchStrategy[Any]
    nasty: SearchStrategy[Any] | None = None
    optional: bool = False
    nullable: bool = True
    """Whether an optional field accepts an explicit null (one with a default does not)."""

    def at(self, level: int) -> SearchStrategy[Any]:
        typed = self.typed
        if self.optional:
            typed = mix((5, typed), (int(self.nullable), st.none()), (2, st.just(MISSING)))
        anything = mix(
            (3, wrong_type),
            (2, hostile_text),
            (1, st.none()),
            (1, st.just(MISSING)),
            *([(3, self.nasty)] if self.nasty is not None else []),
        )
        if level == 0:
            return typed
        if level >= 10:
            return anything
        return mix((10 - level, typed), (level, anything))


LEVELS = [0, 0, 0, 1, 2, 4, 10]
"""Tenths of the fields made hostile beyond their type: a third of the examples send only
well-typed values (hostile text included) and so reach the business rules."""


def drop_missing(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not MISSING}


def arguments(**fields: Field) -> SearchStrategy[dict[str, Any]]:
    """Top-level arguments, at one attack level for all of them."""
    return st.sampled_from(LEVELS).flatmap(
        lambda level: st.fixed_dictionaries(
            {name: field.at(level) for name, field in fields.items()}
        ).map(drop_missing)
    )


def input_object(**fields: Field) -> SearchStrategy[Any]:
    """An input object; at times with unknown keys added, or no object at all."""
    drawn = arguments(**fields)
    extra = st.dictionaries(st.text(min_size=1, max_size=8), small_json, min_size=1, max_size=2)
    with_extra = st.tuples(drawn, extra).map(lambda pair: {**pair[1], **pair[0]})
    return mix((14, drawn), (1, with_extra), (1, wrong_type))


def text_field(*plausible: tuple[int, SearchStrategy[Any]], optional: bool = False) -> Field:
    return Field(mix(*plausible, (3, hostile_text)), optional=optional)


strong_passwords = st.text(min_size=8, max_size=30).map(lambda core: "Aa1!" + core)
weak_passwords = st.sampled_from(
    [
        "short1!A",
        "alllowercase1!x",
        "ALLUPPERCASE1!X",
        "NoDigitsHere!!",
        "NoSymbol12345678",
        "Aa1!" + "a" * 125,
        TEST_PASSWORD.lower(),
        TEST_PASSWORD + " ",
    ]
)
new_passwords = text_field((3, strong_passwords), (2, weak_passwords))
names = text_field(
    (
        4,
        st.sampled_from(
            [
                "Anne-Marie",
                "O'Brien",
                "Zo\u00eb",
                "Jos\u00e9 Luis",
                "  Ann  ",
                "\u674e",
                "A" * 50,
                "A" * 51,
                "Ann3",
                "Ann_",
                "''",
                "- -",
            ]
        ),
    ),
    optional=True,
)
phones = text_field(
    (
        4,
        st.sampled_from(
            [
                "+1 (555) 123-4567",
                "5551234567",
                "555-123-4567",
                "123456789",
                "1234567890123456",
                "++15551234567",
                "\uff15\uff15\uff15\uff11\uff12\uff13\uff14\uff15\uff16\uff17",
                "555.123.4567",
                "+44 20 7946 0958",
            ]
        ),
    ),
    optional=True,
)
_today = dt.date.today()
dates_of_birth = Field(
    mix(
        (
            3,
            st.sampled_from(
                [
                    "1990-04-01",
                    "2000-02-29",
                    "0001-01-01",
                    "9999-12-31",
                    "1800-01-01",
                    _today.replace(year=_today.year - 13, day=1).isoformat(),
                    _today.replace(year=_today.year - 121, day=1).isoformat(),
                    _today.isoformat(),
                ]
            ),
        ),
        (1, st.dates().map(str)),
    ),
    nasty=st.sampled_from(
        [
            "2001-02-29",
            "1990-02-30",
            "0000-01-01",
            "1990-4-1",
            "19900401",
            "1990-04-01T00:00:00",
            "1990-04-01Z",
            "+1990-04-01",
            "\uff11\uff19\uff19\uff10-04-01",
        ]
    ),
    optional=True,
)
consents = Field(
    st.booleans(), nasty=st.sampled_from(["true", "false", "yes", 1, 0]), optional=True
)
emails = text_field(
    (3, refs("fresh_email")),
    (1, refs("other_email", "OTHER_EMAIL", "email", "EMAIL")),
    (1, st.emails().map(str)),
    (
        1,
        st.sampled_from(
            [
                "a@b",
                "@example.com",
                "a@",
                "a b@example.com",
                "a@exa mple.com",
                "x" * 250 + "@example.com",
                "\u00fcn\u00efcode@ex\u00e4mple.com",
                '"quoted"@example.com',
                "a@example.com\x00",
            ]
        ),
    ),
)
usernames = text_field(
    (3, refs("fresh_username")),
    (1, refs("other_username", "OTHER_USERNAME")),
    (1, st.from_regex(r"\A[A-Za-z0-9_]{0,35}\Z")),
)
SECRET_PHRASES = json.loads(
    (PROJECT / "persistence/red_pocket/secret_words.json").read_text(encoding="utf-8")
)["secret_words"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


forged_cursors = mix(
    (2, refs("cursor_of_open_order", "cursor_of_other_order")),
    (
        2,
        st.builds(
            lambda kind, n: _b64(f"{kind}:{n}".encode()),
            st.sampled_from(["order", "ledger", "asset-move", "asset", "x", ""]),
            st.integers(-5, 2**64),
        ),
    ),
    (1, st.binary(max_size=24).map(_b64)),
)

# ------------------------------------------------------------------ the app under test


@dataclasses.dataclass
class Bench:
    http: httpx.AsyncClient
    runtime: Runtime
    make_user: Any
    symbol: str
    untradable: str
    bystander: Any
    bystander_order: str


@pytest.fixture(scope="module")
async def fuzz_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    active = await start_runtime(unthrottled(settings))
    yield active
    await active.close()


@pytest.fixture(scope="module")
async def bench(settings, fuzz_runtime, runtime, make_user, make_asset) -> AsyncIterator[Bench]:
    app = create_app(unthrottled(settings), fuzz_runtime)
    # Unhandled exceptions become the 500 a real server would send, not test errors.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://fuzz.test") as http:
        symbol = await make_asset("100.00")
        untradable = await make_asset("100.00", tradable=False)
        bystander = await make_user(cash="5000.00")
        partial = Bench(http, runtime, make_user, symbol, untradable, bystander, "")
        resting = await place(
            partial, bystander, side="BUY", type="LIMIT", quantity="1", limit="10"
        )
        yield dataclasses.replace(partial, bystander_order=resting)


async def post(
    http: httpx.AsyncClient,
    query: str,
    variables: Any,
    *,
    authorization: str | None = None,
) -> tuple[httpx.Response, str]:
    """Send raw JSON (lone surrogates and NaN included); the request text comes back too."""
    body = json.dumps({"query": query, "variables": variables}, ensure_ascii=True)
    headers = {"content-type": "application/json"}
    if authorization is not None:
        headers["authorization"] = authorization
    response = await http.post("/graphql", content=body.encode(), headers=headers)
    return response, body + "\n" + (authorization or "")


async def call(bench: Bench, mutation: str, variables: Any, token: str | None) -> dict[str, Any]:
    """A setup step that must succeed."""
    response, _ = await post(
        bench.http,
        DOCUMENTS[mutation],
        variables,
        authorization=None if token is None else f"Bearer {token}",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][mutation]
    assert payload["errors"] == [], payload
    return payload


async def place(bench: Bench, user: Any, **order: str) -> str:
    variables = {
        "input": {
            "assetSymbol": bench.symbol,
            "side": order["side"],
            "type": order["type"],
            "quantity": order["quantity"],
            **({"limitPrice": order["limit"]} if "limit" in order else {}),
            **({"clientOrderId": order["key"]} if "key" in order else {}),
        }
    }
    payload = await call(bench, "placeOrder", variables, user.token)
    return str(payload["order"]["id"])


# ------------------------------------------------------------------ the database, read directly

SNAPSHOT = text(
    """
    SELECT jsonb_build_object(
      'user', (SELECT to_jsonb(u) FROM users u WHERE u.id = :id),
      'balance', (SELECT to_jsonb(b) FROM cash_balances b WHERE b.user_id = :id),
      'positions', (SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.asset_id), '[]')
                    FROM positions p WHERE p.user_id = :id),
      'orders', (SELECT coalesce(jsonb_agg(to_jsonb(o) ORDER BY o.id), '[]')
                 FROM orders o WHERE o.user_id = :id),
      'ledger', (SELECT count(*) FROM ledger_entries l WHERE l.user_id = :id),
      'asset_moves', (SELECT count(*) FROM asset_transactions t WHERE t.user_id = :id),
      'idempotency_keys', (SELECT count(*) FROM idempotency_keys k WHERE k.user_id = :id),
      'red_pockets', (SELECT count(*) FROM red_pocket_claims c WHERE c.user_id = :id)
    )::text
    """
)
USERS = text("SELECT count(*) FROM users")
CASH_BOOKS = text(
    """
    SELECT b.cash, b.held,
      (SELECT coalesce(sum(l.amount), 0) FROM ledger_entries l WHERE l.user_id = b.user_id),
      (SELECT coalesce(sum(o.held_cash), 0) FROM orders o
        WHERE o.user_id = b.user_id AND o.status = 'OPEN')
    FROM cash_balances b WHERE b.user_id = :id
    """
)
UNIT_BOOKS = text(
    """
    SELECT p.asset_id, p.quantity, p.held,
      (SELECT coalesce(sum(CASE WHEN t.side = 'BUY' THEN t.quantity ELSE -t.quantity END), 0)
        FROM asset_transactions t WHERE t.user_id = p.user_id AND t.asset_id = p.asset_id),
      (SELECT coalesce(sum(o.held_quantity), 0) FROM orders o
        WHERE o.user_id = p.user_id AND o.asset_id = p.asset_id AND o.status = 'OPEN')
    FROM positions p WHERE p.user_id = :id
    """
)


async def snapshot(bench: Bench, user_ids: list[int]) -> dict[str, Any]:
    async with bench.runtime.services.db.read() as session:
        state: dict[str, Any] = {"users": await session.scalar(USERS)}
        for user_id in user_ids:
            raw = await session.scalar(SNAPSHOT, {"id": user_id})
            state[str(user_id)] = json.loads(raw, parse_float=Decimal)
    return state


async def assert_books_balance(bench: Bench, user_id: int) -> None:
    async with bench.runtime.services.db.read() as session:
        cash, held, ledger, open_held = (await session.execute(CASH_BOOKS, {"id": user_id})).one()
        units = (await session.execute(UNIT_BOOKS, {"id": user_id})).all()
    assert cash == ledger, f"user {user_id}: cash {cash} but the ledger sums to {ledger}"
    assert held == open_held, f"user {user_id}: {held} held but open buys hold {open_held}"
    assert 0 <= held <= cash
    for asset_id, quantity, units_held, moved, open_units in units:
        assert quantity == moved, f"user {user_id} asset {asset_id}: {quantity} != {moved}"
        assert units_held == open_units, f"user {user_id} asset {asset_id}: held {units_held}"


def _diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    return "\n".join(
        f"  {key}: {before.get(key)!r}\n   -> {after.get(key)!r}"
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    )


# ------------------------------------------------------------------ judging one answer


@dataclasses.dataclass
class Answer:
    status: int
    body: dict[str, Any]
    codes: list[str]
    payload: dict[str, Any] | None

    @property
    def user_errors(self) -> list[dict[str, Any]]:
        return [] if self.payload is None else list(self.payload["errors"])

    @property
    def rejected(self) -> bool:
        return bool(self.codes) or self.payload is None or bool(self.user_errors)

    @property
    def outcome(self) -> str:
        if self.codes:
            return "top-level " + "+".join(sorted(set(self.codes)))
        if self.user_errors:
            return "payload " + "+".join(sorted({e["code"] for e in self.user_errors}))
        return "accepted"


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def secrets_of(mutation: str, variables: Any, query: str) -> list[str]:
    """The passwords sent, when long and varied enough to be recognised in an answer."""
    sent = variables.get("input") if isinstance(variables, dict) else None
    if not isinstance(sent, dict):
        return []
    keys = ("password", "currentPassword", "newPassword")
    found = [value for key, value in sent.items() if key in keys and isinstance(value, str)]
    others = [query, *(str(v) for k, v in sent.items() if k not in keys)]
    return [
        value
        for value in found
        if len(value) >= 6
        and len(set(value)) >= 4
        and value.strip()
        and not any(value in other for other in others)
    ]


def assert_no_leak(
    status_text: str,
    body: Any,
    sent: str,
    secrets: list[str],
) -> None:
    lowered = sent.lower()
    for marker in LEAK_MARKERS:
        if marker.lower() not in lowered:
            assert marker not in status_text, (
                f"the answer reveals {marker!r}:\n{status_text[:1500]}"
            )
    if not secrets:
        return
    for secret in secrets:
        forms = {secret, json.dumps(secret)[1:-1], repr(secret)[1:-1]}
        for piece in strings_in(body):
            assert not any(form in piece for form in forms), f"password {secret!r} in {piece!r}"


def judge(
    response: httpx.Response,
    *,
    mutation: str | None,
    sent: str,
    secrets: list[str] | None = None,
) -> Answer:
    text_ = response.text
    status = response.status_code
    assert status < 500, f"HTTP {status} for {sent[:800]!r}:\n{text_[:800]}"
    assert status in (200, 413, 429), f"HTTP {status} for {sent[:800]!r}:\n{text_[:800]}"
    body = response.json()
    assert_no_leak(text_, body, sent, secrets or [])
    assert isinstance(body, dict), text_[:500]
    assert set(body) <= {"data", "errors", "extensions"}, body.keys()
    assert "data" in body or "errors" in body, body
    codes: list[str] = []
    for error in body.get("errors") or []:
        assert isinstance(error, dict), error
        assert isinstance(error.get("message"), str), error
        assert error["message"], error
        extensions = error.get("extensions") or {}
        code = extensions.get("code")
        assert code != INTERNAL, f"INTERNAL_SERVER_ERROR for {sent[:1500]!r}:\n{error}"
        # A read may fail with a business code (a bad `first`, a forged cursor); a
        # mutation's business failures belong in its payload.
        allowed = TOP_LEVEL_CODES if mutation is not None else TOP_LEVEL_CODES | ERROR_CODES
        if status == 413:
            allowed = frozenset({"PAYLOAD_TOO_LARGE"})
        assert code in allowed, f"top-level error with code {code!r}: {error}"
        if code == "RATE_LIMITED":
            assert isinstance(extensions.get("retryAfter"), int), error
        codes.append(str(code))
    data = body.get("data")
    payload = data.get(mutation) if isinstance(data, dict) and mutation is not None else None
    if payload is not None:
        for error in payload["errors"]:
            assert error["code"] in ERROR_CODES, error
            assert isinstance(error["message"], str), error
            assert error["message"].strip(), error
            assert error["field"] is None or error["field"] in ERROR_FIELDS[mutation], error
        if payload["errors"]:
            leftovers = {k: v for k, v in payload.items() if k != "errors" and v is not None}
            assert not leftovers, f"a rejected {mutation} still answered {leftovers}"
    return Answer(status, body, codes, payload)


# ------------------------------------------------------------------ one example, end to end


def resolve(value: Any, names: dict[str, Any]) -> Any:
    if isinstance(value, Ref):
        return names[value.name]
    if isinstance(value, dict):
        return {key: resolve(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve(item, names) for item in value]
    return value


@dataclasses.dataclass
class Tally:
    examples: int = 0
    outcomes: Counter[str] = dataclasses.field(default_factory=Counter)


TALLIES: dict[str, Tally] = {}
MIN_EXAMPLES = 10


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Iterator[Tally]:
    """Counts the examples hypothesis really ran: a test that silently ran none fails."""
    counted = Tally()
    failed_before = request.session.testsfailed
    started = time.monotonic()
    yield counted
    TALLIES[request.node.name] = counted
    print(
        f"\n{request.node.name}: {counted.examples} examples in "
        f"{time.monotonic() - started:.1f} s, {dict(counted.outcomes)}"
    )
    if request.session.testsfailed == failed_before:
        assert counted.examples >= MIN_EXAMPLES, f"only {counted.examples} examples ran"


async def new_user(bench: Bench, cash: str = "1000.00") -> tuple[Any, dict[str, Any]]:
    user = await bench.make_user(cash=cash)
    fresh = uuid.uuid4().hex
    names = {
        "username": user.username,
        "USERNAME": user.username.upper(),
        "email": user.email,
        "EMAIL": user.email.upper(),
        "other_username": bench.bystander.username,
        "OTHER_USERNAME": bench.bystander.username.upper(),
        "other_email": bench.bystander.email,
        "OTHER_EMAIL": f" {bench.bystander.email.upper()} ",
        "fresh_username": f"fz_{fresh[:20]}",
        "fresh_email": f"fz.{fresh[:16]}@example.com",
        "fresh_key": f"fz-{fresh[:24]}",
        "symbol": bench.symbol,
        "untradable": bench.untradable,
    }
    return user, names


async def new_trader(bench: Bench) -> tuple[Any, dict[str, Any]]:
    """A user holding units, with a filled order, an open buy and an open sell."""
    user, names = await new_user(bench, cash="5000.00")
    filled = await place(bench, user, side="BUY", type="MARKET", quantity="3", key="fz-used-1")
    open_buy = await place(bench, user, side="BUY", type="LIMIT", quantity="1", limit="50")
    open_sell = await place(bench, user, side="SELL", type="LIMIT", quantity="1", limit="1000")
    names.update(
        filled_order_id=filled,
        open_order_id=open_buy,
        open_sell_id=open_sell,
        open_order_int=int(open_buy),
        other_order_id=bench.bystander_order,
        missing_order_id=str(10**15 + int(open_sell)),
        used_client_order_id="fz-used-1",
        cursor_of_open_order=_b64(f"order:{open_buy}".encode()),
        cursor_of_other_order=_b64(f"order:{bench.bystander_order}".encode()),
    )
    return user, names


async def attempt(
    bench: Bench,
    tally: Tally,
    mutation: str,
    variables: Any,
    *,
    user: Any,
    authorization: str | None = None,
) -> Answer:
    """Send one mutation as ``user`` (or with ``authorization``) and judge all of it."""
    watched = [user.id, bench.bystander.id]
    before = await snapshot(bench, watched)
    query = DOCUMENTS[mutation]
    header = f"Bearer {user.token}" if authorization is None else authorization
    response, sent = await post(bench.http, query, variables, authorization=header)
    answer = judge(
        response,
        mutation=mutation,
        sent=sent,
        secrets=[*secrets_of(mutation, variables, query), user.token],
    )
    after = await snapshot(bench, watched)
    if answer.rejected:
        assert after == before, (
            f"{mutation} was rejected ({answer.outcome}) but the database changed:\n"
            f"{_diff(before, after)}\nvariables: {sent[:1500]}"
        )
    for user_id in watched:
        await assert_books_balance(bench, user_id)
    tally.examples += 1
    tally.outcomes[answer.outcome] += 1
    return answer


def fuzz(max_examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


# ------------------------------------------------------------------ the mutations, one by one

register_inputs = input_object(
    username=usernames,
    email=emails,
    password=new_passwords,
    firstName=names,
    lastName=names,
    phone=phones,
    dateOfBirth=dates_of_birth,
    marketingEmailsConsent=consents,
)
VALID_SIGN_UP = {
    "username": Ref("fresh_username"),
    "email": Ref("fresh_email"),
    "password": "Another-Strong-9-Pass",
    "firstName": "Zo\u00eb",
    "phone": "+1 (555) 123-4567",
    "dateOfBirth": "1990-04-01",
}


@fuzz(40)
@example(variables={"input": VALID_SIGN_UP})
@example(variables={"input": {**VALID_SIGN_UP, "username": Ref("OTHER_USERNAME")}})
@example(variables={"input": {**VALID_SIGN_UP, "email": Ref("OTHER_EMAIL")}})
@given(variables=st.fixed_dictionaries({"input": register_inputs}))
async def test_register(bench, tally, variables):
    user, names = await new_user(bench)
    answer = await attempt(bench, tally, "register", resolve(variables, names), user=user)
    if not answer.rejected:
        assert isinstance(answer.payload["token"], str)  # type: ignore[index]


login_inputs = input_object(
    username=text_field(
        (4, refs("username", "USERNAME", "email", "EMAIL")),
        (1, refs("other_username", "OTHER_EMAIL")),
    ),
    password=text_field((4, st.just(TEST_PASSWORD)), (1, weak_passwords)),
)


@fuzz(25)
@example(variables={"input": {"username": Ref("EMAIL"), "password": TEST_PASSWORD}})
@given(variables=st.fixed_dictionaries({"input": login_inputs}))
async def test_login(bench, tally, variables):
    user, names = await new_user(bench)
    answer = await attempt(bench, tally, "login", resolve(variables, names), user=user)
    if not answer.rejected:
        # Every test user shares one password: the bystander's name signs the bystander in.
        signed_in = answer.payload["user"]["id"]  # type: ignore[index]
        assert signed_in in (str(user.id), str(bench.bystander.id)), answer.body


def forged_tokens(user: Any) -> dict[str, str]:
    """Tokens an attacker could make, and a few only a key holder could (still refused)."""
    now = int(time.time())
    claims = {
        "sub": str(user.id),
        "username": user.username,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 3600,
        "iss": "cnop",
        "aud": "cnop-web",
    }

    def signed(secret: str = JWT_SECRET, algorithm: str = "HS256", **changes: Any) -> str:
        payload = {k: v for k, v in {**claims, **changes}.items() if v is not None}
        return jwt.encode(payload, secret, algorithm=algorithm)

    header, payload, signature = user.token.split(".")
    other = signed(sub="1")
    return {
        "valid": f"Bearer {user.token}",
        "wrong_secret": f"Bearer {signed('an-attacker-secret-' + 'y' * 32)}",
        "alg_none": "Bearer " + jwt.encode(claims, key=None, algorithm="none"),  # type: ignore[arg-type]
        "alg_none_stripped": f"Bearer {header}.{payload}.",
        "expired": f"Bearer {signed(iat=now - 7200, exp=now - 3600)}",
        "not_yet_issued": f"Bearer {signed(nbf=now + 3600)}",
        "wrong_audience": f"Bearer {signed(aud='someone-else')}",
        "wrong_issuer": f"Bearer {signed(iss='someone-else')}",
        "no_subject": f"Bearer {signed(sub=None)}",
        "text_subject": f"Bearer {signed(sub='admin')}",
        "no_jti": f"Bearer {signed(jti=None)}",
        "swapped_payload": f"Bearer {header}.{other.split('.')[1]}.{signature}",
        "flipped_signature": f"Bearer {header}.{payload}.{signature[::-1]}",
        "truncated": f"Bearer {user.token[:-3]}",
        "doubled": f"Bearer {user.token} {user.token}",
        "raw_token": user.token,
        "basic": f"Basic {base64.b64encode(b'admin:admin').decode()}",
    }


FORGED = [
    "wrong_secret",
    "alg_none",
    "alg_none_stripped",
    "expired",
    "not_yet_issued",
    "wrong_audience",
    "wrong_issuer",
    "no_subject",
    "text_subject",
    "no_jti",
    "swapped_payload",
    "flipped_signature",
    "truncated",
    "doubled",
    "raw_token",
    "basic",
]
header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
authorizations = mix(
    (6, st.sampled_from(FORGED).map(Ref)),
    (
        2,
        st.sampled_from(
            [
                "",
                "Bearer",
                "Bearer ",
                "Bearer     ",
                "bearer null",
                "Bearer undefined",
                "Bearer a.b.c",
                "Bearer ..",
                "Bearer " + "A" * 10_000,
                "Token abc",
            ]
        ),
    ),
    (2, header_text.map(lambda value: "Bearer " + value)),
    (1, header_text),
)


@fuzz(40)
@example(authorization=Ref("valid"))
@given(authorization=mix((1, st.just(Ref("valid"))), (6, authorizations)))
async def test_logout(bench, tally, authorization):
    user, _ = await new_user(bench)
    header = resolve(authorization, forged_tokens(user))
    answer = await attempt(bench, tally, "logout", {}, user=user, authorization=header)
    response, _ = await post(bench.http, ME, {}, authorization=f"Bearer {user.token}")
    me = response.json()["data"]["me"]
    if header == f"Bearer {user.token}":
        assert answer.payload == {"success": True, "errors": []}, answer.body
        assert me is None, "a signed-out token still works"
    else:
        assert answer.codes == ["UNAUTHENTICATED"], answer.body
        assert me == {"id": str(user.id), "username": user.username}, "a forged logout revoked"


profile_inputs = input_object(
    email=dataclasses.replace(emails, optional=True),
    firstName=names,
    lastName=names,
    phone=phones,
    dateOfBirth=dates_of_birth,
    marketingEmailsConsent=consents,
)


@fuzz(60)
@example(variables={"input": {"email": Ref("OTHER_EMAIL"), "firstName": "Ann"}})
@given(variables=st.fixed_dictionaries({"input": profile_inputs}))
async def test_update_profile(bench, tally, variables):
    user, names = await new_user(bench)
    await attempt(bench, tally, "updateProfile", resolve(variables, names), user=user)


password_changes = input_object(
    currentPassword=text_field((4, st.just(TEST_PASSWORD))),
    newPassword=Field(mix((4, new_passwords.typed), (1, st.just(TEST_PASSWORD)))),
)


@fuzz(25)
@example(
    variables={"input": {"currentPassword": TEST_PASSWORD, "newPassword": "New-Strong-9-Pass"}}
)
@given(variables=st.fixed_dictionaries({"input": password_changes}))
async def test_change_password(bench, tally, variables):
    user, names = await new_user(bench)
    answer = await attempt(bench, tally, "changePassword", resolve(variables, names), user=user)
    response, _ = await post(bench.http, ME, {}, authorization=f"Bearer {user.token}")
    still_signed_in = response.json()["data"]["me"] is not None
    assert still_signed_in == answer.rejected, "only a password change signs the token out"


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


order_inputs = input_object(
    assetSymbol=text_field(
        (5, refs("symbol")),
        (1, refs("untradable")),
        (1, st.sampled_from(["BTC", "btc", " Eth ", "ETH\t", "ZZZNOPE", "A" * 20, "A" * 21])),
    ),
    side=Field(
        st.sampled_from(["BUY", "SELL"]),
        nasty=st.sampled_from(["buy", "Sell", "HOLD", "", "BUY ", "SELL\x00"]),
    ),
    type=Field(
        st.sampled_from(["MARKET", "LIMIT"]),
        nasty=st.sampled_from(["market", "STOP", "", "LIMIT "]),
        optional=True,
        nullable=False,
    ),
    quantity=Field(
        mix(
            (3, st.sampled_from(["1", "0.5", "2", "3", "4", "0.00000001", "0.01", "100", "1000"])),
            (3, decimal_odd),
        ),
        nasty=decimal_nasty,
    ),
    limitPrice=Field(
        mix(
            (3, st.sampled_from(["50", "99.99", "100", "150", "0.00000001", "100000000001"])),
            (2, decimal_odd),
        ),
        nasty=decimal_nasty,
        optional=True,
    ),
    clientOrderId=text_field(
        (2, refs("fresh_key")),
        (2, st.just("fz-used-1")),
        (1, st.from_regex(r"\A.{0,70}\Z")),
        optional=True,
    ),
)


coherent_orders = st.fixed_dictionaries(
    {
        "assetSymbol": refs("symbol"),
        "side": st.sampled_from(["BUY", "SELL"]),
        "quantity": st.sampled_from(["0.5", "1", "2", "3", "4", "0.00000001", "0.01", "200"]),
    },
    optional={"clientOrderId": st.sampled_from([Ref("fresh_key"), "fz-used-1", None])},
).flatmap(
    lambda order: st.one_of(
        st.just({**order, "type": "MARKET"}),
        st.sampled_from(["50", "99.99", "100", "150", "0.00000001", "100000000001"]).map(
            lambda limit: {**order, "type": "LIMIT", "limitPrice": limit}
        ),
    )
)


@fuzz(60)
@example(variables={"input": {"assetSymbol": Ref("symbol"), "side": "SELL", "quantity": "2"}})
@example(
    variables={
        "input": {
            "assetSymbol": Ref("symbol"),
            "side": "BUY",
            "quantity": "1",
            "clientOrderId": "fz-used-1",
        }
    }
)
@given(variables=st.fixed_dictionaries({"input": mix((1, coherent_orders), (3, order_inputs))}))
async def test_place_order(bench, tally, variables):
    user, names = await new_trader(bench)
    await attempt(bench, tally, "placeOrder", resolve(variables, names), user=user)


order_ids = Field(
    mix(
        (
            4,
            refs(
                "open_order_id",
                "open_sell_id",
                "filled_order_id",
                "other_order_id",
                "missing_order_id",
                "open_order_int",
            ),
        ),
        (
            2,
            st.sampled_from(
                [
                    "0",
                    "-1",
                    "1.0",
                    "1e3",
                    " 1",
                    "+1",
                    "0x1",
                    "\u00b2",
                    "\u00b9\u00b2",
                    "\u0661",
                    "\u0660",
                    "9" * 18,
                    "9" * 19,
                    "0" * 30 + "1",
                    "NaN",
                    "",
                ]
            ),
        ),
        (2, forged_cursors),
        (2, hostile_text),
        (1, st.integers(-(2**70), 2**70)),
    ),
    nasty=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.booleans()),
)


@fuzz(60)
@example(variables={"id": Ref("other_order_id")})
@example(variables={"id": Ref("cursor_of_open_order")})
@given(variables=arguments(id=order_ids))
async def test_cancel_order(bench, tally, variables):
    user, names = await new_trader(bench)
    resolved = resolve(variables, names)
    answer = await attempt(bench, tally, "cancelOrder", resolved, user=user)
    if not answer.rejected:
        assert str(resolved["id"]) in (names["open_order_id"], names["open_sell_id"])


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


# ------------------------------------------------------------------ tokens and envelopes

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


# ------------------------------------------------------------------ defects, pinned


async def _answer(bench: Bench, mutation: str, variables: Any, token: str | None) -> dict[str, Any]:
    response, _ = await post(
        bench.http,
        DOCUMENTS[mutation],
        variables,
        authorization=None if token is None else f"Bearer {token}",
    )
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
