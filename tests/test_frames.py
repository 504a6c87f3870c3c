"""Malformed Engine.IO and socket.io frames: dropped at the edge, the client disconnected, and
each kind logged once per interval, never a traceback per frame."""

from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest

from hub.edges.frames import FrameLog
from tests.kit.engineio import RawSocket
from tests.kit.hub import HubServer
from tests.kit.wire import customer

# Each a frame no client library sends, by kind of fault.
BAD_FRAMES = {
    "json": ("socket.io", '42/customer,["history",{"conversation_id":'),
    "event": ("event", "42/customer,[]"),
    "event name": ("event", '42/customer,[{"not": "a name"}]'),
    "packet": ("socket.io", "4x"),
    "engine": ("engine.io", "9"),
    "binary": ("binary", b"\x00\xff\xfe"),
    "binary event": ("binary", '451-/customer,["history",{"_placeholder":true,"num":0}]'),
    "text": ("engine.io", "hello"),
    "disconnect": ("socket.io", '41/customer,{"x":'),
}


@pytest.mark.parametrize("kind", sorted(BAD_FRAMES))
async def test_a_malformed_frame_disconnects_and_is_logged_once(
    hub_server: HubServer, caplog: pytest.LogCaptureFixture, kind: str
) -> None:
    caplog.set_level(logging.INFO)
    logged_as, frame = BAD_FRAMES[kind]
    for _ in range(20):
        raw = await RawSocket(hub_server.url).open()
        try:
            await raw.join("/customer", {"site_key": hub_server.site_key, "visitor_token": None})
            await raw.send(frame)
            assert await raw.closed(), kind
        finally:
            await raw.close()
    records = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    # One line for the 20, and no traceback.
    assert [r.getMessage() for r in records] == [
        f"closed a connection that sent a malformed {logged_as} frame (0 more since the last line)"
    ]
    assert not records[0].exc_info
    # The hub is well: a customer connects and is answered.
    shopper = await customer(hub_server.url, hub_server.site_key)
    await shopper.round_trip()
    await shopper.close()


def test_each_kind_is_logged_once_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    now = [1000.0]
    frame_log = FrameLog(interval_s=60.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="hub.edges.frames"):
        for _ in range(5):
            frame_log.dropped("engine.io")
        frame_log.dropped("event")
        now[0] += 60.0
        frame_log.dropped("engine.io")
    assert [r.getMessage() for r in caplog.records] == [
        "closed a connection that sent a malformed engine.io frame (0 more since the last line)",
        "closed a connection that sent a malformed event frame (0 more since the last line)",
        "closed a connection that sent a malformed engine.io frame (4 more since the last line)",
    ]


async def test_a_malformed_packet_over_long_polling_ends_its_session(
    hub_server: HubServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    base = f"{hub_server.url}/socket.io/?EIO=4&transport=polling"
    async with aiohttp.ClientSession() as http:
        async with http.get(base) as r:
            sid = json.loads((await r.text())[1:])["sid"]
        auth = json.dumps({"site_key": hub_server.site_key, "visitor_token": None})
        async with http.post(f"{base}&sid={sid}", data=f"40/customer,{auth}") as r:
            assert r.status == 200
        # Answered at once (it hung while the hub waited to send its close), and the end.
        async with http.post(f"{base}&sid={sid}", data='42/customer,["history",') as r:
            assert r.status == 200
        async with http.post(f"{base}&sid={sid}", data="3") as r:
            assert r.status == 400
    assert not any(r.exc_info for r in caplog.records)
    assert [r.getMessage() for r in caplog.records if r.name == "hub.edges.frames"] == [
        "closed a connection that sent a malformed socket.io frame (0 more since the last line)"
    ]


async def test_an_unreadable_http_request_is_logged_once_without_its_bytes(
    hub_server: HubServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    host, port = hub_server.url.removeprefix("http://").split(":")
    secret = "SECRET-" + "x" * 9000
    for _ in range(5):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"GET /healthz HTTP/1.1\r\nHost: hub\r\nX-Big: {secret}\r\n\r\n".encode())
        await writer.drain()
        answer = await reader.read(65536)
        writer.close()
        await writer.wait_closed()
        assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0]
        assert b"SECRET" not in answer
    assert not any(r.exc_info for r in caplog.records)
    assert not any("SECRET" in r.getMessage() for r in caplog.records)
    assert [r.getMessage() for r in caplog.records if r.name == "hub.edges.frames"] == [
        "closed a connection that sent a malformed LineTooLong HTTP request"
        " (0 more since the last line)"
    ]


@pytest.mark.parametrize(
    "request_bytes",
    [
        # A link to a very long URL: a browser sends it cross-site, and aiohttp quoted its start.
        b"GET /<script>alert(1)</script>" + b"A" * 9000 + b" HTTP/1.1\r\nHost: hub\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: hub\r\nX-Big: <script>alert(1)</script>"
        + b"A" * 9000
        + b"\r\n\r\n",
        b"\x16\x03\x01\x02\x00<script>not http</script>\r\n\r\n",
    ],
    ids=["request-line", "header", "not-http"],
)
async def test_an_unreadable_request_gets_a_fixed_json_answer(
    hub_server: HubServer, request_bytes: bytes
) -> None:
    host, port = hub_server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request_bytes)
    await writer.drain()
    answer = await reader.read(65536)
    writer.close()
    await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert " 400 " in lines[0], lines
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers["content-type"].startswith("application/json")
    assert headers["x-content-type-options"] == "nosniff"
    assert b"script" not in answer
    assert json.loads(body) == {
        "ok": False,
        "error": {"code": "invalid", "message": "the request could not be read"},
    }
