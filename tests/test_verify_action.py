"""Snapshot + events == fresh snapshot, for every action a console hears about (verify_action).

After the model of Zulip's ``verify_action``: each case takes a console's ``snapshot``, performs
one action over socket.io (from a customer or an agent socket), collects every event that
console received because of it, applies them to the old snapshot with :func:`apply` (a pure
reducer mirroring ``web/console/src/state.js``), and checks the result equals a fresh
``snapshot``. Two consoles watch every case: Ada, an agent taking contacts, and Sue, a
supervisor who is away (so routing never offers her anything) and sees ``queue`` and
``agents`` too. The acting console also uses its own request's ack, as controller.js does
(:func:`apply_own`); a second tab of Ada's has only the events (the second test).

A case that fails is the hub not telling a console something its snapshot shows; it is marked
``xfail(strict=True)`` naming the missing event or field, so that the fix turns it into a pass.
"""

from __future__ import annotations

import asyncio
import copy
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.kit.hub import HubServer
from tests.kit.wire import Wire, customer, login

ADA = ("ada@example.com", "ada-password")
SUE = ("sue@example.com", "sue-password")


@pytest.fixture
def hub_config() -> dict[str, Any]:
    # Nothing may happen by itself while a case runs: offers outlive the case instead of
    # expiring (2 s in the test config), and a callback's retry is due in an hour, not in a
    # second, so the router never acts between the action and the fresh snapshot.
    return {
        "offer_timeout_s": {"chat": 120.0, "video": 120.0, "callback": 120.0},
        "callback_retry_delay_s": 3600.0,
    }


# ---- the reducer ----------------------------------------------------------------------------

Snapshot = dict[str, Any]


def apply(snap: Snapshot, event: str, p: Any) -> Snapshot:
    """The snapshot after one server event, as the console's ``apply`` (state.js) sees it.

    Pure: returns a new snapshot and leaves ``snap`` alone.
    """
    s = copy.deepcopy(snap)
    if event == "offer":
        s["offers"] = [o for o in s["offers"] if o["contact_id"] != p["contact_id"]] + [p]
    elif event == "offer.revoked":
        s["offers"] = [o for o in s["offers"] if o["contact_id"] != p["contact_id"]]
    elif event == "event":
        for item in s["contacts"]:
            if item["contact"]["conversation_id"] == p["conversation_id"]:
                _insert_event(item, p)
        # A contact the timeline says has ended, or whose callback got its outcome (requeued
        # for a retry, or ended), or that was transferred, is no longer assigned to this
        # agent: the snapshot lists only those that are. (The console keeps an ended one a
        # while for the wrap-up form.)
        data = p.get("data") or {}
        if p["type"] in ("contact.ended", "callback.outcome", "contact.transferred"):
            s["contacts"] = [c for c in s["contacts"] if c["contact"]["id"] != data["contact_id"]]
    elif event == "contact.ended":
        s["contacts"] = [c for c in s["contacts"] if c["contact"]["id"] != p["contact_id"]]
        s["offers"] = [o for o in s["offers"] if o["contact_id"] != p["contact_id"]]
    elif event == "presence":
        s["agent"]["status"] = p["status"]
    elif event == "queue.updated":
        s["queue"] = p
    elif event == "agent.updated":
        for a in s.get("agents") or []:
            if a["id"] == p["id"]:
                a.update(p)
    elif event == "callback.updated":
        s["callbacks"] = _callback_updated(s["callbacks"], p)
    elif event == "andon" and "flags" in s:
        s["flags"] = [p, *(f for f in s["flags"] if f["id"] != p["id"])]  # newest first
    elif event == "andon.cleared" and "flags" in s:
        s["flags"] = [f for f in s["flags"] if f["id"] != p["id"]]
    elif event == "customer.page":
        for item in s["contacts"]:
            if item["customer"]["id"] == p["customer_id"]:
                item["customer"]["page"] = p["page"]
    return s


def _insert_event(item: dict[str, Any], ev: dict[str, Any]) -> None:
    """Sorted by seq, each seq once (delivery is at least once); the profile follows along."""
    seqs = [e["seq"] for e in item["events"]]
    if ev["seq"] not in seqs:
        item["events"] = sorted([*item["events"], ev], key=lambda e: e["seq"])
    for conv in item["customer"].get("conversations", []):
        if conv["id"] == ev["conversation_id"] and ev["seq"] > conv["last_seq"]:
            conv["last_seq"] = ev["seq"]
            conv["updated_at"] = ev["ts"]


