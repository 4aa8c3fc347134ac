"""A mutation answers with a payload: what it changed, or the business errors that stopped it.

Every mutation is declared with ``mutation`` below and answers with a type declared
with ``payload``, so a ``BusinessError`` raised anywhere beneath it (a form's every
invalid field included) reaches the client the one same way: as the payload's
``errors``, every other field at its default.
Anything else (not signed in, rate limited, an outage) stays a top-level error,
shaped by schema/extensions/error_discipline.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.extensions.field_extension import AsyncExtensionResolver
from strawberry.types.field import StrawberryField

from domain.errors import BusinessError
from schema.common import UserError, user_errors

T = TypeVar("T")


class ErrorsInPayload(FieldExtension):
    """Answers a BusinessError with the field's payload type, built with ``errors`` only."""

    def apply(self, field: StrawberryField) -> None:
        payload = field.type
        if not callable(payload):
            raise TypeError(f"{field.python_name}: a mutation answers with a payload type")
        self.payload: Callable[..., Any] = payload

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except BusinessError as failure:
            return self.payload(errors=user_errors(failure))


def mutation(*, description: str | None = None) -> Any:
    """``strawberry.mutation`` for a resolver that returns a payload with ``errors``."""
    return strawberry.mutation(description=description, extensions=[ErrorsInPayload()])


@dataclass_transform(kw_only_default=True, field_specifiers=(strawberry.field, StrawberryField))
def payload(cls: type[T]) -> type[T]:
    """A payload type: the fields declared, each with a default, then ``errors``, which
    ``mutation`` fills when a business error stops the mutation."""
    cls.__annotations__["errors"] = list[UserError]
    setattr(cls, "errors", strawberry.field(default_factory=list))  # noqa: B010
    return strawberry.type(cls)
