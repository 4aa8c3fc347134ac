"""Production refuses example secrets and sample data; the generated secret is private."""

from __future__ import annotations

import os
import re
import secrets
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.support.paths import PROJECT
from web.config import ConfigError, Settings
from web.runtime import jwt_secret

CNOP = PROJECT / ".venv" / "bin" / "cnop"
EXAMPLE_ENV = PROJECT / "deploy" / "compose.env.example"
WORDS = "/etc/cnop/red-pocket.json"
REAL_SECRET = secrets.token_urlsafe(48)


def production(**env: str) -> dict[str, str]:
    return {"APP_ENV": "production", "RED_POCKET_CONFIG": WORDS, **env}


def example_values() -> dict[str, str]:
    pairs = re.findall(r"^([A-Z_]+)=(.+)$", EXAMPLE_ENV.read_text(), re.MULTILINE)
    return dict(pairs)


# ------------------------------------------------------------------ JWT secret


def test_the_example_jwt_secret_is_refused_in_production():
    example = example_values()["JWT_SECRET"]
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(production(JWT_SECRET=example))
    message = str(refused.value)
    assert message.startswith("JWT_SECRET: ")
    assert "\n" not in message
    assert example not in message  # the line names the setting, never echoes a secret
    # Development forgives it: the example's use is to be copied and edited.
    assert Settings.from_env({"JWT_SECRET": example}).jwt_secret == SecretStr(example)


@pytest.mark.parametrize(
    "secret",
    [
        "changeme-changeme-changeme-changeme",
        "please-replace-with-your-own-32-chars",
        "my-example-jwt-secret-for-production",
        "PLACEHOLDER_0123456789_0123456789_0",
        "x" * 48,
        "abababababababababababababababababab",
    ],
)
def test_placeholder_jwt_secrets_are_refused_in_production(secret):
    with pytest.raises(ConfigError, match=r"^JWT_SECRET: "):
        Settings.from_env(production(JWT_SECRET=secret))


def test_a_generated_jwt_secret_is_accepted_in_production():
    settings = Settings.from_env(production(JWT_SECRET=REAL_SECRET))
    assert settings.jwt_secret == SecretStr(REAL_SECRET)


def test_every_secret_of_the_example_environment_is_refused_where_the_app_reads_it():
    example = example_values()
    password = example["POSTGRES_PASSWORD"]
    url = f"postgresql://cnop:{password}@postgres:5432/cnop"
    with pytest.raises(ConfigError, match=r"^DATABASE_URL: "):
        Settings.from_env(production(DATABASE_URL=url, JWT_SECRET=REAL_SECRET))
    with pytest.raises(ConfigError, match=r"^REDIS_URL: "):
        Settings.from_env(
            production(REDIS_URL=f"redis://:{password}@redis:6379/0", JWT_SECRET=REAL_SECRET)
        )
    real = "postgresql://cnop:Qm9vLx7rT2pW@postgres:5432/cnop"
    assert Settings.from_env(production(DATABASE_URL=real, JWT_SECRET=REAL_SECRET)).database_url
    # Whatever else the example marks "replace-with" is a placeholder by the same rule.
    from web.config import is_placeholder

    for name, value in example.items():
        if value.startswith("replace-with"):
            assert is_placeholder(value), name


def test_serve_names_jwt_secret_in_one_line_and_stops():
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **production(JWT_SECRET=example_values()["JWT_SECRET"]),
    }
    done = subprocess.run(
        [str(CNOP), "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("cnop: configuration error: JWT_SECRET: ")


# ------------------------------------------------------------------ red pocket


def test_production_needs_its_own_red_pocket_words():
    with pytest.raises(ConfigError, match=r"^RED_POCKET_CONFIG: required in production"):
        Settings.from_env({"APP_ENV": "production"})
    sample = str(PROJECT / "persistence" / "red_pocket" / "secret_words.json")
    with pytest.raises(ConfigError, match=r"^RED_POCKET_CONFIG: "):
        Settings.from_env({"APP_ENV": "production", "RED_POCKET_CONFIG": sample})
    assert Settings.from_env(production()).red_pocket_config == Path(WORDS)
    # Development plays with the sample.
    assert Settings.from_env({}).red_pocket_config == Path(sample)


# ------------------------------------------------------------------ the generated secret


def settings_in(folder: Path) -> Settings:
    return Settings(data_dir=folder)


def test_the_generated_secret_is_created_private(tmp_path, monkeypatch):
    opened: list[tuple[str, int, int]] = []
    real_open = os.open

    def recording_open(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        opened.append((str(path), flags, mode))
        return real_open(path, flags, mode, **kwargs)

    folder = tmp_path / "data"
    old_umask = os.umask(0)  # even when the process's umask would allow anything
    try:
        monkeypatch.setattr(os, "open", recording_open)
        secret = jwt_secret(settings_in(folder))
    finally:
        os.umask(old_umask)
        monkeypatch.undo()
    path = folder / "jwt_secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == secret
    assert len(secret) >= 64
    # Its content was written to a file created 0600 exclusively, never opened wider.
    [(written, flags, mode)] = [entry for entry in opened if str(folder) in entry[0]]
    assert mode == 0o600
    assert flags & os.O_CREAT
    assert flags & os.O_EXCL
    assert written != str(path)  # linked into place whole: never seen half-written
    assert [p.name for p in folder.iterdir()] == ["jwt_secret"]  # no temporary left over


def test_an_existing_secret_is_reused(tmp_path):
    first = jwt_secret(settings_in(tmp_path))
    assert jwt_secret(settings_in(tmp_path)) == first


def test_processes_starting_together_agree_on_one_secret(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        found = set(pool.map(lambda _: jwt_secret(settings_in(tmp_path)), range(16)))
    assert len(found) == 1


def test_a_secret_left_world_readable_is_closed(tmp_path):
    path = tmp_path / "jwt_secret"
    path.write_text(REAL_SECRET)
    path.chmod(0o644)
    assert jwt_secret(settings_in(tmp_path)) == REAL_SECRET
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
