"""Operation measures: linear in the document, equal to the expanded document's, quick on
fragment doubling chains and cycles; and what validating a hostile document may cost."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from graphql import GraphQLError, build_schema, get_introspection_query, parse, specified_rules
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.type import GraphQLNamedType, GraphQLObjectType, GraphQLSchema, get_named_type
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from strawberry.schema.schema import validate_document

from schema.extensions.operation_limits import OperationLimits, limits_rule, refusals
from schema.extensions.operation_measure import (
    MULTIPLIER_ARGUMENTS,
    SATURATED,
    measure_document,
    repeated_pairs,
)
from schema.schema import build_schema as build_app_schema
from tests.support.documents import DOUBLING
from tests.support.paths import FRONTEND_OPERATIONS

# ------------------------------------------------------------------ the measure itself

APP_SCHEMA = build_app_schema()._schema


def test_the_longest_chain_measures_in_a_blink_and_saturates():
    document = parse(DOUBLING["longest chain the token limit lets through"], max_tokens=2000)
    started = time.perf_counter()
    measure = measure_document(APP_SCHEMA, document)
    assert time.perf_counter() - started < 0.5
    ((_, shape),) = measure.operations
    assert shape.fields == SATURATED
    assert shape.selections == SATURATED
    assert repeated_pairs(measure, 2000) is None  # over the visit budget, not expanded


def test_fragment_cycles_end():
    document = parse(
        "fragment A on Query { __typename ...B ...B } fragment B on Query { me { id } ...A } "
        "query { ...A }"
    )
    measure = measure_document(APP_SCHEMA, document)
    # The spread that closes the cycle (B's ...A) counts nothing; NoFragmentCycles refuses it.
    assert [(d.name.value, shape.fields) for d, shape in measure.fragments] == [("B", 2), ("A", 5)]
    assert repeated_pairs(measure, 10_000) is not None


def _frontend_documents() -> list[str]:
    if not FRONTEND_OPERATIONS.exists():
        pytest.skip("no frontend sources here")
    texts = re.findall(r"graphql\(`(.*?)`\)", FRONTEND_OPERATIONS.read_text(), re.DOTALL)
    fragments = {
        match.group(1): text
        for text in texts
        if (match := re.match(r"\s*fragment (\w+)", text)) is not None
    }

    def with_fragments(text: str, seen: dict[str, str]) -> dict[str, str]:
        for name in re.findall(r"\.\.\.(\w+)", text):
            if name in fragments and name not in seen:
                seen[name] = fragments[name]
                with_fragments(fragments[name], seen)
        return seen

    return [
        text + "\n".join(with_fragments(text, {}).values())
        for text in texts
        if not text.lstrip().startswith("fragment")
    ]


def test_introspection_and_every_frontend_document_pass():
    limits = OperationLimits()
    # Every option on: the largest introspection document graphql-core writes.
    options = ("specified_by_url", "directive_is_repeatable", "schema_description")
    introspection = get_introspection_query(
        descriptions=True, input_value_deprecation=True, **dict.fromkeys(options, True)
    )
    documents = [introspection, *_frontend_documents()]
    assert len(documents) > 20
    for text in documents:
        document = parse(text)
        assert refusals(APP_SCHEMA, document, limits) == (), text
        ((operation, shape),) = measure_document(APP_SCHEMA, document).operations
        # Room to grow: the largest (introspection) uses about half of the selections.
        assert shape.selections < limits.max_selections * 0.6, operation.name


# ------------------------------------------------------------------ linear == expanded

TEST_SCHEMA = build_schema(
    """
    type Query { node: Node page(first: Int = 3): Node list(limit: Int): Node
                 free(first: Int): Node s: Int }
    type Node { node: Node page(first: Int = 3): Node list(limit: Int): Node
                free(first: Int): Node s: Int }
    """
)


def _naive(schema: GraphQLSchema, document: DocumentNode, values: dict[str, Any]) -> dict[str, int]:
    """Expands every spread where it stands: exponential, fine for small documents."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    (operation,) = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    declared = {
        v.variable.name.value: int(v.default_value.value)
        for v in operation.variable_definitions or ()
        if isinstance(v.default_value, IntValueNode)
    }
    totals = {"depth": 0, "aliases": 0, "fields": 0, "selections": 0, "root_fields": 0}

    def multiplier(field: FieldNode, definition: Any) -> int | None:
        for argument in field.arguments or ():
            name = argument.name.value
            if name not in MULTIPLIER_ARGUMENTS:
                continue
            if isinstance(argument.value, IntValueNode):
                return max(1, int(argument.value.value))
            if isinstance(argument.value, VariableNode):
                value = values.get(argument.value.name.value)
                if not isinstance(value, int) or isinstance(value, bool):
                    value = declared.get(argument.value.name.value)
                if value is None:
                    value = definition.args[name].default_value
                if not isinstance(value, int):  # no default in the schema either
                    value = MULTIPLIER_ARGUMENTS[name]
                return max(1, value)
            return MULTIPLIER_ARGUMENTS[name]
        for name in MULTIPLIER_ARGUMENTS:
            argument = definition.args.get(name)
            if argument is not None and isinstance(argument.default_value, int):
                return max(1, argument.default_value)
        return None

    def cost(selection_set: SelectionSetNode, scope: GraphQLNamedType | None, depth: int) -> int:
        totals["depth"] = max(totals["depth"], depth)
        total = 0
        for selection in selection_set.selections:
            totals["selections"] += 1
            if isinstance(selection, FieldNode):
                totals["fields"] += 1
                totals["root_fields"] += depth == 1
                totals["aliases"] += selection.alias is not None
                if selection.selection_set is None:
                    continue
                assert isinstance(scope, GraphQLObjectType)
                definition = scope.fields[selection.name.value]
                inner = cost(selection.selection_set, get_named_type(definition.type), depth + 1)
                paged = multiplier(selection, definition)
                total += 1 + (inner if paged is None else paged * max(inner, 1))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner_scope = schema.get_type(condition.name.value) if condition else scope
                total += cost(selection.selection_set, inner_scope, depth)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments[selection.name.value]
                total += cost(
                    fragment.selection_set,
                    schema.get_type(fragment.type_condition.name.value),
                    depth,
                )
        return total

    root = schema.query_type
    totals["cost"] = cost(operation.selection_set, root, 1)
    return totals


