"""The live hub: one broker subscription per channel per process, fanned out locally.

Every process relays the ``prices``, ``orders`` and ``alerts`` channels from the broker to
its own websocket subscribers. Each broker message is decoded once here, then
handed to every interested subscriber without another copy or parse. A slow
subscriber never holds anyone up: prices keep only the newest tick per symbol
until it reads them, order updates and fired alerts sit in a small queue that
drops its oldest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Set
from typing import Any, Generic, TypeVar

from domain.errors import invalid
from domain.market.events import (
    ALERTS_CHANNEL,
    ORDERS_CHANNEL,
    PRICES_CHANNEL,
    PriceTick,
    decode_alert,
    decode_order,
    decode_ticks,
)
from persistence.models import Order, PriceAlert
from persistence.stores.pubsub import PubSub

log = logging.getLogger("cnop.live")

ORDER_QUEUE_SIZE = 16
"""Order updates (likewise fired alerts) a subscriber may fall behind by before its
oldest is dropped."""

EventT = TypeVar("EventT")

MAX_PRICE_SYMBOLS = 200
"""Most symbols one prices subscription may name: more than the catalogue holds (76
today), so a list of real symbols always fits; `symbols: null` follows every asset."""
MAX_SYMBOL_LENGTH = 20
"""As long as an asset's symbol may be (the assets.symbol column)."""


def price_symbols(symbols: list[str] | None) -> frozenset[str] | None:
    """Upper-case, trimmed symbols to follow (None: every symbol), or VALIDATION_FAILED.

    Checked before anything is built: each subscriber's set is kept for as long as
    it listens and looked up on every tick.
    """
    if symbols is None:
        return None
    if len(symbols) > MAX_PRICE_SYMBOLS:
        raise invalid(
            "symbols",
            f"Follow at most {MAX_PRICE_SYMBOLS} symbols at once ({len(symbols)} given); "
            "leave symbols out to follow every asset.",
        )
    chosen = frozenset(symbol.strip().upper() for symbol in symbols)
    if any(len(symbol) > MAX_SYMBOL_LENGTH for symbol in chosen):
        raise invalid("symbols", f"A symbol has at most {MAX_SYMBOL_LENGTH} characters.")
    return chosen


class PriceSubscription:
    """Ticks from the moment it is created until ``aclose()``; newest per symbol.

    Holds at most one unread tick per symbol: a newer tick replaces an unread one
    in place, so a reader slower than the market skips stale prices instead of
    building a backlog.
    """

    __slots__ = ("_ended", "_hub", "_wakeup", "pending", "symbols")

    def __init__(self, hub: LiveHub, symbols: frozenset[str] | None) -> None:
        self._hub = hub
        self.symbols = symbols
        self.pending: OrderedDict[str, PriceTick] = OrderedDict()
        self._wakeup = asyncio.Event()
        self._ended = False

    def offer(self, ticks: dict[str, PriceTick]) -> None:
        if self.symbols is None:
            self.pending.update(ticks)
        else:
            matched = False
            for symbol in self.symbols:
                tick = ticks.get(symbol)
                if tick is not None:
                    self.pending[symbol] = tick
                    matched = True
            if not matched:
                return
        self._wakeup.set()

    def end(self) -> None:
        self._ended = True
        self._wakeup.set()

    def __aiter__(self) -> PriceSubscription:
        return self

    async def __anext__(self) -> PriceTick:
        while not self._ended:
            if self.pending:
                return self.pending.popitem(last=False)[1]
            self._wakeup.clear()
            await self._wakeup.wait()
        raise StopAsyncIteration

    async def next_batch(self) -> list[PriceTick]:
        """Every unread tick at once, the newest of each symbol: one message per tick for
        a subscriber of many symbols, where ``__anext__`` hands them over one by one."""
        while not self._ended:
            if self.pending:
                ticks = list(self.pending.values())
                self.pending.clear()
                return ticks
            self._wakeup.clear()
            await self._wakeup.wait()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self._ended = True
        self._hub._forget_price_subscription(self)


class UserSubscription(Generic[EventT]):
    """One user's events of one kind (order updates, fired alerts) from the moment it is
    created until ``aclose()``; a small queue that drops its oldest when the reader lags."""

    __slots__ = ("_ended", "_forget", "_wakeup", "dropped", "kind", "queue", "user_id")

    def __init__(
        self,
        kind: str,
        user_id: int,
        size: int,
        forget: Callable[[UserSubscription[EventT]], None],
    ) -> None:
        self.kind = kind
        self.user_id = user_id
        self._forget = forget
        self.queue: deque[EventT] = deque(maxlen=size)
        self._wakeup = asyncio.Event()
        self._ended = False
        self.dropped = 0

    def offer(self, event: EventT) -> None:
        if len(self.queue) == self.queue.maxlen:
            self.dropped += 1
            if self.dropped == 1:
                log.warning(
                    "%s of user %d: a subscriber fell %d behind; dropping the oldest",
                    self.kind,
                    self.user_id,
                    len(self.queue),
                )
        self.queue.append(event)
        self._wakeup.set()

    def end(self) -> None:
        self._ended = True
        self._wakeup.set()

    def __aiter__(self) -> UserSubscription[EventT]:
        return self

    async def __anext__(self) -> EventT:
        while not self._ended:
            if self.queue:
                return self.queue.popleft()
            self._wakeup.clear()
            await self._wakeup.wait()
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self._ended = True
        self._forget(self)


