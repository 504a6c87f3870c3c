"""Agent passwords (argon2) and opaque tokens (stored only as SHA-256)."""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# A hash of a random password, verified against when the email is unknown, so that a login
# takes as long for a wrong email as for a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_id() -> str:
    return secrets.token_hex(16)


# The shape of a token ``new_token`` makes: 32 random bytes in URL-safe base64.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def customer_id_of_token(token_hash: str) -> str:
    """The id a visitor's customer gets when it is first stored.

    Derived from the token, so that every socket of a browser not yet stored (two tabs opened
    before either asked for help) means the same customer, in any process; one-way, so that the
    id an agent sees does not give the token away.
    """
    return hashlib.sha256(b"lifeline-customer:" + token_hash.encode()).hexdigest()[:32]
