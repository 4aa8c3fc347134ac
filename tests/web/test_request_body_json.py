"""The view reads request bodies with orjson: every body must mean what json.loads made of it
and every answer must be written, whatever strings it echoes."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from web.graphql_app import GraphQLApp

EDGE_BODIES = [
    b'{"query": "{ me { id } }", "variables": {"first": 100}}',
    b'{"a": 1, "a": 2}',
    b"123456789012345678901234567890",  # past 64 bits: orjson would read a float
    b"18446744073709551616",
    b"-9223372036854775809",
    b"9223372036854775808",
    b"999999999999999999",
    b"1e400",
    b"NaN",
    b"-Infinity",
    "\ufeff{}".encode(),
    b'"\\ud800"',
    b"-0",
    b"-0.0",
    b"0.1",
    b"1.0000000000000002",
    '{"q": "\u00e9\u4e2d"}'.encode(),
]


def outcome(decode: Callable[[str | bytes], object], body: str | bytes) -> object:
    """What decoding gives: the value, or the kind of error it raised."""
    try:
        return decode(body)
    except ValueError as error:
        return type(error)


def same(left: object, right: object) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left):
        return math.isnan(right)
    return type(left) is type(right) and repr(left) == repr(right)


def view() -> GraphQLApp:
    return GraphQLApp.__new__(GraphQLApp)


@pytest.mark.parametrize("body", EDGE_BODIES)
def test_edge_bodies_decode_as_the_standard_library_does(body: bytes) -> None:
    for text in (body, body.decode()):
        assert same(outcome(view().decode_json, text), outcome(json.loads, text))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_generated_bodies_decode_as_the_standard_library_does(
    value: object, ascii_only: bool
) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert same(view().decode_json(body), json.loads(body))


def test_a_lone_surrogate_echoed_back_is_written_as_its_escape() -> None:
    # A variable's "\ud800" comes back in its coercion error; orjson cannot write it.
    answer = {"errors": [{"message": 'Variable "\ud800" is not a date'}]}
    encoded = view().encode_json(answer)
    assert encoded == '{"errors":[{"message":"Variable \\"\\ud800\\" is not a date"}]}'
    assert json.loads(encoded) == answer
