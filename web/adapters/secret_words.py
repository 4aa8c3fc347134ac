"""Reads the red-pocket secret words: {"secret_words": [...], "amounts": [...]}, paired by index.

A missing or malformed file is logged and leaves the game with no secret words:
guessing still works (every phrase is a wrong guess), and start-up goes on.

An adapter at the edge, beside the settings that name the file: it checks amounts by
the domain's money rules, which persistence (where the sample file ships, in
persistence/red_pocket/) may not import.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from domain.money import decimal_places
from web.config import SAMPLE_RED_POCKET_CONFIG

log = logging.getLogger("cnop.red_pocket")

DEFAULT_CONFIG = SAMPLE_RED_POCKET_CONFIG


class MalformedConfig(ValueError):
    pass


def _amount(raw: Any) -> Decimal:
    # Amounts may be JSON strings ("88.88") or numbers; floats are parsed as Decimal, never float.
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise MalformedConfig(f"amount {raw!r} is not a decimal")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise MalformedConfig(f"amount {raw!r} is not a decimal") from None
    if not amount.is_finite() or amount <= 0 or decimal_places(amount) > 2:
        raise MalformedConfig(f"amount {raw!r} must be positive, in whole cents")
    return amount.quantize(Decimal("0.01"))


def parse_secret_words(document: Any) -> dict[str, Decimal]:
    if not isinstance(document, dict):
        raise MalformedConfig("expected an object with secret_words and amounts")
    words, amounts = document.get("secret_words"), document.get("amounts")
    if not isinstance(words, list) or not isinstance(amounts, list):
        raise MalformedConfig("secret_words and amounts must both be lists")
    if len(words) != len(amounts):
        raise MalformedConfig(f"{len(words)} secret words but {len(amounts)} amounts")
    prizes: dict[str, Decimal] = {}
    for word, raw in zip(words, amounts, strict=True):
        if not isinstance(word, str) or not word.strip():
            raise MalformedConfig(f"secret word {word!r} is not a non-blank string")
        phrase = word.strip()
        if phrase in prizes:
            raise MalformedConfig(f"secret word {phrase!r} appears twice")
        prizes[phrase] = _amount(raw)
    return prizes


def load_secret_words(path: Path) -> dict[str, Decimal]:
    """The secret phrases (trimmed) and their amounts; empty when the file cannot be used."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
        prizes = parse_secret_words(document)
    except FileNotFoundError:
        log.warning("red pocket: no config at %s; the game runs with no secret words", path)
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, MalformedConfig) as problem:
        log.warning(
            "red pocket: cannot use %s (%s); the game runs with no secret words", path, problem
        )
        return {}
    log.info("red pocket: %d secret words from %s", len(prizes), path)
    return prizes
