"""Shapes shared by every part of the schema: user errors, omitted arguments, selections."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.nodes import SelectedField, Selection

from domain.errors import BusinessError
from domain.errors import ErrorCode as DomainErrorCode

strawberry.enum(DomainErrorCode, name="ErrorCode")
ErrorCode = DomainErrorCode

T = TypeVar("T")


@strawberry.type(description="A business failure: the operation changed nothing.")
class UserError:
    code: DomainErrorCode
    message: str = strawberry.field(description="A sentence a person can act on.")
    field: str | None = strawberry.field(
        description=(
            'The input field at fault, in the input\'s own spelling (e.g. "quantity"), or null.'
        )
    )

    @classmethod
    def from_business(cls, error: BusinessError) -> UserError:
        return cls(code=error.code, message=error.message, field=error.field)


def user_errors(failure: BusinessError) -> list[UserError]:
    return [UserError.from_business(error) for error in failure.errors]


Convert = Callable[[Any], Any] | None


@cache
def _read_fields(cls: type) -> tuple[tuple[str, Convert], ...]:
    """The fields of ``cls`` that have no default (those a source must provide), each
    with how a source's value becomes the field's: a stored word its enum member (by
    name: a dict lookup), an integer id the ``ID`` a client sees; anything else as is."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    published = {field.python_name: field.type for field in definition.fields}
    return tuple(
        (field.name, _conversion(published.get(field.name)))
        for field in dataclasses.fields(cls)
        if field.init
        and field.default is dataclasses.MISSING
        and field.default_factory is dataclasses.MISSING
    )


def _conversion(published: object) -> Convert:
    if published is strawberry.ID:
        return lambda value: strawberry.ID(str(value))
    if isinstance(published, StrawberryEnumDefinition):
        words = published.wrapped_cls
        return lambda value: value if isinstance(value, words) else words[value]
    return None


def from_attributes(cls: Callable[..., T], source: object, **values: Any) -> T:
    """An instance of the Strawberry type ``cls``, for a type that mirrors a model or a
    domain value: each field without a default and not in ``values`` is ``source``'s
    attribute of the same name, as the field's type reads it (see ``_read_fields``)."""
    for name, convert in _read_fields(cls):
        if name not in values:
            value = getattr(source, name)
            values[name] = value if convert is None else convert(value)
    return cls(**values)


def given(value: T | None) -> T | None:
    """An omitted optional argument or input field arrives as UNSET, which keeps the
    printed schema free of `= null` defaults the contract does not have: read it as null."""
    return None if value is strawberry.UNSET else value


def selects(info: strawberry.Info, *path: str) -> bool:
    """Whether the current field's selection reaches ``path`` (fragments included)."""
    return any(_reaches(field.selections, path) for field in info.selected_fields)


def _reaches(selections: Iterable[Selection], path: tuple[str, ...]) -> bool:
    if not path:
        return True
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == path[0] and _reaches(selection.selections, path[1:]):
                return True
        elif _reaches(selection.selections, path):  # a fragment: same level, same path
            return True
    return False


__all__ = [
    "ErrorCode",
    "UserError",
    "from_attributes",
    "given",
    "selects",
    "user_errors",
]
