"""Password hashing with argon2id, off the event loop, a bounded number at a time.

Parameters: argon2id with 19 MiB of memory, 2 passes, 1 lane (m=19456 KiB, t=2,
p=1), OWASP's recommended minimum. argon2-cffi's default (64 MiB, t=3, p=4) on every
thread of the default executor meant a burst of registrations could ask for hundreds
of MiB at once; with ``concurrency`` hashes at a time (PASSWORD_HASH_CONCURRENCY, 2
by default) hashing holds at most 2 x 19 MiB, which fits a 512 MiB replica. Each hash
records its own parameters, so hashes written with the old ones still verify; a
successful sign-in rewrites such a hash with today's parameters.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MEMORY_COST_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1

_hasher = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST_KIB,
    parallelism=PARALLELISM,
    type=Type.ID,
)
# Verified when the user does not exist, so that an unknown name costs the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password-0A!")


def hash_password(password: str) -> str:
    """An argon2id hash with today's parameters, computed on the calling thread.

    For seeding users where nothing else waits on the thread (scripts, test fixtures);
    requests hash through ``PasswordHashing``, which bounds how many run at once.
    """
    return _hasher.hash(password)


def _hash(password: str) -> str:
    return hash_password(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError, UnicodeEncodeError):
        return False  # a lone surrogate cannot be any stored password


def outdated(password_hash: str) -> bool:
    """Was this hash written with other parameters than today's (e.g. 64 MiB ones)?"""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


class PasswordHashing:
    """Hashes and verifies in worker threads, at most ``concurrency`` at once.

    The others wait their turn on the event loop, where waiting costs no memory; one
    hash costs about 19 MiB and a few tens of milliseconds of CPU.
    """

    def __init__(self, concurrency: int = 2) -> None:
        self._slots = asyncio.Semaphore(concurrency)

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(_hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; with no hash, spends the same time and answers False."""
        async with self._slots:
            return await asyncio.to_thread(_verify, password_hash, password)
