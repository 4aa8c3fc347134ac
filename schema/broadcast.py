"""Subscription events that every subscriber shares are executed once per operation.

A price tick reaches hundreds of subscribers, nearly all of them running the same
document. Executing its selection set for each of them cost as much CPU as
sending the result; executing it once per (operation, variables) and handing the
same result to the others removes that cost. An event opts in by carrying a
``shared_executions`` dict (the results live and die with the event); any other
event is executed as usual.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    OperationDefinitionNode,
    VariableNode,
    Visitor,
    visit,
)
from graphql.execution import Executor
from graphql.pyutils import AwaitableOrValue

from schema.plans import PlannedExecutor

SHARED_EXECUTIONS = "shared_executions"


class SharedEventExecutor(PlannedExecutor):
    _operation_key: tuple[int, str] | None = None

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        if self._operation_key is None:
            # Once per subscription; every event's copy inherits it. Only the variables
            # the per-event execution reads are part of the key: the root field's own
            # arguments (prices' `symbols`) choose which events arrive, not what an event
            # turns into, so subscribers to different symbols still share one execution.
            fragments = {name: details.definition for name, details in self.fragments.items()}
            used = _variables_read_per_event(self.operation, fragments)
            coerced = self.variable_values.coerced
            variables = json.dumps({name: coerced.get(name) for name in sorted(used)}, default=str)
            self._operation_key = (id(self.operation), variables)
        return super().build_per_event_executor(payload)

    def execute_operation(self, serially: bool | None = None) -> AwaitableOrValue[Any]:
        executions: dict[Any, tuple[Any, ExecutionResult]] | None = getattr(
            self.root_value, SHARED_EXECUTIONS, None
        )
        key = self._operation_key
        if executions is None or key is None:
            return super().execute_operation(serially)
        cached = executions.get(key)
        # The operation itself is kept with the result: an id may be reused once freed.
        if cached is not None and cached[0] is self.operation:
            return cached[1]
        result = super().execute_operation(serially)
        if isinstance(result, ExecutionResult) and not result.errors:
            executions[key] = (self.operation, result)
        return result


class _VariableNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self.spreads: set[str] = set()

    def enter_variable(self, node: VariableNode, *_: object) -> None:
        self.names.add(node.name.value)

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.spreads.add(node.name.value)


def _variables_read_per_event(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> set[str]:
    """Variables used anywhere in the operation except in its root fields' arguments."""
    collector = _VariableNames()
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode):
            for directive in selection.directives or ():
                visit(directive, collector)
            if selection.selection_set is not None:
                visit(selection.selection_set, collector)
        else:
            visit(selection, collector)  # a fragment at the root: count all of it
    seen: set[str] = set()
    while collector.spreads - seen:
        name = (collector.spreads - seen).pop()
        seen.add(name)
        if name in fragments:
            visit(fragments[name], collector)
    return collector.names
