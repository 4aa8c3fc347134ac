"""Everything a running server holds: the database, the stores and the domain services.

Built once by the lifespan (or by a test), torn down when it ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import stat
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from domain.accounts import Accounts
from domain.cash import Cash
from domain.catalogue import Catalogue
from domain.exports import Exports
from domain.history import History
from domain.insights.breaker import CircuitBreaker
from domain.insights.local import LocalAnalyser
from domain.insights.providers import InsightsProvider
from domain.insights.service import Insights
from domain.insights.source import SnapshotSource
from domain.limits import Limits
from domain.login_guard import LoginGuard, LoginPolicy
from domain.market.alerts import AlertFiring
from domain.market.database_relay import DatabasePriceRelay
from domain.market.engine import EngineTiming, PriceEngine
from domain.market.feeds import PriceFeed, SimulatedFeed
from domain.market.live import LiveHub
from domain.market.matching import Matcher
from domain.market.supervisor import ENGINE_LOCK_KEY, MarketSupervisor
from domain.orders import Orders
from domain.passwords import PasswordHashing
from domain.portfolio import Portfolios
from domain.portfolio_history import PortfolioHistory
from domain.price_alerts import PriceAlerts
from domain.red_pocket import RedPocket
from domain.tokens import TokenCodec
from domain.watchlist import Watchlist
from persistence import embedded, migrator
from persistence.advisory_lock import AdvisoryLock
from persistence.catalogue.loader import load_catalogue_if_empty
from persistence.database import Database
from persistence.stores import open_stores
from persistence.stores.fallback import FallbackPubSub
from resolvers.context import Services
from web.adapters.coingecko import CoinGeckoFeed
from web.adapters.secret_words import load_secret_words
from web.config import Settings
from web.metrics import ORDER_METRICS

log = logging.getLogger("cnop")


@dataclass(slots=True)
class Runtime:
    settings: Settings
    database_url: str
    services: Services
    embedded_db: bool
    market: MarketSupervisor | None = None
    price_relay: DatabasePriceRelay | None = None

    async def close(self) -> None:
        if self.price_relay is not None:
            await self.price_relay.close()
        if self.market is not None:
            await self.market.close()
        await self.services.insights.aclose()
        await self.services.live.close()
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
    if not path.exists():
        _create_secret_file(path, secrets.token_urlsafe(48))
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        # Written by an earlier version (text first, chmod after): close it now.
        path.chmod(0o600)
        log.warning("%s was readable by others (mode %o); it is now 0600", path, mode)
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds no usable JWT secret; delete it to generate a new one")
    return secret


def _create_secret_file(path: Path, secret: str) -> None:
    """Write ``secret`` to ``path``, readable by its owner only from the first byte on.

    The content goes to a temporary file created 0600 (O_EXCL: never someone else's
    file), then is linked into place: readers see the whole secret or no file, and when
    two processes start at once the first link wins and both use that secret.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secret)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return  # another process was first: its secret is the one
        log.info("generated a JWT secret in %s", path)
    finally:
        temporary.unlink(missing_ok=True)


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
    db = Database(
        url,
        pool_size=settings.db_pool_size,
        connect_timeout_s=settings.db_connect_timeout_s,
        command_timeout_s=settings.db_command_timeout_s,
    )
    stores = open_stores(
        settings.redis_url, namespace=settings.redis_namespace, timeout_s=settings.redis_timeout_s
    )
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
        max_price_age=timedelta(seconds=settings.max_price_age_s),
    )
    portfolios = Portfolios(db)
    services = Services(
        db=db,
        stores=stores,
        accounts=Accounts(
            db,
            codec,
            LoginGuard(
                stores.rate_limiter,
                LoginPolicy(
                    max_failures=settings.login_max_failures,
                    max_failures_per_ip=settings.login_max_failures_per_ip,
                    window=settings.login_lockout_s,
                    lockout=settings.login_lockout_s,
                    backoff_after=settings.login_user_backoff_after,
                    backoff_max=settings.login_user_backoff_max_s,
                ),
            ),
            PasswordHashing(settings.password_hash_concurrency),
        ),
        catalogue=Catalogue(db),
        cash=Cash(db, limits),
        orders=Orders(db, limits, stores.pubsub, observer=ORDER_METRICS),
        portfolios=portfolios,
        history=History(db),
        red_pocket=RedPocket(
            db,
            load_secret_words(settings.red_pocket_config),
            settings.red_pocket_default_reward,
        ),
        insights=Insights(
            SnapshotSource(db, portfolios),
            provider_for(settings.gemini_api_key, settings.gemini_model, settings.gemini_timeout_s),
            stores.cache,
            CircuitBreaker(
                settings.insights_breaker_failures, settings.insights_breaker_cooldown_s
            ),
            limiter=stores.rate_limiter,
            per_user_per_hour=settings.insights_per_user_per_hour,
        ),
        live=LiveHub(stores.pubsub),
        price_alerts=PriceAlerts(db, stores.pubsub),
        watchlist=Watchlist(db),
        portfolio_history=PortfolioHistory(db),
        exports=Exports(db),
    )
    log.info("insights: %s", services.insights.model)
    # Every process relays the broker's prices and orders to its own websocket clients.
    await services.live.start()
    market = start_market(settings, services) if settings.price_engine else None
    price_relay = None
    if isinstance(stores.pubsub, FallbackPubSub):
        # Feeds this process's subscribers from PostgreSQL while Redis cannot.
        price_relay = DatabasePriceRelay(
            db,
            stores.pubsub,
            leading=lambda: market is not None and market.leading,
            interval_s=settings.price_tick_ms / 1000,
        )
        price_relay.start()
    return Runtime(settings, url, services, embedded_db, market, price_relay)


def provider_for(api_key: str | None, model: str, timeout_s: float) -> InsightsProvider:
    """Gemini when an API key is configured, else the local rule-based analyser."""
    if api_key is None:
        return LocalAnalyser()
    # Imported only when used: the SDK adds over half a second to start-up.
    from web.adapters.gemini import GeminiProvider

    return GeminiProvider(api_key=api_key, model=model, timeout_s=timeout_s)


def start_market(settings: Settings, services: Services) -> MarketSupervisor:
    """Every process competes for the engine; the advisory lock lets exactly one run it."""
    feed: PriceFeed = (
        CoinGeckoFeed(poll_interval=timedelta(seconds=settings.coingecko_poll_s))
        if settings.price_feed == "coingecko"
        else SimulatedFeed(settings.price_seed)
    )
    engine = PriceEngine(
        db=services.db,
        feed=feed,
        pubsub=services.stores.pubsub,
        matcher=Matcher(services.db, services.orders, observer=ORDER_METRICS),
        timing=EngineTiming(
            tick=timedelta(milliseconds=settings.price_tick_ms),
            history_interval=timedelta(seconds=settings.price_history_interval_s),
        ),
        alerts=AlertFiring(services.db, services.price_alerts),
    )
    supervisor = MarketSupervisor(AdvisoryLock(services.db.engine, ENGINE_LOCK_KEY), engine)
    supervisor.start()
    return supervisor
