"""Everything a running server holds: the database, the stores and the domain services.

Built once by the lifespan (or by a test), torn down when it ends.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from dataclasses import dataclass

from domain.accounts import Accounts
from domain.cash import Cash
from domain.catalogue import Catalogue
from domain.history import History
from domain.limits import Limits
from domain.orders import Orders
from domain.portfolio import Portfolios
from domain.tokens import TokenCodec
from persistence import embedded, migrator
from persistence.catalogue.loader import load_catalogue_if_empty
from persistence.database import Database
from persistence.stores import open_stores
from resolvers.context import Services
from web.config import Settings

log = logging.getLogger("cnop")


@dataclass(slots=True)
class Runtime:
    settings: Settings
    database_url: str
    services: Services
    embedded_db: bool

    async def close(self) -> None:
        await self.services.stores.close()
        await self.services.db.dispose()
        if self.embedded_db:
            await asyncio.to_thread(embedded.release, self.settings.data_dir)
            log.info("embedded PostgreSQL released")


def jwt_secret(settings: Settings) -> str:
    """The configured secret; in embedded mode one generated once and kept in the data folder."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret
    path = settings.data_dir / "jwt_secret"
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret)
    path.chmod(0o600)
    log.info("generated a JWT secret in %s", path)
    return secret


async def prepare_database(url: str) -> None:
    """Apply pending migrations, then load the catalogue into an empty database."""
    await migrator.upgrade(url)
    db = Database(url, pool_size=1)
    try:
        async with db.transaction() as session:
            added = await load_catalogue_if_empty(session)
        if added:
            log.info("loaded %d catalogue assets with 30 days of price history", added)
    finally:
        await db.dispose()


async def start_runtime(settings: Settings) -> Runtime:
    embedded_db = settings.database_url is None
    if embedded_db:
        url = await asyncio.to_thread(embedded.start, settings.data_dir)
        log.info("database: embedded PostgreSQL in %s", settings.data_dir / "postgres")
    else:
        assert settings.database_url is not None
        url = settings.database_url
        log.info("database: %s", url.split("@")[-1])
    if settings.migrate_on_start:
        await prepare_database(url)
    db = Database(url, pool_size=settings.db_pool_size)
    stores = open_stores(settings.redis_url)
    if stores.backend == "redis":
        log.info("stores: Redis (shared by every process)")
    else:
        log.info("stores: in-process (single process; set REDIS_URL to share between processes)")
    codec = TokenCodec(
        jwt_secret(settings),
        ttl_minutes=settings.jwt_ttl_minutes,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )
    limits = Limits(
        daily_deposit=settings.daily_deposit_limit,
        daily_withdraw=settings.daily_withdraw_limit,
        max_order_value=settings.max_order_value,
    )
    services = Services(
        db=db,
        stores=stores,
        accounts=Accounts(db, codec, stores.revocations),
        catalogue=Catalogue(db),
        cash=Cash(db, limits),
        orders=Orders(db, limits),
        portfolios=Portfolios(db),
        history=History(db),
    )
    return Runtime(settings, url, services, embedded_db)
