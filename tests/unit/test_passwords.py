"""Password hashing: argon2id at 19 MiB, old hashes still verifying, a bounded number at once."""

from __future__ import annotations

import asyncio
import threading

import pytest
from argon2 import PasswordHasher

import domain.passwords
from domain.passwords import PasswordHashing
from tests.conftest import TEST_PASSWORD
from web.config import ConfigError, Settings


async def test_hashes_use_19_mib_and_old_hashes_still_verify():
    hashing = PasswordHashing()
    stored = await hashing.hash(TEST_PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert await hashing.verify(stored, TEST_PASSWORD)
    old = PasswordHasher().hash(TEST_PASSWORD)  # argon2-cffi's defaults: 64 MiB, t=3, p=4
    assert await hashing.verify(old, TEST_PASSWORD)
    assert not await hashing.verify(old, TEST_PASSWORD + "!")


async def test_hashing_runs_at_most_the_configured_number_at_once(monkeypatch):
    running = peak = 0
    lock = threading.Lock()
    real = domain.passwords._hash

    def observed(password: str) -> str:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return real(password)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(domain.passwords, "_hash", observed)
    hashing = PasswordHashing(concurrency=2)
    await asyncio.gather(*(hashing.hash(f"Password-{i}!") for i in range(12)))
    assert peak == 2


def test_password_hash_concurrency_is_a_setting():
    assert Settings.from_env({}).password_hash_concurrency == 2
    assert Settings.from_env({"PASSWORD_HASH_CONCURRENCY": "4"}).password_hash_concurrency == 4
    with pytest.raises(ConfigError, match=r"^PASSWORD_HASH_CONCURRENCY: "):
        Settings.from_env({"PASSWORD_HASH_CONCURRENCY": "0"})
