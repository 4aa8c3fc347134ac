"""price alerts and the watchlist

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "price_alerts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("condition", sa.String(length=5), nullable=False),
        sa.Column("price", sa.Numeric(precision=30, scale=10), nullable=False),
        sa.Column("status", sa.String(length=9), server_default="ACTIVE", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("triggered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("triggered_price", sa.Numeric(precision=30, scale=10), nullable=True),
        sa.CheckConstraint(
            "condition IN ('ABOVE', 'BELOW')", name=op.f("ck_price_alerts_condition_known")
        ),
        sa.CheckConstraint(
            "status IN ('ACTIVE', 'TRIGGERED')", name=op.f("ck_price_alerts_status_known")
        ),
        sa.CheckConstraint("price > 0", name=op.f("ck_price_alerts_price_positive")),
        sa.CheckConstraint(
            "(status = 'TRIGGERED') = (triggered_at IS NOT NULL AND triggered_price IS NOT NULL)",
            name=op.f("ck_price_alerts_triggered_has_firing"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_price_alerts_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_price_alerts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_alerts")),
    )
    op.create_index(
        "ix_price_alerts_user_newest", "price_alerts", ["user_id", "status", "id"], unique=False
    )
    op.create_index(
        "ix_price_alerts_active_by_asset",
        "price_alerts",
        ["asset_id", "condition", "price"],
        unique=False,
        postgresql_where=sa.text("status = 'ACTIVE'"),
    )
    op.create_table(
        "watchlist_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_watchlist_items_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_watchlist_items_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watchlist_items")),
        sa.UniqueConstraint("user_id", "asset_id", name="uq_watchlist_items_user_asset"),
    )
    op.create_index(
        "ix_watchlist_items_user_added", "watchlist_items", ["user_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_watchlist_items_user_added", table_name="watchlist_items")
    op.drop_table("watchlist_items")
    op.drop_index("ix_price_alerts_active_by_asset", table_name="price_alerts")
    op.drop_index("ix_price_alerts_user_newest", table_name="price_alerts")
    op.drop_table("price_alerts")
