"""A Mayday session through the wire: a customer asking for live video help, and May, who takes it.

No WebRTC peer is made: signalling payloads are sent as the browsers would send them, and the
hub only relays them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.sdk import AgentClient, CustomerClient
from hub.store.schema import contact_events
from tests.kit.clients import sdk_round_trip
from tests.kit.hub import HubServer

OFFER_TIMEOUTS = {"chat": 5.0, "video": 5.0, "callback": 5.0}


class Video:
    """One customer asking for live video help and one agent, May, who may take it."""

    def __init__(self, agent: AgentClient, customer: CustomerClient) -> None:
        self.agent = agent
        self.customer = customer
        self.contact_id = ""

    async def request(self) -> str:
        self.contact_id = (await self.customer.request_contact("video"))["contact_id"]
        return self.contact_id

    async def assign(self) -> None:
        """May goes available and accepts; both sides get their ``rtc.config``."""
        await self.agent.set_presence("available")
        await self.agent.wait_for("offer", lambda o: o["contact_id"] == self.contact_id)
        await self.agent.accept(self.contact_id)
        await self.agent.wait_for("rtc.config", lambda c: c["contact_id"] == self.contact_id)
        await self.customer.wait_for("rtc.config", lambda c: c["contact_id"] == self.contact_id)
        await self.agent.wait_for("share.state", lambda s: s["contact_id"] == self.contact_id)

    async def cobrowse(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        return await self.customer.call(
            "cobrowse.events", {"contact_id": self.contact_id, "events": events}
        )

    async def relayed_pages(self) -> list[dict[str, Any]]:
        """Every cobrowse event the agent has got for this contact (and not yet taken).

        A round trip on the agent's socket first: the hub relays a batch before it answers
        the customer, and one socket keeps the order of what the hub sends on it.
        """
        await sdk_round_trip(self.agent)
        out: list[dict[str, Any]] = []
        while True:
            try:
                batch = await self.agent.wait_for(
                    "cobrowse.events", lambda b: b["contact_id"] == self.contact_id, timeout=0
                )
            except TimeoutError:
                return out
            out.extend(batch["events"])

    async def snapshot_asked(self) -> bool:
        """Whether the customer has been asked for a full snapshot (the request is taken)."""
        await sdk_round_trip(self.customer)
        try:
            await self.customer.wait_for(
                "cobrowse.snapshot", lambda s: s["contact_id"] == self.contact_id, timeout=0
            )
        except TimeoutError:
            return False
        return True


async def milestones(hub_server: HubServer, contact_id: str) -> list[tuple[str, Any]]:
    async with hub_server.hub.db.connect() as conn:
        rows = await conn.execute(
            select(contact_events.c.type, contact_events.c.data)
            .where(contact_events.c.contact_id == contact_id)
            .order_by(contact_events.c.id)
        )
        return [(r[0], r[1]) for r in rows]
