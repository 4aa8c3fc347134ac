"""Prometheus metrics: one registry per process, recording functions, and GET /metrics.

Every label value that a client can influence (operation names, error codes,
rate-limit scopes) passes through a ``BoundedLabel``: a value that is not a
plain identifier, or that arrives after the label already holds its maximum
number of distinct values, is recorded as ``other``. A hostile client can
therefore never grow the number of time series without bound.

Gauges that describe a current state (database pool, open websockets, live
subscriptions) are read at scrape time from the objects that know them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.process_collector import ProcessCollector
from sqlalchemy.pool import Pool, QueuePool
from starlette.requests import Request
from starlette.responses import Response

from domain.vocabulary import OrderSide, OrderType

OTHER = "other"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")


class BoundedLabel:
    """Admits at most ``capacity`` distinct values of at most ``max_length`` characters."""

    def __init__(self, capacity: int, *, max_length: int = 64) -> None:
        self._capacity = capacity
        self._max_length = max_length
        self._seen: set[str] = set()

    def __call__(self, value: str | None) -> str:
        if not value or len(value) > self._max_length or not IDENTIFIER.fullmatch(value):
            return OTHER
        if value in self._seen:
            return value
        if len(self._seen) >= self._capacity:
            return OTHER
        self._seen.add(value)
        return value


# One ``*_created`` series per counter doubles the series count for no chart we draw.
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

GRAPHQL_REQUESTS = Counter(
    "cnop_graphql_requests_total",
    "GraphQL operations by operation name and outcome (ok, user_error or an error code).",
    ["operation", "outcome"],
    registry=REGISTRY,
)
GRAPHQL_DURATION = Histogram(
    "cnop_graphql_request_duration_seconds",
    "Time to answer a GraphQL request over HTTP, or one query or mutation over a websocket.",
    ["operation"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
GRAPHQL_ERRORS = Counter(
    "cnop_graphql_errors_total",
    "Errors in GraphQL answers by code: top-level errors, payload errors and refused requests.",
    ["code"],
    registry=REGISTRY,
)
ORDERS_PLACED = Counter(
    "cnop_orders_placed_total",
    "Orders accepted, by side and type.",
    ["side", "type"],
    registry=REGISTRY,
)
ORDERS_FILLED = Counter(
    "cnop_orders_filled_total",
    "Orders filled, at placement (marketable) or later by the matcher, by side and type.",
    ["side", "type"],
    registry=REGISTRY,
)
WEBSOCKET_CONNECTIONS = Gauge(
    "cnop_websocket_connections",
    "Websocket connections open on this process.",
    registry=REGISTRY,
)
LIVE_SUBSCRIPTIONS = Gauge(
    "cnop_live_subscriptions",
    "Live subscriptions served by this process, by kind (prices, orders, alerts).",
    ["kind"],
    registry=REGISTRY,
)
DB_POOL_CONNECTIONS = Gauge(
    "cnop_db_pool_connections",
    "Database connections of this process's pool by state (in_use, idle).",
    ["state"],
    registry=REGISTRY,
)
REDIS_DOWN_SECONDS = Gauge(
    "cnop_redis_down_seconds",
    "Seconds since this process found Redis unreachable and began serving from its"
    " in-process stores; 0 while Redis answers (or none is configured).",
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "cnop_rate_limited_total",
    "Requests refused by a rate limit, by the limit's scope.",
    ["scope"],
    registry=REGISTRY,
)

_operations = BoundedLabel(200)
_outcomes = BoundedLabel(60)
_codes = BoundedLabel(60)
_scopes = BoundedLabel(30)
SIDES = frozenset(OrderSide)
ORDER_TYPES = frozenset(OrderType)


# ------------------------------------------------------------------ recording


def record_rate_limited(scope: str) -> None:
    """One request refused by the rate limit named ``scope`` (e.g. "login", "ip")."""
    RATE_LIMITED.labels(scope=_scopes(scope)).inc()


def record_graphql_request(
    operation: str | None,
    outcome: str,
    duration_s: float | None,
    error_codes: Iterable[str] = (),
) -> None:
    """One GraphQL operation answered; ``duration_s`` None leaves the histogram alone
    (a subscription's lifetime is not a latency)."""
    name = _operations(operation)
    GRAPHQL_REQUESTS.labels(operation=name, outcome=_outcomes(outcome)).inc()
    if duration_s is not None:
        GRAPHQL_DURATION.labels(operation=name).observe(duration_s)
    for code in error_codes:
        GRAPHQL_ERRORS.labels(code=_codes(code)).inc()


class _Order(Protocol):
    @property
    def side(self) -> str: ...

    @property
    def type(self) -> str: ...


def _order_labels(order: _Order) -> tuple[str, str]:
    side = order.side if order.side in SIDES else OTHER
    kind = order.type if order.type in ORDER_TYPES else OTHER
    return side, kind


class PrometheusOrderObserver:
    """The domain's OrderObserver, counting orders placed and filled."""

    def order_placed(self, order: _Order) -> None:
        side, kind = _order_labels(order)
        ORDERS_PLACED.labels(side=side, type=kind).inc()

    def order_filled(self, order: _Order) -> None:
        side, kind = _order_labels(order)
        ORDERS_FILLED.labels(side=side, type=kind).inc()


ORDER_METRICS = PrometheusOrderObserver()


# ------------------------------------------------------------------- scraping


@dataclass(frozen=True, slots=True)
class LiveCounts:
    websockets: int
    price_subscriptions: int
    order_subscriptions: int
    alert_subscriptions: int = 0


def read_pool(pool: Pool) -> None:
    """Copy the pool's checked-out and idle connection counts into the gauge."""
    if isinstance(pool, QueuePool):
        DB_POOL_CONNECTIONS.labels(state="in_use").set(pool.checkedout())
        DB_POOL_CONNECTIONS.labels(state="idle").set(pool.checkedin())


def read_live(counts: LiveCounts) -> None:
    WEBSOCKET_CONNECTIONS.set(counts.websockets)
    LIVE_SUBSCRIPTIONS.labels(kind="prices").set(counts.price_subscriptions)
    LIVE_SUBSCRIPTIONS.labels(kind="orders").set(counts.order_subscriptions)
    LIVE_SUBSCRIPTIONS.labels(kind="alerts").set(counts.alert_subscriptions)


def exposition() -> bytes:
    """The registry in the Prometheus text format."""
    return generate_latest(REGISTRY)


async def endpoint(request: Request) -> Response:
    """GET /metrics: the state gauges read now, then every metric of this process."""
    state = request.app.state
    services = getattr(state, "services", None)
    if services is not None:
        read_pool(services.db.engine.pool)
        link = services.stores.link
        REDIS_DOWN_SECONDS.set(0.0 if link is None else link.down_for_s)
        connections = getattr(state, "websockets", None)
        read_live(
            LiveCounts(
                websockets=0 if connections is None else len(connections),
                price_subscriptions=services.live.price_subscriber_count,
                order_subscriptions=services.live.order_subscriber_count,
                alert_subscriptions=services.live.alert_subscriber_count,
            )
        )
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
