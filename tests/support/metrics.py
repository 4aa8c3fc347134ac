"""The metric families the server exports: the dashboards and alerts name them."""

from __future__ import annotations

CNOP_METRICS = (
    "cnop_graphql_requests_total",
    "cnop_graphql_request_duration_seconds",
    "cnop_graphql_errors_total",
    "cnop_orders_placed_total",
    "cnop_orders_filled_total",
    "cnop_websocket_connections",
    "cnop_db_pool_connections",
    "cnop_rate_limited_total",
    "cnop_redis_down_seconds",
)
