"""The rules a user's details must follow (as written on RegisterInput)."""

from __future__ import annotations

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email

from domain.clock import utc_today
from domain.errors import BusinessError, invalid
from persistence.text import storable

USERNAME = re.compile(r"[A-Za-z0-9_]{6,30}")
NAME = re.compile(r"(?:[^\W\d_]|[ '\-])+")
PHONE_SEPARATORS = re.compile(r"[\s\-().]")
MIN_AGE, MAX_AGE = 13, 120


def check_username(value: str) -> str | BusinessError:
    if not USERNAME.fullmatch(value):
        return invalid(
            "username", "Username must be 6 to 30 characters: letters, digits or underscores."
        )
    return value


def check_email(value: str, field: str = "email") -> str | BusinessError:
    candidate = value.strip()
    if len(candidate) > 254:
        return invalid(field, "Email address is too long (254 characters at most).")
    try:
        parsed = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return invalid(field, "Enter a valid email address, such as name@example.com.")
    return parsed.normalized.lower()


def check_password(value: str, field: str = "password") -> str | BusinessError:
    problems = []
    if not 12 <= len(value) <= 128:
        problems.append("12 to 128 characters")
    if not any(c.isupper() for c in value):
        problems.append("an upper-case letter")
    if not any(c.islower() for c in value):
        problems.append("a lower-case letter")
    if not any(c.isdigit() for c in value):
        problems.append("a digit")
    if all(c.isalnum() for c in value):
        problems.append("a symbol")
    if not storable(value):
        return invalid(
            field,
            "Password contains characters that cannot be used (NUL or an unpaired surrogate).",
        )
    if problems:
        return invalid(field, "Password needs " + ", ".join(problems) + ".")
    return value


def check_name(value: str | None, field: str) -> str | BusinessError | None:
    """Blank means no name; otherwise up to 50 letters, spaces, apostrophes or hyphens."""
    if value is None or not value.strip():
        return None
    name = value.strip()
    if len(name) > 50 or not NAME.fullmatch(name) or not any(c.isalpha() for c in name):
        return invalid(field, "Use up to 50 letters, spaces, apostrophes or hyphens.")
    return name


def check_phone(value: str | None, field: str = "phone") -> str | BusinessError | None:
    """Blank means no phone; otherwise the digits, once separators and a leading + are removed."""
    if value is None or not value.strip():
        return None
    digits = PHONE_SEPARATORS.sub("", value.strip()).removeprefix("+")
    if not (digits.isascii() and digits.isdigit() and 10 <= len(digits) <= 15):
        return invalid(field, "Phone number must have 10 to 15 digits.")
    return digits


def check_date_of_birth(
    value: date | None, field: str = "dateOfBirth", *, today: date | None = None
) -> date | BusinessError | None:
    if value is None:
        return None
    today = today or utc_today()
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if not MIN_AGE <= age <= MAX_AGE:
        return invalid(field, f"You must be {MIN_AGE} to {MAX_AGE} years old.")
    return value
