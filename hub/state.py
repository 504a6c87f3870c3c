"""The hub's live state: configuration, database, socket.io server, router, and who is told what."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import socketio
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.config import Config
from hub.metrics import Metrics

if TYPE_CHECKING:
    from hub.dispatch import Router
    from hub.mayday import Mayday
    from hub.store.writer import EventWriter

CUSTOMER_NS = "/customer"
AGENT_NS = "/agent"


def conversation_room(conversation_id: str) -> str:
    return f"conv:{conversation_id}"


def customer_room(customer_id: str) -> str:
    return f"cust:{customer_id}"


def agent_room(agent_id: str) -> str:
    return f"agent:{agent_id}"


SUPERVISORS = "supervisors"
AGENTS = "agents"  # every agent socket: what all agents share, such as the callbacks list


@dataclass
class Hub:
    """Everything an action needs. One per process, made by ``hub.app.create_app``."""

    config: Config
    db: AsyncEngine
    sio: socketio.AsyncServer
    metrics: Metrics
    clock: Callable[[], float] = time.time
    router: Router = field(init=False)
    writer: EventWriter = field(init=False)
    mayday: Mayday = field(init=False)
    # Live sockets per agent, so that all of an agent's tabs join and leave rooms together.
    agent_sids: dict[str, set[str]] = field(default_factory=dict)
    _sites: dict[str, tuple[float, dict[str, Any] | None]] = field(default_factory=dict)

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[AsyncConnection]:
        async with self.db.begin() as conn:
            yield conn

    # Sites are read on every customer connect; a short cache spares the database while still
    # seeing a site added or changed by ``hub sites add`` within seconds.
    async def site_by_key(self, key: str) -> dict[str, Any] | None:
        from hub.store import queries

        now = time.monotonic()
        cached = self._sites.get(key)
        if cached is not None and now - cached[0] < 5.0:
            return cached[1]
        async with self.db.connect() as conn:
            site = await queries.site_by_key(conn, key)
        self._sites[key] = (now, site)
        return site

    # Telling people. Every emit goes through these, so who hears what is decided in one place.

    async def to_customer(self, customer_id: str, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(
            event, dict(data), room=customer_room(customer_id), namespace=CUSTOMER_NS
        )

    async def to_agent(self, agent_id: str, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(event, dict(data), room=agent_room(agent_id), namespace=AGENT_NS)

    async def to_agents(self, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(event, dict(data), room=AGENTS, namespace=AGENT_NS)

    async def to_supervisors(self, event: str, data: Mapping[str, Any]) -> None:
        await self.sio.emit(event, dict(data), room=SUPERVISORS, namespace=AGENT_NS)

    async def publish_event(self, event: Mapping[str, Any]) -> None:
        """A timeline event goes to the conversation's customer sockets and agents.

        Private events (notes) go to agents only.
        """
        room = conversation_room(event["conversation_id"])
        payload = dict(event)
        if event.get("visibility", "all") == "all":
            await self.sio.emit("event", payload, room=room, namespace=CUSTOMER_NS)
        await self.sio.emit("event", payload, room=room, namespace=AGENT_NS)
        self.metrics.events.inc()

    async def customer_join(self, customer_id: str, conversation_id: str) -> None:
        """Every socket of the customer (each tab, each device) follows the conversation."""
        room = conversation_room(conversation_id)
        for sid, _eio_sid in list(
            self.sio.manager.get_participants(CUSTOMER_NS, customer_room(customer_id))
        ):
            await self.sio.enter_room(sid, room, namespace=CUSTOMER_NS)

    async def agent_join(self, agent_id: str, conversation_id: str) -> None:
        for sid in self.agent_sids.get(agent_id, ()):
            await self.sio.enter_room(sid, conversation_room(conversation_id), namespace=AGENT_NS)

    async def agent_leave(self, agent_id: str, conversation_id: str) -> None:
        for sid in self.agent_sids.get(agent_id, ()):
            await self.sio.leave_room(sid, conversation_room(conversation_id), namespace=AGENT_NS)
