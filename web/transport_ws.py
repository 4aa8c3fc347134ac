"""graphql-transport-ws with the token rule held for every operation of a socket."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.utils.aio import aclosing

from resolvers.context import Context
from resolvers.live import FORBIDDEN

if TYPE_CHECKING:
    from web.graphql_app import GraphQLApp


class TransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws with the token rule applied to every operation, not only to
    connection_init, and a context of its own for each operation."""

    view: GraphQLApp

    async def handle_task_exception(self, error: Exception) -> None:
        # A client that leaves while its ticks are being sent is an ordinary goodbye,
        # not an error worth a traceback (a thousand of them when a page of clients goes).
        if isinstance(error, WebSocketDisconnected):
            return
        await super().handle_task_exception(error)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        claims = self.context.claims
        if self.connection_acknowledged and claims is not None:
            self.view.signed_in.add(self, claims, self.context.services.accounts)

    async def shutdown(self) -> None:
        self.view.signed_in.discard(self)
        await super().shutdown()

    async def refuse(self) -> None:
        """Close with 4403: the connection's token no longer stands. Its operations end
        with the connection."""
        with suppress(RuntimeError, WebSocketDisconnected):  # closed already
            await self.websocket.close(code=FORBIDDEN, reason="Forbidden")

    async def operation_context(self) -> Context | None:
        """A new context for one operation, with the connection's token checked again
        (expiry, sign-out, password change); None when it no longer stands."""
        connection = self.context
        if connection.token is None:
            return connection.for_operation(None)
        authenticated = await connection.services.accounts.authenticate(connection.token)
        return None if authenticated is None else connection.for_operation(authenticated)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        # Strawberry's own run_operation, but with a context per operation: the
        # connection's would share claims, loaders and memo across every operation.
        try:
            context = await self.operation_context()
            if context is None:
                await self.refuse()
                return
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise
