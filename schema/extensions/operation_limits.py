"""Refuse operations that are too deep, too aliased, too broad, too long or too costly,
before any resolver runs: a top-level error with extensions.code QUERY_TOO_COMPLEX.

Sizes are those of the document with every fragment spread written out, measured in
linear time (schema/extensions/operation_measure.py); introspection is counted like
everything else, so the classic deeply nested ``__type { ofType { ofType ... } }``
query is refused by depth.

Two steps, because validation is cached per document while variables come with
each request:

- In validation: depth, aliases, selections and repeated fields, which no variable
  changes. A document over one of them is validated by this rule alone: graphql-core's
  own rules, some of which walk fragments spread inside fragments and compare every
  pair of fields that share a response name, never see it.
- As execution starts: cost, with the request's values for ``first``/``limit``
  variables. The measure is kept on the execution context, where rate limiting
  (schema/extensions/rate_limits.py) reads it to price the operation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from graphql import (
    SKIP,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from schema.extensions.operation_measure import (
    MAX_CACHED_DOCUMENTS,
    DocumentMeasure,
    Shape,
    measure_document,
    repeated_pairs,
)

CODE = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True, slots=True)
class OperationLimits:
    max_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 10_000
    max_selections: int = 500
    max_repeated_pairs: int = 1000
    """Pairs of fields with the same response name at the same place (see
    ``repeated_pairs``): no document of ours has any; 1,000 validate in a few ms."""

    @property
    def max_document_selections(self) -> int:
        """Selections over all of a document's operations and fragments, fragments
        expanded, that counting repeated pairs may visit."""
        return 4 * self.max_selections


def too_complex(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": CODE})


def parsing_aborted(message: str) -> bool:
    """Whether graphql-core's parser gave up at one of the bounds set below (tokens, the
    document's length) or at its own nesting bound: a QUERY_TOO_COMPLEX, not a syntax
    error. Such errors are raised uncoded, before any extension sees the document."""
    return "Parsing aborted" in message


def _refusal(shape: Shape, limits: OperationLimits) -> str | None:
    """Why a definition is refused whatever the variables, if it is."""
    if shape.depth > limits.max_depth:
        return f"The operation nests deeper than {limits.max_depth} levels."
    if shape.aliases > limits.max_aliases:
        return f"The operation uses more than {limits.max_aliases} aliases."
    if shape.selections > limits.max_selections:
        return (
            f"The operation has more than {limits.max_selections:,} selections (fields, "
            "fragment spreads, inline fragments), counting a fragment each time it is spread."
        )
    return None


def _refusals(measure: DocumentMeasure, limits: OperationLimits) -> tuple[str, ...]:
    found = [
        message
        for _, shape in measure.operations
        if (message := _refusal(shape, limits)) is not None
    ]
    if not found:
        found = [
            message
            for _, shape in measure.fragments
            if (message := _refusal(shape, limits)) is not None
        ][:1]
    if found:
        return tuple(found)
    pairs = repeated_pairs(measure, limits.max_document_selections)
    if pairs is None:
        return (
            f"The document has more than {limits.max_document_selections:,} selections "
            "over all its operations and fragments, counting a fragment each time it is "
            "spread.",
        )
    if pairs > limits.max_repeated_pairs:
        return (
            f"The document selects the same fields at the same place too often ({pairs:,} "
            f"pairs of repeats, fragments included; the limit is "
            f"{limits.max_repeated_pairs:,}). Select each field once.",
        )
    return ()


_REFUSALS: OrderedDict[tuple[int, OperationLimits], tuple[DocumentMeasure, tuple[str, ...]]] = (
    OrderedDict()
)


def refusals(
    schema: GraphQLSchema, document: DocumentNode, limits: OperationLimits
) -> tuple[str, ...]:
    """Why the document is refused whatever the variables: one message per operation
    over the limits; else for the first fragment over them (one no operation uses);
    else for the whole document's repeated fields. Cached with the document's measure."""
    measure = measure_document(schema, document)
    key = (id(measure), limits)
    cached = _REFUSALS.get(key)
    if cached is not None and cached[0] is measure:
        _REFUSALS.move_to_end(key)
        return cached[1]
    found = _refusals(measure, limits)
    _REFUSALS[key] = (measure, found)
    while len(_REFUSALS) > MAX_CACHED_DOCUMENTS:
        _REFUSALS.popitem(last=False)
    return found


@cache
def limits_rule(limits: OperationLimits) -> type[ValidationRule]:
    """One rule class per set of limits: the validation cache keys on the rule classes,
    so a class made per request would make every request validate from scratch."""

    class OperationLimitsRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: object) -> object:
            for message in refusals(self.context.schema, node, limits):
                self.report_error(too_complex(message))
            return SKIP

    return OperationLimitsRule


@dataclass(frozen=True, slots=True)
class OperationMeasure:
    """The operation one request runs, with that request's variables."""

    depth: int
    aliases: int
    fields: int
    cost: int
    mutations: int
    """Root fields of a mutation (each one a mutation), 0 for other operations."""


_KEPT = "operation_measure"
"""The attribute of the ExecutionContext that keeps the request's measure."""


def request_measure(context: ExecutionContext) -> OperationMeasure | None:
    """The measure of the operation ``context`` runs, computed once per request; None
    when there is no document or no such operation (graphql-core says why)."""
    kept = getattr(context, _KEPT, None)
    if isinstance(kept, OperationMeasure):
        return kept
    document = context.graphql_document
    if document is None:
        return None
    measure = measure_document(context.schema._schema, document)
    found = measure.operation(context.operation_name)
    if found is None:
        return None
    operation, shape = found
    result = OperationMeasure(
        depth=shape.depth,
        aliases=shape.aliases,
        fields=shape.fields,
        cost=measure.cost(operation, shape, context.variables or {}),
        mutations=shape.root_fields if operation.operation == OperationType.MUTATION else 0,
    )
    setattr(context, _KEPT, result)
    return result


class OperationLimitsExtension(SchemaExtension):
    """The token cap on parsing, the limits rule in validation, the cost check before
    execution."""

    def __init__(self, limits: OperationLimits) -> None:
        self.limits = limits
        self.rule = limits_rule(limits)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.limits.max_tokens
        # Tokens bound the parser's work; the length bounds what one token may carry.
        context.parse_options["max_source_length"] = self.limits.max_tokens * 50  # type: ignore[typeddict-unknown-key]
        yield

    def on_validate(self) -> Iterator[None]:
        # Before the validation cache (next in the extension list) validates: a document
        # over the limits gets this rule only, and so does its entry in that cache.
        context = self.execution_context
        document = context.graphql_document
        if document is not None and refusals(context.schema._schema, document, self.limits):
            context.validation_rules = (self.rule,)
        else:
            context.validation_rules = (*context.validation_rules, self.rule)
        yield

    def on_execute(self) -> Iterator[None]:
        measure = request_measure(self.execution_context)
        if measure is not None and measure.cost > self.limits.max_cost:
            # Raised, not set as the result: a subscription would start regardless.
            raise too_complex(
                f"The operation could return about {measure.cost:,} objects; the limit "
                f"is {self.limits.max_cost:,}. Ask for smaller pages (first/limit)."
            )
        yield
