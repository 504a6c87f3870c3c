"""Shutdown under load: work in flight finishes, nothing acknowledged is lost, nothing leaks.

A fresh-clone CI run once failed on ``aiosqlite Connection was deleted before being closed``,
found by the garbage collector long after the hub that leaked it: a socket.io event task and
the writer were cancelled inside a transaction while the database closed under them. Here the
hub is stopped in the middle of a burst of sends, the collector runs at once, and the acked
messages are read back from a new hub on the same database.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from typing import Any

from aiohttp import web

from hub.app import SHUTDOWN_TIMEOUT_S, create_app
from hub.config import Config
from hub.edges.serving import HubRunner
from hub.sdk import CustomerClient
from tests.kit import hub as kit
from tests.kit.wire import agent, customer


async def test_stopping_mid_burst_loses_no_ack_and_leaks_no_connection(
    seeded_database_url: str,
) -> None:
    config = kit.hub_test_config(seeded_database_url)
    runner, url = await kit.start_hub(config)
    ada = await agent(url, "ada@example.com", "ada-password")
    shopper = await customer(url, kit.SITE_KEY)
    ack = await shopper.call("contact.request", {"channel": "chat"})
    assert ack["ok"], ack
    conversation_id = ack["conversation_id"]
    await ada.next("offer", lambda o: o["contact_id"] == ack["contact_id"])
    assert (await ada.call("offer.accept", {"contact_id": ack["contact_id"]}))["ok"]

    unraisable: list[Any] = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        sends = [
            asyncio.create_task(
                shopper.call(
                    "message.send",
                    {"conversation_id": conversation_id, "client_id": f"m{i}", "text": f"{i}"},
                )
            )
            for i in range(60)
        ]
        await asyncio.sleep(0)  # the burst is on the wire before the hub is told to stop
        await runner.cleanup()
        results = await asyncio.gather(*sends, return_exceptions=True)
        for w in (ada, shopper):
            await w.close()
        gc.collect()
    finally:
        sys.unraisablehook = previous_hook
    assert unraisable == [], [u.exc_value for u in unraisable]

    acked = {r["seq"] for r in results if isinstance(r, dict) and r.get("ok")}
    runner, url = await kit.start_hub(config)
    try:
        ada = await agent(url, "ada@example.com", "ada-password", available=False)
        history = await ada.call("history", {"conversation_id": conversation_id, "after_seq": 0})
        await ada.close()
        assert history["ok"], history
        stored = {e["seq"] for e in history["events"]}
        assert acked <= stored, sorted(acked - stored)
    finally:
        await runner.cleanup()


async def test_clients_come_back_by_themselves_after_a_graceful_restart(
    seeded_database_url: str,
) -> None:
    """Shutdown closes each client's connection, not its namespaces: a socket.io client that
    the server drops from a namespace would take it as meant and never reconnect."""
    config = kit.hub_test_config(seeded_database_url)
    port = kit.free_port()
    runner = await _serve(config, port)
    shopper = CustomerClient(f"http://127.0.0.1:{port}", kit.SITE_KEY)
    try:
        await shopper.connect()
        await shopper.wait_for("connect")  # the first connect, consumed
        await shopper.request_contact("chat", text="Before the restart")
        await runner.cleanup()
        await shopper.wait_for("disconnect", timeout=10)
        assert not shopper.connected
        runner = await _serve(config, port)
        # No call from the test: the client reconnects on its own, then sends.
        await shopper.wait_for("connect", timeout=15)
        seq = await shopper.send_message("After the restart")
        texts = [e["data"].get("text") for e in await shopper.history() if e["type"] == "message"]
        assert texts == ["Before the restart", "After the restart"], texts
        assert seq > 0
    finally:
        await shopper.close()
        await runner.cleanup()


async def _serve(config: Config, port: int) -> web.AppRunner:
    runner = HubRunner(create_app(config), shutdown_timeout=SHUTDOWN_TIMEOUT_S)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner
