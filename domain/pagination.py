"""Relay-style pages: opaque cursors, ``first`` capped, newest-first keyset where it matters."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.errors import BusinessError, ErrorCode

T = TypeVar("T")
U = TypeVar("U")

MAX_PAGE_SIZE = 100


class InvalidPageRequest(BusinessError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(ErrorCode.VALIDATION_FAILED, message, field)


def encode_cursor(kind: str, value: int) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str | None) -> int | None:
    """The position inside a cursor of ours, or InvalidPageRequest for anything else."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        prefix, _, value = base64.urlsafe_b64decode(padded).decode().partition(":")
        if not value.isascii() or not value.isdigit():
            raise ValueError(value)
        position = int(value)
        if prefix != kind or not 0 <= position < 2**62:
            raise ValueError(prefix)
        return position
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise InvalidPageRequest("after", "This cursor is not valid here.") from None


def check_first(first: int) -> int:
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise InvalidPageRequest("first", f"first must be between 0 and {MAX_PAGE_SIZE}.")
    return first


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    total_count: int | None
    """None when counting is deferred to ``count`` (run only if a client asks)."""
    count: Callable[[], Awaitable[int]] | None = None

    async def total(self) -> int:
        if self.total_count is not None:
            return self.total_count
        assert self.count is not None
        return await self.count()

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page(
            [convert(item) for item in self.items],
            self.cursors,
            self.has_next_page,
            self.has_previous_page,
            self.total_count,
            self.count,
        )
