"""What the API promises: its error codes, the fields each payload may blame, and
what no answer may ever show."""

from __future__ import annotations

import graphql

from schema.schema import build_schema as build_served_schema

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
