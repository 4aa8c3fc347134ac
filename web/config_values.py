"""How the text of one environment variable becomes a setting's value.

Each parser takes the stripped text the environment holds (values given in Python
pass through untouched) and raises ``ValueError`` with the words start-up prints
after the variable's name. Bounds are not checked here: each field declares its
own (``ge``, ``le``, ``gt``) and pydantic checks them after parsing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_settings import NoDecode

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def _whole_number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"expected a whole number, got {value!r}") from None


def _amount(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"expected a decimal amount such as 10000, got {value!r}") from None


def _flag(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    lowered = value.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _comma_list(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _resolved(path: Path) -> Path:
    return path.resolve()


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
OptionalWholeNumber = Annotated[int | None, BeforeValidator(_whole_number)]
# NaN and infinities are refused with the same words as zero and negative amounts.
Amount = Annotated[Decimal, BeforeValidator(_amount), Field(gt=0, allow_inf_nan=False)]
Flag = Annotated[bool, BeforeValidator(_flag)]
# A choice among Literal values, in any case; the value is kept in the Literal's case.
LowerCase = BeforeValidator(_lower)
UpperCase = BeforeValidator(_upper)
# "a, b,,c" -> ("a", "b", "c"); NoDecode: pydantic-settings would read it as JSON.
CommaList = Annotated[tuple[str, ...], NoDecode, BeforeValidator(_comma_list)]
ResolvedPath = Annotated[Path, AfterValidator(_resolved)]
