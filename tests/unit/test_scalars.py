"""The custom scalars' parsing and serialising: Decimal only from plain strings, DateTime
always with an offset and served in UTC, Date in ISO form."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from graphql import GraphQLError

from schema.scalars import (
    parse_date,
    parse_datetime,
    parse_decimal,
    serialize_datetime,
    serialize_decimal,
)


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (Decimal("1000"), "1000.00"),
        (Decimal("1000.00"), "1000.00"),
        (Decimal("0.5"), "0.50"),
        (Decimal("0.0000130000"), "0.000013"),
        (Decimal("104500.0000000000"), "104500.00"),
        (Decimal("12.345"), "12.345"),
        (Decimal("-2.5"), "-2.50"),
        (Decimal("-0.00001285"), "-0.00001285"),
        (Decimal("0"), "0.00"),
        (Decimal("0E-10"), "0.00"),
        (Decimal("1E+3"), "1000.00"),
        (Decimal("1.23E-7"), "0.000000123"),
        (Decimal("123456789012345678.12"), "123456789012345678.12"),
    ],
)
def test_serialize_decimal(value, wire):
    assert serialize_decimal(value) == wire


@pytest.mark.parametrize("text", ["12.50", "0", "-3.25", "+4", ".5", "5.", " 7.10 "])
def test_parse_decimal_accepts_plain_decimal_strings(text):
    assert parse_decimal(text) == Decimal(text.strip())


@pytest.mark.parametrize("value", [12.5, 12, None, True, "1e3", "abc", "", "NaN", "-", "."])
def test_parse_decimal_refuses_everything_else(value):
    with pytest.raises(GraphQLError):
        parse_decimal(value)


def test_serialize_datetime_converts_to_utc():
    paris = dt.timezone(dt.timedelta(hours=1))
    value = dt.datetime(2026, 11, 28, 10, 30, tzinfo=paris)
    assert serialize_datetime(value) == "2026-11-28T09:30:00+00:00"


def test_serialize_datetime_refuses_naive_values():
    with pytest.raises(ValueError, match="naive"):
        serialize_datetime(dt.datetime(2026, 11, 28, 9, 30))


def test_parse_datetime_requires_an_offset_and_returns_utc():
    parsed = parse_datetime("2026-11-28T10:30:00+01:00")
    assert parsed == dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
    assert parsed.utcoffset() == dt.timedelta(0)
    assert parse_datetime("2026-11-28T09:30:00Z") == parsed
    for bad in ("2026-11-28T09:30:00", "yesterday", 1764322200):
        with pytest.raises(GraphQLError):
            parse_datetime(bad)


def test_parse_date():
    assert parse_date("1990-04-01") == dt.date(1990, 4, 1)
    for bad in ("not-a-date", "1990-02-30", 19900401, None):
        with pytest.raises(GraphQLError):
            parse_date(bad)