def _callback_updated(callbacks: list[dict[str, Any]], p: dict[str, Any]) -> list[dict[str, Any]]:
    """The shared callbacks list: ``done`` and ``failed`` leave it, the others are waiting."""
    rest = [c for c in callbacks if c["id"] != p["contact_id"]]
    if p["status"] in ("done", "failed"):
        return rest
    old = next((c for c in callbacks if c["id"] == p["contact_id"]), {})
    entry = {
        **old,
        "id": p["contact_id"],
        "channel": "callback",
        "conversation_id": p["conversation_id"],
        "customer_id": p["customer"]["id"],
        "customer": p["customer"],
        "phone": p["phone"],
        "attempts": p["attempts"],
        "next_attempt_at": p.get("next_attempt_at"),
        # ``scheduled`` and ``retry`` both mean the callback waits in the queue for anyone.
        "state": "queued",
        "agent_id": None,
    }
    return [*rest, entry]


def apply_own(snap: Snapshot, request: str, payload: Any, ack: Any) -> Snapshot:
    """What the acting console does with its own request's ack (controller.js), not an event."""
    s = copy.deepcopy(snap)
    if request == "presence":
        s["agent"]["status"] = payload["status"]
    elif request == "offer.decline":
        s["offers"] = [o for o in s["offers"] if o["contact_id"] != payload["contact_id"]]
    elif request == "offer.accept":
        offer = next(o for o in s["offers"] if o["contact_id"] == payload["contact_id"])
        s["offers"] = [o for o in s["offers"] if o is not offer]
        # Everything the console knows of the contact: the offer, and the ack's customer.
        contact = {
            "id": offer["contact_id"],
            "site_id": offer["site_id"],
            "channel": offer["channel"],
            "state": "assigned",
            "conversation_id": ack["conversation_id"],
            "customer_id": offer["customer"]["id"],
            "agent_id": s["agent"]["id"],
            "phone": offer.get("phone"),
            "follow_up_of": (offer.get("follow_up") or {}).get("of"),
        }
        if offer.get("follow_up"):
            contact["follow_up"] = offer["follow_up"]
        s["contacts"] = [
            *s["contacts"],
            {"contact": contact, "customer": ack["customer"], "events": []},
        ]
    elif request == "history":
        for item in s["contacts"]:
            if item["contact"]["conversation_id"] == payload["conversation_id"]:
                for ev in ack["events"]:
                    _insert_event(item, ev)
                    if ev["type"] == "contact.assigned" and (
                        ev["data"]["contact_id"] == item["contact"]["id"]
                    ):
                        # The assignment's own time stamp is when the contact was assigned.
                        item["contact"].setdefault("assigned_at", ev["ts"])
    return s


def comparable(snap: Snapshot) -> Snapshot:
    """The snapshot without what moves by itself with time, lists keyed as the console keys them."""
    s = copy.deepcopy(snap)
    for offer in s["offers"]:
        # Counted at the moment the snapshot is taken, so they grow (waited) and shrink
        # (expires) between two snapshots with nothing happening; the live offer carries them
        # as of its sending.
        del offer["waited_ms"], offer["expires_in_ms"]
    if "queue" in s:
        # Whole seconds since the oldest contact of each channel was enqueued: ticks every
        # second by itself, and the hub pushes queue.updated only when the counts change.
        del s["queue"]["longest_wait_s"]
    # The console keys contacts, offers, callbacks and agents by id (state.js); the order of
    # these lists says nothing it uses.
    s["contacts"] = {c["contact"]["id"]: c for c in s["contacts"]}
    s["offers"] = {o["contact_id"]: o for o in s["offers"]}
    s["callbacks"] = {c["id"]: c for c in s["callbacks"]}
    if "agents" in s:
        s["agents"] = {a["id"]: a for a in s["agents"]}
    return s


