"""Shapes shared by every part of the schema: user errors, omitted arguments, selections."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry
from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode

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


def given(value: T | None) -> T | None:
    """An omitted optional argument or input field arrives as UNSET, which keeps the
    printed schema free of `= null` defaults the contract does not have: read it as null."""
    return None if value is strawberry.UNSET else value


def selects(info: Any, *path: str) -> bool:
    """Whether the current field's selection reaches ``path`` (fragments included)."""
    raw = info._raw_info
    return _reaches(raw.field_nodes, path, raw.fragments)


def _reaches(nodes: Any, path: tuple[str, ...], fragments: Any) -> bool:
    if not path:
        return True
    for node in nodes:
        for selection in getattr(node.selection_set, "selections", None) or ():
            if isinstance(selection, FieldNode):
                if selection.name.value == path[0] and _reaches([selection], path[1:], fragments):
                    return True
            elif isinstance(selection, InlineFragmentNode):
                if _reaches([selection], path, fragments):
                    return True
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None and _reaches([fragment], path, fragments):
                    return True
    return False


__all__ = [
    "ErrorCode",
    "UserError",
    "given",
    "selects",
    "user_errors",
]
