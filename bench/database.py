"""The benchmark's own database: created fresh, seeded with funded users, always dropped."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from domain.tokens import TokenCodec
from persistence.database import sync_free_url
from web.runtime import prepare_database

FUNDING = Decimal("10000000.00")
"""Cash per user: far more than a run of small BUY/SELL pairs can spend."""
UNUSABLE_PASSWORD_HASH = "!"
"""Bench users never sign in with a password; their tokens are issued directly."""


@dataclass(frozen=True, slots=True)
class BenchUser:
    id: int
    username: str
    token: str


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` on the same server, query string kept."""
    base, _, query = url.partition("?")
    server = base.rsplit("/", 1)[0]
    return f"{server}/{name}" + (f"?{query}" if query else "")


@asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """A new, migrated database with the catalogue loaded; dropped on exit, whatever happens."""
    name = f"cnop_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(sync_free_url(admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = with_database(admin_url, name)
            await prepare_database(url)
            yield url
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def create_users(url: str, count: int, codec: TokenCodec) -> list[BenchUser]:
    """``count`` users with funded cash balances, inserted directly with SQL.

    Each balance has its matching DEPOSIT ledger entry, dated two days ago so that today's
    deposit limits stay untouched and the ledger still adds up to the balance.
    """
    run = secrets.token_hex(3)
    users: list[BenchUser] = []
    connection = await asyncpg.connect(sync_free_url(url))
    try:
        async with connection.transaction():
            for index in range(count):
                username = f"bench_{run}_{index:02d}"
                user_id = await connection.fetchval(
                    "INSERT INTO users (username, email, password_hash, marketing_emails_consent)"
                    " VALUES ($1, $2, $3, false) RETURNING id",
                    username,
                    f"{username}@example.com",
                    UNUSABLE_PASSWORD_HASH,
                )
                await connection.execute(
                    "INSERT INTO cash_balances (user_id, cash, held) VALUES ($1, $2, 0)",
                    user_id,
                    FUNDING,
                )
                await connection.execute(
                    "INSERT INTO ledger_entries (user_id, type, amount, balance_after, created_at)"
                    " VALUES ($1, 'DEPOSIT', $2, $2, now() - interval '2 days')",
                    user_id,
                    FUNDING,
                )
                users.append(BenchUser(user_id, username, codec.issue(user_id, username).token))
    finally:
        await connection.close()
    return users


async def order_counts(url: str, users: list[BenchUser]) -> dict[int, int]:
    connection = await asyncpg.connect(sync_free_url(url))
    try:
        rows = await connection.fetch(
            "SELECT user_id, count(*) AS n FROM orders WHERE user_id = ANY($1) GROUP BY user_id",
            [user.id for user in users],
        )
    finally:
        await connection.close()
    counts = {user.id: 0 for user in users}
    counts.update({row["user_id"]: row["n"] for row in rows})
    return counts
