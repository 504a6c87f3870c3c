"""The agent's snapshot: each site's own console lists, and offers exactly as sent live."""

from __future__ import annotations

from typing import Any

from hub.actions import admin
from tests.kit.clients import Clients
from tests.kit.hub import HubServer

SHOP_CANNED = [{"title": "Hi", "text": "Welcome to the shop!"}]
SHOP_REASONS = ["Delivery", "Refund"]
GARDEN_CANNED = [
    {"title": "Plants", "text": "Our plants ship in spring."},
    {"title": "Bye", "text": "Happy gardening!"},
]
GARDEN_REASONS = ["Plant care"]


async def test_each_site_has_its_own_lists(hub_server: HubServer, clients: Clients) -> None:
    await admin.update_site(
        hub_server.database_url,
        hub_server.site_key,
        settings={"canned_responses": SHOP_CANNED, "contact_reasons": SHOP_REASONS},
    )
    await hub_server.add_site(
        "garden",
        name="Garden",
        settings={"canned_responses": GARDEN_CANNED, "contact_reasons": GARDEN_REASONS},
    )
    ada = await clients.agent("ada@example.com", "ada-password")
    expected = {}
    for site_key, canned, reasons in [
        (hub_server.site_key, SHOP_CANNED, SHOP_REASONS),
        ("garden", GARDEN_CANNED, GARDEN_REASONS),
    ]:
        shopper = await clients.customer(site_key=site_key)
        ack = await shopper.call("contact.request", {"channel": "chat", "text": "hello"})
        assert ack["ok"], ack
        offer = await ada.next("offer", lambda o, cid=ack["contact_id"]: o["contact_id"] == cid)
        assert (await ada.call("offer.accept", {"contact_id": offer["contact_id"]}))["ok"]
        expected[offer["contact_id"]] = (offer["site_id"], canned, reasons)

    snap = await ada.call("snapshot", {})
    assert snap["ok"]
    assert {c["contact"]["id"] for c in snap["contacts"]} == set(expected)
    for item in snap["contacts"]:
        site_id, canned, reasons = expected[item["contact"]["id"]]
        assert item["contact"]["site_id"] == site_id
        site = snap["sites"][site_id]
        assert (site["canned_responses"], site["contact_reasons"]) == (canned, reasons)
    assert snap["sites"][expected[next(iter(expected))][0]]["name"] == "Test shop"
    # Every site is listed, not only those of the agent's contacts: agents serve every site.
    assert {s["name"] for s in snap["sites"].values()} == {"Test shop", "Demo", "Garden"}


TIME_DEPENDENT = {"waited_ms", "expires_in_ms"}


def timeless(offer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in offer.items() if k not in TIME_DEPENDENT}


async def test_snapshot_offer_is_the_live_offer(hub_server: HubServer, clients: Clients) -> None:
    ada = await clients.agent("ada@example.com", "ada-password")
    shopper = await clients.customer()
    ack = await shopper.call(
        "contact.request",
        {"channel": "callback", "phone": "+33612345678", "text": "Please call about my order"},
    )
    assert ack["ok"], ack
    live = await ada.next("offer", lambda o: o["contact_id"] == ack["contact_id"])
    assert live["phone"] == "+33612345678"

    # The console reloads while the offer is out: a second socket of the same agent.
    reloaded = await clients.agent("ada@example.com", "ada-password", available=False)
    (offer,) = (await reloaded.call("snapshot", {}))["offers"]
    assert set(offer) == set(live)
    assert timeless(offer) == timeless(live)
    assert 0 <= offer["expires_in_ms"] <= live["expires_in_ms"]
    assert offer["waited_ms"] >= live["waited_ms"]
