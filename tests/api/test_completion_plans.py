"""Completion plans answer byte for byte what standard execution answers.

Every query the web app sends (frontend/src/api/operations.ts, as sent: with the
`__typename` fields urql's cache adds, and as written), and a generated corpus of
selections over a page of orders (aliases, `__typename`, named and inline fragments,
repeated fields, `@skip`/`@include` with variables, nulls), run both ways against the
same data: once as served, once with plans turned off. The HTTP bodies must be equal.
As served, a page of orders whose whole selection is covered is the JSON PostgreSQL
builds (schema/order_json.py): the tests check that those answers really are built so.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from graphql import (
    FieldNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Visitor,
    parse,
    print_ast,
    visit,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema import plans
from schema.order_json import OrdersRead
from tests.support.paths import FRONTEND_OPERATIONS as OPERATIONS
from tests.support.plans import DATABASE_CLOCK, body, both_ways


def app_documents() -> dict[str, str]:
    """Each operation of the web app with the fragments it spreads, as codegen sends it."""
    sources = re.findall(r"graphql\(`(.*?)`\)", OPERATIONS.read_text(), flags=re.S)
    fragments: dict[str, str] = {}
    operations: dict[str, str] = {}
    for source in sources:
        definition = parse(source).definitions[0]
        name = definition.name.value  # type: ignore[attr-defined]
        if isinstance(definition, OperationDefinitionNode):
            operations[name] = source
        else:
            fragments[name] = source
    documents = {}
    for name, source in operations.items():
        needed: list[str] = []
        pending = re.findall(r"\.\.\.(\w+)", source)
        while pending:
            fragment = pending.pop()
            if fragment not in needed:
                needed.append(fragment)
                pending += re.findall(r"\.\.\.(\w+)", fragments[fragment])
        documents[name] = "\n".join([source, *(fragments[f] for f in needed)])
    return documents


class _AddTypename(Visitor):
    """What urql's graphcache does to every document: `__typename` in every selection set."""

    def leave_selection_set(self, node: SelectionSetNode, *_: object) -> SelectionSetNode:
        typename = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())
        return SelectionSetNode(selections=(*node.selections, typename))


def with_typename(document: str) -> str:
    ast = visit(parse(document), _AddTypename())
    return print_ast(ast)


def is_query(document: str) -> bool:
    return any(
        isinstance(d, OperationDefinitionNode) and d.operation == OperationType.QUERY
        for d in parse(document).definitions
    )


async def _not_built(self: OrdersRead, description: Any) -> None:
    return None


async def test_every_query_of_the_web_app_answers_the_same_both_ways(
    client, plans_trader, sql_built
):
    user, symbols = plans_trader
    variables = {"symbol": symbols[0], "symbols": symbols, "first": 5, "range": "ONE_WEEK"}
    queries = {name: doc for name, doc in app_documents().items() if is_query(doc)}
    assert {"OrderHistory", "OpenOrders", "Dashboard", "TradeContext"} <= queries.keys()
    for name, document in queries.items():
        declared = re.findall(r"\$(\w+)\s*:", document)
        given_ = {key: value for key, value in variables.items() if key in declared}
        # Once first: an answer that differs between the first call and later ones by
        # design (insights' `cached`) must not look like a difference between the two ways.
        await body(client, document, given_, user.token)
        for query in (document, with_typename(document)):
            mask = DATABASE_CLOCK.get(name)
            answer = json.loads(await both_ways(client, query, given_, user.token, mask))
            assert answer.get("data") is not None, (name, answer)
    # The dashboard's recent orders (OrderHistory and OpenOrders ask for totalCount).
    assert sql_built.count(True) >= 2


async def test_the_nested_read_skips_per_field_completion(client, plans_trader, monkeypatch):
    """Not a vacuous comparison: the page really is built by its plan."""
    user, _ = plans_trader
    calls = 0
    standard = StrawberryGraphQLCoreExecutionContext.complete_value

    def counting(self: Any, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        return standard(self, *args)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_value", counting)
    query = (
        "{ me { orders(first: 100) { edges { node {"
        " id side quantity executedPrice asset { symbol price } } } } } }"
    )
    planned = json.loads(await body(client, query, {}, user.token))
    assert len(planned["data"]["me"]["orders"]["edges"]) == 11
    assert calls < 10  # me, orders: the connection below them is one plan
    calls = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plans.PlannedExecutor, "_plan", lambda *_: None)
        await body(client, query, {}, user.token)
    assert calls > 11 * 7


