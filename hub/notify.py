"""Who is told what: rooms, and the only calls to socket.io's emit.

Every event a client receives leaves through :class:`Notify`, so who hears what is decided in
one place. Rooms are named here too; joining and leaving them is part of telling people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import socketio

from hub.bus import Bus
from hub.live import Live
from hub.metrics import Metrics

CUSTOMER_NS = "/customer"
AGENT_NS = "/agent"
SUPERVISORS = "supervisors"
AGENTS = "agents"  # every agent socket: what all agents share, such as the callbacks list


def conversation_room(conversation_id: str) -> str:
    return f"conv:{conversation_id}"


def customer_room(customer_id: str) -> str:
    return f"cust:{customer_id}"


def site_customers_room(site_id: str) -> str:
    """Every customer socket of a site: told when someone is there to help, or no one."""
    return f"site:{site_id}:customers"


def agent_room(agent_id: str) -> str:
    return f"agent:{agent_id}"


class Notify:
    def __init__(self, sio: socketio.AsyncServer, metrics: Metrics, live: Live, bus: Bus) -> None:
        self.sio = sio
        self.bus = bus
        self.metrics = metrics
        self.live = live

    # one socket

    async def to_socket(
        self, namespace: str, sid: str, event: str, data: Mapping[str, Any]
    ) -> None:
        await self.sio.emit(event, dict(data), to=sid, namespace=namespace)

    async def end_socket(
        self, namespace: str, sid: str, event: str, data: Mapping[str, Any]
    ) -> None:
        """Send a last event, then disconnect the socket (its disconnect handler runs now)."""
        await self.sio.emit(event, dict(data), to=sid, namespace=namespace)
        await self.sio.disconnect(sid, namespace=namespace)

    # people

    async def to_customer(self, customer_id: str, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(
            event, dict(data), room=customer_room(customer_id), namespace=CUSTOMER_NS
        )

    async def to_site_customers(self, site_id: str, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(
            event, dict(data), room=site_customers_room(site_id), namespace=CUSTOMER_NS
        )

    async def to_agent(self, agent_id: str, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(event, dict(data), room=agent_room(agent_id), namespace=AGENT_NS)

    async def to_agents(self, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(event, dict(data), room=AGENTS, namespace=AGENT_NS)

    async def to_supervisors(self, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(event, dict(data), room=SUPERVISORS, namespace=AGENT_NS)

    # a conversation

    async def to_conversation_agents(
        self, conversation_id: str, event: str, data: Mapping[str, Any]
    ) -> None:
        await self.sio.emit(
            event, dict(data), room=conversation_room(conversation_id), namespace=AGENT_NS
        )

    async def to_conversation_customers(
        self, conversation_id: str, event: str, data: Mapping[str, Any]
    ) -> None:
        await self.sio.emit(
            event, dict(data), room=conversation_room(conversation_id), namespace=CUSTOMER_NS
        )

    async def publish_event(self, event: Mapping[str, Any]) -> None:
        """A timeline event goes to the conversation's customer sockets and agents.

        Private events (notes) go to agents only.
        """
        conversation_id = event["conversation_id"]
        if event.get("visibility", "all") == "all":
            await self.to_conversation_customers(conversation_id, "event", event)
        await self.to_conversation_agents(conversation_id, "event", event)
        self.metrics.events.inc()

    # rooms

    async def enter(self, namespace: str, sid: str, rooms: Iterable[str]) -> None:
        for room in rooms:
            await self.sio.enter_room(sid, room, namespace=namespace)

    async def leave(self, namespace: str, sid: str, rooms: Iterable[str]) -> None:
        for room in rooms:
            await self.sio.leave_room(sid, room, namespace=namespace)

    # Whole people follow a conversation: all their sockets, on this node and on the others
    # (the bus applies the change on each node to the sockets it holds).

    async def customer_join(self, customer_id: str, conversation_id: str) -> None:
        """Every socket of the customer (each tab, each device) follows the conversation."""
        await self.bus.follow(
            CUSTOMER_NS, customer_room(customer_id), conversation_room(conversation_id), enter=True
        )

    async def agent_join(self, agent_id: str, conversation_id: str) -> None:
        await self.bus.follow(
            AGENT_NS, agent_room(agent_id), conversation_room(conversation_id), enter=True
        )

    async def agent_leave(self, agent_id: str, conversation_id: str) -> None:
        await self.bus.follow(
            AGENT_NS, agent_room(agent_id), conversation_room(conversation_id), enter=False
        )

    def is_connected(self, namespace: str, sid: str) -> bool:
        return bool(self.sio.manager.is_connected(sid, namespace))
