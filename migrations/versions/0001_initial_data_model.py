"""initial data model

Revision ID: 0001
Revises:
Create Date: 2026-11-28 08:59:58.912814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("symbol", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=50), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("is_tradable", sa.Boolean(), nullable=False),
        sa.Column("price", sa.Numeric(precision=30, scale=10), nullable=False),
        sa.Column("price_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("market_cap", sa.Numeric(precision=38, scale=8), nullable=True),
        sa.Column("market_cap_rank", sa.Integer(), nullable=True),
        sa.Column("price_change_24h", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("price_change_7d", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("price_change_30d", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.Column("high_24h", sa.Numeric(precision=30, scale=10), nullable=True),
        sa.Column("low_24h", sa.Numeric(precision=30, scale=10), nullable=True),
        sa.Column("volume_24h", sa.Numeric(precision=38, scale=8), nullable=True),
        sa.Column("circulating_supply", sa.Numeric(precision=38, scale=8), nullable=True),
        sa.Column("total_supply", sa.Numeric(precision=38, scale=8), nullable=True),
        sa.Column("max_supply", sa.Numeric(precision=38, scale=8), nullable=True),
        sa.Column("all_time_high", sa.Numeric(precision=30, scale=10), nullable=True),
        sa.Column("all_time_high_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("all_time_low", sa.Numeric(precision=30, scale=10), nullable=True),
        sa.Column("all_time_low_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("volatility", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.CheckConstraint("price > 0", name=op.f("ck_assets_price_positive")),
        sa.CheckConstraint("symbol = upper(symbol)", name=op.f("ck_assets_symbol_upper_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
        sa.UniqueConstraint("symbol", name=op.f("uq_assets_symbol")),
    )
    op.create_index("ix_assets_rank", "assets", ["market_cap_rank"], unique=False)
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("username", sa.String(length=30), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=50), nullable=True),
        sa.Column("last_name", sa.String(length=50), nullable=True),
        sa.Column("phone", sa.String(length=15), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("marketing_emails_consent", sa.Boolean(), nullable=False),
        sa.Column("tokens_valid_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_users_email_lower_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)
    op.create_table(
        "cash_balances",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("cash", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("held", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("cash >= 0", name=op.f("ck_cash_balances_cash_not_negative")),
        sa.CheckConstraint(
            "held >= 0 AND held <= cash", name=op.f("ck_cash_balances_held_within_cash")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_cash_balances_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_cash_balances")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("client_order_id", sa.String(length=64), nullable=True),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("type", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=9), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=30, scale=8), nullable=False),
        sa.Column("limit_price", sa.Numeric(precision=30, scale=10), nullable=True),
        sa.Column("executed_price", sa.Numeric(precision=30, scale=10), nullable=True),
        sa.Column("total", sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("filled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(status = 'FILLED') = (executed_price IS NOT NULL AND total IS NOT NULL)",
            name=op.f("ck_orders_filled_has_execution"),
        ),
        sa.CheckConstraint(
            "(type = 'LIMIT') = (limit_price IS NOT NULL)",
            name=op.f("ck_orders_limit_price_iff_limit"),
        ),
        sa.CheckConstraint("side IN ('BUY', 'SELL')", name=op.f("ck_orders_side_known")),
        sa.CheckConstraint(
            "status IN ('OPEN', 'FILLED', 'CANCELLED', 'REJECTED')",
            name=op.f("ck_orders_status_known"),
        ),
        sa.CheckConstraint("type IN ('MARKET', 'LIMIT')", name=op.f("ck_orders_type_known")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_orders_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_orders_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_orders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("user_id", "client_order_id", name="uq_orders_user_client_order_id"),
    )
    op.create_index("ix_orders_user_newest", "orders", ["user_id", "id"], unique=False)
    op.create_table(
        "positions",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=30, scale=8), nullable=False),
        sa.Column("held", sa.Numeric(precision=30, scale=8), nullable=False),
        sa.Column("average_cost", sa.Numeric(precision=30, scale=10), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "held >= 0 AND held <= quantity", name=op.f("ck_positions_held_within_quantity")
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_positions_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_positions_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_positions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "asset_id", name=op.f("pk_positions")),
    )
    op.create_table(
        "price_points",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("price", sa.Numeric(precision=30, scale=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_price_points_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", "at", name=op.f("pk_price_points")),
    )
    op.create_table(
        "asset_transactions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("side", sa.String(length=4), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=30, scale=8), nullable=False),
        sa.Column("price", sa.Numeric(precision=30, scale=10), nullable=False),
        sa.Column("total", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "side IN ('BUY', 'SELL')", name=op.f("ck_asset_transactions_side_known")
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_asset_transactions_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_transactions_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_asset_transactions_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_asset_transactions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_transactions")),
    )
    op.create_index(
        "ix_asset_transactions_user_newest", "asset_transactions", ["user_id", "id"], unique=False
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("balance_after", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "type IN ('DEPOSIT', 'WITHDRAWAL', 'ORDER_BUY', 'ORDER_SELL', 'REWARD')",
            name=op.f("ck_ledger_entries_type_known"),
        ),
        sa.CheckConstraint(
            "balance_after >= 0", name=op.f("ck_ledger_entries_balance_after_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_entries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_ledger_entries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    op.create_index(
        "ix_ledger_entries_user_newest", "ledger_entries", ["user_id", "id"], unique=False
    )
    op.create_index(
        "ix_ledger_entries_user_type_created",
        "ledger_entries",
        ["user_id", "type", "created_at"],
        unique=False,
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("ledger_entry_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_idempotency_keys_ledger_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_idempotency_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "red_pocket_claims",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=11), nullable=False),
        sa.Column("amount", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("ledger_entry_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "kind IN ('SECRET', 'CONSOLATION', 'NONE')",
            name=op.f("ck_red_pocket_claims_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_red_pocket_claims_ledger_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_red_pocket_claims_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_red_pocket_claims")),
    )
    op.create_index(
        "uq_red_pocket_claims_consolation_daily",
        "red_pocket_claims",
        ["user_id", "day"],
        unique=True,
        postgresql_where=sa.text("kind = 'CONSOLATION'"),
    )
    op.create_index(
        "uq_red_pocket_claims_secret_daily",
        "red_pocket_claims",
        ["user_id", "day"],
        unique=True,
        postgresql_where=sa.text("kind = 'SECRET'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_red_pocket_claims_secret_daily",
        table_name="red_pocket_claims",
        postgresql_where=sa.text("kind = 'SECRET'"),
    )
    op.drop_index(
        "uq_red_pocket_claims_consolation_daily",
        table_name="red_pocket_claims",
        postgresql_where=sa.text("kind = 'CONSOLATION'"),
    )
    op.drop_table("red_pocket_claims")
    op.drop_table("idempotency_keys")
    op.drop_index("ix_ledger_entries_user_type_created", table_name="ledger_entries")
    op.drop_index("ix_ledger_entries_user_newest", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index("ix_asset_transactions_user_newest", table_name="asset_transactions")
    op.drop_table("asset_transactions")
    op.drop_table("price_points")
    op.drop_table("positions")
    op.drop_index("ix_orders_user_newest", table_name="orders")
    op.drop_table("orders")
    op.drop_table("cash_balances")
    op.drop_index("uq_users_username_lower", table_name="users")
    op.drop_table("users")
    op.drop_index("ix_assets_rank", table_name="assets")
    op.drop_table("assets")
