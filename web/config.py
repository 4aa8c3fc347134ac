"""Every setting, declared once: its variable, default, bounds and meaning.

``Settings.from_env`` reads them once at start-up (pydantic-settings, through
web/config_environment.py); an invalid value stops start-up with one line naming the
variable. Every variable has a default, so ``cnop serve`` runs with no configuration
at all (embedded PostgreSQL, in-process stores). The configuration table in
docs/configuration.md is rendered from these fields (``cnop print-config-table``) and a
test keeps the two equal. Built directly, ``Settings(...)`` reads no environment.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from web.client_ip import trusted_hosts
from web.config_environment import EnvironmentSource, one_line
from web.config_fields import SHOWN_DEFAULT, SHOWN_VARIABLE
from web.config_secrets import GENERATE_SECRET, is_made_up_key, is_placeholder, url_password
from web.config_values import (
    Amount,
    CommaList,
    Flag,
    LowerCase,
    OptionalWholeNumber,
    ResolvedPath,
    UpperCase,
    WholeNumber,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RED_POCKET_CONFIG = PROJECT_ROOT / "persistence" / "red_pocket" / "secret_words.json"
DEFAULT_TRUSTED_DOCUMENTS = PROJECT_ROOT / "frontend" / "dist" / "persisted-documents.json"
"""The web app build's operations by hash (frontend/codegen.ts, persisted documents)."""
DEFAULT_MAX_PRICE_AGE_S = 300
URL_SCHEMES = {
    "database_url": (("postgresql://", "postgresql+asyncpg://"), "must be a postgresql:// URL"),
    "redis_url": (
        ("redis://", "rediss://", "unix://"),
        "must be a redis://, rediss:// or unix:// URL",
    ),
}
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

__all__ = [
    "DEFAULT_TRUSTED_DOCUMENTS",
    "PROJECT_ROOT",
    "SAMPLE_RED_POCKET_CONFIG",
    "ConfigError",
    "Settings",
    "is_made_up_key",
    "is_placeholder",
    "revealed",
]


class ConfigError(Exception):
    """One environment variable has a value we cannot use; the message names it."""


def shown(default: str) -> dict[str, Any]:
    """The default as the configuration table says it, where the value alone cannot."""
    return {SHOWN_DEFAULT: default}


def _development(data: dict[str, Any]) -> bool:
    return data.get("environment") != "production"


def _feed_interval(feed: str, tick_ms: int, poll_s: int) -> tuple[str, int]:
    """The variable that sets the price feed's update interval, and that interval in s."""
    if feed == "coingecko":
        return "COINGECKO_POLL_S", poll_s
    return "PRICE_TICK_MS", math.ceil(tick_ms / 1000)


def _max_price_age_default(data: dict[str, Any]) -> int:
    # A price may age at least two feed updates, so one slow update refuses no order:
    # unset, the limit grows with a slow feed (set too short, start-up stops).
    _, interval_s = _feed_interval(
        data["price_feed"], data["price_tick_ms"], data["coingecko_poll_s"]
    )
    return max(DEFAULT_MAX_PRICE_AGE_S, 2 * interval_s)


