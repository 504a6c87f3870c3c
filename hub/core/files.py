"""Attachments, pure: what a file is by its first bytes, and the signed links that serve it."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

# The largest file a customer or an agent may attach (HUB_FILES_MAX_BYTES overrides it).
MAX_BYTES = 10 * 1024 * 1024
# How long a signed link serves its file.
LINK_TTL_S = 300
# The types taken, each by its magic bytes: a name or a declared type proves nothing.
IMAGES = ("image/jpeg", "image/png", "image/webp", "image/gif")
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "application/pdf": "pdf",
}
KEY = re.compile(r"[A-Za-z0-9_-]{32}")
_UNSAFE = re.compile(r"[^\w .()+,-]+")


def sniff(head: bytes) -> str | None:
    """The media type of a file from its first bytes (12 are enough), or None if not taken."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def safe_name(name: str | None, media_type: str) -> str:
    """The name shown and offered on download: no path, no control or quote characters, at
    most 100 characters, and the extension of what the file really is."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" ._")[:80]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{stem or 'file'}.{EXTENSIONS[media_type]}"


def signature(secret: str, key: str, exp: int, name: str) -> str:
    if not secret:
        raise ValueError("a files secret is required to sign links")
    message = f"{key}\n{exp}\n{name}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def link(secret: str, key: str, name: str, now: float, ttl_s: int = LINK_TTL_S) -> str:
    """The path that serves file ``key``, offered as ``name``, until ``now + ttl_s``."""
    exp = int(now) + ttl_s
    sig = signature(secret, key, exp, name)
    return f"/files/{quote(key)}?exp={exp}&name={quote(name)}&sig={sig}"


def check_link(secret: str, key: str, exp: int, name: str, sig: str, now: float) -> str | None:
    """Why a link does not serve (``bad_signature``, ``link_expired``), or None if it does."""
    if not hmac.compare_digest(signature(secret, key, exp, name), sig):
        return "bad_signature"
    if now > exp:
        return "link_expired"
    return None


def linked(event: Mapping[str, Any], secret: str, now: float) -> dict[str, Any]:
    """An ``attachment`` event as it is sent: with a fresh ``url`` for its file (none once
    its customer was erased); any other event as it is."""
    data = event.get("data") or {}
    key, name = data.get("file"), data.get("name")
    if event.get("type") != "attachment" or not isinstance(key, str) or not isinstance(name, str):
        return dict(event)
    return {**event, "data": {**data, "url": link(secret, key, name, now)}}
