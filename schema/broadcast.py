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

from graphql import ExecutionResult
from graphql.execution import Executor
from graphql.pyutils import AwaitableOrValue
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

SHARED_EXECUTIONS = "shared_executions"


class SharedEventExecutor(StrawberryGraphQLCoreExecutionContext):
    _operation_key: tuple[int, str] | None = None

    def build_per_event_executor(self, payload: Any) -> Executor[Any]:
        if self._operation_key is None:
            # Once per subscription; every event's copy inherits it.
            variables = json.dumps(self.variable_values.coerced, sort_keys=True, default=str)
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