def differences(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, one line per leaf, for a readable failure."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = []
        for key in sorted(set(expected) | set(actual), key=str):
            if key not in actual:
                out.append(f"{path}.{key}: only in snapshot + events: {expected[key]!r}")
            elif key not in expected:
                out.append(f"{path}.{key}: only in the fresh snapshot: {actual[key]!r}")
            else:
                out.extend(differences(expected[key], actual[key], f"{path}.{key}"))
        return out
    if expected != actual:
        return [f"{path}: snapshot + events {expected!r} != fresh {actual!r}"]
    return []


# ---- consoles and customers -----------------------------------------------------------------


class Console(Wire):
    """An agent socket that logs every event and its own acks in the order they came."""

    def __init__(self, url: str) -> None:
        super().__init__(url, "/agent")
        self.log: list[tuple[str, Any]] = []

        @self.sio.on("*", namespace=self.ns)
        async def any_event(event: str, data: Any = None) -> None:
            async with self._arrived:
                self.log.append((event, data))
                self.received[event].append(data)
                self._arrived.notify_all()

    async def request(self, event: str, payload: Any) -> Any:
        """The console's own request: its ack goes into the log, for :func:`apply_own`."""
        ack = await self.call(event, payload)
        assert ack["ok"], ack
        async with self._arrived:
            self.log.append((f"ack:{event}", (payload, ack)))
        return ack

    async def snapshot(self) -> tuple[Snapshot, int]:
        """A snapshot, and how much of the log came before it.

        One socket keeps order, so every event the hub sent before answering has been logged.
        """
        snap = await self.call("snapshot", {})
        assert snap["ok"], snap
        del snap["ok"]
        return snap, len(self.log)

    async def wait(self, event: str, pred: Callable[[Any], bool], since: int) -> None:
        def seen() -> bool:
            return any(name == event and pred(p) for name, p in self.log[since:])

        async with self._arrived:
            await _wait_for(self._arrived, seen)


async def _wait_for(cond: asyncio.Condition, pred: Callable[[], bool]) -> None:
    await asyncio.wait_for(cond.wait_for(pred), 10.0)


async def console(url: str, who: tuple[str, str], *, available: bool) -> Console:
    c = Console(url)
    await c.connect({"token": await login(url, *who)})
    await c.wait("presence", lambda _p: True, 0)
    if available:
        assert (await c.call("presence", {"status": "available"}))["ok"]
    return c


def anything(_p: Any) -> bool:
    return True


def about(contact_id: str) -> Callable[[Any], bool]:
    return lambda p: p.get("contact_id") == contact_id


def timeline(type_: str, contact_id: str | None = None) -> Callable[[Any], bool]:
    def pred(p: Any) -> bool:
        data = p.get("data") or {}
        return bool(p["type"] == type_ and (contact_id is None or data["contact_id"] == contact_id))

    return pred


@dataclass
class Expect:
    """The events each console must get because of the action, by the protocol."""

    ada: list[tuple[str, Callable[[Any], bool]]] = field(default_factory=list)
    sue: list[tuple[str, Callable[[Any], bool]]] = field(default_factory=list)


@dataclass
class World:
    server: HubServer
    ada: Console
    sue: Console
    opened: list[Wire]
    shopper: Wire | None = None
    contact_id: str | None = None
    conversation_id: str | None = None

    async def customer(self) -> Wire:
        w = await customer(self.server.url, self.server.site_key)
        self.opened.append(w)
        self.shopper = w
        return w

    async def request(self, payload: dict[str, Any]) -> dict[str, Any]:
        """A new customer asks for a person; returns the ack."""
        shopper = await self.customer()
        ack = await shopper.call("contact.request", payload)
        assert ack["ok"], ack
        self.contact_id, self.conversation_id = ack["contact_id"], ack["conversation_id"]
        return dict(ack)

    async def offered(self, channel: str = "chat", **extra: Any) -> dict[str, Any]:
        await self.request({"channel": channel, "text": "Where is my parcel?", **extra})
        assert self.contact_id is not None
        return dict(await self.ada.next("offer", about(self.contact_id)))

    async def assigned(self, channel: str = "chat", **extra: Any) -> None:
        await self.offered(channel, **extra)
        assert self.shopper is not None and self.contact_id is not None
        assert (await self.ada.call("offer.accept", {"contact_id": self.contact_id}))["ok"]
        await self.shopper.next("contact.assigned", about(self.contact_id))
        await self.ada.next("event", timeline("contact.assigned", self.contact_id))


@pytest.fixture
async def world(hub_server: HubServer) -> AsyncIterator[World]:
    opened: list[Wire] = []
    try:
        ada = await console(hub_server.url, ADA, available=True)
        opened.append(ada)
        sue = await console(hub_server.url, SUE, available=False)
        opened.append(sue)
        yield World(hub_server, ada, sue, opened)
    finally:
        for w in opened:
            if w.sio.connected:
                await w.close()


# ---- the cases ------------------------------------------------------------------------------

Setup = Callable[[World], Awaitable[None]]
Act = Callable[[World], Awaitable[Expect]]


async def nothing(_w: World) -> None:
    return None


async def offered(w: World) -> None:
    await w.offered()


async def assigned(w: World) -> None:
    await w.assigned()


async def queued_while_away(w: World) -> None:
    assert (await w.ada.call("presence", {"status": "away"}))["ok"]
    await w.request({"channel": "chat", "text": "Anyone there?"})


async def away(w: World) -> None:
    assert (await w.ada.call("presence", {"status": "away"}))["ok"]


async def scheduled_callback(w: World) -> None:
    await w.request(
        {"channel": "callback", "phone": "+33612345678", "not_before": time.time() + 3600}
    )
    assert w.contact_id is not None
    await w.sue.next("callback.updated", about(w.contact_id))


async def callback_offered(w: World) -> None:
    await w.offered("callback", phone="+33612345678")


async def callback_assigned(w: World) -> None:
    await w.assigned("callback", phone="+33612345678")


async def request_chat(w: World) -> Expect:
    await w.request({"channel": "chat", "text": "Where is my parcel?"})
    assert w.contact_id is not None
    return Expect(ada=[("offer", about(w.contact_id))], sue=[("queue.updated", anything)])


async def decline(w: World) -> Expect:
    assert w.contact_id is not None
    await w.ada.request("offer.decline", {"contact_id": w.contact_id})
    return Expect()


async def accept(w: World) -> Expect:
    assert w.contact_id is not None
    ack = await w.ada.request("offer.accept", {"contact_id": w.contact_id})
    # The console reads the conversation so far right after accepting (controller.js).
    await w.ada.request("history", {"conversation_id": ack["conversation_id"], "after_seq": 0})
    return Expect(
        ada=[("event", timeline("contact.assigned", w.contact_id))],
        sue=[("agent.updated", anything), ("queue.updated", anything)],
    )


async def customer_message(w: World) -> Expect:
    assert w.shopper is not None
    ack = await w.shopper.call(
        "message.send",
        {"conversation_id": w.conversation_id, "client_id": str(uuid.uuid4()), "text": "Hi"},
    )
    assert ack["ok"], ack
    return Expect(ada=[("event", lambda p: p["seq"] == ack["seq"])])


async def agent_message(w: World) -> Expect:
    ack = await w.ada.request(
        "message.send",
        {"conversation_id": w.conversation_id, "client_id": str(uuid.uuid4()), "text": "Hello"},
    )
    return Expect(ada=[("event", lambda p: p["seq"] == ack["seq"])])


async def agent_note(w: World) -> Expect:
    ack = await w.ada.request(
        "note.add",
        {"conversation_id": w.conversation_id, "client_id": str(uuid.uuid4()), "text": "VIP"},
    )
    return Expect(ada=[("event", lambda p: p["seq"] == ack["seq"])])


def presence(status: str) -> Act:
    async def act(w: World) -> Expect:
        await w.ada.request("presence", {"status": status})
        return Expect(sue=[("agent.updated", lambda p: p["status"] == status)])

    return act


async def customer_cancel(w: World) -> Expect:
    assert w.shopper is not None and w.contact_id is not None
    ack = await w.shopper.call("contact.cancel", {"contact_id": w.contact_id})
    assert ack["ok"], ack
    return Expect(sue=[("queue.updated", anything)])


async def customer_cancel_offered(w: World) -> Expect:
    expect = await customer_cancel(w)
    assert w.contact_id is not None
    expect.ada.append(("offer.revoked", about(w.contact_id)))
    return expect


async def agent_end(w: World) -> Expect:
    assert w.contact_id is not None
    await w.ada.request(
        "contact.end", {"contact_id": w.contact_id, "resolved": True, "reason": "Order status"}
    )
    return Expect(
        ada=[
            ("event", timeline("contact.ended", w.contact_id)),
            ("contact.ended", about(w.contact_id)),
        ],
        sue=[("agent.updated", anything)],
    )


async def agent_transfers_to_queue(w: World) -> Expect:
    assert w.contact_id is not None
    await w.ada.request("contact.transfer", {"contact_id": w.contact_id, "note": "Over to you"})
    return Expect(
        ada=[
            ("event", timeline("note")),
            ("event", timeline("contact.transferred", w.contact_id)),
        ],
        sue=[("queue.updated", anything), ("agent.updated", anything)],
    )


async def request_callback_later(w: World) -> Expect:
    await w.request(
        {"channel": "callback", "phone": "+33612345678", "not_before": time.time() + 3600}
    )
    assert w.contact_id is not None
    return Expect(
        ada=[("callback.updated", about(w.contact_id))],
        sue=[("callback.updated", about(w.contact_id)), ("queue.updated", anything)],
    )


async def request_callback_now(w: World) -> Expect:
    await w.request({"channel": "callback", "phone": "+33612345678", "text": "Call me"})
    assert w.contact_id is not None
    return Expect(
        ada=[("callback.updated", about(w.contact_id)), ("offer", about(w.contact_id))],
        sue=[("callback.updated", about(w.contact_id)), ("queue.updated", anything)],
    )


def callback_outcome(outcome: str) -> Act:
    async def act(w: World) -> Expect:
        assert w.contact_id is not None
        await w.ada.request("callback.outcome", {"contact_id": w.contact_id, "outcome": outcome})
        return Expect(
            ada=[
                ("event", timeline("callback.outcome", w.contact_id)),
                ("callback.updated", about(w.contact_id)),
            ],
            sue=[("callback.updated", about(w.contact_id)), ("agent.updated", anything)],
        )

    return act


ANDON = {"product": "Lamp L-200", "reason": "Product question"}


async def flagged(w: World) -> None:
    await w.assigned()
    assert (await w.ada.call("andon.raise", {"contact_id": w.contact_id, **ANDON}))["ok"]
    await w.sue.next("andon")


async def raise_andon(w: World) -> Expect:
    await w.ada.request("andon.raise", {"contact_id": w.contact_id, **ANDON})
    return Expect(sue=[("andon", anything)])


async def clear_andon(w: World) -> Expect:
    await w.sue.request("andon.clear", {"site": w.server.site_key, **ANDON})
    return Expect(sue=[("andon.cleared", anything)])


async def identify_name(w: World) -> Expect:
    assert w.shopper is not None
    ack = await w.shopper.call("identify", {"name": "Zoe Martin"})
    assert ack["ok"], ack
    # The protocol names no event for this: the fresh snapshot is the barrier.
    return Expect()


def gap(reason: str) -> Any:
    return pytest.mark.xfail(strict=True, reason=reason)


# What a new callbacks[] entry holds that callback.updated does not carry.
CALLBACK_ENTRY_GAP = (
    "callback.updated (status scheduled) lacks the callbacks[] entry's site_id, enqueued_at "
    "and assigned_at"
)
# What a new contacts[] item holds that neither the offer nor the offer.accept ack carries.
ACCEPT_GAP = (
    "the accepted contact's contacts[].contact.enqueued_at, .attempts and .next_attempt_at "
    "are in neither the offer, the offer.accept ack nor any event"
)

CASES = [
    pytest.param(nothing, request_chat, id="customer-requests-chat"),
    pytest.param(offered, decline, id="agent-declines"),
    pytest.param(offered, accept, id="agent-accepts", marks=gap(ACCEPT_GAP)),
    pytest.param(assigned, customer_message, id="customer-message"),
    pytest.param(assigned, agent_message, id="agent-message"),
    pytest.param(assigned, agent_note, id="agent-note"),
    pytest.param(nothing, presence("away"), id="presence-away"),
    pytest.param(away, presence("available"), id="presence-available"),
    pytest.param(offered, customer_cancel_offered, id="customer-cancels-offered"),
    pytest.param(queued_while_away, customer_cancel, id="customer-cancels-queued"),
    pytest.param(assigned, agent_end, id="agent-ends-contact"),
    pytest.param(assigned, agent_transfers_to_queue, id="agent-transfers-to-queue"),
    pytest.param(
        nothing,
        request_callback_later,
        id="customer-requests-callback-later",
        marks=gap(CALLBACK_ENTRY_GAP),
    ),
    pytest.param(
        nothing,
        request_callback_now,
        id="customer-requests-callback-now",
        marks=gap(
            f"{CALLBACK_ENTRY_GAP}; and the callback offered to Ada changes its callbacks[] "
            "entry to state 'offered' with her agent_id, which no event tells any console "
            "(Ada gets only the offer, Sue nothing)"
        ),
    ),
    pytest.param(
        callback_offered,
        accept,
        id="agent-accepts-callback",
        marks=gap(
            f"{ACCEPT_GAP}; and the callbacks[] entry's state becomes 'assigned' and its "
            "assigned_at is set, but no callback.updated (or other event) tells any console"
        ),
    ),
    pytest.param(assigned, raise_andon, id="agent-raises-andon"),
    pytest.param(flagged, clear_andon, id="supervisor-clears-andon"),
    pytest.param(callback_assigned, callback_outcome("no_answer"), id="callback-outcome-retry"),
    pytest.param(callback_assigned, callback_outcome("reached"), id="callback-outcome-final"),
    pytest.param(
        assigned,
        identify_name,
        id="customer-identify-name",
        marks=gap(
            "identify with a name changes the assigned agent's contacts[].customer.name, "
            "but no event tells the console"
        ),
    ),
    pytest.param(
        offered,
        identify_name,
        id="customer-identify-name-while-offered",
        marks=gap(
            "identify with a name changes offers[].customer.name of the agent the contact is "
            "offered to, but no event (no fresh offer) tells the console"
        ),
    ),
    pytest.param(
        scheduled_callback,
        identify_name,
        id="customer-identify-name-with-callback",
        marks=gap(
            "identify with a name changes callbacks[].customer.name for every agent, but no "
            "callback.updated (or other event) tells any console"
        ),
    ),
]


async def verify(
    consoles: dict[str, tuple[Console, str]], act: Callable[[], Awaitable[Expect]]
) -> None:
    """Snapshot each console, act, apply what each received, compare with a fresh snapshot.

    ``consoles`` maps a name to the console and whose expectations (an :class:`Expect` field)
    it waits for.
    """
    before = {name: await c.snapshot() for name, (c, _) in consoles.items()}
    expect = await act()
    problems: list[str] = []
    changed = False
    for name, (c, role) in consoles.items():
        old, since = before[name]
        for event, pred in getattr(expect, role):
            await c.wait(event, pred, since)
        fresh, until = await c.snapshot()
        state = old
        for event, p in c.log[since:until]:
            if event.startswith("ack:"):
                state = apply_own(state, event.removeprefix("ack:"), *p)
            else:
                state = apply(state, event, p)
        problems += [f"{name}{d}" for d in differences(comparable(state), comparable(fresh))]
        changed = changed or comparable(old) != comparable(fresh)
    # A case whose action changed no console's snapshot would pass without testing anything.
    assert changed, "the action changed no console's snapshot"
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("setup", "act"), CASES)
async def test_snapshot_plus_events_is_a_fresh_snapshot(
    world: World, setup: Setup, act: Act
) -> None:
    await setup(world)
    await verify({"ada": (world.ada, "ada"), "sue": (world.sue, "sue")}, lambda: act(world))


