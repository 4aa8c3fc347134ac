"""What PostgreSQL's text can hold: no NUL character, and valid UTF-8 (no lone surrogates)."""

from __future__ import annotations


def storable(text: str) -> bool:
    """False for text PostgreSQL would refuse: asking the database about it can only fail,
    and no row can hold it, so lookups answer "not found" without a round trip."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
