"""Signed-in websockets, held to the token rule for as long as they stay open.

A socket is authenticated once, at connection_init, but may live for hours. Every
``interval`` seconds (one price tick by default) the tokens of all open signed-in
sockets of this process are checked again in one statement (``Accounts.standing``);
a socket whose token has expired, was signed out, or predates a password change is
closed with 4403, which ends its subscriptions with it. New operations on a socket
re-check its token anyway (``web.graphql_app``): this sweep is what stops the
subscriptions already running.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from domain.accounts import Accounts
from domain.tokens import Claims

log = logging.getLogger("cnop.ws")


class Refusable(Protocol):
    async def refuse(self) -> None:
        """Close the socket with 4403: its token no longer stands."""


class SignedInSockets:
    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._sockets: dict[Refusable, Claims] = {}
        self._accounts: Accounts | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self._failing = False

    def __len__(self) -> int:
        return len(self._sockets)

    def add(self, socket: Refusable, claims: Claims, accounts: Accounts) -> None:
        self._sockets[socket] = claims
        self._accounts = accounts
        if self._sweeper is None or self._sweeper.done():
            # Runs only while signed-in sockets are open: an idle process queries nothing.
            self._sweeper = asyncio.create_task(self._sweep_while_any(), name="token-sweep")

    def discard(self, socket: Refusable) -> None:
        self._sockets.pop(socket, None)

    async def sweep(self) -> None:
        """Close every socket whose token no longer stands."""
        if not self._sockets or self._accounts is None:
            return
        sockets = list(self._sockets.items())
        standing = {claims.jti for claims in await self._accounts.standing([c for _, c in sockets])}
        for socket, claims in sockets:
            if claims.jti not in standing and socket in self._sockets:
                self.discard(socket)
                await socket.refuse()

    async def _sweep_while_any(self) -> None:
        while self._sockets:
            await asyncio.sleep(self.interval)
            try:
                await self.sweep()
            except Exception:
                # The database is away: keep the sockets; new operations are checked anyway.
                if not self._failing:
                    log.warning("could not re-check websocket tokens", exc_info=True)
                self._failing = True
            else:
                self._failing = False