# The agent's own actions, seen from another tab of the same agent ("an agent with several
# tabs is one agent"): that tab made no request, so it has only the events to go by.
PRESENCE_GAP = (
    "presence: the agent's own sockets get no presence event for a change made from one of "
    "them, so another tab's agent.status stays stale"
)
TAB_CASES = [
    pytest.param(
        offered,
        decline,
        id="agent-declines",
        marks=gap(
            "offer.decline: the agent's other tabs get no offer.revoked, so the declined offer "
            "stays in their offers[]"
        ),
    ),
    pytest.param(
        offered,
        accept,
        id="agent-accepts",
        marks=gap(
            "offer.accept: the agent's other tabs get no offer.revoked (reason taken), so the "
            "offer stays in their offers[], and no contacts[] item (contact, customer, events): "
            "only the contact.assigned timeline event, for a conversation they hold no item for"
        ),
    ),
    pytest.param(assigned, agent_message, id="agent-message"),
    pytest.param(assigned, agent_note, id="agent-note"),
    pytest.param(nothing, presence("away"), id="presence-away", marks=gap(PRESENCE_GAP)),
    pytest.param(away, presence("available"), id="presence-available", marks=gap(PRESENCE_GAP)),
    pytest.param(assigned, agent_end, id="agent-ends-contact"),
    pytest.param(callback_assigned, callback_outcome("no_answer"), id="callback-outcome-retry"),
    pytest.param(callback_assigned, callback_outcome("reached"), id="callback-outcome-final"),
]


@pytest.mark.parametrize(("setup", "act"), TAB_CASES)
async def test_another_tab_of_the_agent_follows(world: World, setup: Setup, act: Act) -> None:
    tab = await console(world.server.url, ADA, available=False)
    world.opened.append(tab)
    await setup(world)
    await verify({"tab": (tab, "ada")}, lambda: act(world))
