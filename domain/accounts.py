"""Accounts: registration, sign-in and -out, profile and password changes."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from domain import account_rules as rules
from domain.clock import utc_now
from domain.errors import BusinessError, ErrorCode
from domain.login_guard import LoginGuard
from domain.passwords import PasswordHashing, outdated
from domain.tokens import Claims, IssuedToken, TokenCodec, still_stands
from persistence.database import Database
from persistence.models import User
from persistence.repositories.token_states import TokenStateRepository, user_if_standing
from persistence.repositories.users import UniqueViolation, UserRepository

T = TypeVar("T")

log = logging.getLogger("cnop.accounts")


# Factories, not shared instances: a raised exception keeps the frames it passed through,
# locals included, so one kept at module level would hold the last caller's password.
def username_taken() -> BusinessError:
    return BusinessError(
        ErrorCode.USERNAME_TAKEN, "That username is taken; choose another.", "username"
    )


def email_taken() -> BusinessError:
    return BusinessError(
        ErrorCode.EMAIL_TAKEN, "An account with that email already exists.", "email"
    )


def invalid_credentials() -> BusinessError:
    return BusinessError(ErrorCode.INVALID_CREDENTIALS, "Wrong username, email or password.", None)


@dataclass(frozen=True, slots=True)
class Registration:
    username: str
    email: str
    password: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    date_of_birth: date | None = None
    marketing_emails_consent: bool = False


@dataclass(frozen=True, slots=True)
class Authenticated:
    """A bearer token that stands, and its user as read when it was checked."""

    claims: Claims
    user: User


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    token: IssuedToken


class _Collector:
    """Runs every field check and keeps the failures, so a form learns all its mistakes at once."""

    def __init__(self) -> None:
        self.errors: list[BusinessError] = []

    def take(self, result: T | BusinessError) -> T:
        if isinstance(result, BusinessError):
            self.errors.append(result)
            return None  # type: ignore[return-value]  # never used: raise_if_any() raises first
        return result

    def raise_if_any(self) -> None:
        if self.errors:
            raise BusinessError.all_of(self.errors)


def _taken(violation: UniqueViolation) -> BusinessError:
    return email_taken() if "email" in violation.constraint else username_taken()


class Accounts:
    def __init__(
        self,
        db: Database,
        codec: TokenCodec,
        guard: LoginGuard,
        passwords: PasswordHashing | None = None,
    ) -> None:
        self._db = db
        self._codec = codec
        self._guard = guard
        self._passwords = passwords or PasswordHashing()

    async def register(self, form: Registration) -> SignedIn:
        check = _Collector()
        values: dict[str, Any] = {
            "username": check.take(rules.check_username(form.username)),
            "email": check.take(rules.check_email(form.email)),
            "first_name": check.take(rules.check_name(form.first_name, "firstName")),
            "last_name": check.take(rules.check_name(form.last_name, "lastName")),
            "phone": check.take(rules.check_phone(form.phone)),
            "date_of_birth": check.take(rules.check_date_of_birth(form.date_of_birth)),
            "marketing_emails_consent": form.marketing_emails_consent,
        }
        password = check.take(rules.check_password(form.password))
        check.raise_if_any()
        # Hash before the transaction: no pooled connection waits for a hashing slot.
        values["password_hash"] = await self._passwords.hash(password)
        try:
            async with self._db.transaction() as session:
                user = await UserRepository(session).create(**values)
        except UniqueViolation as violation:
            raise _taken(violation) from None
        return SignedIn(user, self._codec.issue(user.id, user.username))

    async def login(
        self, username_or_email: str, password: str, client_ip: str = "unknown"
    ) -> SignedIn:
        """Raises LoginThrottled, before any password hash, while sign-ins are held back."""
        async with self._db.read() as session:
            user = await UserRepository(session).find_for_login(username_or_email)
        # Counted per account, so that its username and its email share one count.
        account = f"name:{username_or_email}" if user is None else f"id:{user.id}"
        await self._guard.attempt(account, client_ip)
        # Unknown users are verified against a dummy hash: both answers take the same time.
        matches = await self._passwords.verify(user.password_hash if user else None, password)
        if user is None or not matches:
            await self._guard.failed(account, client_ip)
            raise invalid_credentials()
        await self._guard.succeeded(account, client_ip)
        if outdated(user.password_hash):
            await self._upgrade_hash(user, password)
        return SignedIn(user, self._codec.issue(user.id, user.username))

    async def _upgrade_hash(self, user: User, password: str) -> None:
        """Rehash with today's parameters: cheaper to verify, and as slow as the dummy
        hash an unknown name is checked against, so old accounts cannot be told apart."""
        try:
            new_hash = await self._passwords.hash(password)
            async with self._db.transaction() as session:
                await UserRepository(session).upgrade_password_hash(
                    user.id, user.password_hash, new_hash
                )
        except Exception as problem:  # the sign-in stands; the next one tries again
            log.warning("password hash upgrade failed (%s)", type(problem).__name__)

    async def logout(self, claims: Claims) -> None:
        expires_at = datetime.fromtimestamp(claims.expires_at, UTC)
        async with self._db.transaction() as session:
            await TokenStateRepository(session).revoke(claims.jti, claims.user_id, expires_at)

    async def authenticate(self, token: str) -> Authenticated | None:
        """The claims of a token that is ours and still stands (see ``standing``), with
        its user as read to check it; None otherwise.

        The one token rule: every HTTP request and every websocket operation passes here.
        """
        claims = self._codec.decode(token)
        if claims is None or claims.expires_at <= time.time():
            return None
        async with self._db.raw() as reads:
            found = await user_if_standing(reads, claims.user_id, claims.jti)
        if found is None:
            return None
        user, signed_out = found
        if not still_stands(claims, signed_out=signed_out, valid_after=user.tokens_valid_after):
            return None
        return Authenticated(claims, user)

    async def standing(self, tokens: Sequence[Claims]) -> list[Claims]:
        """Those of ``tokens`` that still stand: unexpired, their user still there, not
        signed out, and not issued before the user's last password change. One statement
        for any number of tokens, so open websockets can be re-checked every tick."""
        now = time.time()
        unexpired = [claims for claims in tokens if claims.expires_at > now]
        if not unexpired:
            return []
        async with self._db.read() as session:
            states = await TokenStateRepository(session).states(
                [(claims.user_id, claims.jti) for claims in unexpired]
            )
        by_jti = {state.jti: state for state in states}
        return [
            claims
            for claims in unexpired
            if (state := by_jti.get(claims.jti)) is not None
            and state.user_id == claims.user_id
            and still_stands(claims, signed_out=state.revoked, valid_after=state.valid_after)
        ]

    async def update_profile(self, user_id: int, changes: dict[str, Any]) -> User:
        """Apply the given fields (None for a field means: leave it as it is)."""
        check = _Collector()
        values: dict[str, Any] = {}
        if changes.get("email") is not None:
            values["email"] = check.take(rules.check_email(changes["email"]))
        for key, field in (("first_name", "firstName"), ("last_name", "lastName")):
            if changes.get(key) is not None:
                values[key] = check.take(rules.check_name(changes[key], field))
        if changes.get("phone") is not None:
            values["phone"] = check.take(rules.check_phone(changes["phone"]))
        if changes.get("date_of_birth") is not None:
            values["date_of_birth"] = check.take(
                rules.check_date_of_birth(changes["date_of_birth"])
            )
        if changes.get("marketing_emails_consent") is not None:
            values["marketing_emails_consent"] = bool(changes["marketing_emails_consent"])
        check.raise_if_any()
        try:
            async with self._db.transaction() as session:
                repository = UserRepository(session)
                user = await (
                    repository.update(user_id, **values) if values else repository.get(user_id)
                )
        except UniqueViolation as violation:
            raise _taken(violation) from None
        if user is None:
            raise BusinessError(ErrorCode.VALIDATION_FAILED, "This account no longer exists.")
        return user

    async def change_password(self, user_id: int, current: str, new: str) -> User:
        """Set a new password and revoke every token issued before now, this one included:
        the user's ``tokens_valid_after`` cut-off, written in the same transaction."""
        checked = rules.check_password(new, "newPassword")
        if isinstance(checked, BusinessError):
            raise checked
        async with self._db.read() as session:
            user = await UserRepository(session).get(user_id)
        if user is None or not await self._passwords.verify(user.password_hash, current):
            raise BusinessError(
                ErrorCode.INVALID_CREDENTIALS, "The current password is wrong.", "currentPassword"
            )
        if current == new:
            raise BusinessError(
                ErrorCode.VALIDATION_FAILED,
                "The new password must differ from the current one.",
                "newPassword",
            )
        new_hash = await self._passwords.hash(new)
        now = utc_now()
        async with self._db.transaction() as session:
            repository = UserRepository(session)
            await repository.set_password(user_id, new_hash, now)
            updated = await repository.get(user_id)
        assert updated is not None
        return updated
