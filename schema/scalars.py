"""Wire formats: Decimal as a string only, DateTime always with an explicit UTC offset."""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types.scalar import ScalarDefinition

from domain.money import decimal_text

DECIMAL_TEXT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def parse_decimal(value: Any) -> decimal.Decimal:
    # A JSON number may already have been rounded through a float on its way here.
    if not isinstance(value, str):
        raise GraphQLError(
            'Decimal values must be sent as strings, e.g. "12.50", never as JSON numbers.'
        )
    text = value.strip()
    if len(text) > 40 or not DECIMAL_TEXT.fullmatch(text):
        raise GraphQLError(f'"{value[:40]}" is not a decimal number such as "12.50".')
    return decimal.Decimal(text)


serialize_decimal = decimal_text
"""Exact, with at least two decimal places; shared with the CSV exports."""


def parse_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise GraphQLError("DateTime values must be ISO-8601 strings.")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(
            f'"{value[:40]}" is not an ISO-8601 timestamp such as "2026-11-28T09:30:00+00:00".'
        ) from None
    if parsed.tzinfo is None:
        raise GraphQLError("DateTime values need a UTC offset, e.g. +00:00 or Z.")
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:
        raise GraphQLError(f'"{value[:40]}" is outside the range of dates we can handle.') from None


def serialize_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime reached the API")
    return value.astimezone(dt.UTC).isoformat()


def parse_date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise GraphQLError('Date values must be ISO-8601 strings such as "1990-04-01".')
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise GraphQLError(f'"{value[:40]}" is not a date such as "1990-04-01".') from None


DecimalScalar: ScalarDefinition = strawberry.scalar(
    name="Decimal",
    description=(
        'A decimal number carried as a JSON string, e.g. "1166.17", so that no client '
        "rounds it through a float."
    ),
    serialize=serialize_decimal,
    parse_value=parse_decimal,
)

DateTimeScalar: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description=(
        'An ISO-8601 timestamp with an explicit UTC offset, e.g. "2026-11-28T09:30:00+00:00".'
    ),
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

DateScalar: ScalarDefinition = strawberry.scalar(
    name="Date",
    description='An ISO-8601 calendar date, e.g. "1990-04-01".',
    serialize=lambda value: value.isoformat(),
    parse_value=parse_date,
)

SCALARS: dict[object, ScalarDefinition] = {
    decimal.Decimal: DecimalScalar,
    dt.datetime: DateTimeScalar,
    dt.date: DateScalar,
}
