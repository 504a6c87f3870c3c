"""The built web files over HTTP: compressed once, revalidated by ETag, cached for a year when
the URL names their content."""

from __future__ import annotations

import asyncio
import collections
import gzip
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from aiohttp import web

from hub.edges.openapi import Handler

# Held for a year by browsers and proxies: only for a URL whose ?v= is the file's content hash,
# so a new build is a new URL. Everything else (the embed URL /widget.js, the HTML pages) is
# revalidated on each use, which costs a 304 and no body while the file is unchanged.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# web/build.mjs puts the same 16 hex digits of the SHA-256 in the URLs it writes.
VERSION_CHARS = 16
# The kinds of file a build holds, named here rather than by the system's mime.types, which
# differs between machines; anything else is served as bytes.
TYPES = {
    ".js": "application/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
# What is worth compressing; images and fonts are compressed already.
TEXT_TYPES = frozenset(
    {"application/javascript", "text/css", "text/html", "image/svg+xml", "application/json"}
)
# Best first; `identity` is always there.
CODINGS = ("br", "gzip")
ETAG_SUFFIX = {"identity": "", "gzip": "-gz", "br": "-br"}
CHARSET_TYPES = frozenset({"application/javascript", "text/css", "text/html", "application/json"})


# What a content compresses to, by (SHA-256, coding), for every hub of the process: the tests
# start hundreds of hubs on the same files, and brotli's best takes a third of a second for the
# console. Bounded; the files a hub serves now are also held by their Asset.
MADE: collections.OrderedDict[tuple[str, str], bytes] = collections.OrderedDict()
MADE_MAX = 32


def remembered(digest: str, coding: str) -> bytes | None:
    made = MADE.get((digest, coding))
    if made is not None:
        MADE.move_to_end((digest, coding))
    return made


def remember(digest: str, coding: str, made: bytes) -> None:
    MADE[(digest, coding)] = made
    while len(MADE) > MADE_MAX:
        MADE.popitem(last=False)


def compress(data: bytes, coding: str) -> bytes:
    if coding == "gzip":
        # mtime=0: the same file always gives the same bytes (and so the same ETag holds).
        return gzip.compress(data, compresslevel=9, mtime=0)
    if coding == "br":
        compressed: bytes = brotli.compress(data, quality=11)
        return compressed
    raise ValueError(coding)


def accepted_codings(header: str) -> dict[str, float]:
    """``Accept-Encoding`` as coding -> q (RFC 9110 §12.5.3); a malformed q counts as 0."""
    wanted: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        wanted[name] = q
    return wanted


def choose_coding(header: str, available: tuple[str, ...]) -> str:
    """The best of ``available`` the client takes, else ``identity`` (sent even when refused:
    a body it may not decode helps nobody more than the plain one)."""
    wanted = accepted_codings(header)
    star = wanted.get("*", 0.0)
    best, best_q = "identity", 0.0
    for coding in available:
        q = wanted.get(coding, star)
        if q > best_q:
            best, best_q = coding, q
    return best


def etag_matches(header: str, etag: str) -> bool:
    """``If-None-Match`` uses the weak comparison: ``W/"x"`` matches ``"x"``."""
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


@dataclass
class Asset:
    """One version of one file on disk: its bytes, and each coding of them once made."""

    stamp: tuple[int, int]  # (mtime_ns, size): a rebuilt file is another Asset
    content_type: str
    data: bytes
    digest: str = field(init=False)
    codings: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256(self.data).hexdigest()

    @property
    def version(self) -> str:
        return self.digest[:VERSION_CHARS]

    @property
    def compressible(self) -> bool:
        return self.content_type in TEXT_TYPES

    def etag(self, coding: str) -> str:
        return f'"{self.digest[:32]}{ETAG_SUFFIX[coding]}"'


def read_asset(path: Path, content_type: str) -> Asset | None:
    """The file's bytes, stamped by the same open file: a rebuild halfway is seen next time."""
    try:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            return Asset((st.st_mtime_ns, st.st_size), content_type, f.read())
    except OSError:
        return None


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_mtime_ns, st.st_size)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)


class Assets:
    """The web files of one hub, each read once per version on disk and compressed once per
    coding asked for, in a thread (brotli's best setting takes a third of a second for the
    console), never per request."""

    def __init__(self) -> None:
        self._files: dict[Path, Asset] = {}
        self._locks: dict[Path, asyncio.Lock] = {}

    async def load(self, path: Path, content_type: str) -> Asset | None:
        # One stat per request: cheaper than a hop to a thread, and how a rebuild is seen.
        stamp = _stamp(path)
        if stamp is None:
            return None
        known = self._files.get(path)
        if known is not None and known.stamp == stamp:
            return known
        async with self._locks.setdefault(path, asyncio.Lock()):
            known = self._files.get(path)
            if known is not None and known.stamp == _stamp(path):
                return known
            asset = await asyncio.to_thread(read_asset, path, content_type)
            if asset is None:
                self._files.pop(path, None)
                return None
            self._files[path] = asset
            return asset

    async def body(self, path: Path, asset: Asset, coding: str) -> bytes:
        if coding == "identity":
            return asset.data
        made = asset.codings.get(coding)
        if made is not None:
            return made
        async with self._locks.setdefault(path, asyncio.Lock()):
            made = asset.codings.get(coding) or remembered(asset.digest, coding)
            if made is None:
                made = await asyncio.to_thread(compress, asset.data, coding)
                remember(asset.digest, coding, made)
            asset.codings[coding] = made
            return made

    async def respond(
        self, request: web.Request, path: Path, content_type: str | None = None
    ) -> web.StreamResponse:
        kind = content_type or TYPES.get(path.suffix.lower(), "application/octet-stream")
        asset = await self.load(path, kind)
        if asset is None:
            raise web.HTTPNotFound()
        coding = "identity"
        if asset.compressible:
            coding = choose_coding(request.headers.get("Accept-Encoding", ""), CODINGS)
        versioned = request.query.get("v") == asset.version
        headers = {
            "ETag": asset.etag(coding),
            "Cache-Control": IMMUTABLE if versioned else REVALIDATE,
        }
        if asset.compressible:
            headers["Vary"] = "Accept-Encoding"
        if etag_matches(request.headers.get("If-None-Match", ""), headers["ETag"]):
            return web.Response(status=304, headers=headers)
        body = await self.body(path, asset, coding)
        if coding != "identity":
            headers["Content-Encoding"] = coding
        charset = "utf-8" if kind in CHARSET_TYPES else None
        return web.Response(body=body, headers=headers, content_type=kind, charset=charset)


def file_handler(assets: Assets, path: Path, content_type: str | None = None) -> Handler:
    """One file at a fixed URL (``/widget.js``, a folder's ``index.html``)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        return await assets.respond(request, path, content_type)

    return handler


def folder_handler(assets: Assets, folder: Path) -> Handler:
    """The files under ``folder``, by the route's ``{tail}``; nothing above it, nothing hidden."""
    root = folder.resolve()

    async def handler(request: web.Request) -> web.StreamResponse:
        tail = request.match_info["tail"]
        parts = tail.split("/")
        if any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            raise web.HTTPNotFound()
        path = root.joinpath(*parts)
        # A symlink inside the folder that points out of it is refused too.
        if not _inside(path, root):
            raise web.HTTPNotFound()
        return await assets.respond(request, path)

    return handler
