"""Short-lived TURN credentials in coturn's ``use-auth-secret`` scheme (the TURN REST API). Pure."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from typing import TypedDict

SCHEMES = ("turn:", "turns:", "stun:")


class IceServer(TypedDict):
    """One entry of ``rtc.config``'s ``ice_servers``, in the browsers' ``RTCIceServer`` shape."""

    urls: list[str]
    username: str
    credential: str


def username(expires_at: int, user: str) -> str:
    # coturn reads the digits before the first ":" as the expiry, so the user may hold a ":".
    return f"{expires_at}:{user}"


def credential(secret: str, username: str) -> str:
    """What coturn expects as the password: base64 of HMAC-SHA1(static-auth-secret, username)."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def ice_server(secret: str, urls: Iterable[str], user: str, *, now: float, ttl_s: int) -> IceServer:
    """Credentials for ``user`` on ``urls`` that coturn accepts until ``now + ttl_s``."""
    name = username(int(now) + ttl_s, user)
    return {"urls": list(urls), "username": name, "credential": credential(secret, name)}


def check_urls(urls: Iterable[str]) -> tuple[str, ...]:
    """The URLs as given, or ValueError naming the first one a browser would refuse.

    ``stun:`` URLs may come along (they ignore the credentials), but at least one must relay.
    """
    checked = tuple(urls)
    for url in checked:
        if not url.startswith(SCHEMES):
            raise ValueError(f"{url!r} is not a turn:, turns: or stun: URL")
    if not any(url.startswith(("turn:", "turns:")) for url in checked):
        raise ValueError("no turn: or turns: URL")
    return checked
