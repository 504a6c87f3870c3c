"""Mayday actions: signalling, screen view, pause, drawing and media milestones of video contacts.

Media flows peer to peer between the agent's and the customer's browsers (or the Python SDK);
the hub only relays signalling and co-browsing events between the contact's own two parties and
keeps the facts: strokes are timeline events, milestones are contact events.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from hub import types
from hub.actions.context import Hub
from hub.core import routing, turn
from hub.errors import Forbidden, Invalid, NotFound, RateLimited
from hub.live import ContactMeta, Share
from hub.store import queries
from hub.store.timeline import append_event, event_payload
from hub.types import AgentSession, Visitor

# What the hub keeps of a shared page until the agent joins: everything since the last full
# snapshot, up to this many bytes (beyond it the widget is asked for a fresh snapshot).
MAX_BUFFER_BYTES = 4 * 1024 * 1024
MAX_BATCH_BYTES = 200 * 1024
RRWEB_FULL_SNAPSHOT = 2
RRWEB_META = 4

# The milestones the reports count, kept on the contact too (its first time of each).
REPORTED = {"connected": "media_connected_at", "first_frame": "first_frame_at"}

MILESTONES = {
    "connected": "media_connected",
    "first_frame": "first_frame",
    "failed": "media_failed",
    "disconnected": "media_disconnected",
}


# who may take part


def _video_contact(hub: Hub, contact_id: str) -> tuple[ContactMeta, routing.Contact]:
    meta = hub.live.meta.get(contact_id)
    contact = hub.live.engine.contacts.get(contact_id)
    if meta is None or contact is None:
        raise NotFound("no such live contact")
    if meta.channel != "video":
        raise Forbidden("this contact is not a video contact")
    return meta, contact


def check_customer(
    hub: Hub, visitor: Visitor, contact_id: str, *, assigned: bool
) -> tuple[ContactMeta, routing.Contact]:
    meta, contact = _video_contact(hub, contact_id)
    if meta.customer_id != visitor.customer_id:
        raise Forbidden("this video contact is not yours")
    if assigned and contact.state != "assigned":
        raise Forbidden("no agent has joined this video contact yet")
    return meta, contact


def check_joined(hub: Hub, visitor: Visitor, contact_id: str) -> tuple[ContactMeta, str]:
    """The customer's video contact with its agent: the meta and the agent's id."""
    meta, contact = check_customer(hub, visitor, contact_id, assigned=True)
    if contact.agent_id is None:  # assigned contacts always have their agent
        raise Forbidden("no agent has joined this video contact yet")
    return meta, contact.agent_id


def check_agent(
    hub: Hub, session: AgentSession, contact_id: str
) -> tuple[ContactMeta, routing.Contact]:
    meta, contact = _video_contact(hub, contact_id)
    if contact.state != "assigned" or contact.agent_id != session.id:
        raise Forbidden("this video contact is not assigned to you")
    return meta, contact


# on assignment


def rtc_config(hub: Hub, contact_id: str, **extra: Any) -> dict[str, Any]:
    """The ICE servers for one sending: the static ones, then TURN credentials minted now."""
    config = hub.config
    servers: list[Mapping[str, Any]] = list(config.ice_servers)
    if config.turn_urls:
        servers.append(
            turn.ice_server(
                config.turn_secret,
                config.turn_urls,
                contact_id,
                now=hub.clock(),
                ttl_s=config.turn_ttl_s,
            )
        )
    return {"contact_id": contact_id, "ice_servers": servers, **extra}


async def joined(hub: Hub, contact_id: str, agent_id: str, customer_id: str) -> None:
    """Tell both sides how to connect, and show the agent the page as it is now."""
    notify = hub.notify
    await notify.to_customer(customer_id, "rtc.config", rtc_config(hub, contact_id))
    await notify.to_agent(agent_id, "rtc.config", rtc_config(hub, contact_id))
    share = hub.live.share(contact_id)
    await notify.to_agent(
        agent_id, "share.state", {"contact_id": contact_id, "paused": share.paused}
    )
    if share.buffer and not share.paused:
        await _send_chunked(hub, agent_id, contact_id, share.buffer)
    else:
        # Nothing buffered (or too much was dropped): ask the widget for a full snapshot.
        await notify.to_customer(customer_id, "cobrowse.snapshot", {"contact_id": contact_id})


async def _rejoined(
    hub: Hub, contact_id: str, sender: str, agent_id: str, customer_id: str
) -> bool:
    """One side reloaded: both rebuild their peer connection, the agent's replay restarts.

    ``rtc.config`` with ``rejoin`` tells the agent to drop its old peer connection (if any)
    and make a fresh offer, and the customer to answer it with a new one. Returns whether
    sharing is paused, so a reloaded widget can show it.
    """
    notify = hub.notify
    async with hub.tx() as conn:
        await queries.log_contact_event(
            conn, contact_id, "media_rejoined", hub.clock(), data={"from": sender}
        )
    again = {"rejoin": True, "from": sender}
    # The customer first: the agent's fresh offer must find the customer already reset.
    await notify.to_customer(customer_id, "rtc.config", rtc_config(hub, contact_id, **again))
    await notify.to_agent(agent_id, "rtc.config", rtc_config(hub, contact_id, **again))
    share = hub.live.share(contact_id)
    await notify.to_agent(
        agent_id, "share.state", {"contact_id": contact_id, "paused": share.paused}
    )
    if not share.paused:
        await notify.to_customer(customer_id, "cobrowse.snapshot", {"contact_id": contact_id})
    return share.paused


async def _send_chunked(
    hub: Hub, agent_id: str, contact_id: str, events: list[dict[str, Any]]
) -> None:
    """Relay events in batches of at most 200 KB; one event bigger than that as chunks."""
    chunk: list[dict[str, Any]] = []
    size = 0
    for ev in events:
        n = len(json.dumps(ev, separators=(",", ":")))
        if chunk and size + n > MAX_BATCH_BYTES:
            await hub.notify.to_agent(
                agent_id, "cobrowse.events", {"contact_id": contact_id, "events": chunk}
            )
            chunk, size = [], 0
        if n > MAX_BATCH_BYTES:
            await _relay_chunks(hub, agent_id, contact_id, [ev])
            continue
        chunk.append(ev)
        size += n
    if chunk:
        await hub.notify.to_agent(
            agent_id, "cobrowse.events", {"contact_id": contact_id, "events": chunk}
        )


async def _relay_chunks(
    hub: Hub, agent_id: str, contact_id: str, events: list[dict[str, Any]]
) -> None:
    """The agent gets a big batch as ``cobrowse.chunk`` slices too: no message over 200 KB."""
    text = json.dumps(events, separators=(",", ":"))  # ASCII only: any slice is valid text
    step = types.MAX_CHUNK_CHARS
    count = -(-len(text) // step)
    batch_id = uuid.uuid4().hex
    for index in range(count):
        await hub.notify.to_agent(
            agent_id,
            "cobrowse.chunk",
            {
                "contact_id": contact_id,
                "batch_id": batch_id,
                "index": index,
                "count": count,
                "data": text[index * step : (index + 1) * step],
            },
        )


# customer side


async def customer_signal(hub: Hub, visitor: Visitor, p: types.RtcSignal) -> dict[str, Any]:
    _meta, agent_id = check_joined(hub, visitor, p.contact_id)
    await hub.notify.to_agent(agent_id, "rtc.signal", relayed(p, "customer"))
    return {"ok": True}


async def agent_signal(hub: Hub, session: AgentSession, p: types.RtcSignal) -> dict[str, Any]:
    meta, _contact = check_agent(hub, session, p.contact_id)
    await hub.notify.to_customer(meta.customer_id, "rtc.signal", relayed(p, "agent"))
    return {"ok": True}


async def customer_rejoin(hub: Hub, visitor: Visitor, p: types.ContactRef) -> dict[str, Any]:
    meta, agent_id = check_joined(hub, visitor, p.contact_id)
    paused = await _rejoined(hub, p.contact_id, "customer", agent_id, meta.customer_id)
    return {"ok": True, "paused": paused}


async def agent_rejoin(hub: Hub, session: AgentSession, p: types.ContactRef) -> dict[str, Any]:
    meta, _contact = check_agent(hub, session, p.contact_id)
    paused = await _rejoined(hub, p.contact_id, "agent", session.id, meta.customer_id)
    return {"ok": True, "paused": paused}


def relayed(p: types.RtcSignal, sender: str) -> dict[str, Any]:
    out: dict[str, Any] = {"contact_id": p.contact_id, "from": sender}
    if p.description is not None:
        out["description"] = p.description.model_dump()
    if "candidate" in p.model_fields_set:
        out["candidate"] = p.candidate.model_dump() if p.candidate is not None else None
    if p.restart:
        out["restart"] = True
    return out


async def cobrowse_events(hub: Hub, visitor: Visitor, p: types.Cobrowse) -> dict[str, Any]:
    _meta, contact = check_customer(hub, visitor, p.contact_id, assigned=False)
    share = hub.live.share(p.contact_id)
    if share.paused:
        # Paused by the customer: nothing of the page leaves the hub, not even buffered.
        return {"ok": True, "paused": True}
    size = len(json.dumps(p.events, separators=(",", ":")))
    if size > MAX_BATCH_BYTES:
        raise Invalid(f"events: a batch is at most {MAX_BATCH_BYTES // 1024} KB; send smaller ones")
    return await _take_batch(hub, share, contact, p.contact_id, list(p.events), size)


async def cobrowse_chunk(hub: Hub, visitor: Visitor, p: types.CobrowseChunk) -> dict[str, Any]:
    """One slice of a batch too big for ``cobrowse.events``; the last one completes it.

    Slices come in order. The hub keeps the one batch being assembled (a new index 0 drops an
    unfinished one), at most ``cobrowse_max_bytes`` of it; a refused slice changes nothing.
    """
    _meta, contact = check_customer(hub, visitor, p.contact_id, assigned=False)
    share = hub.live.share(p.contact_id)
    if share.paused:
        return {"ok": True, "paused": True}
    cap = hub.config.cobrowse_max_bytes
    if p.index == 0:
        if len(p.data) > cap:
            raise Invalid(f"data: a batch is at most {cap} bytes", code="too_large")
        share.chunk_id, share.chunk_count = p.batch_id, p.count
        share.chunks, share.chunk_bytes = [p.data], len(p.data)
    else:
        if share.chunk_id != p.batch_id:
            raise Invalid(
                "index: this batch was not started (send index 0 first)", code="out_of_order"
            )
        if p.count != share.chunk_count:
            raise Invalid(f"count: this batch has {share.chunk_count} chunks")
        if p.index != len(share.chunks):
            raise Invalid(f"index: expected chunk {len(share.chunks)}", code="out_of_order")
        if share.chunk_bytes + len(p.data) > cap:
            raise Invalid(f"data: a batch is at most {cap} bytes", code="too_large")
        share.chunks.append(p.data)
        share.chunk_bytes += len(p.data)
    if len(share.chunks) < share.chunk_count:
        return {"ok": True, "received": len(share.chunks)}
    text = "".join(share.chunks)
    _drop_chunks(share)
    events = types.parse(types.Cobrowse, {"contact_id": p.contact_id, "events": _events_of(text)})
    size = len(json.dumps(events.events, separators=(",", ":")))
    return await _take_batch(hub, share, contact, p.contact_id, list(events.events), size)


def _events_of(text: str) -> Any:
    def constant(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(text, parse_constant=constant)
    except ValueError:
        raise Invalid("data: the chunks are not the JSON of an events list") from None


def _drop_chunks(share: Share) -> None:
    share.chunk_id, share.chunk_count, share.chunks, share.chunk_bytes = None, 0, [], 0


async def _take_batch(
    hub: Hub,
    share: Share,
    contact: routing.Contact,
    contact_id: str,
    events: list[dict[str, Any]],
    size: int,
) -> dict[str, Any]:
    """Keep a batch for a viewer who joins later, and relay it to the agent if there is one."""
    if any(ev.get("type") == RRWEB_FULL_SNAPSHOT for ev in events):
        # A full snapshot makes everything before it useless to a viewer who joins later.
        start = max(i for i, ev in enumerate(events) if ev.get("type") == RRWEB_FULL_SNAPSHOT)
        if start > 0 and events[start - 1].get("type") == RRWEB_META:
            start -= 1
        share.buffer = events[start:]
        share.buffered_bytes = size
    elif share.buffered_bytes + size <= MAX_BUFFER_BYTES:
        share.buffer.extend(events)
        share.buffered_bytes += size
    else:
        share.buffer.clear()
        share.buffered_bytes = MAX_BUFFER_BYTES + 1  # wait for the next full snapshot
    if contact.state == "assigned" and contact.agent_id:
        await _send_chunked(hub, contact.agent_id, contact_id, events)
        return {"ok": True, "delivered": True}
    return {"ok": True, "delivered": False}


async def _set_paused(hub: Hub, visitor: Visitor, contact_id: str, paused: bool) -> dict[str, Any]:
    _meta, contact = check_customer(hub, visitor, contact_id, assigned=False)
    share = hub.live.share(contact_id)
    share.paused = paused
    if paused:
        share.buffer.clear()
        share.buffered_bytes = 0
        _drop_chunks(share)
    async with hub.tx() as conn:
        await queries.log_contact_event(
            conn, contact_id, "share_paused" if paused else "share_resumed", hub.clock()
        )
    if contact.state == "assigned" and contact.agent_id:
        await hub.notify.to_agent(
            contact.agent_id, "share.state", {"contact_id": contact_id, "paused": paused}
        )
    if not paused:
        await hub.notify.to_customer(
            visitor.customer_id, "cobrowse.snapshot", {"contact_id": contact_id}
        )
    return {"ok": True, "paused": paused}


async def share_pause(hub: Hub, visitor: Visitor, p: types.ContactRef) -> dict[str, Any]:
    return await _set_paused(hub, visitor, p.contact_id, True)


async def share_resume(hub: Hub, visitor: Visitor, p: types.ContactRef) -> dict[str, Any]:
    return await _set_paused(hub, visitor, p.contact_id, False)


async def _milestone(
    hub: Hub, contact_id: str, sender: str, p: types.RtcState, other: tuple[str, str]
) -> dict[str, Any]:
    now = hub.clock()
    events = []
    async with hub.tx() as conn:
        await queries.log_contact_event(
            conn, contact_id, MILESTONES[p.state], now, data={"from": sender, "detail": p.detail}
        )
        if p.state in REPORTED:
            await queries.first_milestone(conn, contact_id, REPORTED[p.state], now)
        if p.state == "failed":
            # Media could not connect: the conversation goes on as chat, and both sides are
            # told why in the timeline.
            meta = hub.live.meta[contact_id]
            row, _ = await append_event(
                conn,
                conversation_id=meta.conversation_id,
                type="video.failed",
                data={
                    "contact_id": contact_id,
                    "from": sender,
                    "reason": p.detail or "media could not connect",
                },
                now=now,
            )
            events.append(event_payload(row))
    for ev in events:
        await hub.notify.publish_event(ev)
    kind, target = other
    payload = {"contact_id": contact_id, "from": sender, "state": p.state, "detail": p.detail}
    if kind == "agent":
        await hub.notify.to_agent(target, "rtc.state", payload)
    else:
        await hub.notify.to_customer(target, "rtc.state", payload)
    return {"ok": True}


async def customer_rtc_state(hub: Hub, visitor: Visitor, p: types.RtcState) -> dict[str, Any]:
    _meta, agent_id = check_joined(hub, visitor, p.contact_id)
    return await _milestone(hub, p.contact_id, "customer", p, ("agent", agent_id))


async def agent_rtc_state(hub: Hub, session: AgentSession, p: types.RtcState) -> dict[str, Any]:
    meta, _contact = check_agent(hub, session, p.contact_id)
    return await _milestone(hub, p.contact_id, "agent", p, ("customer", meta.customer_id))


# agent side: the live laser pointer


async def laser_move(hub: Hub, session: AgentSession, p: types.LaserMove) -> dict[str, Any]:
    """Relay where the agent's laser is to the shopper; nothing is stored (the stroke is)."""
    meta, _contact = check_agent(hub, session, p.contact_id)
    if hub.live.share(p.contact_id).paused:
        return {"ok": True, "paused": True}
    out: dict[str, Any] = {"contact_id": p.contact_id, "x": p.x, "y": p.y}
    if p.color is not None:
        out["color"] = p.color
    await hub.notify.to_customer(meta.customer_id, "laser.move", out)
    return {"ok": True}


