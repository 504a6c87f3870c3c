"""Webhooks through the public surface (DESIGN §13): the command line subscribes a site, a real
receiver gets every event type signed as Standard Webhooks says (checked with its reference
library), a failure is retried on the schedule with the same id, supervisors see the
deliveries, and a URL that is not allowed is refused when set and again when delivering."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from hub.actions import admin
from tests.kit import cli
from tests.kit.clients import Clients, about
from tests.kit.hub import HandClock, HubServer
from tests.kit.receiver import Receiver, check_signed

pytestmark = pytest.mark.usefixtures("manual_clock")

ADA = ("ada@example.com", "ada-password")
SUE = ("sue@example.com", "sue-password")
PRIVATE_OK = {"HUB_WEBHOOK_ALLOW_PRIVATE": "true"}


@pytest.fixture
def hub_config() -> dict[str, Any]:
    # The receiver listens on 127.0.0.1, which only a development hub may post to.
    return {"webhook_allow_private": True}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    await r.start()
    try:
        yield r
    finally:
        await r.stop()


async def subscribe(server: HubServer, url: str, **env: str) -> str:
    """``hub sites set shop --webhook-url URL``; returns the secret it printed once."""
    code, out, err = await cli.hub_cli(
        server.database_url, "sites", "set", server.site_key, "--webhook-url", url, **env
    )
    assert code == 0, err
    (line,) = [x for x in out.splitlines() if x.startswith("webhook secret")]
    return line.rsplit(" ", 1)[1]


async def rest(server: HubServer, path: str, who: tuple[str, str], **params: str) -> Any:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            server.url + "/api/v1/auth/login", json={"email": who[0], "password": who[1]}
        ) as resp:
            token = (await resp.json())["token"]
        async with http.get(
            server.url + path, params=params, headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            return resp.status, await resp.json()


async def test_every_event_is_delivered_signed_and_a_failure_is_retried_with_the_same_id(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock, receiver: Receiver
) -> None:
    secret = await subscribe(hub_server, receiver.url, **PRIVATE_OK)
    # The receiver fails the first delivery twice.
    receiver.statuses = [500, 503]
    ada = await clients.agent(*ADA, available=False)
    shopper = await clients.customer()
    ack = await shopper.call("contact.request", {"channel": "chat", "text": "Hello"})
    contact_id = ack["contact_id"]

    await receiver.until(lambda got: len(got) == 1)
    # Not answered with a 2xx: tried again 1 s later, then 2 s after that, same id each time.
    # (Each time the hub has recorded the attempt before the clock moves on.)
    await manual_clock.idle()
    await manual_clock.advance(0.9)
    assert len(receiver.received) == 1
    await manual_clock.advance(0.2)
    await receiver.until(lambda got: len(got) == 2)
    await manual_clock.idle()
    await manual_clock.advance(2.05)
    await receiver.until(lambda got: len(got) == 3)
    first, second, third = receiver.received
    assert [r.status for r in receiver.received] == [500, 503, 200]
    assert first.id == second.id == third.id and first.id.startswith("msg_")
    assert first.body == third.body
    for got in receiver.received:
        check_signed(secret, got)
    created = third.json
    assert created["type"] == "contact.created" and created["site"] == hub_server.site_key
    assert created["data"]["contact_id"] == contact_id
    assert created["data"]["channel"] == "chat"
    assert set(created["data"]) >= {"conversation_id", "customer_id"}
    assert created["timestamp"].endswith("Z")

    # Taken, ended with a reason, answered: one delivery each, in order of the facts.
    await ada.call("presence", {"status": "available"})
    await ada.next("offer", about(contact_id))
    assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
    await receiver.until(lambda _: len(receiver.of_type("contact.assigned")) == 1)
    assigned = receiver.of_type("contact.assigned")[0].json["data"]
    assert assigned["contact_id"] == contact_id and assigned["agent"]["name"] == "Ada"
    end = {"contact_id": contact_id, "resolved": True, "reason": "Order status"}
    assert (await ada.call("contact.end", end))["ok"]
    await receiver.until(lambda _: len(receiver.of_type("contact.ended")) == 1)
    ended = receiver.of_type("contact.ended")[0].json["data"]
    assert (ended["reason"], ended["wrapup_reason"], ended["resolved"]) == (
        "ended",
        "Order status",
        True,
    )
    await shopper.next("survey.request", about(contact_id))
    answer = {"contact_id": contact_id, "resolved": True, "effort": 2, "comment": "Fast"}
    assert (await shopper.call("survey.answer", answer))["ok"]
    await receiver.until(lambda _: len(receiver.of_type("survey.answered")) == 1)
    said = receiver.of_type("survey.answered")[0].json["data"]
    assert (said["resolved"], said["effort"], said["comment"]) == (True, 2, "Fast")
    for got in receiver.received:
        check_signed(secret, got)
    assert len({r.id for r in receiver.received}) == 4

    # Supervisors see the deliveries (never the secret); agents do not.
    status, seen = await rest(hub_server, "/api/v1/webhooks", SUE, site=hub_server.site_key)
    assert status == 200, seen
    assert seen["url"] == receiver.url and "secret" not in json.dumps(seen)
    assert seen["counts"] == {"delivered": 4}
    oldest = seen["recent"][-1]
    assert (oldest["type"], oldest["attempts"], oldest["last_code"]) == ("contact.created", 3, 200)
    status, refused = await rest(hub_server, "/api/v1/webhooks", ADA, site=hub_server.site_key)
    assert status == 403 and refused["error"]["code"] == "forbidden"
    status, unknown = await rest(hub_server, "/api/v1/webhooks", SUE, site="nope")
    assert status == 400 and unknown["error"]["code"] == "invalid"

    # The command line shows the secret again and the same deliveries.
    code, out, err = await cli.hub_cli(
        hub_server.database_url, "sites", "webhooks", hub_server.site_key, "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["secret"] == secret and report["counts"] == {"delivered": 4}


async def test_a_flagged_product_is_delivered(
    hub_server: HubServer, clients: Clients, receiver: Receiver
) -> None:
    secret = await subscribe(hub_server, receiver.url, **PRIVATE_OK)
    ada = await clients.agent(*ADA)
    shopper = await clients.customer()
    contact_id = (await shopper.call("contact.request", {"channel": "chat"}))["contact_id"]
    await ada.next("offer", about(contact_id))
    assert (await ada.call("offer.accept", {"contact_id": contact_id}))["ok"]
    raised = await ada.call(
        "andon.raise", {"contact_id": contact_id, "product": "Lamp L-200", "reason": "Returns"}
    )
    assert raised["ok"], raised
    await receiver.until(lambda _: len(receiver.of_type("product.flagged")) == 1)
    got = receiver.of_type("product.flagged")[0]
    check_signed(secret, got)
    flag = got.json["data"]["flag"]
    assert (flag["product"], flag["reason"], flag["contact_ids"]) == (
        "Lamp L-200",
        "Returns",
        [contact_id],
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--webhook-url", "ftp://shop.example/hooks"], "http"),
        (["--webhook-url", "https://user:pw@shop.example/hooks"], "password"),
        (["--webhook-url", "not a url"], "http"),
        (["--webhook-url", "http://127.0.0.1:9/hooks"], "private"),
        (["--webhook-url", "http://10.1.2.3/hooks"], "private"),
        (["--webhook-url", "http://[::1]/hooks"], "private"),
        (["--webhook-url", "http://localhost/hooks"], "private"),
        (["--webhook-url", "https://shop.example/h", "--webhook-secret", "abc"], "whsec_"),
        (["--webhook-url", "https://shop.example/h", "--webhook-secret", "whsec_!!"], "base64"),
        (["--webhook-secret", "whsec_" + "A" * 40], "--webhook-url"),
    ],
)
async def test_a_webhook_that_is_not_allowed_is_refused_and_nothing_changes(
    hub_server: HubServer, args: list[str], message: str
) -> None:
    code, _, err = await cli.hub_cli(
        hub_server.database_url, "sites", "set", hub_server.site_key, *args
    )
    assert code != 0 and message in err, err
    report = await admin.webhook_report(hub_server.database_url, hub_server.site_key)
    assert report["url"] is None and report["counts"] == {}


async def test_a_private_address_is_refused_again_when_delivering(
    hub_server: HubServer, clients: Clients, receiver: Receiver, manual_clock: HandClock
) -> None:
    # Allowed when set (a development hub), then the hub runs without the opt-in: the
    # delivery is never posted, and is retried (the operator may fix the URL) until it fails.
    await subscribe(hub_server, receiver.url, **PRIVATE_OK)
    hub = hub_server.hub
    object.__setattr__(hub.config, "webhook_allow_private", False)
    shopper = await clients.customer()
    await shopper.call("contact.request", {"channel": "chat"})
    await manual_clock.idle()
    status, seen = await rest(hub_server, "/api/v1/webhooks", SUE, site=hub_server.site_key)
    assert status == 200, seen
    (delivery,) = seen["recent"]
    assert (delivery["status"], delivery["attempts"]) == ("pending", 1)
    assert "private" in delivery["last_error"] and delivery["last_code"] is None
    assert receiver.received == []
    # Retried at most 10 min apart for a day, then failed for good; never posted.
    for _ in range(24 * 6 + 10):
        await manual_clock.advance(600)
    await manual_clock.idle()
    status, seen = await rest(hub_server, "/api/v1/webhooks", SUE, site=hub_server.site_key)
    assert status == 200, seen
    (delivery,) = seen["recent"]
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    assert 144 <= delivery["attempts"] <= 160
    assert receiver.received == []


async def test_dropping_the_webhook_cancels_what_is_pending(
    hub_server: HubServer, clients: Clients, receiver: Receiver, manual_clock: HandClock
) -> None:
    await subscribe(hub_server, receiver.url, **PRIVATE_OK)
    receiver.statuses = [500]
    shopper = await clients.customer()
    await shopper.call("contact.request", {"channel": "chat"})
    await receiver.until(lambda got: len(got) == 1)
    await manual_clock.idle()
    code, _, err = await cli.hub_cli(
        hub_server.database_url, "sites", "set", hub_server.site_key, "--webhook-url", ""
    )
    assert code == 0, err
    await manual_clock.advance(1.1)
    await manual_clock.idle()
    report = await admin.webhook_report(hub_server.database_url, hub_server.site_key)
    assert report["url"] is None and report["counts"] == {"cancelled": 1}
    assert len(receiver.received) == 1
