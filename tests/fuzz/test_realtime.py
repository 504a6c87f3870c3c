"""Generated payloads to every client→server event of both namespaces of one real hub.

Each case is answered: acknowledged (``ok``), or refused with a documented code, ``invalid``
for what the model refuses; the socket stays open, the hub logs no traceback, and after all of
it the hub is healthy and an ordinary chat still works. The events and their models are the
edge's own tables (``CustomerEdge.events``, ``AgentEdge.events``), so a new event is fuzzed the
day it is added. ``pytest --fuzz-long`` draws more of each.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import aiohttp
import hypothesis
import pytest
import pytest_asyncio
import socketio
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hub.edges.realtime import AgentEdge, CustomerEdge
from tests.fuzz import schema
from tests.fuzz.kit import FUZZ_AGENT, FUZZ_SITE, Tracebacks
from tests.kit.clients import ADA, about
from tests.kit.hub import HubServer
from tests.kit.wire import Wire, agent, customer

pytestmark = [pytest.mark.fuzz, pytest.mark.asyncio(loop_scope="module")]

EDGES = {"/customer": CustomerEdge, "/agent": AgentEdge}
ROUTES = [(ns, event) for ns, edge in EDGES.items() for event in edge.events]

PROTOCOL = Path(__file__).parents[2] / "docs" / "protocol.md"


def documented_codes() -> set[str]:
    """The codes of docs/protocol.md's error table that a socket event may be refused with."""
    table = PROTOCOL.read_text().split("## Error codes", 1)[1].split("\n## ", 1)[0]
    codes = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.MULTILINE))
    # "internal" is the hub failing: the one answer the fuzz never accepts.
    return codes - {"internal"}


CODES = documented_codes()
FUZZ = settings(settings.get_profile("fuzz"))


@cache
def model_of(namespace: str, event: str) -> type[BaseModel]:
    return EDGES[namespace].events[event][0]


