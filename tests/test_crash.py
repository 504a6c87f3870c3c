"""``kill -9`` the hub: no acknowledged message is lost and no waiting contact is forgotten.

The hub runs as a real subprocess (``python -m hub serve``) on a SQLite file or a fresh
PostgreSQL database, is killed with SIGKILL without warning, and is started again on the same
database.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO, Any

import aiohttp
import pytest

from hub.actions import admin
from tests.conftest import free_port
from tests.wire import Wire, agent, customer

pytestmark = pytest.mark.slow

SITE_KEY = "shop"
ADA = {"email": "ada@example.com", "name": "Ada", "password": "ada-password", "role": "agent"}


def _log_file(path: Path) -> IO[bytes]:
    return path.open("ab")


class HubProcess:
    """``python -m hub serve`` on a free port; killed without warning, started again."""

    def __init__(self, database_url: str, log_path: Path) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def start(self) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "HUB_DATABASE_URL": self.database_url,
            "HUB_LOG_LEVEL": "WARNING",
            # One customer sends hundreds of messages in a few seconds on purpose.
            "HUB_RATE_LIMIT": "10000",
            "HUB_RATE_BURST": "10000",
        }
        log = _log_file(self.log_path)
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hub",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                env=env,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        deadline = time.monotonic() + 30
        async with aiohttp.ClientSession() as http:
            while True:
                if self.proc.returncode is not None:
                    raise AssertionError(f"hub exited; see {self.log_path}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{self.url}/healthz") as r:
                        if r.status == 200:
                            return
                assert time.monotonic() < deadline, f"hub did not start; see {self.log_path}"
                await asyncio.sleep(0.1)

    async def kill(self) -> None:
        """SIGKILL: no shutdown handler, no flush, no goodbye to the clients."""
        assert self.proc is not None and self.proc.returncode is None
        os.kill(self.proc.pid, signal.SIGKILL)
        assert await self.proc.wait() == -signal.SIGKILL

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


@pytest.fixture
async def hub_process(database_url: str, tmp_path: Path) -> AsyncIterator[HubProcess]:
    await admin.add_site(database_url, SITE_KEY, "crash-test-secret-0123456789")
    await admin.add_agents(database_url, [ADA])
    process = HubProcess(database_url, tmp_path / "hub.log")
    await process.start()
    try:
        yield process
    finally:
        # Before the database fixture drops the PostgreSQL database under it.
        await process.stop()


@pytest.fixture
async def wires() -> AsyncIterator[list[Wire]]:
    opened: list[Wire] = []
    try:
        yield opened
    finally:
        for w in opened:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(w.close(), 5)


async def send(w: Wire, conversation_id: str, client_id: str) -> int:
    ack = await w.call(
        "message.send",
        {"conversation_id": conversation_id, "client_id": client_id, "text": f"text {client_id}"},
    )
    assert ack["ok"], ack
    return int(ack["seq"])


async def all_events(w: Wire, conversation_id: str) -> list[dict[str, Any]]:
    """The whole timeline, page after page."""
    out: list[dict[str, Any]] = []
    while True:
        after = out[-1]["seq"] if out else 0
        ack = await w.call("history", {"conversation_id": conversation_id, "after_seq": after})
        assert ack["ok"], ack
        if not ack["events"]:
            return out
        out.extend(ack["events"])


def check_survivors(events: list[dict[str, Any]], acked: dict[str, int]) -> None:
    """Every acknowledged message is stored once, under the seq it was acknowledged with."""
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), "seqs must be gapless and never repeated"
    stored: dict[str, int] = {}
    for e in events:
        if e["type"] == "message" and e["data"].get("client_id"):
            assert e["data"]["client_id"] not in stored, f"duplicate {e['data']['client_id']}"
            stored[e["data"]["client_id"]] = e["seq"]
    lost = {c: s for c, s in acked.items() if stored.get(c) != s}
    assert lost == {}, f"{len(lost)} acknowledged messages lost or renumbered"


async def test_acked_messages_and_waiting_contacts_survive_kill_9(
    hub_process: HubProcess, wires: list[Wire]
) -> None:
    url = hub_process.url
    sender = await customer(url, SITE_KEY)
    wires.append(sender)
    token = sender.received["session"][0]["visitor_token"]
    first = await sender.call("contact.request", {"channel": "chat"})
    assert first["ok"], first
    conversation_id = first["conversation_id"]
    waiting = [first["contact_id"]]
    for _ in range(4):
        shopper = await customer(url, SITE_KEY)
        wires.append(shopper)
        ack = await shopper.call("contact.request", {"channel": "chat"})
        assert ack["ok"], ack
        waiting.append(ack["contact_id"])

    acked: dict[str, int] = {}
    for batch in range(10):
        ids = [f"m{batch}-{i}" for i in range(20)]
        seqs = await asyncio.gather(*(send(sender, conversation_id, c) for c in ids))
        acked.update(zip(ids, seqs, strict=True))
    assert len(acked) == 200

    await hub_process.kill()
    await hub_process.start()
    url = hub_process.url

    again = await customer(url, SITE_KEY, token)
    wires.append(again)
    assert again.received["session"][0]["conversation_id"] == conversation_id
    events = await all_events(again, conversation_id)
    check_survivors(events, acked)
    assert sum(e["type"] == "message" for e in events) == 200
    # A new message continues the numbering: no seq is reused.
    assert await send(again, conversation_id, "after-restart") == events[-1]["seq"] + 1

    # The five contacts still wait, and are offered in their original order.
    ada = await agent(url, ADA["email"], ADA["password"])
    wires.append(ada)
    for contact_id in waiting:
        await ada.next("offer", lambda o, c=contact_id: o["contact_id"] == c, timeout=5)
        assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
        assert (await ada.call("contact.end", {"contact_id": contact_id}))["ok"]
    assert [o["contact_id"] for o in ada.received["offer"]] == waiting


async def test_messages_acked_while_the_hub_is_killed_survive(
    hub_process: HubProcess, wires: list[Wire]
) -> None:
    sender = await customer(hub_process.url, SITE_KEY)
    wires.append(sender)
    token = sender.received["session"][0]["visitor_token"]
    ack = await sender.call("contact.request", {"channel": "chat"})
    conversation_id = ack["conversation_id"]

    acked: dict[str, int] = {}

    async def keep_sending(worker: int) -> None:
        for i in range(10_000):
            client_id = f"w{worker}-{i}"
            acked[client_id] = await send(sender, conversation_id, client_id)

    senders = [asyncio.create_task(keep_sending(n)) for n in range(4)]
    while len(acked) < 120:
        assert not any(t.done() for t in senders), [t.exception() for t in senders if t.done()]
        await asyncio.sleep(0.005)
    # Kill in mid-stream: sends are in flight, some stored but not yet acknowledged.
    await hub_process.kill()
    for task in senders:
        task.cancel()
    results = await asyncio.gather(*senders, return_exceptions=True)
    assert all(isinstance(r, BaseException) for r in results)
    survivors_to_check = dict(acked)

    await hub_process.start()
    again = await customer(hub_process.url, SITE_KEY, token)
    wires.append(again)
    events = await all_events(again, conversation_id)
    check_survivors(events, survivors_to_check)
    assert await send(again, conversation_id, "after-restart") == events[-1]["seq"] + 1
