"""JSON text written elsewhere (by the database) and placed in an answer as it is.

A completed value may be ``JsonText``: the response encoder (web/graphql_app.py)
splices its text into the body without parsing it, so it must already be written
exactly as the encoder would write the same value (compact, keys in response order).
"""

from __future__ import annotations


class JsonText:
    # Not a dataclass: orjson would write a dataclass as an object of its fields.
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text
