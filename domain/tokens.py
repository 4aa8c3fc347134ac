"""Bearer tokens: HS256 JWTs with the claims sub, username, jti, iat, exp, iss and aud."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt


@dataclass(frozen=True, slots=True)
class Claims:
    user_id: int
    username: str
    jti: str
    issued_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    claims: Claims

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.claims.expires_at, UTC)


class TokenCodec:
    def __init__(self, secret: str, *, ttl_minutes: int, issuer: str, audience: str) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_minutes * 60
        self._issuer = issuer
        self._audience = audience

    def issue(self, user_id: int, username: str) -> IssuedToken:
        # Millisecond iat: a password change revokes the tokens issued before it,
        # even within the same second.
        issued_at = round(time.time(), 3)
        expires_at = int(issued_at) + self.ttl_seconds
        claims = Claims(user_id, username, uuid.uuid4().hex, issued_at, expires_at)
        payload = {
            "sub": str(user_id),
            "username": username,
            "jti": claims.jti,
            "iat": issued_at,
            "exp": expires_at,
            "iss": self._issuer,
            "aud": self._audience,
        }
        return IssuedToken(jwt.encode(payload, self._secret, algorithm="HS256"), claims)

    def decode(self, token: str) -> Claims | None:
        """The token's claims, or None when it is malformed, expired or not ours."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=["HS256"],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["sub", "jti", "iat", "exp", "iss", "aud"]},
            )
            user_id = int(payload["sub"])
            if not 0 < user_id < 2**63:
                return None  # no user can have this id
            return Claims(
                user_id=user_id,
                username=str(payload.get("username", "")),
                jti=str(payload["jti"]),
                issued_at=float(payload["iat"]),
                expires_at=float(payload["exp"]),
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            return None


def still_stands(claims: Claims, *, signed_out: bool, valid_after: datetime | None) -> bool:
    """The token rule for a token whose user exists: not signed out, and not issued
    before the user's last password change (``valid_after``). Expiry is checked apart."""
    return not signed_out and (valid_after is None or claims.issued_at >= valid_after.timestamp())
