"""Settings read once from the environment; invalid values stop start-up.

Every variable has a default so that ``cnop serve`` runs with no configuration
at all (embedded PostgreSQL, in-process stores). The README's configuration
table lists the same names and defaults.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ENVIRONMENTS = ("development", "production")
PRICE_FEEDS = ("simulated", "coingecko")


class ConfigError(Exception):
    """One environment variable has a value we cannot use; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = None
    redis_url: str | None = None
    redis_namespace: str = "cnop"
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"
    data_dir: Path = PROJECT_ROOT / ".data"
    jwt_secret: str | None = None
    jwt_ttl_minutes: int = 60
    jwt_issuer: str = "cnop"
    jwt_audience: str = "cnop-web"
    log_level: str = "INFO"
    cors_origins: tuple[str, ...] = ()
    migrate_on_start: bool = True
    db_pool_size: int = 20
    graphiql: bool = True
    introspection: bool = True
    daily_deposit_limit: Decimal = Decimal("10000")
    daily_withdraw_limit: Decimal = Decimal("5000")
    max_order_value: Decimal = Decimal("10000")
    gemini_api_key: str | None = field(default=None, repr=False)
    gemini_model: str = "gemini-3.1-flash-lite"
    gemini_timeout_s: int = 10
    insights_breaker_failures: int = 5
    insights_breaker_cooldown_s: int = 30
    red_pocket_config: Path = PROJECT_ROOT / "persistence" / "red_pocket" / "secret_words.json"
    red_pocket_default_reward: Decimal = Decimal("8.88")
    price_engine: bool = True
    price_feed: str = "simulated"
    price_tick_ms: int = 1000
    price_seed: int | None = None
    price_history_interval_s: int = 60
    coingecko_poll_s: int = 60

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        read = _Reader(env)
        defaults = cls()
        environment = read.choice("APP_ENV", "development", ENVIRONMENTS)
        development = environment == "development"
        settings = cls(
            database_url=read.optional("DATABASE_URL"),
            redis_url=read.optional("REDIS_URL"),
            redis_namespace=read.text("REDIS_NAMESPACE", defaults.redis_namespace),
            host=read.text("HOST", defaults.host),
            port=read.number("PORT", defaults.port, low=1, high=65535),
            environment=environment,
            data_dir=Path(read.text("DATA_DIR", str(defaults.data_dir))).resolve(),
            jwt_secret=read.optional("JWT_SECRET"),
            jwt_ttl_minutes=read.number(
                "JWT_TTL_MINUTES", defaults.jwt_ttl_minutes, low=1, high=43200
            ),
            jwt_issuer=read.text("JWT_ISSUER", defaults.jwt_issuer),
            jwt_audience=read.text("JWT_AUDIENCE", defaults.jwt_audience),
            log_level=read.choice("LOG_LEVEL", defaults.log_level, LOG_LEVELS, upper=True),
            cors_origins=read.csv("CORS_ORIGINS"),
            migrate_on_start=read.flag("MIGRATE_ON_START", True),
            db_pool_size=read.number("DB_POOL_SIZE", defaults.db_pool_size, low=1, high=500),
            graphiql=read.flag("GRAPHIQL", development),
            introspection=read.flag("INTROSPECTION", development),
            daily_deposit_limit=read.money("DAILY_DEPOSIT_LIMIT", defaults.daily_deposit_limit),
            daily_withdraw_limit=read.money("DAILY_WITHDRAW_LIMIT", defaults.daily_withdraw_limit),
            max_order_value=read.money("MAX_ORDER_VALUE", defaults.max_order_value),
            gemini_api_key=read.optional("GEMINI_API_KEY"),
            gemini_model=read.text("GEMINI_MODEL", defaults.gemini_model),
            gemini_timeout_s=read.number(
                "GEMINI_TIMEOUT_S", defaults.gemini_timeout_s, low=1, high=120
            ),
            insights_breaker_failures=read.number(
                "INSIGHTS_BREAKER_FAILURES", defaults.insights_breaker_failures, low=1, high=1000
            ),
            insights_breaker_cooldown_s=read.number(
                "INSIGHTS_BREAKER_COOLDOWN_S",
                defaults.insights_breaker_cooldown_s,
                low=1,
                high=86400,
            ),
            red_pocket_config=Path(
                read.text("RED_POCKET_CONFIG", str(defaults.red_pocket_config))
            ).resolve(),
            red_pocket_default_reward=read.money(
                "RED_POCKET_DEFAULT_REWARD", defaults.red_pocket_default_reward
            ),
        )
        settings = replace(
            settings,
            price_engine=read.flag("PRICE_ENGINE", defaults.price_engine),
            price_feed=read.choice("PRICE_FEED", defaults.price_feed, PRICE_FEEDS),
            price_tick_ms=read.number("PRICE_TICK_MS", defaults.price_tick_ms, low=50, high=60000),
            price_seed=None
            if read.optional("PRICE_SEED") is None
            else read.number("PRICE_SEED", 0, low=0, high=2**63 - 1),
            price_history_interval_s=read.number(
                "PRICE_HISTORY_INTERVAL_S", defaults.price_history_interval_s, low=1, high=3600
            ),
            coingecko_poll_s=read.number(
                "COINGECKO_POLL_S", defaults.coingecko_poll_s, low=10, high=3600
            ),
        )
        if settings.red_pocket_default_reward != settings.red_pocket_default_reward.quantize(
            Decimal("0.01")
        ):
            raise ConfigError("RED_POCKET_DEFAULT_REWARD: must be in whole cents, e.g. 8.88")
        if settings.jwt_secret is not None and len(settings.jwt_secret) < 32:
            raise ConfigError("JWT_SECRET: must be at least 32 characters long")
        if settings.database_url is not None:
            if settings.jwt_secret is None:
                raise ConfigError(
                    "JWT_SECRET: required when DATABASE_URL is set (tokens must verify on every "
                    "replica)"
                )
            if not settings.database_url.startswith(("postgresql://", "postgresql+asyncpg://")):
                raise ConfigError("DATABASE_URL: must be a postgresql:// URL")
        if settings.redis_url is not None and not settings.redis_url.startswith(
            ("redis://", "rediss://", "unix://")
        ):
            raise ConfigError("REDIS_URL: must be a redis://, rediss:// or unix:// URL")
        return settings


