"""Relay pagination: one generic connection of cursor pages, named after its nodes.

``Connection[Order]`` prints as ``OrderConnection`` with ``OrderEdge`` edges: every
list field with ``first``/``after`` answers through the same three types and the
same builder, ``Connection.of``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, Generic, Self, TypedDict, TypeVar

import strawberry

from domain.pagination import Page
from schema.common import given
from schema.public import PUBLIC

NodeT = TypeVar("NodeT")

HISTORY_PAGE_SIZE = 20
"""``first`` when a client leaves it out of a user's own history (orders, the ledger)."""
CATALOGUE_PAGE_SIZE = 50
"""``first`` when a client leaves it out of the asset catalogue."""


class PageRequest(TypedDict):
    first: int
    after: str | None


def page_request(first: int | None, after: str | None, default: int) -> PageRequest:
    """The page a field's ``first`` and ``after`` ask for. An explicit ``first: null``
    asks for the default page, as leaving it out does."""
    return {"first": default if first is None else first, "after": given(after)}


@strawberry.type(directives=[PUBLIC])
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: Sequence[Edge[NodeT]]
    page_info: PageInfo
    page: strawberry.Private[Page[Any]]
    edge: ClassVar[type[Edge[Any]]] = Edge

    @strawberry.field
    async def total_count(self) -> int:
        """Counted only when asked for: a long history makes counting the dearest part."""
        return await self.page.total()

    @classmethod
    def of(cls, page: Page[Any], nodes: Iterable[NodeT]) -> Self:
        """The page's items as ``nodes`` (one per item, in order), with their cursors."""
        return cls(
            edges=[
                cls.edge(cursor=cursor, node=node)
                for cursor, node in zip(page.cursors, nodes, strict=True)
            ],
            page_info=PageInfo.of(page),
            page=page,
        )


# The GraphQL names "Edge" and "Connection" again: a specialisation is named after its
# nodes and its generic's name, so ``PublicConnection[Asset]`` prints as AssetConnection.
@strawberry.type(name="Edge", directives=[PUBLIC])
class PublicEdge(Edge[NodeT]):
    """An edge to a public node is public too (schema/public.py)."""


@strawberry.type(name="Connection", directives=[PUBLIC])
class PublicConnection(Connection[NodeT]):
    """A connection of public nodes, public itself: the same for every caller."""

    edges: Sequence[PublicEdge[NodeT]]
    edge: ClassVar[type[Edge[Any]]] = PublicEdge