async def test_a_null_where_the_schema_forbids_it_is_reported_as_before(
    client, plans_trader, monkeypatch
):
    """A surprise inside a planned page falls back to standard execution and its error."""
    from schema.trading import Order

    user, _ = plans_trader
    original = Order.from_row

    def broken(row: Any, asset: Any) -> Order:
        order = original(row, asset)
        if row["status"] == "OPEN":
            order.side = None  # type: ignore[assignment]
        return order

    monkeypatch.setattr(Order, "from_row", staticmethod(broken))
    # The page read as rows: the database's JSON never goes through Order.from_row.
    monkeypatch.setattr(OrdersRead, "built", _not_built)
    query = "{ me { orders(first: 20) { edges { cursor node { id side } } } } }"
    answer = json.loads(await both_ways(client, query, {}, user.token))
    assert answer["data"]["me"] is None
    assert answer["errors"][0]["path"][:4] == ["me", "orders", "edges", 0]


# A generated corpus: selections over a page of orders, built from these pieces.
ORDER_LEAVES = [
    "id", "clientOrderId", "side", "type", "status", "quantity", "limitPrice",
    "executedPrice", "total", "createdAt", "filledAt", "cancelledAt", "__typename",
]  # fmt: skip
ASSET_LEAVES = [
    "symbol", "name", "price", "category", "imageUrl", "isTradable", "marketCap",
    "marketCapRank", "priceChange24h", "allTimeHighAt", "maxSupply", "__typename",
]  # fmt: skip
PAGE_INFO = ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"]

alias = st.sampled_from(["", "a: ", "b: ", "x1: "])
directive = st.sampled_from(
    [
        "",
        "",
        "",
        " @include(if: $yes)",
        " @skip(if: $yes)",
        " @include(if: $no)",
        " @skip(if: false)",
    ]
)


def selection(
    leaves: list[str], nested: st.SearchStrategy[str] | None = None
) -> st.SearchStrategy[str]:
    field = st.builds(lambda a, f, d: f"{a}{f}{d}", alias, st.sampled_from(leaves), directive)
    parts = [field] if nested is None else [field, nested]
    return st.lists(st.one_of(*parts), min_size=1, max_size=8).map(" ".join)


asset_selection = selection(ASSET_LEAVES)
asset_field = st.builds(lambda a, s, d: f"{a}asset{d} {{ {s} }}", alias, asset_selection, directive)
order_selection = selection(ORDER_LEAVES, asset_field)
order_selection_fragmented = st.one_of(
    order_selection,
    order_selection.map(lambda s: f"... on Order {{ {s} }}"),
    order_selection.map(lambda s: f"...OrderBits {s}"),
)
edge_selection = st.lists(
    st.one_of(
        st.builds(lambda a, d: f"{a}cursor{d}", alias, directive),
        st.builds(
            lambda a, s, d: f"{a}node{d} {{ {s} }}", alias, order_selection_fragmented, directive
        ),
        st.just("__typename"),
    ),
    min_size=1,
    max_size=4,
).map(" ".join)
connection_selection = st.lists(
    st.one_of(
        st.builds(lambda a, s: f"{a}edges {{ {s} }}", alias, edge_selection),
        st.builds(lambda s: f"pageInfo {{ {s} }}", selection(PAGE_INFO)),
        st.just("__typename"),
    ),
    min_size=1,
    max_size=3,
).map(" ".join)
documents = st.builds(
    lambda first, s, bits: (
        "query($yes: Boolean!, $no: Boolean!) { me { id "
        f"orders(first: {first}) {{ {s} }} }} }}\n"
        f"fragment OrderBits on Order {{ {bits} }}"
    ),
    st.sampled_from([1, 3, 20]),
    connection_selection,
    order_selection,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=documents)
async def test_generated_selections_answer_the_same_both_ways(
    client, plans_trader, sql_built, document
):
    user, _ = plans_trader
    sql_built.clear()
    answer = json.loads(await both_ways(client, document, {"yes": True, "no": False}, user.token))
    if answer.get("data") is None:
        return  # not executed (a fragment or variable left unused is invalid)
    # Without a directive in what runs, the whole selection is covered: the database built it.
    operation, bits = document.split("\nfragment OrderBits on Order ")
    directives = "@" in operation or ("...OrderBits" in operation and "@" in bits)
    assert sql_built == ([] if directives else [True]), document
