"""The settings are declared once: the configuration docs are their rendering, and no
secret among them ever shows in a repr, a string or a dump."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from web.cli import main
from web.config import Settings
from web.config_table import configuration_table

PROJECT = Path(__file__).resolve().parents[2]
CONFIGURATION_DOCS = PROJECT / "docs" / "configuration.md"


def test_the_configuration_docs_show_the_table_the_settings_render():
    assert configuration_table() in CONFIGURATION_DOCS.read_text(), (
        "docs/configuration.md's table differs from web/config.py: "
        "replace it with the output of `cnop print-config-table`"
    )


def test_cnop_prints_the_configuration_table(capsys):
    main(["print-config-table"])
    assert capsys.readouterr().out == configuration_table()


def test_every_setting_says_what_it_means():
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_no_secret_shows_in_the_settings_repr_str_or_dump():
    secrets = {
        "JWT_SECRET": "jwt-Qm9vLx7rT2pW-9f8e7d6c5b4a3210-zyx",
        "GEMINI_API_KEY": "gemini-key-Zx81Lq0vN4",
        "DATABASE_URL": "postgresql://cnop:pg-pass-Hy7Wq3@db.internal:5432/cnop",
        "REDIS_URL": "redis://:redis-pass-Kd82Pa@cache.internal:6379/0",
    }
    hidden = ("jwt-Qm9vLx7rT2pW", "gemini-key-Zx81Lq0vN4", "pg-pass-Hy7Wq3", "redis-pass-Kd82Pa")
    settings = Settings.from_env(secrets)
    for shown in (
        repr(settings),
        str(settings),
        f"{settings}",
        repr(settings.model_dump()),
        settings.model_dump_json(),
    ):
        for secret in hidden:
            assert secret not in shown
    # Their consumers still read them whole.
    assert settings.jwt_secret == SecretStr(secrets["JWT_SECRET"])
    assert settings.gemini_api_key == SecretStr(secrets["GEMINI_API_KEY"])
    assert settings.database_url == SecretStr(secrets["DATABASE_URL"])
    assert settings.redis_url == SecretStr(secrets["REDIS_URL"])


def test_only_the_declared_variables_are_read_by_their_exact_names():
    settings = Settings.from_env({"port": "9000", "Port": "9001", "log_level": "DEBUG"})
    assert (settings.port, settings.log_level) == (8000, "INFO")
    # tracing is derived from the standard OTEL_* variables, never read as TRACING.
    assert Settings.from_env({"TRACING": "true", "tracing": "true"}).tracing is False
