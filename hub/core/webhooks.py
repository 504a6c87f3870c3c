"""Webhooks (DESIGN §13), as the Standard Webhooks 1.0 specification has them: the secret,
the signature, the retry schedule, and which addresses a delivery may go to.

A shop verifies a delivery with the ``standardwebhooks`` library of its language: the hub
signs ``{id}.{timestamp}.{body}`` with HMAC-SHA256, keyed with the secret's bytes (the part
after ``whsec_``, base64-decoded), and sends ``v1,`` + the base64 of the digest.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit

SECRET_PREFIX = "whsec_"
# The five types a site's webhook receives.
TYPES = (
    "contact.created",
    "contact.assigned",
    "contact.ended",
    "survey.answered",
    "product.flagged",
)
# Retries: 1 s, 2 s, 4 s ... at most 10 min apart, for a day after the delivery was made.
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 600.0
RETRY_FOR_S = 86400.0
MAX_URL = 2000


def new_secret() -> str:
    """A fresh secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a secret; ValueError if it is not ``whsec_`` + base64 of 24–64 bytes."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError:
        raise ValueError("a webhook secret is whsec_ and base64") from None
    if not 24 <= len(key) <= 64:
        raise ValueError("a webhook secret holds 24 to 64 bytes")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header of one attempt."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def retry_at(created_at: float, attempts: int, now: float) -> float | None:
    """When to try again after ``attempts`` failed attempts (at ``now``), or None once the
    delivery has been retried for a day."""
    delay = min(MAX_RETRY_S, FIRST_RETRY_S * 2 ** max(0, attempts - 1))
    due = now + delay
    return due if due <= created_at + RETRY_FOR_S else None


def check_url(url: str) -> str:
    """A webhook URL: http or https, a host, no credentials; ValueError says what is wrong."""
    if len(url) > MAX_URL:
        raise ValueError(f"a webhook URL has at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError("the webhook URL is not a URL") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("a webhook URL starts with http:// or https://")
    if not parts.hostname:
        raise ValueError("the webhook URL has no host")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "a webhook URL carries no user name or password: the signature is the proof"
        )
    if port == 0:
        raise ValueError("the webhook URL's port is 0")
    return url


def is_public(address: str) -> bool:
    """Whether a delivery may go to this IP address: a global unicast one, not a private,
    loopback, link-local, shared or reserved network (so a shop's URL cannot reach the hub's
    own machine or network)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
