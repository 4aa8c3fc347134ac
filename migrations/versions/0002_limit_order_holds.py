"""limit order holds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:13:20.463681
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "orders",
        sa.Column(
            "held_cash", sa.Numeric(precision=20, scale=2), server_default="0", nullable=False
        ),
    )
    op.add_column(
        "orders",
        sa.Column(
            "held_quantity", sa.Numeric(precision=30, scale=8), server_default="0", nullable=False
        ),
    )
    op.create_check_constraint(op.f("ck_orders_held_cash_not_negative"), "orders", "held_cash >= 0")
    op.create_check_constraint(
        op.f("ck_orders_held_quantity_not_negative"), "orders", "held_quantity >= 0"
    )
    op.create_index(
        "ix_orders_open_by_asset",
        "orders",
        ["asset_id", "side", "limit_price"],
        unique=False,
        postgresql_where=sa.text("status = 'OPEN'"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_orders_open_by_asset", table_name="orders", postgresql_where=sa.text("status = 'OPEN'")
    )
    op.drop_constraint(op.f("ck_orders_held_quantity_not_negative"), "orders", type_="check")
    op.drop_constraint(op.f("ck_orders_held_cash_not_negative"), "orders", type_="check")
    op.drop_column("orders", "held_quantity")
    op.drop_column("orders", "held_cash")
