"""Subscriptions: live prices for anyone, order updates and fired alerts for their owner."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from typing import TypeVar

from starlette.websockets import WebSocket

from domain.market.live import PriceSubscription, UserSubscription, price_symbols
from persistence.models import Order, PriceAlert
from resolvers.context import Context, NotAuthenticated

EventT = TypeVar("EventT")

FORBIDDEN = 4403
"""graphql-transport-ws close code for a connection that may not do what it asked."""


def price_ticks(context: Context, symbols: list[str] | None) -> PriceSubscription:
    return context.services.live.prices(price_symbols(symbols))


def order_updates(context: Context) -> AsyncGenerator[Order, None]:
    return _own_events(context, context.services.live.order_updates)


def price_alerts(context: Context) -> AsyncGenerator[PriceAlert, None]:
    return _own_events(context, context.services.live.price_alerts)


async def _own_events(
    context: Context, open_stream: Callable[[int], UserSubscription[EventT]]
) -> AsyncGenerator[EventT, None]:
    """The signed-in user's events of one stream; anyone else's connection is refused."""
    if context.claims is None:
        await refuse(context)
    user_id = context.require_user_id()
    async with aclosing(open_stream(user_id)) as events:
        async for event in events:
            # One context serves the whole connection: start every event with empty
            # caches, or an order's asset would keep the price of the first event.
            context.forget_cached()
            yield event


async def refuse(context: Context) -> None:
    """Close the connection with 4403, as graphql-transport-ws refuses an unauthorised one.

    A connection without a token is accepted (prices are public), so an operation
    that needs a user is refused when it starts. The operation then waits for the
    connection's teardown to cancel it: returning or raising instead would make
    Strawberry send a ``complete`` or ``error`` frame on a socket already closed.
    Outside a websocket (a subscription streamed over HTTP) it is an ordinary
    UNAUTHENTICATED error.
    """
    if isinstance(context.request, WebSocket):
        await context.request.close(code=FORBIDDEN, reason="Forbidden")
        await asyncio.Event().wait()
    raise NotAuthenticated()
