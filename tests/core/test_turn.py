"""TURN credentials as coturn's use-auth-secret checks them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest

from hub.core import turn

SECRET = "north-wind-secret"
URLS = ("turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp")


def coturn_expiry(username: str) -> int:
    """The expiry coturn reads: the digits before the first ":" (get_rest_api_timestamp)."""
    head, sep, _user = username.partition(":")
    assert sep and head.isdigit(), f"{username!r} is not <digits>:<user>"
    return int(head)


def test_known_vector() -> None:
    # Computed outside Python: printf '%s' '1700043200:c_0123456789abcdef' |
    #   openssl dgst -sha1 -hmac 'north-wind-secret' -binary | base64
    assert turn.credential(SECRET, "1700043200:c_0123456789abcdef") == (
        "+p6y5Jb64Oq5us/T2LhVZ47St9g="
    )


def test_ice_server_follows_coturn_format() -> None:
    server = turn.ice_server(SECRET, URLS, "c_0123456789abcdef", now=1700000000.9, ttl_s=43200)
    assert server["urls"] == list(URLS)
    assert server["username"] == "1700043200:c_0123456789abcdef"
    assert coturn_expiry(server["username"]) == 1700000000 + 43200
    by_hand = base64.b64encode(
        hmac.new(SECRET.encode(), server["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert server["credential"] == by_hand
    # Standard base64 of a 20-byte SHA-1 digest: 28 characters, one "=" of padding.
    assert re.fullmatch(r"[A-Za-z0-9+/]{27}=", server["credential"])


def test_user_with_a_colon_keeps_the_expiry_first() -> None:
    server = turn.ice_server(SECRET, URLS, "a:b", now=10.0, ttl_s=5)
    assert server["username"] == "15:a:b"
    assert coturn_expiry(server["username"]) == 15


def test_credentials_differ_by_contact_and_secret() -> None:
    a = turn.ice_server(SECRET, URLS, "c1", now=0.0, ttl_s=60)["credential"]
    b = turn.ice_server(SECRET, URLS, "c2", now=0.0, ttl_s=60)["credential"]
    c = turn.ice_server("other", URLS, "c1", now=0.0, ttl_s=60)["credential"]
    assert len({a, b, c}) == 3


def test_check_urls() -> None:
    assert turn.check_urls([*URLS, "stun:turn.example.com:3478"]) == (
        *URLS,
        "stun:turn.example.com:3478",
    )
    with pytest.raises(ValueError, match=re.escape("'https://turn.example.com' is not")):
        turn.check_urls(["turn:a:3478", "https://turn.example.com"])
    with pytest.raises(ValueError, match="no turn: or turns: URL"):
        turn.check_urls(["stun:turn.example.com:3478"])
