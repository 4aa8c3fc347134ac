"""Hostile documents: fragments that each spread the one before twice."""

from __future__ import annotations


def chain(levels: int, leaf: str = "__typename", on: str = "Query", step: str = "") -> str:
    """Fragments that each spread the one before twice: 2^levels leaves, expanded."""
    step = step or "...F{p} ...F{p}"
    fragments = [f"fragment F0 on {on} {{ {leaf} }}"]
    fragments += [
        f"fragment F{i} on {on} {{ {step.replace('{p}', str(i - 1))} }}"
        for i in range(1, levels + 1)
    ]
    return " ".join(fragments)


DOUBLING = {
    "typename chain": chain(24) + " query { ...F24 }",
    "longest chain the token limit lets through": chain(190) + " query { ...F190 }",
    "spread inside a nested field": chain(24, "id", "User") + " query { me { ...F24 } }",
    "aliases": chain(24, "a: __typename") + " query { ...F24 }",
    "inline fragments": chain(24, step="... on Query { ...F{p} } ... { ...F{p} }")
    + " query { ...F24 }",
    "in an unused fragment": chain(24) + " query { __typename }",
    "each level a field too": chain(24, step="__typename ...F{p} ...F{p}") + " query { ...F24 }",
    "inline fragments inside an object field": chain(
        24, "symbol", "Asset", "...F{p} ... on Asset { ...F{p} }"
    )
    + ' query { asset(symbol: "BTC") { ...F24 } }',
}
