"""Test infrastructure: one throwaway PostgreSQL database per run, migrated with Alembic.

The database server is TEST_DATABASE_URL's, else the local one on 127.0.0.1:5432,
else an embedded one in a temporary folder. Redis-backed tests use REDIS_URL or
127.0.0.1:6379 and are skipped, with the reason shown, when no Redis answers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy import text

from domain.passwords import hash_password
from domain.tokens import TokenCodec
from persistence import embedded, migrator
from persistence.catalogue.loader import load_catalogue_if_empty
from persistence.database import Database, sync_free_url
from persistence.repositories.users import UserRepository
from persistence.stores import open_stores
from tests.support.servers import own_database
from web.app import create_app
from web.config import Settings
from web.runtime import Runtime, start_runtime

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/0"
TEST_PASSWORD = "Correct-Horse-9-Battery"
TEST_PASSWORD_HASH = hash_password(TEST_PASSWORD)
JWT_SECRET = "test-secret-" + "x" * 40


async def _reachable(url: str) -> bool:
    try:
        connection = await asyncpg.connect(sync_free_url(url), timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    server = base.rsplit("/", 1)[0]
    return f"{server}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cnop-test-") as folder:
        yield Path(folder)


@pytest.fixture(scope="session")
async def database_url(data_dir: Path) -> AsyncIterator[str]:
    admin_url = os.environ.get("TEST_DATABASE_URL")
    used_embedded = False
    if admin_url is None:
        if await _reachable(LOCAL_POSTGRES):
            admin_url = LOCAL_POSTGRES
        else:
            admin_url = await asyncio.to_thread(embedded.start, data_dir)
            used_embedded = True
    name = f"cnop_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(sync_free_url(admin_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(admin_url, name)
    try:
        await migrator.upgrade(url)
        db = Database(url, pool_size=1)
        async with db.transaction() as session:
            await load_catalogue_if_empty(session)
        await db.dispose()
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        if used_embedded:
            await asyncio.to_thread(embedded.release, data_dir)


@pytest.fixture
async def empty_database(database_url):
    """A database of its own with no tables yet, dropped after the test."""
    name = f"cnop_migrations_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(sync_free_url(database_url))
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def shared_database(database_url):
    """A migrated database of its own, for several server processes to share: an engine
    there moves every price it finds, which the session's database must not see."""
    async with own_database(database_url, "cnop_shared") as url:
        yield url


@pytest.fixture(scope="session")
async def redis_url() -> str:
    url = os.environ.get("REDIS_URL", LOCAL_REDIS)
    client = aioredis.from_url(url)
    try:
        await client.ping()
    except (OSError, aioredis.RedisError) as error:
        pytest.skip(
            f"no Redis answers at {url} ({error.__class__.__name__}): Redis-backed test skipped"
        )
    finally:
        await client.aclose()
    return url


def test_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwt_secret": JWT_SECRET,
        "migrate_on_start": False,
        "data_dir": data_dir,
        "db_pool_size": 30,
        # Tests move prices themselves; the engine runs only where a test starts it.
        "price_engine": False,
        # Thousands of requests a minute from one address: the limits have their own tests.
        "rate_limits_enabled": False,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return test_settings(database_url, data_dir)


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    active = await start_runtime(settings)
    yield active
    await active.close()


@pytest.fixture(scope="session")
def codec(settings: Settings) -> TokenCodec:
    return TokenCodec(
        JWT_SECRET,
        ttl_minutes=settings.jwt_ttl_minutes,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


@pytest.fixture(scope="session")
async def client(settings: Settings, runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def raw(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def __call__(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """The data of an operation that must not produce top-level errors."""
        body = await self.raw(query, variables, token)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture(scope="session")
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@dataclass(frozen=True)
class TestUser:
    id: int
    username: str
    email: str
    token: str


@pytest.fixture(scope="session")
def make_user(runtime: Runtime, codec: TokenCodec):
    """A factory of signed-in users, inserted directly (no 150 ms hash per user)."""

    async def make(cash: str | None = None) -> TestUser:
        username = f"user_{uuid.uuid4().hex[:12]}"
        email = f"{username}@example.com"
        async with runtime.services.db.transaction() as session:
            user = await UserRepository(session).create(
                username=username, email=email, password_hash=TEST_PASSWORD_HASH
            )
            if cash is not None:
                # Funded by a ledger entry dated two days ago: today's limits stay untouched.
                await session.execute(
                    text(
                        "INSERT INTO ledger_entries"
                        " (user_id, type, amount, balance_after, created_at)"
                        " VALUES (:id, 'DEPOSIT', :cash, :cash, now() - interval '2 days')"
                    ),
                    {"cash": Decimal(cash), "id": user.id},
                )
                await session.execute(
                    text("UPDATE cash_balances SET cash = :cash WHERE user_id = :id"),
                    {"cash": Decimal(cash), "id": user.id},
                )
        issued = codec.issue(user.id, username)
        return TestUser(user.id, username, email, issued.token)

    return make


@pytest.fixture
def memory_stores():
    return open_stores(None)


@pytest.fixture
async def redis_stores(redis_url: str):
    namespace = f"cnop-test-{uuid.uuid4().hex[:8]}"
    stores = open_stores(redis_url, namespace=namespace)
    yield stores
    # The Redis is shared with whatever else runs here: leave none of our keys behind.
    assert stores.redis is not None
    keys = [key async for key in stores.redis.scan_iter(match=f"{namespace}:*")]
    if keys:
        await stores.redis.delete(*keys)
    await stores.close()


@pytest.fixture(scope="session")
def make_asset(runtime: Runtime):
    """A factory of catalogue assets with a chosen price, private to the calling test."""

    async def make(price: str = "100.00", *, tradable: bool = True) -> str:
        symbol = "T" + uuid.uuid4().hex[:10].upper()
        async with runtime.services.db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO assets (symbol, name, is_tradable, price, price_updated_at,"
                    " price_change_24h, volatility)"
                    " VALUES (:symbol, :name, :tradable, :price, now(), 0, 0.5)"
                ),
                {
                    "symbol": symbol,
                    "name": f"Test {symbol}",
                    "tradable": tradable,
                    "price": Decimal(price),
                },
            )
        return symbol

    return make


@pytest.fixture(scope="session")
def set_price(runtime: Runtime):
    async def set_(symbol: str, price: str) -> None:
        async with runtime.services.db.transaction() as session:
            await session.execute(
                # A new price is a current one, as when the engine writes it.
                text(
                    "UPDATE assets SET price = :price, price_updated_at = now()"
                    " WHERE symbol = :symbol"
                ),
                {"symbol": symbol, "price": Decimal(price)},
            )

    return set_


def unthrottled(settings: Settings) -> Settings:
    """Settings for floods of hostile requests from one address: no budgets, no lockouts."""
    return settings.model_copy(
        update={
            "rate_limits_enabled": False,
            "login_max_failures_per_ip": 1_000_000,
            "db_pool_size": 5,
        }
    )


@pytest.fixture(scope="module")
def quiet_strawberry_errors() -> Iterator[None]:
    """Strawberry logs every client error it answers, with a stack, at ERROR; formatting
    thousands of them for pytest's log capture would double a fuzzing run. The server's
    logging set-up silences this logger too; the product's loggers stay as they are."""
    logger = logging.getLogger("strawberry.execution")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(previous)
