"""``kill -9`` the hub while a webhook delivery waits for its retry: the outbox is in the
database, so the hub started again delivers it, with the same id, signed again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.actions import admin
from hub.core import webhooks as rules
from tests.kit.clients import Clients
from tests.kit.process import HubProcess
from tests.kit.receiver import Receiver, check_signed

pytestmark = pytest.mark.slow

SITE_KEY = "shop"


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver(statuses=[500])  # the first attempt fails
    await r.start()
    try:
        yield r
    finally:
        await r.stop()


@pytest.fixture
async def clients() -> AsyncIterator[Clients]:
    async with Clients() as c:
        yield c


async def test_a_delivery_waiting_for_its_retry_survives_kill_9(
    database_url: str,
    tmp_path: Path,
    receiver: Receiver,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret = rules.new_secret()
    await admin.add_site(
        database_url,
        SITE_KEY,
        "crash-test-secret-0123456789",
        settings={"webhook": {"url": receiver.url, "secret": secret}},
    )
    monkeypatch.setenv("HUB_WEBHOOK_ALLOW_PRIVATE", "true")
    # A delivery being sent is leased for the timeout and 5 s: the hub killed before it
    # recorded the first attempt tries again once that lease has run out.
    monkeypatch.setenv("HUB_WEBHOOK_TIMEOUT_S", "2")
    hub = HubProcess(database_url, tmp_path / "hub.log")
    await hub.start()
    try:
        shopper = await clients.customer(url=hub.url, site_key=SITE_KEY)
        ack = await shopper.call("contact.request", {"channel": "chat"})
        assert ack["ok"], ack
        await receiver.until(lambda got: len(got) == 1)
        await hub.kill()
        await hub.start()
        # The retry: a second after the first attempt if the hub had recorded it, else when
        # its lease ran out (real time: a real process).
        await receiver.until(lambda got: len(got) == 2, timeout=30)
        # Stopped as an operator stops it, the hub records the attempt under way first.
        assert await hub.terminate() == 0
    finally:
        await hub.stop()
    first, retry = receiver.received
    assert (first.status, retry.status) == (500, 200)
    assert first.id == retry.id and first.body == retry.body
    assert retry.json["data"]["contact_id"] == ack["contact_id"]
    for got in receiver.received:
        check_signed(secret, got)
    report = await admin.webhook_report(database_url, SITE_KEY)
    assert report["counts"] == {"delivered": 1}
