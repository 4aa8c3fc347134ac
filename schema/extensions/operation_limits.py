"""Refuse operations that are too deep, too aliased, too long or too costly, before any
resolver runs: a top-level error with extensions.code QUERY_TOO_COMPLEX.

The cost of an operation is an upper bound on the objects it can return. Every
field that returns objects costs 1; a field with a ``first`` or ``limit``
argument multiplies the cost of what it contains by that number (a variable
counts as its largest allowed value, since validation runs once per document
and is cached: the estimate must hold for any variables). Fragments are
expanded; introspection is counted like everything else, so the classic deeply
nested ``__type { ofType { ofType ... } }`` query is refused by depth.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    TypeInfo,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
)
from strawberry.extensions import SchemaExtension

CODE = "QUERY_TOO_COMPLEX"
MULTIPLIER_ARGUMENTS = {"first": 100, "limit": 1000}
"""Arguments that multiply the cost of a field's contents, with the value assumed for a variable."""


@dataclass(frozen=True, slots=True)
class OperationLimits:
    max_depth: int = 15
    max_aliases: int = 30
    max_tokens: int = 2000
    max_cost: int = 10_000


def too_complex(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": CODE})


@dataclass(slots=True)
class _Measure:
    depth: int = 0
    aliases: int = 0
    cost: int = 0


class _Walker:
    def __init__(self, context: ValidationContext, limits: OperationLimits) -> None:
        self.context = context
        self.schema: GraphQLSchema = context.schema
        self.limits = limits
        self.measure = _Measure()

    def walk(
        self, operation: OperationDefinitionNode, values: dict[str, Any] | None = None
    ) -> _Measure:
        """Measure ``operation``; ``values`` are a request's variables, when known."""
        root = {
            OperationType.QUERY: self.schema.query_type,
            OperationType.MUTATION: self.schema.mutation_type,
            OperationType.SUBSCRIPTION: self.schema.subscription_type,
        }[operation.operation]
        variables = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
        }
        variables.update(values or {})
        self.measure.cost = self._cost(operation.selection_set, root, 1, set(), variables)
        return self.measure

    def _fields(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType | None, seen: set[str]
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType | None]]:
        """The fields of a selection set, fragments expanded, each with its parent type."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                scope = self.schema.get_type(condition.name.value) if condition else parent
                yield from self._fields(selection.selection_set, scope, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.context.get_fragment(name)
                if fragment is None or name in seen:
                    continue  # unknown or cyclic fragments are other rules' errors
                scope = self.schema.get_type(fragment.type_condition.name.value)
                yield from self._fields(fragment.selection_set, scope, seen | {name})

    def _cost(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        depth: int,
        seen: set[str],
        variables: dict[str, Any],
    ) -> int:
        self.measure.depth = max(self.measure.depth, depth)
        if self.measure.depth > self.limits.max_depth:
            return 0  # reported once; no need to walk deeper
        total = 0
        for field, scope in self._fields(selection_set, parent, seen):
            if field.alias is not None:
                self.measure.aliases += 1
            if field.selection_set is None:
                continue
            definition = (
                scope.fields.get(field.name.value) if isinstance(scope, GraphQLObjectType) else None
            )
            child = get_named_type(definition.type) if definition is not None else None
            inner = self._cost(field.selection_set, child, depth + 1, seen, variables)
            multiplier = self._multiplier(field, definition, variables)
            # A paged list costs each object it may return, even one of scalars only.
            total += 1 + (inner if multiplier is None else multiplier * max(inner, 1))
        return total

    def _multiplier(
        self, field: FieldNode, definition: Any, variables: dict[str, Any]
    ) -> int | None:
        for argument in field.arguments or ():
            name = argument.name.value
            if name not in MULTIPLIER_ARGUMENTS:
                continue
            value: Any = argument.value
            if isinstance(value, VariableNode):
                value = variables.get(value.name.value)
            if isinstance(value, IntValueNode):
                return max(1, int(value.value))
            if isinstance(value, int) and not isinstance(value, bool):
                return max(1, value)
            return MULTIPLIER_ARGUMENTS[name]  # a variable without a value: assume the most
        if definition is not None:
            for name in MULTIPLIER_ARGUMENTS:
                argument = definition.args.get(name)
                if argument is not None and isinstance(argument.default_value, int):
                    return max(1, argument.default_value)
        return None


@cache
def limits_rule(limits: OperationLimits) -> type[ValidationRule]:
    """One rule class per set of limits: the validation cache keys on the rule classes,
    so a class made per request would make every request validate from scratch."""

    class OperationLimitsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            measure = _Walker(self.context, limits).walk(node)
            if measure.depth > limits.max_depth:
                self.report_error(
                    too_complex(f"The operation nests deeper than {limits.max_depth} levels.")
                )
            elif measure.aliases > limits.max_aliases:
                self.report_error(
                    too_complex(f"The operation uses more than {limits.max_aliases} aliases.")
                )
            elif measure.cost > limits.max_cost:
                self.report_error(
                    too_complex(
                        f"The operation could return about {measure.cost:,} objects; the limit "
                        f"is {limits.max_cost:,}. Ask for smaller pages (first/limit)."
                    )
                )

    return OperationLimitsRule


class OperationLimitsExtension(SchemaExtension):
    """Adds the limits rule to validation and the token cap to parsing."""

    def __init__(self, limits: OperationLimits) -> None:
        self.limits = limits
        self.rule = limits_rule(limits)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.limits.max_tokens
        # Tokens bound the parser's work; the length bounds what one token may carry.
        context.parse_options["max_source_length"] = self.limits.max_tokens * 50  # type: ignore[typeddict-unknown-key]
        context.validation_rules = (*context.validation_rules, self.rule)
        yield


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None = None,
) -> int:
    """The cost of the operation a request runs, with its variables when given."""
    context = ValidationContext(schema, document, TypeInfo(schema), lambda _: None)
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name is None or (definition.name and definition.name.value == operation_name):
            walker = _Walker(context, OperationLimits(max_depth=10**6))
            return walker.walk(definition, variables).cost
    return 0
