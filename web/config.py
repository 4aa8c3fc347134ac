"""Settings read once from the environment; invalid values stop start-up.

Every variable has a default so that ``cnop serve`` runs with no configuration
at all (embedded PostgreSQL, in-process stores). The README's configuration
table lists the same names and defaults.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from web.client_ip import trusted_hosts

T = TypeVar("T")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("json", "text")
ENVIRONMENTS = ("development", "production")
PRICE_FEEDS = ("simulated", "coingecko")
SAMPLE_RED_POCKET_CONFIG = PROJECT_ROOT / "persistence" / "red_pocket" / "secret_words.json"
EXAMPLE_SECRETS = frozenset(
    {
        # deploy/compose.env.example (tests/test_production_secrets.py keeps them in step)
        "replace-with-48-random-url-safe-characters-from-the-command-above",
        "replace-with-a-database-password",
        "replace-with-a-grafana-password",
    }
)
PLACEHOLDER_MARKERS = (
    "replace-with",
    "replace_with",
    "replaceme",
    "change-me",
    "change_me",
    "changeme",
    "placeholder",
    "example",
    "your-secret",
    "your_secret",
    "dummy",
    "insecure",
)
GENERATE_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def is_placeholder(secret: str) -> bool:
    """An example value, or words that say "put the real one here"."""
    lowered = secret.lower()
    return secret in EXAMPLE_SECRETS or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def is_made_up_key(secret: str) -> bool:
    """A placeholder, or a signing key with too few distinct characters (aaaa...,
    0123012301...) to have come from a random generator."""
    return is_placeholder(secret) or len(set(secret)) < 10


def _url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


class ConfigError(Exception):
    """One environment variable has a value we cannot use; the message names it."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = None
    redis_url: str | None = None
    redis_namespace: str = "cnop"
    redis_timeout_s: int = 1
    host: str = "127.0.0.1"
    port: int = 8000
    environment: str = "development"
    data_dir: Path = PROJECT_ROOT / ".data"
    jwt_secret: str | None = None
    jwt_ttl_minutes: int = 60
    jwt_issuer: str = "cnop"
    jwt_audience: str = "cnop-web"
    log_level: str = "INFO"
    log_format: str = "text"
    metrics_enabled: bool = True
    max_body_bytes: int = 1024 * 1024
    shutdown_timeout_s: int = 10
    cors_origins: tuple[str, ...] = ()
    migrate_on_start: bool = True
    db_pool_size: int = 20
    db_connect_timeout_s: int = 5
    db_command_timeout_s: int = 15
    graphiql: bool = True
    introspection: bool = True
    daily_deposit_limit: Decimal = Decimal("10000")
    daily_withdraw_limit: Decimal = Decimal("5000")
    max_order_value: Decimal = Decimal("10000")
    max_price_age_s: int = 300
    gemini_api_key: str | None = field(default=None, repr=False)
    gemini_model: str = "gemini-3.1-flash-lite"
    gemini_timeout_s: int = 10
    insights_breaker_failures: int = 5
    insights_breaker_cooldown_s: int = 30
    insights_per_user_per_hour: int = 10
    red_pocket_config: Path = SAMPLE_RED_POCKET_CONFIG
    red_pocket_default_reward: Decimal = Decimal("8.88")
    price_engine: bool = True
    price_feed: str = "simulated"
    price_tick_ms: int = 1000
    price_seed: int | None = None
    price_history_interval_s: int = 60
    coingecko_poll_s: int = 60
    max_query_depth: int = 15
    max_query_aliases: int = 30
    max_query_tokens: int = 2000
    max_query_cost: int = 10_000
    max_query_selections: int = 500
    rate_limits_enabled: bool = True
    rate_limit_window_s: int = 60
    rate_limit_user_points: int = 600
    rate_limit_ip_points: int = 1200
    login_max_failures: int = 5
    login_max_failures_per_ip: int = 50
    login_lockout_s: int = 900
    login_user_backoff_after: int = 20
    login_user_backoff_max_s: int = 60
    password_hash_concurrency: int = 2
    trusted_proxies: tuple[str, ...] = ()
    ws_max_connections_per_ip: int = 20
    ws_max_subscriptions: int = 20

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
            redis_timeout_s=read.number(
                "REDIS_TIMEOUT_S", defaults.redis_timeout_s, low=1, high=60
            ),
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
            log_format=read.choice(
                "LOG_FORMAT", defaults.log_format if development else "json", LOG_FORMATS
            ),
            metrics_enabled=read.flag("METRICS_ENABLED", defaults.metrics_enabled),
            max_body_bytes=read.number(
                "MAX_BODY_BYTES", defaults.max_body_bytes, low=1024, high=64 * 1024 * 1024
            ),
            shutdown_timeout_s=read.number(
                "SHUTDOWN_TIMEOUT_S", defaults.shutdown_timeout_s, low=1, high=600
            ),
            cors_origins=read.csv("CORS_ORIGINS"),
            migrate_on_start=read.flag("MIGRATE_ON_START", True),
            db_pool_size=read.number("DB_POOL_SIZE", defaults.db_pool_size, low=1, high=500),
            db_connect_timeout_s=read.number(
                "DB_CONNECT_TIMEOUT_S", defaults.db_connect_timeout_s, low=1, high=120
            ),
            db_command_timeout_s=read.number(
                "DB_COMMAND_TIMEOUT_S", defaults.db_command_timeout_s, low=1, high=3600
            ),
            graphiql=read.flag("GRAPHIQL", development),
            introspection=read.flag("INTROSPECTION", development),
            daily_deposit_limit=read.money("DAILY_DEPOSIT_LIMIT", defaults.daily_deposit_limit),
            daily_withdraw_limit=read.money("DAILY_WITHDRAW_LIMIT", defaults.daily_withdraw_limit),
            max_order_value=read.money("MAX_ORDER_VALUE", defaults.max_order_value),
            max_price_age_s=read.number(
                "MAX_PRICE_AGE_S", defaults.max_price_age_s, low=5, high=31_536_000
            ),
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
            insights_per_user_per_hour=read.number(
                "INSIGHTS_PER_USER_PER_HOUR",
                defaults.insights_per_user_per_hour,
                low=1,
                high=100_000,
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
        settings = replace(
            settings,
            max_query_depth=read.number(
                "MAX_QUERY_DEPTH", defaults.max_query_depth, low=2, high=100
            ),
            max_query_aliases=read.number(
                "MAX_QUERY_ALIASES", defaults.max_query_aliases, low=0, high=1000
            ),
            max_query_tokens=read.number(
                "MAX_QUERY_TOKENS", defaults.max_query_tokens, low=100, high=100_000
            ),
            max_query_cost=read.number(
                "MAX_QUERY_COST", defaults.max_query_cost, low=10, high=10_000_000
            ),
            max_query_selections=read.number(
                "MAX_QUERY_SELECTIONS", defaults.max_query_selections, low=10, high=100_000
            ),
            rate_limits_enabled=read.flag("RATE_LIMITS_ENABLED", defaults.rate_limits_enabled),
            rate_limit_window_s=read.number(
                "RATE_LIMIT_WINDOW_S", defaults.rate_limit_window_s, low=1, high=86400
            ),
            rate_limit_user_points=read.number(
                "RATE_LIMIT_USER_POINTS", defaults.rate_limit_user_points, low=1, high=10**9
            ),
            rate_limit_ip_points=read.number(
                "RATE_LIMIT_IP_POINTS", defaults.rate_limit_ip_points, low=1, high=10**9
            ),
            login_max_failures=read.number(
                "LOGIN_MAX_FAILURES", defaults.login_max_failures, low=1, high=1000
            ),
            login_max_failures_per_ip=read.number(
                "LOGIN_MAX_FAILURES_PER_IP", defaults.login_max_failures_per_ip, low=1, high=100_000
            ),
            login_lockout_s=read.number(
                "LOGIN_LOCKOUT_S", defaults.login_lockout_s, low=1, high=86400
            ),
            login_user_backoff_after=read.number(
                "LOGIN_USER_BACKOFF_AFTER", defaults.login_user_backoff_after, low=3, high=100_000
            ),
            login_user_backoff_max_s=read.number(
                "LOGIN_USER_BACKOFF_MAX_S", defaults.login_user_backoff_max_s, low=1, high=3600
            ),
            password_hash_concurrency=read.number(
                "PASSWORD_HASH_CONCURRENCY", defaults.password_hash_concurrency, low=1, high=64
            ),
            trusted_proxies=read.csv("TRUSTED_PROXIES"),
            ws_max_connections_per_ip=read.number(
                "WS_MAX_CONNECTIONS_PER_IP", defaults.ws_max_connections_per_ip, low=1, high=100_000
            ),
            ws_max_subscriptions=read.number(
                "WS_MAX_SUBSCRIPTIONS", defaults.ws_max_subscriptions, low=1, high=1000
            ),
        )
        settings = _price_age_within_feed(settings, explicit=read.optional("MAX_PRICE_AGE_S"))
        try:
            trusted_hosts(settings.trusted_proxies)
        except ValueError:
            raise ConfigError(
                "TRUSTED_PROXIES: expected addresses or networks such as 10.0.0.0/8, "
                f"got {','.join(settings.trusted_proxies)!r}"
            ) from None
        if settings.login_user_backoff_after <= 2 * settings.login_max_failures:
            # One address may fail up to twice LOGIN_MAX_FAILURES in one window (the end
            # of one of its windows, the start of the next): it alone must never slow
            # the account down for everyone.
            raise ConfigError(
                "LOGIN_USER_BACKOFF_AFTER: must be above twice LOGIN_MAX_FAILURES "
                f"({2 * settings.login_max_failures}), got {settings.login_user_backoff_after}"
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
        if settings.is_production:
            _check_production(settings, explicit_red_pocket=read.optional("RED_POCKET_CONFIG"))
        return settings


def _price_age_within_feed(settings: Settings, *, explicit: str | None) -> Settings:
    """A price may age at least two feed updates, so one slow update refuses no order.

    Unset, MAX_PRICE_AGE_S grows with a slow feed; set too short, start-up stops.
    """
    if settings.price_feed == "coingecko":
        name, interval_s = "COINGECKO_POLL_S", settings.coingecko_poll_s
    else:
        name, interval_s = "PRICE_TICK_MS", math.ceil(settings.price_tick_ms / 1000)
    if settings.max_price_age_s >= 2 * interval_s:
        return settings
    if explicit is None:
        return replace(settings, max_price_age_s=2 * interval_s)
    raise ConfigError(
        f"MAX_PRICE_AGE_S: must be at least twice the feed's update interval ({name}: "
        f"{2 * interval_s} s), or orders are refused between two updates"
    )


def _check_production(settings: Settings, *, explicit_red_pocket: str | None) -> None:
    """What development forgives and production must not: example secrets, sample data."""
    if settings.jwt_secret is not None and is_made_up_key(settings.jwt_secret):
        raise ConfigError(
            "JWT_SECRET: an example, placeholder or hand-typed value is refused in production "
            f"(see deploy/compose.env.example); generate one with {GENERATE_SECRET}"
        )
    for name, url in (("DATABASE_URL", settings.database_url), ("REDIS_URL", settings.redis_url)):
        password = None if url is None else _url_password(url)
        if password and is_placeholder(password):
            raise ConfigError(
                f"{name}: its password is an example or placeholder value "
                "(deploy/compose.env.example); set a real one"
            )
    if explicit_red_pocket is None or settings.red_pocket_config == SAMPLE_RED_POCKET_CONFIG:
        raise ConfigError(
            "RED_POCKET_CONFIG: required in production, pointing at your own secret words "
            f"(the repository's {SAMPLE_RED_POCKET_CONFIG.name} is a public development sample)"
        )


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
