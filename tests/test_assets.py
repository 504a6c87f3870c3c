"""The web files over HTTP, as a browser and a proxy see them: compressed as asked, revalidated
by ETag, kept for a year only at a URL that names their content, and a rebuild seen at once."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import brotli
import pytest
from multidict import CIMultiDictProxy

from tests.kit.hub import hub_test_config, start_hub

STATIC = Path(__file__).parents[1] / "hub" / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
# (URL path, file under the static folder)
TEXT_FILES = [
    ("/widget.js", "widget.js"),
    ("/widget-mayday.js", "widget-mayday.js"),
    ("/console/", "console/index.html"),
    ("/console/console.js", "console/console.js"),
    ("/console/console.css", "console/console.css"),
    ("/console/charts.js", "console/charts.js"),
    ("/demo/", "demo/index.html"),
    ("/demo/shop.js", "demo/shop.js"),
    ("/demo/img/mug.svg", "demo/img/mug.svg"),
]


@dataclass
class Served:
    url: str
    static: Path

    def version(self, name: str) -> str:
        return hashlib.sha256((self.static / name).read_bytes()).hexdigest()[:16]


@dataclass
class Answer:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


@pytest.fixture
async def served(tmp_path: Path, seeded_templates: dict[str, str]) -> AsyncIterator[Served]:
    """A hub serving a copy of the built files (HUB_STATIC_DIR), which a test may rebuild."""
    if "sqlite" not in seeded_templates:
        pytest.skip("these tests run on SQLite; the files do not depend on the database")
    static = tmp_path / "static"
    shutil.copytree(STATIC, static)
    database = tmp_path / "hub.db"
    shutil.copyfile(seeded_templates["sqlite"], database)
    config = hub_test_config(f"sqlite:///{database}", static_dir=str(static))
    runner, url = await start_hub(config)
    try:
        yield Served(url, static)
    finally:
        await runner.cleanup()


async def get(served: Served, path: str, method: str = "GET", **headers: str) -> Answer:
    # No Accept-Encoding unless the test gives one (aiohttp would add its own), and the bytes
    # as they came over the wire.
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        async with http.request(
            method, f"{served.url}{path}", headers=headers, skip_auto_headers=["Accept-Encoding"]
        ) as r:
            return Answer(r.status, r.headers, await r.read())


async def test_bytes_on_the_wire_are_the_coding_asked_for(served: Served) -> None:
    for path, name in TEXT_FILES:
        await check_codings(served, path, (served.static / name).read_bytes())


async def check_codings(served: Served, path: str, exact: bytes) -> None:
    plain = await get(served, path)
    assert plain.status == 200 and plain.body == exact, path
    assert "Content-Encoding" not in plain.headers, path
    assert plain.headers["Vary"] == "Accept-Encoding", path

    zipped = await get(served, path, **{"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip", path
    assert zipped.body[:2] == b"\x1f\x8b" and gzip.decompress(zipped.body) == exact, path
    assert int(zipped.headers["Content-Length"]) == len(zipped.body) < len(exact), path
    assert zipped.headers["Vary"] == "Accept-Encoding", path

    # What Chromium sends: brotli is preferred when offered.
    br = await get(served, path, **{"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert br.headers["Content-Encoding"] == "br", path
    assert brotli.decompress(br.body) == exact, path
    assert len(br.body) < len(exact), path
    assert br.headers["Vary"] == "Accept-Encoding", path

    types = {a.headers["Content-Type"] for a in (plain, zipped, br)}
    assert len(types) == 1, (path, types)


ACCEPT = [
    ("identity", None),
    ("deflate", None),
    ("gzip;q=0, br;q=0", None),
    ("*;q=0", None),
    ("br;q=0.5, gzip", "gzip"),
    ("BR", "br"),
    ("*", "br"),
    ("br;q=0, *", "gzip"),
    ("gzip;q=nonsense, br;q=", None),
]


async def test_accept_encoding_is_read_with_its_weights(served: Served) -> None:
    exact = (served.static / "widget.js").read_bytes()
    for accept, coding in ACCEPT:
        answer = await get(served, "/widget.js", **{"Accept-Encoding": accept})
        assert answer.status == 200
        assert answer.headers.get("Content-Encoding") == coding, accept
        decode = {"gzip": gzip.decompress, "br": brotli.decompress}.get(coding or "", bytes)
        assert decode(answer.body) == exact, accept


async def test_a_matching_etag_is_answered_304(served: Served) -> None:
    first = await get(served, "/widget.js", **{"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"'), etag  # strong, not W/
    again = await get(served, "/widget.js", **{"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "no-cache"
    assert again.headers["Vary"] == "Accept-Encoding"
    # Each coding is its own representation with its own tag.
    plain = await get(served, "/widget.js")
    br = await get(served, "/widget.js", **{"Accept-Encoding": "br"})
    assert len({etag, plain.headers["ETag"], br.headers["ETag"]}) == 3
    other = await get(served, "/widget.js", **{"If-None-Match": etag})
    assert other.status == 200 and other.body == (served.static / "widget.js").read_bytes()
    # The weak comparison of If-None-Match, a list, and "*".
    for header in (f"W/{etag}", f'"nope", {etag}', "*"):
        answer = await get(
            served, "/widget.js", **{"Accept-Encoding": "gzip", "If-None-Match": header}
        )
        assert answer.status == 304, header
    for header in ('"nope"', "", "garbage"):
        answer = await get(
            served, "/widget.js", **{"Accept-Encoding": "gzip", "If-None-Match": header}
        )
        assert answer.status == 200 and gzip.decompress(answer.body), header
    # HEAD answers the same headers without the body.
    head = await get(served, "/widget.js", "HEAD", **{"Accept-Encoding": "gzip"})
    assert head.status == 200 and head.body == b"" and head.headers["ETag"] == etag


async def test_only_urls_with_the_content_hash_are_cached_for_long(served: Served) -> None:
    mayday = served.version("widget-mayday.js")
    charts = served.version("console/charts.js")
    # The embed URL stays revalidated: shops paste it once, and it must pick up a new build.
    assert (await get(served, "/widget.js")).headers["Cache-Control"] == "no-cache"
    # The loaders and the console's page ask for the lazy parts by their hashes...
    widget = (await get(served, "/widget.js")).body.decode()
    assert f"?v={mayday}" in widget
    page = (await get(served, "/console/")).body.decode()
    console_js = served.version("console/console.js")
    console_css = served.version("console/console.css")
    assert f'src="console.js?v={console_js}"' in page
    assert f'href="console.css?v={console_css}"' in page
    assert (await get(served, "/console/")).headers["Cache-Control"] == "no-cache"
    console = (await get(served, f"/console/console.js?v={console_js}")).body.decode()
    assert f"?v={charts}" in console
    # ... and those URLs are kept for a year.
    for path in (
        f"/widget-mayday.js?v={mayday}",
        f"/console/charts.js?v={charts}",
        f"/console/console.js?v={console_js}",
        f"/console/console.css?v={console_css}",
    ):
        answer = await get(served, path, **{"Accept-Encoding": "gzip"})
        assert answer.status == 200 and answer.headers["Cache-Control"] == IMMUTABLE, path
    # Without the version, or with another one (a page of an older build), revalidated.
    for path in ("/widget-mayday.js", "/widget-mayday.js?v=0.1.0", "/console/charts.js?v=1"):
        answer = await get(served, path)
        assert answer.status == 200 and answer.headers["Cache-Control"] == "no-cache", path


async def test_a_rebuilt_file_gets_a_new_etag(served: Served) -> None:
    path = served.static / "widget-mayday.js"
    before = await get(served, "/widget-mayday.js", **{"Accept-Encoding": "gzip"})
    old_version = served.version("widget-mayday.js")

    rebuilt = b"/* rebuilt */ window.Lifeline = window.Lifeline || {};\n" * 50
    path.write_bytes(rebuilt)
    after = await get(served, "/widget-mayday.js", **{"Accept-Encoding": "gzip"})
    assert after.headers["ETag"] != before.headers["ETag"]
    assert gzip.decompress(after.body) == rebuilt
    stale = await get(
        served,
        "/widget-mayday.js",
        **{"Accept-Encoding": "gzip", "If-None-Match": before.headers["ETag"]},
    )
    assert stale.status == 200 and gzip.decompress(stale.body) == rebuilt
    # The old hash no longer earns a year; the new one does.
    old = await get(served, f"/widget-mayday.js?v={old_version}")
    assert old.headers["Cache-Control"] == "no-cache"
    new = await get(served, f"/widget-mayday.js?v={served.version('widget-mayday.js')}")
    assert new.headers["Cache-Control"] == IMMUTABLE and new.body == rebuilt

    # The same size, another content and time: seen too (brotli made anew as well).
    first_br = await get(served, "/widget-mayday.js", **{"Accept-Encoding": "br"})
    same_size = rebuilt.replace(b"rebuilt", b"REBUILT")
    path.write_bytes(same_size)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second_br = await get(served, "/widget-mayday.js", **{"Accept-Encoding": "br"})
    assert second_br.headers["ETag"] != first_br.headers["ETag"]
    assert brotli.decompress(second_br.body) == same_size


async def test_a_file_is_read_and_compressed_once_per_version(served: Served) -> None:
    path = served.static / "console" / "charts.js"
    exact = path.read_bytes()
    first = await get(served, "/console/charts.js", **{"Accept-Encoding": "gzip"})
    # Overwritten in place with the same size and time: the hub, which keys what it made by
    # them, still sends what it compressed then; it neither reads nor compresses per request.
    stat = path.stat()
    path.write_bytes(b"x" * len(exact))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = await get(served, "/console/charts.js", **{"Accept-Encoding": "gzip"})
    assert second.body == first.body and gzip.decompress(second.body) == exact


async def test_the_security_headers_still_apply(served: Served) -> None:
    page = await get(served, "/console/", **{"Accept-Encoding": "gzip, br"})
    assert page.headers["Content-Encoding"] == "br"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Content-Type"].startswith("text/html")
    version = served.version("console/console.js")
    script = await get(served, f"/console/console.js?v={version}", **{"Accept-Encoding": "gzip"})
    revalidated = await get(
        served,
        f"/console/console.js?v={version}",
        **{"Accept-Encoding": "gzip", "If-None-Match": script.headers["ETag"]},
    )
    assert revalidated.status == 304
    for answer in (page, script, revalidated):
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
        assert answer.headers["X-Frame-Options"] == "DENY"


async def test_only_the_built_files_are_served(served: Served, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    (served.static / "console" / "escape.txt").symlink_to(secret)
    (served.static / "console" / ".hidden.js").write_text("hidden")
    for path in (
        "/console/escape.txt",
        "/console/.hidden.js",
        "/console/%2e%2e/%2e%2e/secret.txt",
        "/console/..%2f..%2fsecret.txt",
        "/console/nothing.js",
        "/console//console.js",
        "/demo/img",
        "/demo/img/",
    ):
        answer = await get(served, path)
        assert answer.status == 404, path
        assert b"not for the web" not in answer.body
    # Images are sent as they are: compressing them again gains nothing.
    png = served.static / "demo" / "img" / "dot.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    image = await get(served, "/demo/img/dot.png", **{"Accept-Encoding": "gzip, br"})
    assert image.status == 200 and image.body == png.read_bytes()
    assert image.headers["Content-Type"] == "image/png"
    assert "Content-Encoding" not in image.headers and "Vary" not in image.headers
