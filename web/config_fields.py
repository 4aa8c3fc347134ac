"""What one settings field declares: its variable, bounds, choices and documented default.

Read by the start-up error line and by the configuration table, so that both say what
the declaration in web/config.py says.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

import annotated_types
from pydantic.fields import FieldInfo

SHOWN_DEFAULT = "shown_default"
"""json_schema_extra key: the default as the table says it, where the value cannot."""
SHOWN_VARIABLE = "shown_variable"
"""json_schema_extra key: the variables a field is derived from, when it has no own."""


def variable_of(name: str, field: FieldInfo) -> str:
    alias = field.validation_alias
    return alias if isinstance(alias, str) else name.upper()


def _constraint(field: FieldInfo, kind: type[Any], attribute: str) -> Any:
    for item in field.metadata:
        if isinstance(item, kind):
            return getattr(item, attribute)
    return None


def bounds_of(field: FieldInfo) -> tuple[Any, Any]:
    """The inclusive (low, high) a whole number must lie in; None where unbounded."""
    return _constraint(field, annotated_types.Ge, "ge"), _constraint(
        field, annotated_types.Le, "le"
    )


def min_length_of(field: FieldInfo) -> int | None:
    found = _constraint(field, annotated_types.MinLen, "min_length")
    return None if found is None else int(found)


def is_positive(field: FieldInfo) -> bool:
    return bool(_constraint(field, annotated_types.Gt, "gt") == 0)


def choices_of(field: FieldInfo) -> tuple[str, ...]:
    """The values a Literal field accepts, in the order declared; () for any other."""
    if get_origin(field.annotation) is not Literal:
        return ()
    return tuple(str(choice) for choice in get_args(field.annotation))


def extra_of(field: FieldInfo, key: str) -> str | None:
    extra = field.json_schema_extra
    if not isinstance(extra, dict):
        return None
    value = extra.get(key)
    return None if value is None else str(value)
