"""Cluster mode (DESIGN §10, docs/cluster.md): two real ``hub serve`` processes, one database.

Both nodes share a fresh PostgreSQL database and a Redis pub/sub channel of this test's own.
Node B runs the router and holds the agent's console; node A (``HUB_ROUTER=off``) holds a
customer's socket: what one node emits reaches the sockets of the other.
"""

from __future__ import annotations

import asyncio
import gc
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis import asyncio as aioredis

from hub.app import create_app
from hub.bus.redis_bus import client_name
from hub.config import Config
from tests.kit.clients import Clients
from tests.kit.hub import (
    REDIS_URL,
    SITE_KEY,
    fresh_pg_database,
    hub_test_config,
    new_database_name,
    pg_execute,
    pg_url,
    require_postgres,
    require_redis,
    start_hub,
)
from tests.kit.process import HubProcess
from tests.kit.wire import Wire

pytestmark = pytest.mark.slow

OFFER = {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"}


@dataclass
class Cluster:
    a: HubProcess  # HUB_ROUTER=off: customers' sockets
    b: HubProcess  # the router, and the agents' consoles
    database_url: str
    channel: str


def node_env(channel: str, node_id: str, **extra: str) -> dict[str, str]:
    return {
        "HUB_REDIS_URL": REDIS_URL,
        "HUB_REDIS_CHANNEL": channel,
        "HUB_NODE_ID": node_id,
        **extra,
    }


@pytest.fixture
async def cluster(tmp_path: Path, seeded_templates: dict[str, str]) -> AsyncIterator[Cluster]:
    await require_postgres()
    await require_redis()
    if "postgresql" not in seeded_templates:
        pytest.fail("the PostgreSQL template database was not created")
    name = new_database_name()
    await pg_execute(f'CREATE DATABASE "{name}" TEMPLATE "{seeded_templates["postgresql"]}"')
    database_url = pg_url(name)
    # A channel of this test's own: other tests (and other runs) on the same Redis hear nothing.
    channel = f"lifeline-test-{secrets.token_hex(6)}"
    b = HubProcess(database_url, tmp_path / "b.log", node_env(channel, "node-b"))
    a = HubProcess(database_url, tmp_path / "a.log", node_env(channel, "node-a", HUB_ROUTER="off"))
    try:
        # The copied database is migrated already: the nodes start side by side.
        await asyncio.gather(b.start(), a.start())
        yield Cluster(a=a, b=b, database_url=database_url, channel=channel)
    finally:
        await a.stop()
        await b.stop()
        await pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def clients() -> AsyncIterator[Clients]:
    async with Clients() as c:
        yield c


async def healthz(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as r:
        assert r.status == 200, await r.text()
        answer: dict[str, Any] = await r.json()
        return answer


async def two_tabs(clients: Clients, cluster: Cluster) -> tuple[Wire, Wire]:
    """One customer with a tab on each node: B's asks for help, A's is the one watched."""
    on_b = await clients.customer(url=cluster.b.url, site_key=SITE_KEY)
    token = on_b.received["session"][0]["visitor_token"]
    on_a = await clients.customer(token, url=cluster.a.url, site_key=SITE_KEY)
    await on_a.next("session")
    return on_a, on_b


async def assigned(
    clients: Clients, agent: Wire, cluster: Cluster, channel: str
) -> tuple[Wire, Wire, dict[str, Any]]:
    """``agent`` on node B accepts a contact asked for on node B by a customer also on A."""
    on_a, on_b = await two_tabs(clients, cluster)
    ack = await on_b.call("contact.request", {"channel": channel})
    assert ack["ok"], ack
    offer = await agent.next("offer", lambda o: o["contact_id"] == ack["contact_id"])
    accepted = await agent.call("offer.accept", {"contact_id": offer["contact_id"]})
    assert accepted["ok"], accepted
    # To the customer's room, which node A's tab is in: it hears the assignment.
    await on_a.next("contact.assigned", lambda p: p["contact_id"] == ack["contact_id"])
    return on_a, on_b, ack


async def test_a_customer_on_one_node_and_an_agent_on_another_chat_type_and_signal(
    cluster: Cluster, clients: Clients
) -> None:
    ada = await clients.ada(url=cluster.b.url)
    # Ada has a second console open, on node A: it follows her conversations too.
    ada_on_a = await clients.ada(url=cluster.a.url, available=False)
    on_a, on_b, ack = await assigned(clients, ada, cluster, "chat")
    conversation_id = ack["conversation_id"]

    # Node A's tab follows the conversation since node B's asked for help: the room change
    # went over the bus to the sockets node A holds, so what is said there reaches it.
    said = await ada.call(
        "message.send", {"conversation_id": conversation_id, "client_id": "a1", "text": "Hi!"}
    )
    assert said["ok"], said
    heard = await on_a.next("event", lambda e: e["type"] == "message" and e["seq"] == said["seq"])
    assert heard["data"]["text"] == "Hi!"

    reply = await on_a.call(
        "message.send",
        {"conversation_id": conversation_id, "client_id": "c1", "text": "Hello from A"},
    )
    assert reply["ok"], reply
    got = await ada.next("event", lambda e: e["type"] == "message" and e["seq"] == reply["seq"])
    assert got["data"]["text"] == "Hello from A"
    also = await ada_on_a.next("event", lambda e: e["seq"] == reply["seq"])
    assert also["data"]["text"] == "Hello from A"

    assert (await on_a.call("typing", {"conversation_id": conversation_id, "typing": True}))["ok"]
    typing = await ada.next("typing", lambda t: t["role"] == "customer")
    assert typing == {"conversation_id": conversation_id, "role": "customer", "typing": True}
    assert (await ada.call("typing", {"conversation_id": conversation_id, "typing": True}))["ok"]
    typing = await on_a.next("typing", lambda t: t["role"] == "agent")
    assert typing == {"conversation_id": conversation_id, "role": "agent", "typing": True}

    # Ada ends the contact on node B: her console on node A leaves the conversation as well.
    ended = await ada.call("contact.end", {"contact_id": ack["contact_id"]})
    assert ended["ok"], ended
    # Sent from node B after the leave: node A hears both in that order, so once the
    # customer's tab there has this message, Ada's console there would have it too.
    after = await on_b.call(
        "message.send", {"conversation_id": conversation_id, "client_id": "c2", "text": "Thanks"}
    )
    assert after["ok"], after
    await on_a.next("event", lambda e: e["seq"] == after["seq"])
    await ada_on_a.quiet("event", lambda e: e["seq"] == after["seq"])

    # Mayday: the agent's WebRTC offer reaches the customer's socket on the other node.
    bob = await clients.bob(url=cluster.b.url)
    on_a, _on_b, ack = await assigned(clients, bob, cluster, "video")
    contact_id = ack["contact_id"]
    sent = await bob.call("rtc.signal", {"contact_id": contact_id, "description": OFFER})
    assert sent["ok"], sent
    signal = await on_a.next("rtc.signal", lambda s: s["contact_id"] == contact_id)
    assert signal == {"contact_id": contact_id, "from": "agent", "description": OFFER}

    # Each node says who it is and that it reaches Redis.
    assert await healthz(cluster.a.url) == {
        "ok": True,
        "status": "ok",
        "node": "node-a",
        "redis": "ok",
    }
    assert (await healthz(cluster.b.url))["node"] == "node-b"


@pytest.fixture
async def pg_database(seeded_templates: dict[str, str]) -> AsyncIterator[str]:
    async with fresh_pg_database(seeded_templates) as url:
        yield url


async def redis_clients_named(name: str) -> int:
    redis = aioredis.Redis.from_url(REDIS_URL)
    try:
        listed = await redis.client_list()
    finally:
        await redis.aclose()
    return sum(1 for c in listed if c.get("name") == name)


async def test_a_node_that_cannot_reach_redis_says_so(pg_database: str) -> None:
    # Nothing listens on port 1: the node still serves its own sockets, and says Redis is down.
    config = hub_test_config(
        pg_database,
        redis_url="redis://127.0.0.1:1/0",
        redis_timeout_s=0.5,
        node_id="lonely",
        router=False,
    )
    runner, url = await start_hub(config)
    try:
        assert await healthz(url) == {"ok": True, "status": "ok", "node": "lonely", "redis": "down"}
    finally:
        await runner.cleanup()


async def test_a_stopped_node_leaves_no_redis_connection_open(pg_database: str) -> None:
    await require_redis()
    node_id = f"leak-{secrets.token_hex(4)}"
    config = hub_test_config(
        pg_database,
        redis_url=REDIS_URL,
        redis_channel=f"lifeline-test-{secrets.token_hex(6)}",
        node_id=node_id,
    )
    runner, url = await start_hub(config)
    try:
        async with Clients() as clients:
            shopper = await clients.customer(url=url, site_key=SITE_KEY)
            ack = await shopper.call("contact.request", {"channel": "chat"})
            assert ack["ok"], ack
        assert (await healthz(url))["redis"] == "ok"
        # The listener's subscription and at least one pooled connection for publishing.
        assert await redis_clients_named(client_name(node_id)) >= 2
    finally:
        await runner.cleanup()
    assert await redis_clients_named(client_name(node_id)) == 0
    # Nothing left for the garbage collector to find open (warnings are errors here).
    gc.collect()


async def test_a_node_with_the_router_off_offers_no_waiting_contact(pg_database: str) -> None:
    """Two routers would offer the same waiting contacts: HUB_ROUTER=off takes none."""
    runner, url = await start_hub(hub_test_config(pg_database))
    try:
        async with Clients() as clients:
            shopper = await clients.customer(url=url, site_key=SITE_KEY)
            token = shopper.received["session"][0]["visitor_token"]
            ack = await shopper.call("contact.request", {"channel": "chat"})
            assert ack["ok"], ack
    finally:
        await runner.cleanup()
    # The contact waits in the store (its customer comes back): a node that does not run the
    # router does not take it up, even with an agent free and the customer there.
    runner, url = await start_hub(hub_test_config(pg_database, router=False))
    try:
        async with Clients() as clients:
            await clients.customer(token, url=url, site_key=SITE_KEY)
            ada = await clients.ada(url=url)
            await ada.quiet("offer")
    finally:
        await runner.cleanup()
    # The router does.
    runner, url = await start_hub(hub_test_config(pg_database))
    try:
        async with Clients() as clients:
            await clients.customer(token, url=url, site_key=SITE_KEY)
            ada = await clients.ada(url=url)
            offer = await ada.next("offer")
            assert offer["contact_id"] == ack["contact_id"]
    finally:
        await runner.cleanup()


def test_cluster_mode_on_sqlite_is_refused_at_start(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    env = {"HUB_DATABASE_URL": f"sqlite:///{db}", "HUB_REDIS_URL": "redis://127.0.0.1:6379/0"}
    with pytest.raises(SystemExit, match="HUB_REDIS_URL turns on cluster mode, which needs a Post"):
        Config.from_env(env)
    # A Config made by hand is refused by the app as well, before anything is opened.
    with pytest.raises(SystemExit, match="needs a PostgreSQL HUB_DATABASE_URL"):
        create_app(Config(database_url=f"sqlite:///{db}", redis_url="redis://127.0.0.1:6379/0"))
    assert not db.exists()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"HUB_ROUTER": "maybe"}, "HUB_ROUTER must be on or off"),
        ({"HUB_REDIS_URL": "http://127.0.0.1:6379"}, "HUB_REDIS_URL must be a redis://"),
        ({"HUB_REDIS_MAX_CONNECTIONS": "1"}, "HUB_REDIS_MAX_CONNECTIONS must be at least 2"),
    ],
)
def test_bad_cluster_settings_are_refused(variables: dict[str, str], message: str) -> None:
    env = {"HUB_DATABASE_URL": "postgresql://postgres@127.0.0.1/x", **variables}
    with pytest.raises(SystemExit, match=message):
        Config.from_env(env)
