"""Reading settings from an environment, and naming the variable when one is wrong.

pydantic-settings' environment source reads the variables each field names, over any
mapping: ``os.environ`` when serving, a plain dict in tests. A value that does not
validate becomes one line, ``VARIABLE: what is wrong, got 'value'``, the line
``cnop`` prints before it exits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, EnvSettingsSource

from web.config_fields import bounds_of, choices_of, min_length_of, variable_of


class EnvironmentSource(EnvSettingsSource):
    """Only the variables the fields name, matched exactly (``port`` is not ``PORT``);
    values are stripped, and a blank one counts as unset."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self.environ = environ  # read by _load_env_vars, which the base __init__ calls
        super().__init__(settings_cls, case_sensitive=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # The one hook pydantic-settings gives for where variables come from (its
        # dotenv source overrides it too). Filtered here because, with settings also
        # built by field name in code, it would look a field up by its name as well.
        declared = {
            variable_of(name, field) for name, field in self.settings_cls.model_fields.items()
        }
        stripped = {name: self.environ[name].strip() for name in declared & self.environ.keys()}
        return {name: value for name, value in stripped.items() if value}


def one_line(
    error: ValidationError, settings_cls: type[BaseSettings], values: Mapping[str, Any]
) -> str:
    """The first problem, as ``VARIABLE: reason`` (fields validate in declaration order)."""
    first = error.errors()[0]
    key = str(first["loc"][0]) if first["loc"] else ""
    for name, field in settings_cls.model_fields.items():
        variable = variable_of(name, field)
        if key in (name, variable):
            return f"{variable}: {_reason(first, field, values.get(key))}"
    return f"{key}: {first['msg']}"


def _reason(error: ErrorDetails, field: FieldInfo, raw: Any) -> str:
    kind = error["type"]
    context = error.get("ctx", {})
    if kind == "value_error":
        return str(context["error"])
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = bounds_of(field)
        return f"must be between {low} and {high}, got {error['input']}"
    if kind in ("greater_than", "finite_number"):
        return f"must be a positive amount, got {error['input']}"
    if kind == "literal_error":
        return f"expected one of {', '.join(choices_of(field))}, got {raw!r}"
    if kind == "too_short":
        return f"must be at least {min_length_of(field)} characters long"
    return error["msg"]