OrderSubscription = UserSubscription[Order]
AlertSubscription = UserSubscription[PriceAlert]


class _UserStreams(Generic[EventT]):
    """Every subscription of one kind, by user."""

    def __init__(self, kind: str, size: int) -> None:
        self.kind = kind
        self.size = size
        self.by_user: dict[int, set[UserSubscription[EventT]]] = {}

    def open(self, user_id: int) -> UserSubscription[EventT]:
        subscription = UserSubscription(self.kind, user_id, self.size, self.forget)
        self.by_user.setdefault(user_id, set()).add(subscription)
        return subscription

    def forget(self, subscription: UserSubscription[EventT]) -> None:
        subscriptions = self.by_user.get(subscription.user_id)
        if subscriptions is not None:
            subscriptions.discard(subscription)
            if not subscriptions:
                del self.by_user[subscription.user_id]

    def offer(self, user_id: int, event: EventT) -> None:
        for subscription in self.by_user.get(user_id, ()):
            subscription.offer(event)

    def end_all(self) -> None:
        for subscriptions in self.by_user.values():
            for subscription in subscriptions:
                subscription.end()
        self.by_user.clear()

    @property
    def count(self) -> int:
        return sum(len(subscriptions) for subscriptions in self.by_user.values())


class LiveHub:
    def __init__(
        self,
        pubsub: PubSub,
        *,
        order_queue_size: int = ORDER_QUEUE_SIZE,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 10.0,
    ) -> None:
        self._pubsub = pubsub
        self._retry_initial_s = retry_initial_s
        self._retry_max_s = retry_max_s
        self._price_subscriptions: set[PriceSubscription] = set()
        self._orders: _UserStreams[Order] = _UserStreams("order updates", order_queue_size)
        self._alerts: _UserStreams[PriceAlert] = _UserStreams("price alerts", order_queue_size)
        self._relays: list[asyncio.Task[None]] = []

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._relays:
            return
        self._relays = [
            asyncio.create_task(
                self._relay(PRICES_CHANNEL, self._dispatch_prices), name="live-prices"
            ),
            asyncio.create_task(
                self._relay(ORDERS_CHANNEL, self._dispatch_order), name="live-orders"
            ),
            asyncio.create_task(
                self._relay(ALERTS_CHANNEL, self._dispatch_alert), name="live-alerts"
            ),
        ]
        # One turn of the loop lets each relay reach its subscribe call.
        await asyncio.sleep(0)

    async def close(self) -> None:
        """Stop relaying and end every subscription (their iterators stop)."""
        relays, self._relays = self._relays, []
        for task in relays:
            task.cancel()
        for task in relays:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for price_subscription in self._price_subscriptions:
            price_subscription.end()
        self._orders.end_all()
        self._alerts.end_all()
        self._price_subscriptions.clear()

    @property
    def price_subscriber_count(self) -> int:
        return len(self._price_subscriptions)

    @property
    def order_subscriber_count(self) -> int:
        return self._orders.count

    @property
    def alert_subscriber_count(self) -> int:
        return self._alerts.count

    # -------------------------------------------------------------- subscriptions

    def prices(self, symbols: Set[str] | None) -> PriceSubscription:
        """Ticks of ``symbols`` (every symbol when None) from now on; close it when done."""
        subscription = PriceSubscription(self, None if symbols is None else frozenset(symbols))
        self._price_subscriptions.add(subscription)
        return subscription

    def order_updates(self, user_id: int) -> OrderSubscription:
        """The user's orders after each state change, from now on; close it when done."""
        return self._orders.open(user_id)

    def price_alerts(self, user_id: int) -> AlertSubscription:
        """The user's alerts as they fire, from now on; close it when done."""
        return self._alerts.open(user_id)

    def _forget_price_subscription(self, subscription: PriceSubscription) -> None:
        self._price_subscriptions.discard(subscription)

    # -------------------------------------------------------------------- relays

    def _dispatch_prices(self, message: str) -> None:
        ticks = {tick.symbol: tick for tick in decode_ticks(message)}
        if ticks:
            for subscription in self._price_subscriptions:
                subscription.offer(ticks)

    def _dispatch_order(self, message: str) -> None:
        order = decode_order(message)
        self._orders.offer(order.user_id, order)

    def _dispatch_alert(self, message: str) -> None:
        alert = decode_alert(message)
        self._alerts.offer(alert.user_id, alert)

    async def _relay(self, channel: str, dispatch: Callable[[str], None]) -> None:
        """Relay one channel for the life of the hub, resubscribing after a broker failure."""
        delay = self._retry_initial_s
        while True:
            messages = self._pubsub.subscribe(channel)
            try:
                async for message in messages:
                    delay = self._retry_initial_s
                    try:
                        dispatch(message)
                    except Exception:
                        log.exception("live %s: dropped a message that does not decode", channel)
                log.warning("live %s: the broker ended the subscription; resubscribing", channel)
            except Exception as error:
                log.warning(
                    "live %s: broker subscription failed (%s: %s); retrying in %.2f s",
                    channel,
                    type(error).__name__,
                    error,
                    delay,
                )
            finally:
                await _close_iterator(messages)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry_max_s)


async def _close_iterator(iterator: AsyncIterator[Any]) -> None:
    close = getattr(iterator, "aclose", None)
    if close is None:
        return
    try:
        await close()
    except Exception as error:
        log.debug("live: closing a broker subscription failed: %s", error)