@dataclass(frozen=True, slots=True)
class _Reader:
    env: Mapping[str, str]

    def optional(self, name: str) -> str | None:
        value = self.env.get(name, "").strip()
        return value or None

    def text(self, name: str, default: str) -> str:
        return self.optional(name) or default

    def _parse(self, name: str, default: T, parse: Callable[[str], T], expected: str) -> T:
        raw = self.optional(name)
        if raw is None:
            return default
        try:
            return parse(raw)
        except (ValueError, InvalidOperation):
            raise ConfigError(f"{name}: expected {expected}, got {raw!r}") from None

    def number(self, name: str, default: int, *, low: int, high: int) -> int:
        value = self._parse(name, default, int, "a whole number")
        if not low <= value <= high:
            raise ConfigError(f"{name}: must be between {low} and {high}, got {value}")
        return value

    def money(self, name: str, default: Decimal) -> Decimal:
        value = self._parse(name, default, Decimal, "a decimal amount such as 10000")
        if not value.is_finite() or value <= 0:
            raise ConfigError(f"{name}: must be a positive amount, got {value}")
        return value

    def flag(self, name: str, default: bool) -> bool:
        def parse(raw: str) -> bool:
            lowered = raw.lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)

        return self._parse(name, default, parse, "true or false")

    def choice(
        self, name: str, default: str, allowed: tuple[str, ...], *, upper: bool = False
    ) -> str:
        raw = self.optional(name)
        if raw is None:
            return default
        value = raw.upper() if upper else raw.lower()
        if value not in allowed:
            raise ConfigError(f"{name}: expected one of {', '.join(allowed)}, got {raw!r}")
        return value

    def csv(self, name: str) -> tuple[str, ...]:
        raw = self.optional(name) or ""
        return tuple(part.strip() for part in raw.split(",") if part.strip())
