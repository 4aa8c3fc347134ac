"""The size of a GraphQL document as if every fragment spread were written out in full,
measured in time linear in the document's text.

Expanding spreads to measure them is what an attacker wants: each fragment that spreads
the previous one twice doubles the expansion, so 24 fragments in under a kilobyte stand
for 2^24 fields. Here each fragment is measured once, relative to its own top level, and
a spread adds that measure wherever it appears (depth shifted by where the spread sits,
counts added as often as the spread is repeated). Counts saturate at ``SATURATED``, so
an expansion of 2^190 fields is counted as huge, not computed.

Depth, aliases, fields, selections and repeated fields do not depend on the request's
variables: they are computed once per document (and cached). Cost does, through
``first``/``limit`` variables: the document compiles to a small program that is
evaluated with each request's values.

The cost of an operation is an upper bound on the objects it can return. Every field
that returns objects costs 1; a field with a ``first`` or ``limit`` argument multiplies
the cost of what it contains by that number, or by the argument's default. A variable
counts as the value the request gives it, else its declared default, else the
argument's default, else the largest value the argument allows.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

MULTIPLIER_ARGUMENTS = {"first": 100, "limit": 1000}
"""Arguments that multiply the cost of a field's contents, with their largest value."""
SATURATED = 10**18
"""Counts stop here: far past any limit, and arithmetic on them stays cheap."""
MAX_CACHED_DOCUMENTS = 128
MAX_MEASURED_DEPTH = 101
"""Selection sets nested deeper are not entered: past any depth limit (at most 100),
the depth alone refuses the operation."""


def _add(a: int, b: int) -> int:
    return min(a + b, SATURATED)


def _times(a: int, b: int) -> int:
    return min(a * b, SATURATED)


@dataclass(frozen=True, slots=True)
class Variable:
    """A ``first``/``limit`` argument given by a variable."""

    name: str
    argument: str
    fallback: int | None
    """The argument's default in the schema, when it has a whole-number one."""


Multiplier = int | Variable | None


@dataclass(frozen=True, slots=True)
class Paged:
    """A field whose cost depends on variables: 1 + multiplier * max(inner, 1)."""

    multiplier: Multiplier
    inner: Cost


@dataclass(frozen=True, slots=True)
class Spread:
    """A spread of a fragment whose cost depends on variables."""

    fragment: int


@dataclass(frozen=True, slots=True)
class Cost:
    """A fixed part, plus the parts that depend on variables."""

    fixed: int = 0
    terms: tuple[Paged | Spread, ...] = ()


@dataclass(frozen=True, slots=True)
class Shape:
    """What one operation or fragment amounts to, spreads expanded.

    ``depth`` counts selection sets from the definition's own (1); ``selections`` are
    fields, fragment spreads and inline fragments; ``root_fields`` are the fields of
    the first selection set, for a mutation the mutations it runs."""

    depth: int = 1
    aliases: int = 0
    fields: int = 0
    selections: int = 0
    root_fields: int = 0
    cost: Cost = Cost()


@dataclass(frozen=True, slots=True)
class DocumentMeasure:
    operations: tuple[tuple[OperationDefinitionNode, Shape], ...]
    fragments: tuple[tuple[FragmentDefinitionNode, Shape], ...]
    """In dependency order: a fragment comes after every fragment it spreads."""

    def operation(self, name: str | None) -> tuple[OperationDefinitionNode, Shape] | None:
        """The operation a request with this operationName runs, as graphql-core picks it."""
        if name is None:
            return self.operations[0] if len(self.operations) == 1 else None
        for definition, shape in self.operations:
            if definition.name is not None and definition.name.value == name:
                return definition, shape
        return None

    def cost(
        self, operation: OperationDefinitionNode, shape: Shape, values: Mapping[str, Any]
    ) -> int:
        """The operation's cost with a request's variable values."""
        if not shape.cost.terms:
            return shape.cost.fixed
        declared: dict[str, int] = {}
        for definition in operation.variable_definitions or ():
            if isinstance(definition.default_value, IntValueNode):
                declared[definition.variable.name.value] = int(definition.default_value.value)
        evaluator = _Evaluator(values, declared)
        for index, (_, fragment) in enumerate(self.fragments):
            if fragment.cost.terms:
                evaluator.fragments[index] = evaluator.cost(fragment.cost)
        return evaluator.cost(shape.cost)


