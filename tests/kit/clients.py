"""The one collector: every client a test opens, raw socket or SDK, closed at teardown."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from hub.clock import ManualClock
from hub.errors import HubError
from hub.sdk import AgentClient, CustomerClient
from tests.kit.hub import HubServer
from tests.kit.wire import Wire, agent, customer

T = TypeVar("T", Wire, AgentClient, CustomerClient)

# On a manual clock, what a test does one after the other would all happen at one instant, and
# the hub breaks ties in its lines (FIFO by enqueue time, longest idle by last activity) by id.
# Real people never ask at the same microsecond: each new client or request moves time this far.
TICK_S = 0.001

ADA = ("ada@example.com", "ada-password")
BOB = ("bob@example.com", "bob-password")


def about(contact_id: str) -> Callable[[dict[str, Any]], bool]:
    """A predicate for payloads about ``contact_id``."""
    return lambda payload: payload["contact_id"] == contact_id


def offer_ids(w: Wire) -> list[str]:
    """The contacts ``w`` was offered, in order."""
    return [o["contact_id"] for o in w.received["offer"]]


async def sdk_round_trip(client: AgentClient | CustomerClient) -> None:
    """One call answered on the client's socket (see :meth:`Wire.round_trip`)."""
    try:
        await client.call("kit.round_trip", {})
    except HubError as exc:
        assert exc.code == "unknown_event", exc
    else:
        raise AssertionError("the hub answered an event it does not know")


async def sdk_never(client: AgentClient | CustomerClient, event: str, pred: Any = None) -> bool:
    """True when no matching ``event`` has arrived (after a round trip); nothing is consumed
    when nothing matches."""
    await sdk_round_trip(client)
    try:
        await client.wait_for(event, pred, timeout=0)
    except TimeoutError:
        return True
    return False


class Clients:
    """Every client a test opens, closed at teardown even when the test fails.

    ``url`` and ``site_key`` default to the in-process hub's; tests of a hub in a subprocess
    pass its URL to each call.
    """

    def __init__(self, server: HubServer | None = None) -> None:
        self.server = server
        self.opened: list[Wire | AgentClient | CustomerClient] = []

    async def tick(self) -> None:
        """Move a manual clock on by TICK_S (nothing on the system clock)."""
        clock = self.server.hub.clock if self.server is not None else None
        if isinstance(clock, ManualClock):
            await clock.advance(TICK_S)

    def keep(self, client: T) -> T:
        self.opened.append(client)
        return client

    def _url(self, url: str | None) -> str:
        if url is not None:
            return url
        assert self.server is not None, "no in-process hub: pass the hub's url"
        return self.server.url

    def _site(self, site_key: str | None) -> str:
        if site_key is not None:
            return site_key
        return self.server.site_key if self.server is not None else "shop"

    # raw sockets (tests.kit.wire)

    async def customer(
        self,
        token: str | None = None,
        *,
        url: str | None = None,
        site_key: str | None = None,
        **kw: Any,
    ) -> Wire:
        await self.tick()
        return self.keep(await customer(self._url(url), self._site(site_key), token, **kw))

    async def agent(
        self, email: str, password: str, *, available: bool = True, url: str | None = None
    ) -> Wire:
        await self.tick()
        return self.keep(await agent(self._url(url), email, password, available=available))

    async def ada(self, *, available: bool = True, url: str | None = None) -> Wire:
        return await self.agent(*ADA, available=available, url=url)

    async def bob(self, *, available: bool = True, url: str | None = None) -> Wire:
        return await self.agent(*BOB, available=available, url=url)

    async def request(self, channel: str = "chat", **extra: Any) -> tuple[Wire, str]:
        """A new customer asks for a person; returns their socket and the contact id."""
        shopper = await self.customer()
        await self.tick()
        ack = await shopper.call("contact.request", {"channel": channel, **extra})
        assert ack["ok"], ack
        return shopper, ack["contact_id"]

    # the SDK (hub.sdk)

    async def sdk_customer(self, **kw: Any) -> CustomerClient:
        assert self.server is not None
        await self.tick()
        c = self.keep(CustomerClient(self.server.url, self.server.site_key, **kw))
        await c.connect()
        return c

    async def sdk_agent(self, email: str, password: str, *, available: bool = True) -> AgentClient:
        assert self.server is not None
        await self.tick()
        a = self.keep(await AgentClient.login(self.server.url, email, password))
        if available:
            await a.set_presence("available")
        return a

    async def __aenter__(self) -> Clients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        for client in self.opened:
            with contextlib.suppress(Exception):
                if isinstance(client, Wire):
                    if client.sio.connected:
                        await asyncio.wait_for(client.close(), 5)
                else:
                    await asyncio.wait_for(client.close(), 5)
        self.opened.clear()