async def laser_end(hub: Hub, session: AgentSession, p: types.ContactRef) -> dict[str, Any]:
    meta, _contact = check_agent(hub, session, p.contact_id)
    await hub.notify.to_customer(meta.customer_id, "laser.end", {"contact_id": p.contact_id})
    return {"ok": True}


# agent side: drawing


async def annotation_draw(
    hub: Hub, session: AgentSession, p: types.AnnotationDraw
) -> dict[str, Any]:
    meta, _contact = check_agent(hub, session, p.contact_id)
    share = hub.live.share(p.contact_id)
    if not share.strokes.allow(hub.clock()):
        raise RateLimited("too many strokes; slow down")
    stroke = p.stroke.model_dump(exclude_none=True)
    return await _timeline(
        hub,
        session,
        meta.conversation_id,
        "annotation",
        {"contact_id": p.contact_id, "stroke": stroke},
    )


async def annotation_clear(hub: Hub, session: AgentSession, p: types.ContactRef) -> dict[str, Any]:
    meta, _contact = check_agent(hub, session, p.contact_id)
    return await _timeline(
        hub, session, meta.conversation_id, "annotation.clear", {"contact_id": p.contact_id}
    )


async def _timeline(
    hub: Hub, session: AgentSession, conversation_id: str, type: str, data: dict[str, Any]
) -> dict[str, Any]:
    async with hub.tx() as conn:
        row, _ = await append_event(
            conn,
            conversation_id=conversation_id,
            type=type,
            data=data,
            now=hub.clock(),
            author=session.author,
        )
    await hub.notify.publish_event(event_payload(row))
    return {"ok": True, "seq": row["seq"]}
