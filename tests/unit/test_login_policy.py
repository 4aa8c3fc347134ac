"""The sign-in back-off: how it grows with failures, and the settings that bound it."""

from __future__ import annotations

import pytest

from domain.login_guard import LoginPolicy
from web.config import ConfigError, Settings


def test_the_back_off_grows_to_its_cap_and_starts_beyond_one_address():
    policy = LoginPolicy(max_failures=5, backoff_after=20, backoff_max=60)
    assert [policy.backoff(n) for n in (0, 19, 20, 21, 22, 25, 26, 1000)] == [
        0,
        0,
        1,
        2,
        4,
        32,
        60,
        60,
    ]
    with pytest.raises(ConfigError, match=r"^LOGIN_USER_BACKOFF_AFTER: .*above twice"):
        Settings.from_env({"LOGIN_MAX_FAILURES": "10", "LOGIN_USER_BACKOFF_AFTER": "20"})
