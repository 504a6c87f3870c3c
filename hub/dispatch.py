"""The router: runs the pure routing engine, carries out its decisions, owns its timers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hub.core import routing
from hub.core.routing import Engine, Offer, Requeued, Revoke, SetAway
from hub.store import queries

if TYPE_CHECKING:
    from hub.state import Hub

log = logging.getLogger(__name__)

# How long shutdown waits for work under way before it cancels it.
DRAIN_S = 5.0

# Until real handle times are known, estimates start from these (seconds).
DEFAULT_HANDLE_S = {"chat": 240.0, "video": 300.0, "callback": 300.0}


@dataclass
class ContactMeta:
    """What offers and queue updates say about a contact, kept so the hot path reads no rows."""

    conversation_id: str
    customer_id: str
    customer_name: str | None
    channel: str
    created_at: float
    site_id: str
    phone: str | None = None
    attempts: int = 0
    text: str | None = None  # what the customer wrote with the request, for triage


class Router:
    """One per process (per site lease holder in cluster mode). All engine calls happen here."""

    def __init__(self, hub: Hub) -> None:
        cfg = hub.config
        self.hub = hub
        self.engine = Engine(
            offer_timeout=dict(cfg.offer_timeout_s),  # type: ignore[arg-type]
            max_missed=cfg.max_missed_offers,
        )
        self.meta: dict[str, ContactMeta] = {}
        self._sent_positions: dict[str, tuple[int, int]] = {}
        self._handle: dict[str, deque[float]] = {c: deque(maxlen=50) for c in routing.CHANNELS}
        self._wake = asyncio.Event()
        self._ticker: asyncio.Task[None] | None = None
        self._ticker_wakes_at: float | None = None  # the deadline the ticker sleeps until
        self._grace: dict[str, asyncio.Task[None]] = {}
        # Grace timers whose sleep is over and that are returning a contact to the queue:
        # no longer cancellable (they are inside a transaction), awaited at stop instead.
        self._expiring: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._queue_summary: dict[str, Any] | None = None

    # lifetime

    async def start(self) -> None:
        await self.rebuild()
        self._ticker = asyncio.create_task(self._tick(), name="router-ticker")

    async def stop(self) -> None:
        """Finish the routing step under way, then stop; sleeping grace timers are cancelled.

        The ticker is asked to stop rather than cancelled: a cancel inside a step would land
        in the middle of a transaction.
        """
        self._stopping = True
        self._wake.set()
        sleeping = list(self._grace.values())
        self._grace.clear()
        for task in sleeping:
            task.cancel()
        busy = [t for t in (self._ticker, *self._expiring) if t is not None]
        if busy:
            _done, late = await asyncio.wait(busy, timeout=DRAIN_S)
            for task in late:
                task.cancel()
        for task in [*sleeping, *busy]:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def rebuild(self) -> None:
        """Rebuild the engine from the store: after a restart nothing waiting is forgotten.

        Agents start disconnected; contacts that were assigned stay with their agent for the
        grace period, then go back to the queue at their original place.
        """
        now = self.hub.clock()
        async with self.hub.db.connect() as conn:
            for a in await queries.all_agents(conn):
                self.engine.upsert_agent(agent_from_row(a))
            for c in await queries.active_contacts(conn):
                customer = await queries.customer(conn, c["customer_id"])
                self._track(c, customer["name"] if customer else None)
                self.engine.add_contact(contact_from_row(c))
                if c["state"] == "assigned" and c["agent_id"] in self.engine.agents:
                    self.engine.assign(c["id"], c["agent_id"], c["assigned_at"] or now)
                    self._start_grace(c["agent_id"], c["id"])
            for channel, seconds in await queries.handle_times(conn):
                self._handle.setdefault(channel, deque(maxlen=50)).append(seconds)

    async def _tick(self) -> None:
        while not self._stopping:
            now = self.hub.clock()
            deadline = self.engine.next_deadline(now)
            self._ticker_wakes_at = deadline
            timeout = None if deadline is None else max(0.0, deadline - now)
            # Wake early when something changed; otherwise at the next offer expiry or due time.
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that
            # arrives as the event is set, and stop() would then wait for this task forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.run()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("routing step failed; retrying in a second")
                await asyncio.sleep(1.0)

    def kick(self) -> None:
        self._wake.set()

    # the engine's inputs, called by actions

    def _track(self, row: dict[str, Any], customer_name: str | None) -> None:
        self.meta[row["id"]] = ContactMeta(
            conversation_id=row["conversation_id"],
            customer_id=row["customer_id"],
            customer_name=customer_name,
            channel=row["channel"],
            created_at=row["created_at"],
            site_id=row["site_id"],
            phone=row.get("phone"),
            attempts=row.get("attempts") or 0,
            text=row.get("first_text"),
        )

    async def add(self, row: dict[str, Any], customer_name: str | None) -> None:
        self._track(row, customer_name)
        self.engine.add_contact(contact_from_row(row))
        self.hub.metrics.contacts.labels(row["channel"]).inc()
        await self.run()

    async def remove(self, contact_id: str) -> None:
        """A contact ended or was cancelled: withdraw its offer, free its agent, route again."""
        self.meta.pop(contact_id, None)
        self._sent_positions.pop(contact_id, None)
        self._cancel_grace(contact_id)
        await self.perform(self.engine.remove_contact(contact_id))
        await self.run()

    def record_handle_time(self, channel: str, seconds: float) -> None:
        if seconds >= 0:
            self._handle.setdefault(channel, deque(maxlen=50)).append(seconds)

    def has_online_agent(self, site_id: str, channel: str, skills: frozenset[str]) -> bool:
        return self.engine.has_online_agent(site_id, channel, skills)  # type: ignore[arg-type]

    async def agent_connected(self, agent_row: dict[str, Any]) -> None:
        agent_id = agent_row["id"]
        if agent_id not in self.engine.agents:
            self.engine.upsert_agent(agent_from_row(agent_row))
        for contact_id, contact in self.engine.contacts.items():
            if contact.agent_id == agent_id and contact.state == "assigned":
                self._cancel_grace(contact_id)
        now = self.hub.clock()
        await self.perform(self.engine.set_connected(agent_id, True, now))
        if self.engine.agents[agent_id].status == "offline":
            # A console that just connected is not yet taking contacts: it says so itself.
            await self.perform(self.engine.set_presence(agent_id, "away", now))
        await self.run()

    async def agent_disconnected(self, agent_id: str) -> None:
        now = self.hub.clock()
        await self.perform(self.engine.set_connected(agent_id, False, now))
        for contact_id, contact in list(self.engine.contacts.items()):
            if contact.agent_id == agent_id and contact.state == "assigned":
                self._start_grace(agent_id, contact_id)
        await self.run()

    async def set_presence(self, agent_id: str, status: str) -> None:
        decisions = self.engine.set_presence(agent_id, status, self.hub.clock())  # type: ignore[arg-type]
        await self.perform(decisions)
        await self.agent_changed(agent_id)
        await self.run()

    def accept(self, contact_id: str, agent_id: str) -> None:
        """Raises ``routing.OfferGone`` when the offer is no longer this agent's."""
        self.engine.accept(contact_id, agent_id, self.hub.clock())
        self._sent_positions.pop(contact_id, None)

    async def decline(self, contact_id: str, agent_id: str) -> None:
        """Record the agent's no; raises ``routing.OfferGone`` when the offer is not theirs.

        The caller stores the decline, then calls ``run()``: routing first would offer the
        contact to the next agent, and the decline stored after would overwrite that offer.
        """
        await self.perform(self.engine.decline(contact_id, agent_id, self.hub.clock()))
        self.hub.metrics.offer_outcomes.labels("declined").inc()

    async def requeue(self, contact_id: str, not_before: float | None = None) -> None:
        await self.perform(self.engine.requeue(contact_id, self.hub.clock(), not_before))
        await self.run()

    # grace after an agent disconnects

    def _start_grace(self, agent_id: str, contact_id: str) -> None:
        self._cancel_grace(contact_id)
        self._grace[contact_id] = asyncio.create_task(
            self._grace_expiry(agent_id, contact_id), name=f"grace-{contact_id}"
        )

    def _cancel_grace(self, contact_id: str) -> None:
        task = self._grace.pop(contact_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _grace_expiry(self, agent_id: str, contact_id: str) -> None:
        await asyncio.sleep(self.hub.config.agent_grace_s)
        task = self._grace.pop(contact_id, None)
        if task is None or self._stopping:
            return
        self._expiring.add(task)
        task.add_done_callback(self._expiring.discard)
        agent = self.engine.agents.get(agent_id)
        contact = self.engine.contacts.get(contact_id)
        if agent is None or agent.connected or contact is None or contact.agent_id != agent_id:
            return
        from hub import actions

        await actions.return_to_queue(self.hub, contact_id, agent_id, reason="agent_disconnected")

    # carrying out decisions

    async def run(self) -> None:
        decisions = self.engine.step(self.hub.clock())
        await self.perform(decisions)
        await self.push_positions()
        # The ticker sleeps until the deadline it saw last; an offer made since (or a callback's
        # not_before) may be due sooner, and would otherwise never expire.
        deadline = self.engine.next_deadline(self.hub.clock())
        if deadline is not None and (
            self._ticker_wakes_at is None or deadline < self._ticker_wakes_at
        ):
            self.kick()

    async def perform(self, decisions: list[routing.Decision]) -> None:
        for decision in decisions:
            if isinstance(decision, Offer):
                await self._offer(decision)
            elif isinstance(decision, Revoke):
                await self._revoke(decision)
            elif isinstance(decision, SetAway):
                await self.hub.to_agent(
                    decision.agent_id, "presence", {"status": "away", "reason": decision.reason}
                )
                await self.agent_changed(decision.agent_id)
            elif isinstance(decision, Requeued):
                self._sent_positions.pop(decision.contact_id, None)

    def offer_payload(self, offer: Offer, now: float) -> dict[str, Any]:
        """The ``offer`` the agent's console is sent live, and again in its snapshot."""
        meta = self.meta[offer.contact_id]
        payload = {
            "contact_id": offer.contact_id,
            "channel": meta.channel,
            "conversation_id": meta.conversation_id,
            "site_id": meta.site_id,
            "customer": {"id": meta.customer_id, "name": meta.customer_name},
            "waited_ms": int(max(0.0, now - meta.created_at) * 1000),
            "expires_in_ms": int(max(0.0, offer.expires_at - now) * 1000),
            "auto_answer": offer.auto_answer,
        }
        if meta.phone:
            payload["phone"] = meta.phone
        if meta.text:
            payload["text"] = meta.text[:280]
        return payload

    async def _offer(self, offer: Offer) -> None:
        now = self.hub.clock()
        payload = self.offer_payload(offer, now)
        # Tell the agent first: the offer is the latency that matters. The fact is stored just
        # after; an offer is not durable state anyway (after a restart the contact simply waits).
        await self.hub.to_agent(offer.agent_id, "offer", payload)
        self.hub.metrics.offers.labels(payload["channel"]).inc()
        async with self.hub.tx() as conn:
            await queries.set_contact(
                conn, offer.contact_id, state="offered", agent_id=offer.agent_id
            )
            await queries.log_contact_event(
                conn,
                offer.contact_id,
                "offered",
                now,
                offer.agent_id,
                {"expires_at": offer.expires_at, "auto_answer": offer.auto_answer},
            )

    async def _revoke(self, revoke: Revoke) -> None:
        await self.hub.to_agent(
            revoke.agent_id,
            "offer.revoked",
            {"contact_id": revoke.contact_id, "reason": revoke.reason},
        )
        self.hub.metrics.offer_outcomes.labels(revoke.reason).inc()
        if revoke.reason == "cancelled" and revoke.contact_id not in self.engine.contacts:
            return  # the contact ended; its own action records that
        async with self.hub.tx() as conn:
            await queries.set_contact(conn, revoke.contact_id, state="queued", agent_id=None)
            await queries.log_contact_event(
                conn,
                revoke.contact_id,
                "expired" if revoke.reason == "expired" else "revoked",
                self.hub.clock(),
                revoke.agent_id,
                {"reason": revoke.reason},
            )

    # what waiting customers and supervisors see

    def _slots(self, channel: str, skills: frozenset[str]) -> tuple[int, int]:
        """Free and busy serving slots on ``channel`` among available, connected agents who
        have every one of ``skills``: only they can serve a contact that needs them."""
        free = busy = 0
        for agent in self.engine.agents.values():
            if not agent.connected or agent.status != "available" or not skills <= agent.skills:
                continue
            cap = agent.capacity.get(channel, 0)
            if cap <= 0:
                continue
            load = self.engine.load(agent.id)
            used = load.get(channel, 0) if channel == "chat" else sum(load.values())
            if channel == "chat" and (load.get("video", 0) or load.get("callback", 0)):
                used = cap
            used = min(used, cap)
            busy += used
            free += cap - used
        return free, busy

    def average_handle_s(self, channel: str) -> float:
        times = self._handle.get(channel)
        if not times:
            return DEFAULT_HANDLE_S.get(channel, 240.0)
        return sum(times) / len(times)

    async def push_positions(self) -> None:
        positions = self.engine.queue_positions(self.hub.clock())
        slots: dict[tuple[str, frozenset[str]], tuple[int, int]] = {}
        for contact_id, position in positions.items():
            meta = self.meta.get(contact_id)
            contact = self.engine.contacts.get(contact_id)
            if meta is None or contact is None:
                continue
            kind = (meta.channel, contact.skills)
            if kind not in slots:
                slots[kind] = self._slots(*kind)
            free, busy = slots[kind]
            wait = routing.estimate_wait_s(
                position, free, busy, self.average_handle_s(meta.channel)
            )
            wait_s = -1 if math.isinf(wait) else round(wait)
            if self._sent_positions.get(contact_id) == (position, wait_s):
                continue
            self._sent_positions[contact_id] = (position, wait_s)
            await self.hub.to_customer(
                meta.customer_id,
                "contact.queued",
                {
                    "contact_id": contact_id,
                    "position": position,
                    "estimated_wait_s": None if wait_s < 0 else wait_s,
                },
            )
        self.hub.metrics.waiting.set(len(positions))
        await self._push_queue_summary()

    async def resend_positions(self, customer_id: str) -> None:
        for contact_id, meta in self.meta.items():
            if meta.customer_id == customer_id:
                self._sent_positions.pop(contact_id, None)
        await self.push_positions()

    def queue_summary(self) -> dict[str, Any]:
        now = self.hub.clock()
        waiting = {c: 0 for c in routing.CHANNELS}
        longest = {c: 0 for c in routing.CHANNELS}
        for contact in self.engine.contacts.values():
            if contact.state == "assigned":
                continue
            waiting[contact.channel] += 1
            longest[contact.channel] = max(longest[contact.channel], int(now - contact.enqueued_at))
        return {"waiting": waiting, "longest_wait_s": longest}

    async def _push_queue_summary(self) -> None:
        summary = self.queue_summary()
        # Longest waits tick every second; only counts changing is news worth a push.
        if self._queue_summary is None or summary["waiting"] != self._queue_summary["waiting"]:
            self._queue_summary = summary
            await self.hub.to_supervisors("queue.updated", summary)

    def agent_view(self, agent_id: str) -> dict[str, Any]:
        agent = self.engine.agents.get(agent_id)
        if agent is None:
            return {"id": agent_id, "status": "offline", "load": {}}
        status = agent.status if agent.connected else "offline"
        return {"id": agent_id, "status": status, "load": self.engine.load(agent_id)}

    async def agent_changed(self, agent_id: str) -> None:
        await self.hub.to_supervisors("agent.updated", self.agent_view(agent_id))


def agent_from_row(row: dict[str, Any]) -> routing.Agent:
    return routing.Agent(
        id=row["id"],
        skills=frozenset(row["skills"] or ()),
        capacity=dict(row["capacity"] or routing.DEFAULT_CAPACITY),
        auto_answer=bool(row["auto_answer"]),
    )


def contact_from_row(row: dict[str, Any]) -> routing.Contact:
    return routing.Contact(
        id=row["id"],
        site_id=row["site_id"],
        channel=row["channel"],
        enqueued_at=row["enqueued_at"],
        skills=frozenset(row["skills"] or ()),
        not_before=row["not_before"],
        sticky_agent_id=row["sticky_agent_id"],
        sticky_until=row["sticky_until"],
    )
