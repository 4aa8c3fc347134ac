"""Settings come from the environment once; a bad value stops start-up with a message naming it."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.support.paths import PROJECT
from web.config import ConfigError, Settings

CNOP = PROJECT / ".venv" / "bin" / "cnop"
SECRET = "s" * 32
POSTGRES_URL = "postgresql://app@db.internal:5432/cnop"
WORDS = "/etc/cnop/red-pocket.json"


def test_defaults_with_an_empty_environment():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert settings.database_url is None
    assert settings.redis_url is None
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.environment == "development"
    assert settings.is_production is False
    assert settings.jwt_secret is None
    assert settings.jwt_ttl_minutes == 60
    assert settings.log_level == "INFO"
    assert settings.cors_origins == ()
    assert settings.migrate_on_start is True
    assert settings.graphiql is True
    assert settings.introspection is True
    assert settings.daily_deposit_limit == Decimal("10000")
    assert settings.daily_withdraw_limit == Decimal("5000")
    assert settings.max_order_value == Decimal("10000")
    assert settings.data_dir == PROJECT / ".data"


def test_blank_values_count_as_unset():
    settings = Settings.from_env({"PORT": "  ", "DATABASE_URL": "", "LOG_LEVEL": " "})
    assert settings.port == 8000
    assert settings.database_url is None
    assert settings.log_level == "INFO"


def test_production_turns_graphiql_and_introspection_off_by_default():
    settings = Settings.from_env({"APP_ENV": "production", "RED_POCKET_CONFIG": WORDS})
    assert settings.is_production is True
    assert settings.graphiql is False
    assert settings.introspection is False
    explicit = Settings.from_env(
        {"APP_ENV": "production", "GRAPHIQL": "yes", "RED_POCKET_CONFIG": WORDS}
    )
    assert explicit.graphiql is True


def test_valid_values_are_parsed():
    settings = Settings.from_env(
        {
            "DATABASE_URL": POSTGRES_URL,
            "JWT_SECRET": SECRET,
            "REDIS_URL": "rediss://cache.internal:6380/1",
            "PORT": " 9000 ",
            "LOG_LEVEL": "debug",
            "MIGRATE_ON_START": "off",
            "CORS_ORIGINS": "https://a.example, https://b.example,,",
            "DAILY_DEPOSIT_LIMIT": "2500.50",
            "JWT_TTL_MINUTES": "15",
            "DATA_DIR": "/tmp/cnop-config-test",
        }
    )
    assert settings.database_url == SecretStr(POSTGRES_URL)
    assert settings.redis_url == SecretStr("rediss://cache.internal:6380/1")
    assert settings.port == 9000
    assert settings.log_level == "DEBUG"
    assert settings.migrate_on_start is False
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.daily_deposit_limit == Decimal("2500.50")
    assert settings.jwt_ttl_minutes == 15
    assert settings.data_dir == Path("/tmp/cnop-config-test")


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"PORT": "abc"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"PORT": "0"}, "PORT"),
        ({"PORT": "80.5"}, "PORT"),
        ({"JWT_TTL_MINUTES": "0"}, "JWT_TTL_MINUTES"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"MIGRATE_ON_START": "maybe"}, "MIGRATE_ON_START"),
        ({"GRAPHIQL": "2"}, "GRAPHIQL"),
        ({"DAILY_DEPOSIT_LIMIT": "-1"}, "DAILY_DEPOSIT_LIMIT"),
        ({"DAILY_DEPOSIT_LIMIT": "0"}, "DAILY_DEPOSIT_LIMIT"),
        ({"DAILY_DEPOSIT_LIMIT": "lots"}, "DAILY_DEPOSIT_LIMIT"),
        ({"DAILY_DEPOSIT_LIMIT": "NaN"}, "DAILY_DEPOSIT_LIMIT"),
        ({"DAILY_WITHDRAW_LIMIT": "Infinity"}, "DAILY_WITHDRAW_LIMIT"),
        ({"MAX_ORDER_VALUE": "-0.01"}, "MAX_ORDER_VALUE"),
        ({"DB_POOL_SIZE": "0"}, "DB_POOL_SIZE"),
        ({"APP_ENV": "staging"}, "APP_ENV"),
        ({"DATABASE_URL": POSTGRES_URL}, "JWT_SECRET"),
        ({"JWT_SECRET": "too-short"}, "JWT_SECRET"),
        ({"DATABASE_URL": POSTGRES_URL, "JWT_SECRET": "x" * 31}, "JWT_SECRET"),
        ({"DATABASE_URL": "mysql://app@db/cnop", "JWT_SECRET": SECRET}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:///cnop.db", "JWT_SECRET": SECRET}, "DATABASE_URL"),
        ({"REDIS_URL": "http://cache.internal"}, "REDIS_URL"),
    ],
)
def test_a_bad_value_raises_config_error_naming_the_variable(env, variable):
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    message = str(raised.value)
    assert message.startswith(f"{variable}:"), message
    assert "\n" not in message


def test_config_error_quotes_the_offending_value():
    with pytest.raises(ConfigError, match="'abc'"):
        Settings.from_env({"PORT": "abc"})


def run_cnop(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [str(CNOP), *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [({"PORT": "abc"}, "PORT"), ({"DATABASE_URL": POSTGRES_URL}, "JWT_SECRET")],
)
def test_cnop_serve_with_a_bad_setting_exits_with_one_line(tmp_path, env, variable):
    result = run_cnop("serve", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    # It stopped before touching the data folder (no embedded database was started).
    assert not (tmp_path / "data" / "postgres").exists()


def test_dependency_timeouts_are_read_and_bounded():
    settings = Settings.from_env(
        {"REDIS_TIMEOUT_S": "2", "DB_CONNECT_TIMEOUT_S": "3", "DB_COMMAND_TIMEOUT_S": "20"}
    )
    assert (settings.redis_timeout_s, settings.db_connect_timeout_s) == (2, 3)
    assert settings.db_command_timeout_s == 20
    defaults = Settings.from_env({})
    assert (defaults.redis_timeout_s, defaults.db_connect_timeout_s) == (1, 5)
    assert defaults.db_command_timeout_s == 15
    for name in ("REDIS_TIMEOUT_S", "DB_CONNECT_TIMEOUT_S", "DB_COMMAND_TIMEOUT_S"):
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({name: "0"})
