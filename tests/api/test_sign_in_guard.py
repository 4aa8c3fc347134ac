"""Sign-in brute force without victim lock-out, and password hashing that fits a replica."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

import domain.passwords
from domain.login_guard import LoginGuard, LoginPolicy, LoginThrottled
from persistence.repositories.users import UserRepository
from persistence.stores import Stores
from persistence.stores.rate_limits import RateLimiter
from tests.conftest import TEST_PASSWORD
from tests.support.http import app_client, fresh_host
from tests.support.paths import PROJECT

LOGIN = """
mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  token errors { code } } }"""


async def login(http: httpx.AsyncClient, name: str, password: str) -> tuple[int, dict[str, Any]]:
    response = await http.post(
        "/graphql", json={"query": LOGIN, "variables": {"u": name, "p": password}}
    )
    return response.status_code, response.json()


@pytest.fixture
def verifications(monkeypatch) -> list[str]:
    """Every password verification, counted where the hash is computed."""
    calls: list[str] = []
    real = domain.passwords._verify

    def counting(password_hash: str | None, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(domain.passwords, "_verify", counting)
    return calls


# ------------------------------------------------------------------ lock-out


async def test_an_attacker_cannot_lock_the_victim_out(settings, runtime, make_user):
    victim = await make_user()
    async with app_client(settings, runtime, client=(fresh_host("10.40"), 1)) as attacker:
        answers = [await login(attacker, victim.username, "Wrong-pass-1!x") for _ in range(8)]
    assert [status for status, _ in answers] == [200] * 5 + [429] * 3
    assert answers[0][1]["data"]["login"]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    async with app_client(settings, runtime, client=(fresh_host("10.41"), 1)) as own:
        status, body = await login(own, victim.username, TEST_PASSWORD)
    assert status == 200
    assert body["data"]["login"]["token"]


async def test_parallel_attempts_get_no_more_guesses_than_the_limit(
    settings, runtime, make_user, verifications
):
    victim = await make_user()
    async with app_client(settings, runtime, client=(fresh_host("10.42"), 1)) as attacker:
        answers = await asyncio.gather(
            *(login(attacker, victim.username, f"Wrong-pass-{i}!x") for i in range(20))
        )
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] * 5 + [429] * 15
        assert len(verifications) == 5  # a refused attempt costs no password hash
        status, _ = await login(attacker, victim.username, TEST_PASSWORD)
    assert status == 429
    assert len(verifications) == 5


async def test_the_username_and_the_email_of_one_account_share_a_count(
    settings, runtime, make_user
):
    user = await make_user()
    async with app_client(settings, runtime, client=(fresh_host("10.43"), 1)) as http:
        for name in (user.username, user.email, user.username.upper(), user.email, user.email):
            status, _ = await login(http, name, "Wrong-pass-1!x")
            assert status == 200
        status, _ = await login(http, user.username, TEST_PASSWORD)
    assert status == 429


# ------------------------------------------------------------------ the guard


@pytest.fixture(params=["memory_stores", "redis_stores"])
def limiter(request) -> RateLimiter:
    stores: Stores = request.getfixturevalue(request.param)
    return stores.rate_limiter


async def test_parallel_attempts_are_counted_atomically(limiter):
    guard = LoginGuard(limiter, LoginPolicy(max_failures=3, window=60, lockout=60))

    async def attempt() -> bool:
        try:
            await guard.attempt("alice", "192.0.2.1")
        except LoginThrottled:
            return False
        return True

    admitted = await asyncio.gather(*(attempt() for _ in range(30)))
    assert sum(admitted) == 3


async def test_guessing_from_many_addresses_is_slowed_never_locked(limiter):
    policy = LoginPolicy(max_failures=2, window=60, lockout=60, backoff_after=5, backoff_max=2)
    guard = LoginGuard(limiter, policy)
    for i in range(5):  # five addresses, one failure each: no delay yet
        await guard.attempt("alice", f"198.51.100.{i}")
        await guard.failed("alice", f"198.51.100.{i}")
    await guard.attempt("alice", "198.51.100.10")  # the first attempt of a 1 s window
    await guard.failed("alice", "198.51.100.10")
    with pytest.raises(LoginThrottled) as held:
        await guard.attempt("alice", "203.0.113.1")  # the owner, from home
    assert 1 <= held.value.retry_after <= 2
    await asyncio.sleep(held.value.retry_after + 0.1)
    await guard.attempt("alice", "203.0.113.1")  # after the delay, heard again
    await guard.succeeded("alice", "203.0.113.1")
    # Failures go on counting: the delay reaches its cap, and stays there.
    for i in range(20, 22):
        await asyncio.sleep(policy.backoff_max + 0.1)
        await guard.attempt("alice", f"198.51.100.{i}")
        await guard.failed("alice", f"198.51.100.{i}")
    with pytest.raises(LoginThrottled) as held:
        await guard.attempt("alice", "203.0.113.1")
    assert held.value.retry_after <= policy.backoff_max
    await guard.attempt("bob", "203.0.113.1")  # other names are not slowed


# ------------------------------------------------------------------ hashing


async def test_signing_in_rewrites_an_old_hash_with_todays_parameters(settings, runtime, make_user):
    user = await make_user()
    old = PasswordHasher().hash(TEST_PASSWORD)
    async with runtime.services.db.transaction() as session:
        await UserRepository(session).update(user.id, password_hash=old)
    async with app_client(settings, runtime, client=(fresh_host("10.44"), 1)) as http:
        _, body = await login(http, user.username, TEST_PASSWORD)
        assert body["data"]["login"]["token"]
        async with runtime.services.db.read() as session:
            found = await UserRepository(session).get(user.id)
        assert found is not None
        assert found.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        _, again = await login(http, user.username, TEST_PASSWORD)
    assert again["data"]["login"]["token"]


async def test_sixty_registrations_at_once_fit_in_256_mib(database_url, tmp_path):
    # A fresh process: the peak resident size of this one may be anything by now.
    done = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "tests.support.registration_memory",
            database_url,
            str(tmp_path),
            "60",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["registered"] == 60
    grew_mib = (report["after_kib"] - report["before_kib"]) / 1024
    assert grew_mib <= 256, f"peak memory grew by {grew_mib:.0f} MiB"