@cache
def valid(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    return schema.valid(model)


@cache
def invalid(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    return schema.invalid(model)


# Fields a payload may name a real contact or conversation by.
IDS = ("contact_id", "conversation_id")


class Sender:
    """Sends one case and checks what every case must show, whatever its answer."""

    def __init__(self, server: HubServer, agent_wire: Wire, tracebacks: Tracebacks) -> None:
        self.server = server
        self.agent = agent_wire
        self.tracebacks = tracebacks

    async def send(
        self, namespace: str, event: str, payload: Any, *, scene: str | None = None
    ) -> dict[str, Any]:
        """Send ``payload``; with ``scene`` (a channel), about a contact of that channel that
        the fuzz's agent has just accepted, so that its ids lead somewhere."""
        # A new shopper for each case: what one case did cannot change the next one's answer.
        site = FUZZ_SITE if scene is not None else self.server.site_key
        shopper = await customer(self.server.url, site)
        contact: dict[str, str] = {}
        try:
            if scene is not None:
                contact = await self.accepted(shopper, scene)
                if isinstance(payload, dict):
                    payload = {**payload, **{k: contact[k] for k in IDS if k in payload}}
            w = self.agent if namespace == "/agent" else shopper
            ack = await self.call(w, event, payload)
        finally:
            if contact:
                # Done with it, however the case left it (ended already is fine).
                await self.agent.call("contact.end", {"contact_id": contact["contact_id"]})
            await shopper.close()
        self.tracebacks.check()
        return ack

    async def accepted(self, shopper: Wire, channel: str) -> dict[str, str]:
        # A case before may have set the agent away.
        assert (await self.agent.call("presence", {"status": "available"}))["ok"]
        ack = await shopper.call("contact.request", {"channel": channel})
        assert ack["ok"], ack
        await self.agent.next("offer", about(ack["contact_id"]))
        taken = await self.agent.call("offer.accept", {"contact_id": ack["contact_id"]})
        assert taken["ok"], taken
        return {k: ack[k] for k in IDS}

    async def call(self, w: Wire, event: str, payload: Any) -> dict[str, Any]:
        ack = await w.call(event, payload)
        assert w.sio.connected, f"the hub dropped the socket after {event} {payload!r:.300}"
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
        if not ack["ok"]:
            error = ack.get("error")
            assert isinstance(error, dict) and isinstance(error.get("message"), str), ack
            assert error.get("code") in CODES, f"{event} {payload!r:.300} -> {ack}"
        # What the cases got, in ``pytest --hypothesis-show-statistics``.
        hypothesis.event(f"{event}: {'ok' if ack['ok'] else ack['error']['code']}")
        return ack


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sender(fuzz_hub: HubServer, tracebacks: Tracebacks) -> AsyncIterator[Sender]:
    # The agent of the fuzz's own site: what the other shoppers queue is not offered to it.
    fuzz = await agent(fuzz_hub.url, *FUZZ_AGENT, available=False)
    try:
        yield Sender(fuzz_hub, fuzz, tracebacks)
    finally:
        await fuzz.close()


@pytest.mark.parametrize(("namespace", "event"), ROUTES)
@FUZZ
@given(data=st.data())
async def test_valid_but_odd_payloads_are_answered(
    sender: Sender, namespace: str, event: str, data: st.DataObject
) -> None:
    # Half the cases name a real contact: a chat or a video call the agent has taken.
    scene = data.draw(st.sampled_from([None, None, "chat", "video"]), label="scene")
    payload = data.draw(valid(model_of(namespace, event)), label="payload")
    await sender.send(namespace, event, payload, scene=scene)


@pytest.mark.parametrize(("namespace", "event"), ROUTES)
@FUZZ
@given(data=st.data())
async def test_invalid_payloads_are_refused_whole(
    sender: Sender, namespace: str, event: str, data: st.DataObject
) -> None:
    payload = data.draw(invalid(model_of(namespace, event)), label="payload")
    ack = await sender.send(namespace, event, payload)
    assert not ack["ok"] and ack["error"]["code"] == "invalid", f"{payload!r:.300} -> {ack}"


@pytest.mark.parametrize("namespace", list(EDGES))
@FUZZ
@given(name=schema.odd_text | st.sampled_from(["message", "*", "Identify", "history "]))
async def test_unknown_events_are_refused(sender: Sender, namespace: str, name: str) -> None:
    # socket.io's own names, which its client refuses to send, and the events the hub knows.
    assume(name not in socketio.AsyncClient.reserved_events)
    assume(name not in EDGES[namespace].events)
    ack = await sender.send(namespace, name, {"contact_id": "c1"})
    assert ack["error"]["code"] == "unknown_event", ack


async def test_the_hub_is_healthy_after_the_fuzz(
    fuzz_hub: HubServer, sender: Sender, tracebacks: Tracebacks
) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{fuzz_hub.url}/healthz") as r:
        assert r.status == 200, await r.text()
    # An ordinary chat: the fuzz's shoppers may still be waiting, ahead in the line.
    shopper = await customer(fuzz_hub.url, fuzz_hub.site_key)
    ada = await agent(fuzz_hub.url, *ADA)
    try:
        ack = await shopper.call("contact.request", {"channel": "chat", "text": "hello"})
        assert ack["ok"], ack
        mine, conversation = ack["contact_id"], ack["conversation_id"]
        answered: set[str] = set()

        def offered() -> bool:
            return any(o["contact_id"] == mine for o in ada.received["offer"])

        while not offered():
            await ada.until(
                lambda: (
                    offered() or any(o["contact_id"] not in answered for o in ada.received["offer"])
                ),
                timeout=15,
            )
            for o in ada.received["offer"]:
                if o["contact_id"] != mine and o["contact_id"] not in answered:
                    answered.add(o["contact_id"])
                    await ada.call("offer.decline", {"contact_id": o["contact_id"]})
        accepted = await ada.call("offer.accept", {"contact_id": mine})
        assert accepted["ok"], accepted
        sent = await ada.call(
            "message.send", {"conversation_id": conversation, "client_id": "a1", "text": "hi"}
        )
        assert sent["ok"], sent
        got = await shopper.next("event", lambda e: e["data"].get("client_id") == "a1")
        assert got["data"]["text"] == "hi"
        ack = await shopper.call(
            "message.send", {"conversation_id": conversation, "client_id": "c1", "text": "thanks"}
        )
        assert ack["ok"], ack
        await ada.next("event", lambda e: e["data"].get("client_id") == "c1")
    finally:
        await shopper.close()
        await ada.close()
    tracebacks.check()
