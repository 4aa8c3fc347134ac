"""stop orders and time in force

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:30:00

Existing orders keep their meaning: LIMIT orders were good till cancelled (GTC)
and MARKET orders never rested (IOC).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRICE = sa.Numeric(precision=30, scale=10)
INSTANT = sa.DateTime(timezone=True)

NEW_CHECKS = {
    "type_known": "type IN ('MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT')",
    "status_known": "status IN ('OPEN', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED')",
    "time_in_force_known": "time_in_force IN ('GTC', 'IOC', 'DAY', 'GTD')",
    "limit_price_iff_limit_types": (
        "(type IN ('LIMIT', 'STOP_LIMIT')) = (limit_price IS NOT NULL)"
    ),
    "stop_price_iff_stop_types": "(type IN ('STOP', 'STOP_LIMIT')) = (stop_price IS NOT NULL)",
    "market_is_ioc": "type <> 'MARKET' OR time_in_force = 'IOC'",
    "expiry_iff_day_or_gtd": "(time_in_force IN ('DAY', 'GTD')) = (expires_at IS NOT NULL)",
    "triggered_only_stops": "triggered_at IS NULL OR stop_price IS NOT NULL",
    "expired_has_time": "(status = 'EXPIRED') = (expired_at IS NOT NULL)",
}
OLD_CHECKS = {
    "type_known": "type IN ('MARKET', 'LIMIT')",
    "status_known": "status IN ('OPEN', 'FILLED', 'CANCELLED', 'REJECTED')",
    "limit_price_iff_limit": "(type = 'LIMIT') = (limit_price IS NOT NULL)",
}


def upgrade() -> None:
    for name in OLD_CHECKS:
        op.drop_constraint(op.f(f"ck_orders_{name}"), "orders", type_="check")
    op.alter_column("orders", "type", type_=sa.String(length=10), existing_nullable=False)
    op.add_column("orders", sa.Column("stop_price", PRICE, nullable=True))
    op.add_column("orders", sa.Column("time_in_force", sa.String(length=3), nullable=True))
    op.add_column("orders", sa.Column("expires_at", INSTANT, nullable=True))
    op.add_column("orders", sa.Column("triggered_at", INSTANT, nullable=True))
    op.add_column("orders", sa.Column("expired_at", INSTANT, nullable=True))
    op.execute(
        "UPDATE orders SET time_in_force = CASE type WHEN 'MARKET' THEN 'IOC' ELSE 'GTC' END"
    )
    op.alter_column("orders", "time_in_force", nullable=False)
    for name, condition in NEW_CHECKS.items():
        op.create_check_constraint(op.f(f"ck_orders_{name}"), "orders", condition)
    op.create_index(
        "ix_orders_waiting_stops",
        "orders",
        ["asset_id", "side", "stop_price"],
        unique=False,
        postgresql_where=sa.text("status = 'OPEN' AND triggered_at IS NULL"),
    )
    op.create_index(
        "ix_orders_open_expiry",
        "orders",
        ["expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'OPEN' AND expires_at IS NOT NULL"),
    )


def downgrade() -> None:
    # The old schema cannot describe stop orders; deleting them would rewrite users'
    # trading history, so the downgrade refuses instead. Expired orders read as cancelled.
    stops = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM orders WHERE type IN ('STOP', 'STOP_LIMIT')")
    )
    if stops:
        raise RuntimeError(f"{stops} stop orders exist; the schema before 0004 cannot hold them")
    op.execute(
        "UPDATE orders SET status = 'CANCELLED', cancelled_at = expired_at WHERE status = 'EXPIRED'"
    )
    op.drop_index("ix_orders_open_expiry", table_name="orders")
    op.drop_index("ix_orders_waiting_stops", table_name="orders")
    for name in NEW_CHECKS:
        op.drop_constraint(op.f(f"ck_orders_{name}"), "orders", type_="check")
    op.drop_column("orders", "expired_at")
    op.drop_column("orders", "triggered_at")
    op.drop_column("orders", "expires_at")
    op.drop_column("orders", "time_in_force")
    op.drop_column("orders", "stop_price")
    op.alter_column("orders", "type", type_=sa.String(length=6), existing_nullable=False)
    for name, condition in OLD_CHECKS.items():
        op.create_check_constraint(op.f(f"ck_orders_{name}"), "orders", condition)
