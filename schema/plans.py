"""Completion plans: a selection of plain fields built in one pass, compiled once per document.

graphql-core completes every field of every object one call at a time (build an info
object, call the resolver, complete the value, check the type), ~1,400 calls for a page
of 100 orders with their assets: most of that read's execution time. Below the fields
that need real resolving (``me``, ``orders(first:)``), the selection is nearly always plain
data: attributes of objects the resolvers built, scalars, enums, lists of those. For
such a subtree a plan is compiled once per (type, field nodes) of a document and kept:
it reads the same attributes, calls the same serialisers and builds the same dicts,
with none of the per-field machinery.

A plan covers a subtree only when nothing in it can behave differently: no arguments,
no directives (``@skip``/``@include`` depend on variables, ``@defer`` on delivery), no
abstract types, no ``is_type_of`` checks, no field extensions or resolver middleware,
and resolvers only when they are synchronous methods taking nothing but ``self``
(``Order.asset``). Anything else is left to standard execution. At run time any
surprise (a null where the schema promises a value, a value that is not a list, a
serialiser that raises, an awaitable) abandons the plan for that value and runs
standard execution on it instead, which reads the same attributes again and reports
the error exactly as it always has: a plan never produces an error of its own.

A resolver may also answer with a ``PendingRead``: a value not yet read. Where a plan
covers the field's selection, the read is asked to ``describe`` that selection (once
per document) and the database builds the completed value itself
(schema/order_json.py); otherwise, or when it declines, the value is read as before
and completed as above.
"""

from __future__ import annotations

import inspect
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Sequence
from contextlib import suppress
from typing import Any, Protocol

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution.collect_fields import FieldDetails, collect_subfields
from graphql.pyutils import AwaitableOrValue, Undefined
from graphql.type import GraphQLEnumType, GraphQLScalarType, GraphQLString
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

Complete = Callable[[Any], Any]
"""Turns a resolved value into its response value, or raises _Miss."""

MAX_PLANS = 1024
"""Plans kept per schema; past it the cache starts over (documents are few in practice)."""

_DEFINITION = "strawberry-definition"


class _Miss(Exception):
    """The plan cannot build this value the way standard execution would."""


class _NotPlannable(Exception):
    """Something in the subtree needs standard execution."""


NotCovered = _NotPlannable
"""Raised by a PendingRead's ``describe`` for a selection the database cannot build."""


_plans: weakref.WeakKeyDictionary[GraphQLSchema, dict[Any, tuple[Any, Any]]] = (
    weakref.WeakKeyDictionary()
)


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """Standard execution, except that list and object values whose whole selection a
    plan covers are completed by the plan."""

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[Any]:
        if isinstance(result, PendingRead):
            return self._complete_pending(
                return_type, field_details_list, info, path, result, position_context
            )
        nullable = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if isinstance(nullable, GraphQLList | GraphQLObjectType) and not self._has_middleware():
            plan = self._plan(return_type, field_details_list)
            if plan is not None:
                # Any surprise: standard execution completes the value and reports it.
                with suppress(Exception):
                    return plan(result)
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    async def _complete_pending(
        self,
        return_type: GraphQLOutputType,
        details: Sequence[FieldDetails],
        info: Any,
        path: Any,
        pending: PendingRead,
        position_context: Any,
    ) -> Any:
        # Errors raised here are the field's, reported at its path as a resolver's are.
        description = self._description(type(pending), return_type, details)
        if description is not None:
            built = await pending.built(description)
            if built is not None:
                return built
        value = await pending.value()
        completed = self.complete_value(return_type, details, info, path, value, position_context)
        if self.is_awaitable(completed):
            return await completed
        return completed

    def _has_middleware(self) -> bool:
        manager = self.middleware_manager
        return manager is not None and bool(manager.middlewares)

    def _plan(
        self, return_type: GraphQLOutputType, details: Sequence[FieldDetails]
    ) -> Complete | None:
        plan: Complete | None = self._cached(
            (return_type,), details, lambda: _Compiler(self).value(return_type, details)
        )
        return plan

    def _description(
        self,
        kind: type[PendingRead],
        return_type: GraphQLOutputType,
        details: Sequence[FieldDetails],
    ) -> Hashable | None:
        """What the database is to build, only where a plan covers the same selection
        (the plan's conditions hold: no directives, arguments, middleware, ...)."""
        if self._has_middleware() or self._plan(return_type, details) is None:
            return None
        description: Hashable | None = self._cached(
            (kind, return_type),
            details,
            lambda: kind.describe(_Compiler(self), return_type, details),
        )
        return description

    def _cached(
        self, kind: tuple[Any, ...], details: Sequence[FieldDetails], compile_: Callable[[], Any]
    ) -> Any:
        nodes = tuple(detail.node for detail in details)
        key = (*kind, *map(id, nodes))
        plans = _plans.get(self.schema)
        if plans is None:
            plans = _plans[self.schema] = {}
        cached = plans.get(key)
        # The nodes are kept with the plan: an id may be reused once its node is freed.
        if cached is not None and all(a is b for a, b in zip(cached[0], nodes, strict=True)):
            return cached[1]
        try:
            compiled = compile_()
        except _NotPlannable:
            compiled = None
        if len(plans) >= MAX_PLANS:
            plans.clear()
        plans[key] = (nodes, compiled)
        return compiled


