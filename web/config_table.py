"""The configuration table of docs/configuration.md, rendered from the settings' fields.

``cnop print-config-table`` prints it; a test keeps the document equal to it, so a
setting's variable, default, bounds and meaning are written once, in web/config.py.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from web.config import PROJECT_ROOT, Settings
from web.config_fields import (
    SHOWN_DEFAULT,
    SHOWN_VARIABLE,
    bounds_of,
    choices_of,
    extra_of,
    is_positive,
    min_length_of,
    variable_of,
)

HEADER = "| variable | default | accepted | meaning |\n|---|---|---|---|"


def _shown_value(value: object) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return ", ".join(f"`{item}`" for item in value) or "none"
    if isinstance(value, Path):
        return f"`{value.relative_to(PROJECT_ROOT)}`"
    if isinstance(value, int | str | Decimal):
        return f"`{value}`"
    raise ValueError(f"{value!r}: give the field a shown default")


def _default(field: FieldInfo) -> str:
    shown = extra_of(field, SHOWN_DEFAULT)
    if shown is not None:
        return shown
    if field.default is PydanticUndefined:
        raise ValueError("a default computed from other settings needs a shown default")
    return _shown_value(field.default)


def _accepted(field: FieldInfo) -> str:
    """What the value may be, as the field declares it: bounds, choices, length."""
    low, high = bounds_of(field)
    if low is not None and high is not None:
        return f"{low} to {high}"
    if is_positive(field):
        return "positive"
    if choices := choices_of(field):
        return ", ".join(f"`{choice}`" for choice in choices)
    if (length := min_length_of(field)) is not None:
        return f"at least {length} characters"
    return ""


def _row(name: str, field: FieldInfo) -> str:
    variable = extra_of(field, SHOWN_VARIABLE) or f"`{variable_of(name, field)}`"
    # A description is the field's docstring: its line breaks are the source's, not the table's.
    meaning = " ".join((field.description or "").split())
    cells = (variable, _default(field), _accepted(field), meaning)
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def configuration_table() -> str:
    """The markdown table of every setting, in the order web/config.py declares them."""
    rows = [_row(name, field) for name, field in Settings.model_fields.items()]
    return "\n".join([HEADER, *rows]) + "\n"
