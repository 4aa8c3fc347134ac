"""What a real secret is not: the example values and the words of a placeholder.

Production refuses them (web/config.py); development forgives them, since the
example's use is to be copied and edited.
"""

from __future__ import annotations

from urllib.parse import urlsplit

EXAMPLE_SECRETS = frozenset(
    {
        # deploy/compose.env.example (tests/web/test_production_secrets.py keeps them in step)
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


def url_password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None