def _tracing_configured(env: Mapping[str, str]) -> bool:
    """Tracing is on when an OTLP endpoint is configured the standard way and the SDK
    is not disabled; the OpenTelemetry SDK reads the other OTEL_* variables itself."""
    endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get(
        "OTEL_EXPORTER_OTLP_ENDPOINT"
    )
    disabled = env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"
    exporter_off = env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none"
    return bool(endpoint and endpoint.strip()) and not disabled and not exporter_off


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        case_sensitive=True,
        validate_by_name=True,
        validate_by_alias=True,
        use_attribute_docstrings=True,
    )

    # The server
    environment: Annotated[Literal["development", "production"], LowerCase] = Field(
        "development", alias="APP_ENV"
    )
    """production turns GraphiQL and introspection off by default"""
    host: str = Field("127.0.0.1", alias="HOST")
    """interface to listen on"""
    port: WholeNumber = Field(8000, alias="PORT", ge=1, le=65535)
    """port to listen on"""
    data_dir: ResolvedPath = Field(
        PROJECT_ROOT / ".data",
        alias="DATA_DIR",
        json_schema_extra=shown("`.data` in the project"),
    )
    """embedded PostgreSQL and the generated JWT secret"""
    max_body_bytes: WholeNumber = Field(
        1024 * 1024,
        alias="MAX_BODY_BYTES",
        ge=1024,
        le=64 * 1024 * 1024,
        json_schema_extra=shown("`1048576` (1 MiB)"),
    )
    """largest HTTP request body (413 beyond it) and websocket message, in bytes"""
    shutdown_timeout_s: WholeNumber = Field(10, alias="SHUTDOWN_TIMEOUT_S", ge=1, le=600)
    """seconds in-flight requests get to finish after SIGTERM"""
    cors_origins: CommaList = Field((), alias="CORS_ORIGINS")
    """comma-separated origins allowed to call the API from a browser"""
    trusted_proxies: CommaList = Field((), alias="TRUSTED_PROXIES")
    """comma-separated proxy addresses or networks (CIDR) whose `X-Forwarded-For` is believed;
    nothing is trusted when unset, 127.0.0.1 included"""
    graphiql: Flag = Field(
        default_factory=_development,
        alias="GRAPHIQL",
        json_schema_extra=shown("`true` in development, `false` in production"),
    )
    """serve GraphiQL on GET /graphql"""
    introspection: Flag = Field(
        default_factory=_development,
        alias="INTROSPECTION",
        json_schema_extra=shown("`true` in development, `false` in production"),
    )
    """allow schema introspection"""
    metrics_enabled: Flag = Field(True, alias="METRICS_ENABLED")
    """serve Prometheus metrics on GET /metrics"""
    log_level: Annotated[LogLevel, UpperCase] = Field("INFO", alias="LOG_LEVEL")
    """the least severe level logged"""
    log_format: Annotated[Literal["json", "text"], LowerCase] = Field(
        default_factory=lambda data: "text" if _development(data) else "json",
        alias="LOG_FORMAT",
        json_schema_extra=shown("`json` in production, `text` in development"),
    )
    """`json`: one JSON object per line; `text`: readable lines (see [Logs](operations.md#logs))"""

    # PostgreSQL
    database_url: SecretStr | None = Field(
        None,
        alias="DATABASE_URL",
        json_schema_extra=shown("unset: embedded PostgreSQL in `DATA_DIR`"),
    )
    """`postgresql://` URL of the system of record"""
    migrate_on_start: Flag = Field(True, alias="MIGRATE_ON_START")
    """apply migrations and load the catalogue before serving"""
    db_pool_size: WholeNumber = Field(20, alias="DB_POOL_SIZE", ge=1, le=500)
    """database connections per process"""
    db_connect_timeout_s: WholeNumber = Field(5, alias="DB_CONNECT_TIMEOUT_S", ge=1, le=120)
    """seconds opening a database connection may take"""
    db_command_timeout_s: WholeNumber = Field(15, alias="DB_COMMAND_TIMEOUT_S", ge=1, le=3600)
    """seconds one SQL statement may take before it is cancelled and the request answered
    SERVICE_UNAVAILABLE"""

    # Redis
    redis_url: SecretStr | None = Field(
        None, alias="REDIS_URL", json_schema_extra=shown("unset: in-process stores")
    )
    """`redis://` URL for pub/sub, caches and rate limits shared by all processes"""
    redis_namespace: str = Field("cnop", alias="REDIS_NAMESPACE")
    """prefix of every Redis key and channel, so deployments can share one Redis"""
    redis_timeout_s: WholeNumber = Field(1, alias="REDIS_TIMEOUT_S", ge=1, le=60)
    """seconds a Redis connect or command may take before Redis counts as down"""

    # Tokens
    jwt_secret: SecretStr | None = Field(
        None,
        alias="JWT_SECRET",
        min_length=32,
        json_schema_extra=shown(
            "generated once into `DATA_DIR` in embedded mode (file mode 0600); "
            "**required** with `DATABASE_URL`"
        ),
    )
    """HS256 signing key; in production the example from `deploy/compose.env.example`,
    placeholders and hand-typed keys are refused"""
    jwt_ttl_minutes: WholeNumber = Field(60, alias="JWT_TTL_MINUTES", ge=1, le=43200)
    """token lifetime"""
    jwt_issuer: str = Field("cnop", alias="JWT_ISSUER")
    """`iss` claim issued and required"""
    jwt_audience: str = Field("cnop-web", alias="JWT_AUDIENCE")
    """`aud` claim issued and required"""

    # Money
    daily_deposit_limit: Amount = Field(Decimal("10000"), alias="DAILY_DEPOSIT_LIMIT")
    """USD a user may deposit per UTC day"""
    daily_withdraw_limit: Amount = Field(Decimal("5000"), alias="DAILY_WITHDRAW_LIMIT")
    """USD a user may withdraw per UTC day"""
    max_order_value: Amount = Field(Decimal("10000"), alias="MAX_ORDER_VALUE")
    """largest value (quantity times price) of one order, in USD; a limit order's at its
    limitPrice and at the price it fills at"""

    # The live market
    price_engine: Flag = Field(True, alias="PRICE_ENGINE")
    """take part in running the price engine (one process runs it at a time)"""
    price_feed: Annotated[Literal["simulated", "coingecko"], LowerCase] = Field(
        "simulated", alias="PRICE_FEED"
    )
    """`simulated` (seeded random walk) or `coingecko` (public markets API)"""
    price_tick_ms: WholeNumber = Field(1000, alias="PRICE_TICK_MS", ge=50, le=60000)
    """milliseconds between two engine ticks; also how long a public answer may be cached
    (`max-age`, in whole seconds)"""
    price_seed: OptionalWholeNumber = Field(
        None, alias="PRICE_SEED", ge=0, le=2**63 - 1, json_schema_extra=shown("random")
    )
    """seed of the simulated feed, for reproducible prices"""
    price_history_interval_s: WholeNumber = Field(
        60, alias="PRICE_HISTORY_INTERVAL_S", ge=1, le=3600
    )
    """seconds between two recorded history points per asset"""
    coingecko_poll_s: WholeNumber = Field(60, alias="COINGECKO_POLL_S", ge=10, le=3600)
    """seconds between two CoinGecko polls (its free tier limits the rate)"""
    max_price_age_s: WholeNumber = Field(
        default_factory=_max_price_age_default,
        alias="MAX_PRICE_AGE_S",
        ge=5,
        le=31_536_000,
        json_schema_extra=shown(
            f"`{DEFAULT_MAX_PRICE_AGE_S}` (at least twice the feed's update interval)"
        ),
    )
    """oldest an asset's last price may be for an order to trade on it; older is
    `PRICE_UNAVAILABLE`"""

    # Insights
    gemini_api_key: SecretStr | None = Field(
        None,
        alias="GEMINI_API_KEY",
        json_schema_extra=shown("unset: the local rule-based analyser"),
    )
    """Gemini API key; when set, `me.insights` is written by Gemini"""
    gemini_model: str = Field("gemini-3.1-flash-lite", alias="GEMINI_MODEL")
    """pinned Gemini model id used for insights"""
    gemini_timeout_s: WholeNumber = Field(10, alias="GEMINI_TIMEOUT_S", ge=1, le=120)
    """seconds one insights call may take before the local analyser answers instead"""
    insights_breaker_failures: WholeNumber = Field(
        5, alias="INSIGHTS_BREAKER_FAILURES", ge=1, le=1000
    )
    """consecutive provider failures that open the circuit breaker"""
    insights_breaker_cooldown_s: WholeNumber = Field(
        30, alias="INSIGHTS_BREAKER_COOLDOWN_S", ge=1, le=86400
    )
    """seconds the open breaker has the local analyser answer at once, before one trial call"""
    insights_per_user_per_hour: WholeNumber = Field(
        10, alias="INSIGHTS_PER_USER_PER_HOUR", ge=1, le=100_000
    )
    """Gemini calls per user per hour (cached readings are free); past it, and when Gemini's quota
    is exhausted or it fails, the local analyser writes the reading (`model: local-rules-v1`)"""

    # The red pocket
    red_pocket_config: ResolvedPath = Field(
        SAMPLE_RED_POCKET_CONFIG,
        alias="RED_POCKET_CONFIG",
        json_schema_extra=shown(
            "`persistence/red_pocket/secret_words.json` (a public development sample); "
            "**required** in production, where the sample is refused"
        ),
    )
    """JSON `{"secret_words": [...], "amounts": [...]}` paired by index; missing or malformed is
    logged and the game runs with no secret words"""
    red_pocket_default_reward: Amount = Field(Decimal("8.88"), alias="RED_POCKET_DEFAULT_REWARD")
    """consolation credited for the first wrong guess of a UTC day (whole cents)"""

    # Operation limits
    max_query_depth: WholeNumber = Field(15, alias="MAX_QUERY_DEPTH", ge=2, le=100)
    """deepest field nesting an operation may have"""
    max_query_aliases: WholeNumber = Field(30, alias="MAX_QUERY_ALIASES", ge=0, le=1000)
    """aliases per operation"""
    max_query_tokens: WholeNumber = Field(2000, alias="MAX_QUERY_TOKENS", ge=100, le=100_000)
    """lexical tokens per document"""
    max_query_cost: WholeNumber = Field(10_000, alias="MAX_QUERY_COST", ge=10, le=10_000_000)
    """largest estimated number of returned objects"""
    max_query_selections: WholeNumber = Field(500, alias="MAX_QUERY_SELECTIONS", ge=10, le=100_000)
    """fields, fragment spreads and inline fragments per operation, each fragment counted as often
    as it is spread"""

    # Rate limits
    rate_limits_enabled: Flag = Field(True, alias="RATE_LIMITS_ENABLED")
    """per-user and per-address operation budgets"""
    rate_limit_window_s: WholeNumber = Field(60, alias="RATE_LIMIT_WINDOW_S", ge=1, le=86400)
    """the budgets' window"""
    rate_limit_user_points: WholeNumber = Field(600, alias="RATE_LIMIT_USER_POINTS", ge=1, le=10**9)
    """points a signed-in user may spend per window"""
    rate_limit_ip_points: WholeNumber = Field(1200, alias="RATE_LIMIT_IP_POINTS", ge=1, le=10**9)
    """points one address may spend per window"""

    # Signing in
    login_max_failures: WholeNumber = Field(5, alias="LOGIN_MAX_FAILURES", ge=1, le=1000)
    """failed sign-ins at one account from one address before that address is locked out of it"""
    login_max_failures_per_ip: WholeNumber = Field(
        50, alias="LOGIN_MAX_FAILURES_PER_IP", ge=1, le=100_000
    )
    """failed sign-ins from one address, any accounts, before the address is locked"""
    login_lockout_s: WholeNumber = Field(900, alias="LOGIN_LOCKOUT_S", ge=1, le=86400)
    """how long failures are counted, and how long a lock lasts"""
    login_user_backoff_after: WholeNumber = Field(
        20, alias="LOGIN_USER_BACKOFF_AFTER", ge=3, le=100_000
    )
    """failed sign-ins at one account, from all addresses, after which it takes one attempt per
    back-off delay; must be above twice `LOGIN_MAX_FAILURES`"""
    login_user_backoff_max_s: WholeNumber = Field(
        60, alias="LOGIN_USER_BACKOFF_MAX_S", ge=1, le=3600
    )
    """the longest back-off delay (it doubles with each failure from 1 s)"""
    password_hash_concurrency: WholeNumber = Field(
        2, alias="PASSWORD_HASH_CONCURRENCY", ge=1, le=64
    )
    """password hashes (argon2id, 19 MiB each) computed at once per process; the rest wait their
    turn"""

    # Websockets
    ws_max_connections_per_ip: WholeNumber = Field(
        20, alias="WS_MAX_CONNECTIONS_PER_IP", ge=1, le=100_000
    )
    """open websocket connections per address and process"""
    ws_max_subscriptions: WholeNumber = Field(20, alias="WS_MAX_SUBSCRIPTIONS", ge=1, le=1000)
    """operations per websocket connection"""

    # Trusted documents
    trusted_documents_only: Flag = Field(False, alias="TRUSTED_DOCUMENTS_ONLY")
    """run only the web app's operations (by hash, or their text): anything else is
    `DOCUMENT_NOT_TRUSTED`; start-up stops when the manifest is missing"""
    trusted_documents_manifest: ResolvedPath = Field(
        DEFAULT_TRUSTED_DOCUMENTS, alias="TRUSTED_DOCUMENTS_MANIFEST"
    )
    """the web app build's operations by SHA-256 (see
    [Trusted documents](frontend.md#trusted-documents))"""

    # Tracing: read from the standard OTEL_* variables by from_env.
    tracing: bool = Field(
        False,
        json_schema_extra={
            SHOWN_VARIABLE: "`OTEL_EXPORTER_OTLP_ENDPOINT` "
            "(or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`)",
            **shown("unset: no tracing"),
        },
    )
    """OTLP/HTTP collector that receives traces (see [Tracing](operations.md#tracing)); the other
    standard `OTEL_*` variables (`OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_HEADERS`,
    `OTEL_TRACES_SAMPLER`, `OTEL_SDK_DISABLED`, …) apply as the OpenTelemetry SDK defines them"""

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Built in code (tests, benchmarks), settings are what the code says: the
        # environment is read by from_env alone.
        return (init_settings,)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if env is None else env
        values = {**EnvironmentSource(cls, environ)(), "tracing": _tracing_configured(environ)}
        try:
            return cls(**values)
        except ValidationError as error:
            raise ConfigError(one_line(error, cls, values)) from None

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, proxies: tuple[str, ...]) -> tuple[str, ...]:
        try:
            trusted_hosts(proxies)
        except ValueError:
            raise ValueError(
                f"expected addresses or networks such as 10.0.0.0/8, got {','.join(proxies)!r}"
            ) from None
        return proxies

    @field_validator("red_pocket_default_reward")
    @classmethod
    def _reward_in_cents(cls, reward: Decimal) -> Decimal:
        if reward != reward.quantize(Decimal("0.01")):
            raise ValueError("must be in whole cents, e.g. 8.88")
        return reward

    @field_validator("database_url", "redis_url")
    @classmethod
    def _url_scheme(cls, url: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        schemes, refusal = URL_SCHEMES[info.field_name or ""]
        if url is not None and not url.get_secret_value().startswith(schemes):
            raise ValueError(refusal)
        return url

    @model_validator(mode="after")
    def _settings_agree(self) -> Self:
        """Rules between settings; ConfigError, which pydantic passes through as it is."""
        name, interval_s = _feed_interval(
            self.price_feed, self.price_tick_ms, self.coingecko_poll_s
        )
        if self.max_price_age_s < 2 * interval_s:
            raise ConfigError(
                f"MAX_PRICE_AGE_S: must be at least twice the feed's update interval ({name}: "
                f"{2 * interval_s} s), or orders are refused between two updates"
            )
        if self.login_user_backoff_after <= 2 * self.login_max_failures:
            # One address may fail up to twice LOGIN_MAX_FAILURES in one window (the end
            # of one of its windows, the start of the next): it alone must never slow
            # the account down for everyone.
            raise ConfigError(
                "LOGIN_USER_BACKOFF_AFTER: must be above twice LOGIN_MAX_FAILURES "
                f"({2 * self.login_max_failures}), got {self.login_user_backoff_after}"
            )
        if self.database_url is not None and self.jwt_secret is None:
            raise ConfigError(
                "JWT_SECRET: required when DATABASE_URL is set (tokens must verify on every "
                "replica)"
            )
        if self.trusted_documents_only and not self.trusted_documents_manifest.is_file():
            raise ConfigError(
                "TRUSTED_DOCUMENTS_ONLY: needs the web app's manifest, "
                f"{self.trusted_documents_manifest} is missing (build the web app, or set "
                "TRUSTED_DOCUMENTS_MANIFEST)"
            )
        if self.is_production:
            self._check_production()
        return self

    def _check_production(self) -> None:
        """What development forgives and production must not: example secrets, sample data."""
        if self.jwt_secret is not None and is_made_up_key(self.jwt_secret.get_secret_value()):
            raise ConfigError(
                "JWT_SECRET: an example, placeholder or hand-typed value is refused in "
                "production (see deploy/compose.env.example); generate one with "
                f"{GENERATE_SECRET}"
            )
        for name, url in (("DATABASE_URL", self.database_url), ("REDIS_URL", self.redis_url)):
            password = None if url is None else url_password(url.get_secret_value())
            if password and is_placeholder(password):
                raise ConfigError(
                    f"{name}: its password is an example or placeholder value "
                    "(deploy/compose.env.example); set a real one"
                )
        # Unset, RED_POCKET_CONFIG is the sample: both are refused.
        if self.red_pocket_config == SAMPLE_RED_POCKET_CONFIG:
            raise ConfigError(
                "RED_POCKET_CONFIG: required in production, pointing at your own secret words "
                f"(the repository's {SAMPLE_RED_POCKET_CONFIG.name} is a public development "
                "sample)"
            )


def revealed(secret: SecretStr | None) -> str | None:
    """A secret setting's text, for the one place that uses it."""
    return None if secret is None else secret.get_secret_value()