class PendingRead(ABC):
    """A resolver's value that is read only once its selection is known: built whole by
    the database when a description of the selection (``describe``) covers it, else read
    as the value standard execution completes (``value``)."""

    @classmethod
    @abstractmethod
    def describe(
        cls, selection: Selection, type_: GraphQLOutputType, details: Sequence[FieldDetails]
    ) -> Hashable:
        """What the database is to build; raises NotCovered for anything it cannot."""

    @abstractmethod
    async def built(self, description: Any) -> Any | None:
        """The completed value, exactly as standard execution would complete it, or None."""

    @abstractmethod
    async def value(self) -> Any:
        """The value the resolver would have returned."""


class Selection(Protocol):
    def fields(
        self, type_: GraphQLObjectType, details: Sequence[FieldDetails]
    ) -> list[tuple[str, Sequence[FieldDetails]]]:
        """The selection's fields on ``type_`` by response key, fragments merged, in
        response order; NotCovered for directives, deferral and the like."""


class _Compiler:
    def __init__(self, executor: PlannedExecutor) -> None:
        self.schema = executor.schema
        self.fragments = executor.fragments
        self.fragment_nodes: dict[str, FragmentDefinitionNode] = {
            name: details.definition for name, details in executor.fragments.items()
        }
        self.variable_values = executor.variable_values
        self.operation = executor.operation
        self.hide_suggestions = executor.hide_suggestions

    def value(self, type_: GraphQLOutputType, details: Sequence[FieldDetails]) -> Complete:
        if isinstance(type_, GraphQLNonNull):
            return _non_null(self.value(type_.of_type, details))
        if isinstance(type_, GraphQLList):
            return _list(self.value(type_.of_type, details))
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            return _leaf(type_.serialize)
        if isinstance(type_, GraphQLObjectType):
            return self.object(type_, details)
        raise _NotPlannable  # interfaces and unions: the runtime type is resolved per value

    def object(self, type_: GraphQLObjectType, details: Sequence[FieldDetails]) -> Complete:
        fields = [
            (key, *self.field(type_, field_details))
            for key, field_details in self.fields(type_, details)
        ]
        return _object(fields)

    def fields(
        self, type_: GraphQLObjectType, details: Sequence[FieldDetails]
    ) -> list[tuple[str, Sequence[FieldDetails]]]:
        if type_.is_type_of is not None:
            raise _NotPlannable
        for detail in details:
            if detail.fragment_variable_values is not None or detail.defer_usage is not None:
                raise _NotPlannable
            if detail.node.selection_set is None or self._has_directives(
                detail.node.selection_set, set()
            ):
                raise _NotPlannable
        grouped, new_defers, _ = collect_subfields(
            self.schema,
            self.fragments,
            self.variable_values,
            self.operation,
            type_,
            list(details),
            self.hide_suggestions,
        )
        if new_defers:
            raise _NotPlannable
        return list(grouped.items())

    def field(
        self, parent: GraphQLObjectType, details: Sequence[FieldDetails]
    ) -> tuple[Callable[[Any], Any], Complete]:
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            type_name = parent.name
            return (lambda _source: type_name), _leaf(GraphQLString.serialize)
        field_def = parent.fields.get(name)
        if field_def is None or field_def.args or node.arguments or name.startswith("__"):
            raise _NotPlannable
        return _getter(field_def.extensions.get(_DEFINITION)), self.value(field_def.type, details)

    def _has_directives(self, selection_set: SelectionSetNode, seen: set[str]) -> bool:
        for selection in selection_set.selections:
            if selection.directives:
                return True
            if isinstance(selection, FieldNode | InlineFragmentNode):
                if selection.selection_set is not None and self._has_directives(
                    selection.selection_set, seen
                ):
                    return True
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragment_nodes.get(name)
                if name in seen or fragment is None:
                    continue
                seen.add(name)
                if fragment.directives or self._has_directives(fragment.selection_set, seen):
                    return True
        return False


def _getter(field: object) -> Callable[[Any], Any]:
    """How the field's value is read from its parent, exactly as its resolver reads it."""
    if not isinstance(field, StrawberryField) or field.extensions:
        raise _NotPlannable
    resolver = field.base_resolver
    if resolver is None:
        read = field.default_resolver
        name = field.python_name
        return lambda source: read(source, name)
    method: Any = resolver.wrapped_func
    if (
        resolver.is_async
        or resolver.arguments
        or resolver.self_parameter is None
        or resolver.info_parameter is not None
        or resolver.root_parameter is not None
        or resolver.parent_parameter is not None
        or inspect.isgeneratorfunction(method)
    ):
        raise _NotPlannable
    return lambda source: method(source)


def _non_null(inner: Complete) -> Complete:
    def complete(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise _Miss
        return completed

    return complete


def _list(item: Complete) -> Complete:
    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if not isinstance(value, list | tuple):
            raise _Miss
        return [item(element) for element in value]

    return complete


def _leaf(serialize: Callable[[Any], Any]) -> Complete:
    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise _Miss
        # An awaitable fails its serialiser, which sends the value to standard execution.
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise _Miss
        return serialized

    return complete


def _object(fields: list[tuple[str, Callable[[Any], Any], Complete]]) -> Complete:
    # Whether values of a class are plain objects, asked once per class: isawaitable goes
    # through an ABC check that cost more than the rest of a small object's completion.
    plain: dict[type, bool] = {}

    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        kind = type(value)
        ok = plain.get(kind)
        if ok is None:
            ok = plain[kind] = not (isinstance(value, Exception) or inspect.isawaitable(value))
        if not ok:
            raise _Miss
        return {key: complete_field(read(value)) for key, read, complete_field in fields}

    return complete
