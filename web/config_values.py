"""How the text of one environment variable becomes a setting's value.

Each parser takes the stripped text the environment holds (values given in Python
pass through untouched) and raises ``ValueError`` with the words start-up prints
after the variable's name. Bounds are not checked here: each field declares its
own (``ge``, ``le``, ``gt``) and pydantic checks them after parsing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_settings import NoDecode

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")


def _text_parser(parse: Callable[[str], Any], expected: str) -> BeforeValidator:
    """Parses text with ``parse``; a value given in Python is left to pydantic."""

    def parse_text(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return parse(value)
        except (ValueError, InvalidOperation):
            raise ValueError(f"expected {expected}, got {value!r}") from None

    return BeforeValidator(parse_text)


def _flag(text: str) -> bool:
    lowered = text.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    raise ValueError(text)


def _text_normaliser(normalise: Callable[[str], Any]) -> BeforeValidator:
    return BeforeValidator(lambda value: normalise(value) if isinstance(value, str) else value)


def _comma_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _resolved(path: Path) -> Path:
    return path.resolve()


_WHOLE_NUMBER = _text_parser(int, "a whole number")
WholeNumber = Annotated[int, _WHOLE_NUMBER]
OptionalWholeNumber = Annotated[int | None, _WHOLE_NUMBER]
# NaN and infinities are refused with the same words as zero and negative amounts.
Amount = Annotated[
    Decimal,
    _text_parser(Decimal, "a decimal amount such as 10000"),
    Field(gt=0, allow_inf_nan=False),
]
Flag = Annotated[bool, _text_parser(_flag, "true or false")]
# A choice among Literal values, in any case; the value is kept in the Literal's case.
LowerCase = _text_normaliser(str.lower)
UpperCase = _text_normaliser(str.upper)
# "a, b,,c" -> ("a", "b", "c"); NoDecode: pydantic-settings would read it as JSON.
CommaList = Annotated[tuple[str, ...], NoDecode, _text_normaliser(_comma_list)]
ResolvedPath = Annotated[Path, AfterValidator(_resolved)]