class _Evaluator:
    def __init__(self, values: Mapping[str, Any], declared: Mapping[str, int]) -> None:
        self.values = values
        self.declared = declared
        self.fragments: dict[int, int] = {}

    def multiplier(self, multiplier: Multiplier) -> int | None:
        if not isinstance(multiplier, Variable):
            return multiplier
        value = self.values.get(multiplier.name)
        if not isinstance(value, int) or isinstance(value, bool):
            value = self.declared.get(multiplier.name, multiplier.fallback)
        if value is None:
            value = MULTIPLIER_ARGUMENTS[multiplier.argument]
        return max(1, value)

    def cost(self, cost: Cost) -> int:
        total = cost.fixed
        for term in cost.terms:
            if isinstance(term, Spread):
                total = _add(total, self.fragments.get(term.fragment, 0))
                continue
            inner = self.cost(term.inner)
            multiplier = self.multiplier(term.multiplier)
            paged = inner if multiplier is None else _times(multiplier, max(inner, 1))
            total = _add(total, 1 + paged)
        return total


def _paged(multiplier: Multiplier, inner: Cost) -> Cost:
    """The cost of a field that returns objects, folded to a number when it can be."""
    if isinstance(multiplier, Variable) or inner.terms:
        return Cost(0, (Paged(multiplier, inner),))
    paged = inner.fixed if multiplier is None else _times(multiplier, max(inner.fixed, 1))
    return Cost(_add(1, paged))


@dataclass(slots=True)
class _Tally:
    """The variable-free counts of one definition, spreads and inline fragments included."""

    depth: int = 1
    aliases: int = 0
    fields: int = 0
    selections: int = 0
    root_fields: int = 0


class _Sum:
    def __init__(self) -> None:
        self.fixed = 0
        self.terms: list[Paged | Spread] = []

    def add(self, cost: Cost) -> None:
        self.fixed = _add(self.fixed, cost.fixed)
        self.terms.extend(cost.terms)

    def cost(self) -> Cost:
        return Cost(self.fixed, tuple(self.terms))