def _naive_pairs(schema: GraphQLSchema, document: DocumentNode) -> int:
    """Pairs of fields at the same response path, over every operation and fragment."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }

    def paths(selection_set: SelectionSetNode, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
        found: list[tuple[str, ...]] = []
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                path = (*prefix, (selection.alias or selection.name).value)
                found.append(path)
                if selection.selection_set is not None:
                    found += paths(selection.selection_set, path)
            elif isinstance(selection, InlineFragmentNode):
                found += paths(selection.selection_set, prefix)
            elif isinstance(selection, FragmentSpreadNode):
                found += paths(fragments[selection.name.value].selection_set, prefix)
        return found

    pairs = 0
    for definition in document.definitions:
        counts: dict[tuple[str, ...], int] = {}
        for path in paths(definition.selection_set, ()):  # type: ignore[attr-defined]
            counts[path] = counts.get(path, 0) + 1
        pairs += sum(count * (count - 1) // 2 for count in counts.values())
    return pairs


ARGUMENTS = {
    "node": st.just(""),
    "page": st.sampled_from(["", "(first: 2)", "(first: 0)", "(first: $a)", "(first: $b)"]),
    "list": st.sampled_from(["", "(limit: 7)", "(limit: $a)", "(limit: null)"]),
    "free": st.sampled_from(["", "(first: $b)", "(first: 4)"]),
}


@st.composite
def selection_sets(draw: st.DrawFn, fragments: int, depth: int) -> str:
    selections = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(
                ["scalar", "object", "spread", "inline"] if fragments else ["scalar", "object"]
            )
        )
        alias = draw(st.sampled_from(["", "", "x: ", "y: "]))
        if kind == "scalar" or (kind == "object" and depth == 0):
            selections.append(f"{alias}s")
        elif kind == "object":
            name = draw(st.sampled_from(sorted(ARGUMENTS)))
            inner = draw(selection_sets(fragments, depth - 1))
            selections.append(f"{alias}{name}{draw(ARGUMENTS[name])} {inner}")
        elif kind == "spread":
            selections.append(f"...F{draw(st.integers(0, fragments - 1))}")
        else:
            condition = draw(st.sampled_from(["", "on Node "]))
            selections.append(f"... {condition}{draw(selection_sets(fragments, depth))}")
    return "{ " + " ".join(selections) + " }"


@st.composite
def documents(draw: st.DrawFn) -> str:
    count = draw(st.integers(0, 4))
    parts = [
        f"fragment F{i} on Node {draw(selection_sets(i, draw(st.integers(0, 2))))}"
        for i in range(count)
    ]
    # The operation's fields hold the spreads: fragments are on Node, not on Query.
    body = draw(st.lists(st.sampled_from(sorted(ARGUMENTS)), min_size=1, max_size=3))
    root = " ".join(
        f"{name}{draw(ARGUMENTS[name])} {draw(selection_sets(count, 2))}" for name in body
    )
    return " ".join([*parts, f"query($a: Int = 5, $b: Int) {{ s {root} }}"])


variable_values = st.fixed_dictionaries(
    {},
    optional={
        "a": st.one_of(st.integers(-3, 300), st.none(), st.booleans(), st.just("12")),
        "b": st.one_of(st.integers(-3, 300), st.none()),
    },
)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(documents(), variable_values)
def test_the_linear_measure_equals_the_expanded_one(text, values):
    document = parse(text)
    expected = _naive(TEST_SCHEMA, document, values)
    measure = measure_document(TEST_SCHEMA, document)
    ((operation, shape),) = measure.operations
    assert {
        "depth": shape.depth,
        "aliases": shape.aliases,
        "fields": shape.fields,
        "selections": shape.selections,
        "root_fields": shape.root_fields,
        "cost": measure.cost(operation, shape, values),
    } == expected
    assert repeated_pairs(measure, 10**9) == _naive_pairs(TEST_SCHEMA, document)


# ------------------------------------------------------------------ what validation may cost


def _validate_as_served(text: str) -> tuple[float, list[str]]:
    """Parse and validate as OperationLimitsExtension has it done: seconds, error codes."""
    limits = OperationLimits()
    document = parse(text, max_tokens=limits.max_tokens)
    started = time.perf_counter()
    rule = limits_rule(limits)
    refused = refusals(APP_SCHEMA, document, limits)
    rules = (rule,) if refused else (*specified_rules, rule)
    errors = validate_document(APP_SCHEMA, document, rules)
    codes = [str((error.extensions or {}).get("code")) for error in errors]
    return time.perf_counter() - started, codes


def test_repeated_fields_are_refused_before_graphql_core_compares_them():
    # 62,250 pairs for OverlappingFieldsCanBeMergedRule: about half a second.
    elapsed, codes = _validate_as_served("{ " + "me { id } " * 250 + "}")
    assert codes == ["QUERY_TOO_COMPLEX"]
    assert elapsed < 0.25
    fragments = " ".join(f"fragment F{i} on Query {{ me {{ id }} }}" for i in range(60))
    spreads = " ".join(f"...F{i}" for i in range(60))
    _, codes = _validate_as_served(f"{fragments} query {{ {spreads} }}")
    assert codes == ["QUERY_TOO_COMPLEX"]


FIELDS = [
    "__typename",
    "me { id }",
    'asset(symbol: "BTC") { symbol price }',
    'asset(symbol: "ETH") { symbol }',
    "assets(first: 2) { edges { node { symbol } } }",
    "me { orders(first: 3) { edges { node { id asset { symbol } } } } }",
    "__schema { types { name } }",
]


@st.composite
def hostile_documents(draw: st.DrawFn) -> str:
    """Documents within the token limit shaped to make validation slow."""
    family = draw(st.sampled_from(["repeat", "fragments", "dag", "cycle", "directives", "inline"]))
    count = draw(st.integers(1, 400))
    field = draw(st.sampled_from(FIELDS))
    if family == "repeat":
        return "{ " + " ".join([field] * count) + " }"
    if family == "fragments":
        count = min(count, 150)
        fields = " ".join(draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4)))
        parts = [f"fragment F{i} on Query {{ {fields} }}" for i in range(count)]
        return " ".join(parts) + " query { " + " ".join(f"...F{i}" for i in range(count)) + " }"
    if family in ("dag", "cycle"):
        count = min(count, 40)
        parts = []
        for i in range(count):
            items = draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4))
            targets = range(count) if family == "cycle" else range(i)
            if targets:
                spreads = draw(st.lists(st.sampled_from(list(targets)), max_size=4))
                items += [f"...F{j}" for j in spreads]
            parts.append(f"fragment F{i} on Query {{ {' '.join(items)} }}")
        return " ".join(parts) + f" query {{ ...F{count - 1} }}"
    if family == "directives":
        per = draw(st.integers(1, 20))
        directives = " ".join(["@include(if: true)"] * per)
        return "{ " + " ".join([f"__typename {directives}"] * max(1, count // per)) + " }"
    depth = min(count, 300)
    return "{ " + "... on Query { " * depth + field + " }" * depth + " }"


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(hostile_documents())
def test_validating_a_hostile_document_stays_cheap(text):
    try:
        parse(text, max_tokens=OperationLimits().max_tokens)
    except GraphQLError:
        return  # over the token limit: the parser stops it
    elapsed, _ = _validate_as_served(text)
    if elapsed >= 0.3:
        # Measured again before judging: a busy machine slows one run, not every run of
        # a document; without the limits, repeats took half a second every time.
        elapsed = min(elapsed, *(_validate_as_served(text)[0] for _ in range(2)))
    target(elapsed)
    assert elapsed < 0.3
