"""``kill -9`` the hub: no acknowledged message is lost and no waiting contact is forgotten.

The hub runs as a real subprocess (``python -m hub serve``) on a SQLite file or a fresh
PostgreSQL database, is killed with SIGKILL without warning, and is started again on the same
database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hub.actions import admin
from tests.kit.clients import Clients
from tests.kit.process import HubProcess
from tests.kit.wire import Wire

pytestmark = pytest.mark.slow

SITE_KEY = "shop"
ADA = {"email": "ada@example.com", "name": "Ada", "password": "ada-password", "role": "agent"}


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
async def clients() -> AsyncIterator[Clients]:
    """Clients of the hub in a subprocess: each call passes its URL."""
    async with Clients() as c:
        yield c


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
    hub_process: HubProcess, clients: Clients
) -> None:
    url = hub_process.url
    sender = await clients.customer(url=url, site_key=SITE_KEY)
    token = sender.received["session"][0]["visitor_token"]
    first = await sender.call("contact.request", {"channel": "chat"})
    assert first["ok"], first
    conversation_id = first["conversation_id"]
    waiting = [first["contact_id"]]
    tokens = []
    for _ in range(4):
        shopper = await clients.customer(url=url, site_key=SITE_KEY)
        tokens.append(shopper.received["session"][0]["visitor_token"])
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

    again = await clients.customer(token, url=url, site_key=SITE_KEY)
    assert again.received["session"][0]["conversation_id"] == conversation_id
    events = await all_events(again, conversation_id)
    check_survivors(events, acked)
    assert sum(e["type"] == "message" for e in events) == 200
    # A new message continues the numbering: no seq is reused.
    assert await send(again, conversation_id, "after-restart") == events[-1]["seq"] + 1

    # The five contacts still wait, and are offered in their original order once their
    # shoppers are back (a contact whose shopper has no page open is offered to nobody).
    for shopper_token in tokens:
        await clients.customer(shopper_token, url=url, site_key=SITE_KEY)
    ada = await clients.agent(ADA["email"], ADA["password"], url=url)
    for contact_id in waiting:
        await ada.next("offer", lambda o, c=contact_id: o["contact_id"] == c, timeout=5)
        assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
        assert (await ada.call("contact.end", {"contact_id": contact_id}))["ok"]
    assert [o["contact_id"] for o in ada.received["offer"]] == waiting


async def test_messages_acked_while_the_hub_is_killed_survive(
    hub_process: HubProcess, clients: Clients
) -> None:
    sender = await clients.customer(url=hub_process.url, site_key=SITE_KEY)
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
    again = await clients.customer(token, url=hub_process.url, site_key=SITE_KEY)
    events = await all_events(again, conversation_id)
    check_survivors(events, survivors_to_check)
    assert await send(again, conversation_id, "after-restart") == events[-1]["seq"] + 1