class _Measurer:
    """Measures every definition of one document, each fragment once."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.cap = MAX_MEASURED_DEPTH
        # The last definition of a name wins, as in graphql-core's ValidationContext.
        self.definitions = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.measured: dict[str, tuple[int, Shape]] = {}

    def measure(self, document: DocumentNode) -> DocumentMeasure:
        fragments: list[tuple[FragmentDefinitionNode, Shape]] = []
        for name in self._dependency_order():
            definition = self.definitions[name]
            scope = self.schema.get_type(definition.type_condition.name.value)
            shape = self._shape(definition.selection_set, scope)
            self.measured[name] = (len(fragments), shape)
            fragments.append((definition, shape))
        roots = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }
        operations = tuple(
            (definition, self._shape(definition.selection_set, roots[definition.operation]))
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        )
        return DocumentMeasure(operations, tuple(fragments))

    def _dependency_order(self) -> list[str]:
        """Fragments, each after those it spreads; a spread that closes a cycle is left
        out (NoFragmentCyclesRule refuses the document)."""
        spreads = {
            name: list(_spreads(node.selection_set)) for name, node in self.definitions.items()
        }
        order: list[str] = []
        state: dict[str, bool] = {}  # False while being visited, True once placed
        for start in self.definitions:
            if start in state:
                continue
            state[start] = False
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(spreads[start]))]
            while stack:
                name, pending = stack[-1]
                child = next(pending, None)
                if child is None:
                    stack.pop()
                    state[name] = True
                    order.append(name)
                elif child in self.definitions and child not in state:
                    state[child] = False
                    stack.append((child, iter(spreads[child])))
        return order

    def _shape(self, selection_set: SelectionSetNode, scope: GraphQLNamedType | None) -> Shape:
        tally = _Tally()
        cost = self._selections(selection_set, scope, 1, tally)
        return Shape(
            tally.depth, tally.aliases, tally.fields, tally.selections, tally.root_fields, cost
        )

    def _selections(
        self,
        selection_set: SelectionSetNode,
        scope: GraphQLNamedType | None,
        level: int,
        tally: _Tally,
    ) -> Cost:
        """Counts the selections into ``tally`` and returns their cost."""
        total = _Sum()
        for selection in selection_set.selections:
            tally.selections = _add(tally.selections, 1)
            if isinstance(selection, FieldNode):
                tally.fields = _add(tally.fields, 1)
                if level == 1:
                    tally.root_fields = _add(tally.root_fields, 1)
                if selection.alias is not None:
                    tally.aliases = _add(tally.aliases, 1)
                if selection.selection_set is None:
                    continue  # a scalar costs nothing
                tally.depth = max(tally.depth, min(level + 1, self.cap))
                if level + 1 > self.cap:
                    continue  # too deep already: refused by depth
                definition = (
                    scope.fields.get(selection.name.value)
                    if isinstance(scope, GraphQLObjectType)
                    else None
                )
                child = get_named_type(definition.type) if definition is not None else None
                inner = self._selections(selection.selection_set, child, level + 1, tally)
                total.add(_paged(_multiplier(selection, definition), inner))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner_scope = self.schema.get_type(condition.name.value) if condition else scope
                total.add(self._selections(selection.selection_set, inner_scope, level, tally))
            elif isinstance(selection, FragmentSpreadNode):
                found = self.measured.get(selection.name.value)
                if found is None:
                    continue  # unknown, or closing a cycle: other rules' errors
                index, shape = found
                tally.depth = max(tally.depth, min(level - 1 + shape.depth, self.cap))
                tally.aliases = _add(tally.aliases, shape.aliases)
                tally.fields = _add(tally.fields, shape.fields)
                tally.selections = _add(tally.selections, shape.selections)
                if level == 1:
                    tally.root_fields = _add(tally.root_fields, shape.root_fields)
                total.add(Cost(0, (Spread(index),)) if shape.cost.terms else shape.cost)
        return total.cost()


def _multiplier(field: FieldNode, definition: Any) -> Multiplier:
    for argument in field.arguments or ():
        name = argument.name.value
        if name not in MULTIPLIER_ARGUMENTS:
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return max(1, int(value.value))
        if isinstance(value, VariableNode):
            schema_argument = definition.args.get(name) if definition is not None else None
            fallback = None if schema_argument is None else schema_argument.default_value
            if not isinstance(fallback, int) or isinstance(fallback, bool):
                fallback = None
            return Variable(value.name.value, name, fallback)
        return MULTIPLIER_ARGUMENTS[name]
    if definition is not None:
        for name in MULTIPLIER_ARGUMENTS:
            argument = definition.args.get(name)
            if argument is not None and isinstance(argument.default_value, int):
                return max(1, argument.default_value)
    return None


def _spreads(selection_set: SelectionSetNode) -> Iterator[str]:
    """The names of the fragments a selection set spreads, at any depth."""
    stack = [selection_set]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif (
                isinstance(selection, FieldNode | InlineFragmentNode)
                and selection.selection_set is not None
            ):
                stack.append(selection.selection_set)


def repeated_pairs(measure: DocumentMeasure, budget: int) -> int | None:
    """Pairs of fields with the same response name at the same place in a result,
    fragments expanded, over every operation and fragment; None when counting them
    would visit more than ``budget`` selections.

    graphql-core's OverlappingFieldsCanBeMergedRule compares each such pair, so this
    is what validating the document costs beyond its length: 250 copies of
    ``me { id }`` make 62,250 pairs and take half a second to validate."""
    fragments = {definition.name.value: definition for definition, _ in measure.fragments}
    roots: list[tuple[SelectionSetNode, frozenset[str]]] = [
        (definition.selection_set, frozenset()) for definition, _ in measure.operations
    ]
    roots += [
        (definition.selection_set, frozenset({definition.name.value}))
        for definition, _ in measure.fragments
    ]
    pairs = 0
    visits = 0
    queue = [[root] for root in roots]
    while queue:
        pending = queue.pop()
        counts: dict[str, int] = {}
        merged: dict[str, list[tuple[SelectionSetNode, frozenset[str]]]] = {}
        while pending:
            selection_set, seen = pending.pop()
            visits += len(selection_set.selections)
            if visits > budget:
                return None
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    name = (selection.alias or selection.name).value
                    counts[name] = counts.get(name, 0) + 1
                    if selection.selection_set is not None:
                        merged.setdefault(name, []).append((selection.selection_set, seen))
                elif isinstance(selection, InlineFragmentNode):
                    pending.append((selection.selection_set, seen))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = fragments.get(name)
                    if fragment is not None and name not in seen:  # cycles: other rules'
                        pending.append((fragment.selection_set, seen | {name}))
        pairs += sum(count * (count - 1) // 2 for count in counts.values())
        queue.extend(merged.values())
    return pairs


_CACHE: OrderedDict[int, tuple[DocumentNode, GraphQLSchema, DocumentMeasure]] = OrderedDict()


def measure_document(schema: GraphQLSchema, document: DocumentNode) -> DocumentMeasure:
    """The measure of every definition in ``document``, cached by the document's identity
    (the parser cache hands out the same DocumentNode for the same text)."""
    key = id(document)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is document and cached[1] is schema:
        _CACHE.move_to_end(key)
        return cached[2]
    measure = _Measurer(schema, document).measure(document)
    _CACHE[key] = (document, schema, measure)
    while len(_CACHE) > MAX_CACHED_DOCUMENTS:
        _CACHE.popitem(last=False)
    return measure
