"""Authorization headers an attacker could send: forged, expired, re-signed and
malformed tokens."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

import jwt
from hypothesis import strategies as st

from tests.conftest import JWT_SECRET
from tests.support.fuzz.values import Ref, mix


def forged_tokens(user: Any) -> dict[str, str]:
    """Tokens an attacker could make, and a few only a key holder could (still refused)."""
    now = int(time.time())
    claims = {
        "sub": str(user.id),
        "username": user.username,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + 3600,
        "iss": "cnop",
        "aud": "cnop-web",
    }

    def signed(secret: str = JWT_SECRET, algorithm: str = "HS256", **changes: Any) -> str:
        payload = {k: v for k, v in {**claims, **changes}.items() if v is not None}
        return jwt.encode(payload, secret, algorithm=algorithm)

    header, payload, signature = user.token.split(".")
    other = signed(sub="1")
    return {
        "valid": f"Bearer {user.token}",
        "wrong_secret": f"Bearer {signed('an-attacker-secret-' + 'y' * 32)}",
        "alg_none": "Bearer " + jwt.encode(claims, key=None, algorithm="none"),  # type: ignore[arg-type]
        "alg_none_stripped": f"Bearer {header}.{payload}.",
        "expired": f"Bearer {signed(iat=now - 7200, exp=now - 3600)}",
        "not_yet_issued": f"Bearer {signed(nbf=now + 3600)}",
        "wrong_audience": f"Bearer {signed(aud='someone-else')}",
        "wrong_issuer": f"Bearer {signed(iss='someone-else')}",
        "no_subject": f"Bearer {signed(sub=None)}",
        "text_subject": f"Bearer {signed(sub='admin')}",
        "no_jti": f"Bearer {signed(jti=None)}",
        "swapped_payload": f"Bearer {header}.{other.split('.')[1]}.{signature}",
        "flipped_signature": f"Bearer {header}.{payload}.{signature[::-1]}",
        "truncated": f"Bearer {user.token[:-3]}",
        "doubled": f"Bearer {user.token} {user.token}",
        "raw_token": user.token,
        "basic": f"Basic {base64.b64encode(b'admin:admin').decode()}",
    }


FORGED = [
    "wrong_secret",
    "alg_none",
    "alg_none_stripped",
    "expired",
    "not_yet_issued",
    "wrong_audience",
    "wrong_issuer",
    "no_subject",
    "text_subject",
    "no_jti",
    "swapped_payload",
    "flipped_signature",
    "truncated",
    "doubled",
    "raw_token",
    "basic",
]
header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80)
authorizations = mix(
    (6, st.sampled_from(FORGED).map(Ref)),
    (
        2,
        st.sampled_from(
            [
                "",
                "Bearer",
                "Bearer ",
                "Bearer     ",
                "bearer null",
                "Bearer undefined",
                "Bearer a.b.c",
                "Bearer ..",
                "Bearer " + "A" * 10_000,
                "Token abc",
            ]
        ),
    ),
    (2, header_text.map(lambda value: "Bearer " + value)),
    (1, header_text),
)
