"""Hostile values: SQL look-alikes, control characters, surrogates, huge and odd
decimals, wrong JSON types, and the inputs of every mutation built from them."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tests.conftest import TEST_PASSWORD
from tests.support.paths import PROJECT

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


def cursor_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


forged_cursors = mix(
    (2, refs("cursor_of_open_order", "cursor_of_other_order")),
    (
        2,
        st.builds(
            lambda kind, n: cursor_text(f"{kind}:{n}".encode()),
            st.sampled_from(["order", "ledger", "asset-move", "asset", "x", ""]),
            st.integers(-5, 2**64),
        ),
    ),
    (1, st.binary(max_size=24).map(cursor_text)),
)
