"""The conversation's timeline: messages, notes, history and typing."""

from __future__ import annotations

from typing import Any

from hub import types
from hub.actions.context import Hub
from hub.core.files import linked
from hub.errors import (
    Forbidden,
)
from hub.store import queries
from hub.store.timeline import event_payload, list_events
from hub.types import AgentSession, Visitor


async def send_message(
    hub: Hub,
    conversation_id: str,
    author: dict[str, Any],
    client_id: str,
    text: str,
    *,
    type: str = "message",
    visibility: str = "all",
) -> dict[str, Any]:
    """Store a message once per (author, client_id), then publish it; ack with its seq."""
    key = f"{author['role']}:{author['id']}:{client_id}"
    row, new = await hub.writer.append(
        conversation_id=conversation_id,
        type=type,
        data={"text": text, "client_id": client_id},
        now=hub.clock(),
        author=author,
        visibility=visibility,
        client_key=key,
    )
    if new:
        hub.metrics.messages.labels(author["role"]).inc()
        await hub.notify.publish_event(event_payload(row))
    return {"ok": True, "seq": row["seq"]}


def with_links(hub: Hub, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events as they are sent: each attachment with a fresh signed link to its file."""
    now = hub.clock()
    return [linked(e, hub.config.files_secret, now) for e in events]


async def customer_message(hub: Hub, visitor: Visitor, p: types.MessageSend) -> dict[str, Any]:
    await _check_customer_conversation(hub, visitor, p.conversation_id)
    return await send_message(hub, p.conversation_id, visitor.author, p.client_id, p.text)


async def _check_customer_conversation(hub: Hub, visitor: Visitor, conversation_id: str) -> None:
    if conversation_id == visitor.conversation_id:
        return
    async with hub.db.connect() as conn:
        conv = await queries.conversation(conn, conversation_id)
    # The same answer whether it does not exist or is someone else's: nothing leaks.
    if conv is None or conv["customer_id"] != visitor.customer_id:
        raise Forbidden("this conversation is not yours")


async def customer_history(hub: Hub, visitor: Visitor, p: types.History) -> dict[str, Any]:
    await _check_customer_conversation(hub, visitor, p.conversation_id)
    async with hub.db.connect() as conn:
        events = await list_events(conn, p.conversation_id, p.after_seq, include_private=False)
    return {"ok": True, "events": with_links(hub, events)}


async def customer_typing(hub: Hub, visitor: Visitor, p: types.Typing) -> dict[str, Any]:
    await _check_customer_conversation(hub, visitor, p.conversation_id)
    await hub.notify.to_conversation_agents(
        p.conversation_id,
        "typing",
        {"conversation_id": p.conversation_id, "role": "customer", "typing": p.typing},
    )
    return {"ok": True}


async def _check_agent_conversation(
    hub: Hub, session: AgentSession, conversation_id: str, *, write: bool
) -> None:
    """An agent writes in the conversations assigned to them, and reads every conversation of
    the sites they serve; supervisors and admins read every one (DESIGN §7)."""
    async with hub.db.connect() as conn:
        if await queries.agent_holds(conn, session.id, conversation_id):
            return
        if not write and (
            await queries.conversation(conn, conversation_id)
            if session.is_supervisor
            else await queries.agent_may_read(conn, session.id, conversation_id)
        ):
            return
    if write:
        raise Forbidden("this conversation is not assigned to you")
    raise Forbidden("this conversation is not one of your sites'")


async def agent_message(hub: Hub, session: AgentSession, p: types.MessageSend) -> dict[str, Any]:
    await _check_agent_conversation(hub, session, p.conversation_id, write=True)
    return await send_message(hub, p.conversation_id, session.author, p.client_id, p.text)


async def add_note(hub: Hub, session: AgentSession, p: types.NoteAdd) -> dict[str, Any]:
    await _check_agent_conversation(hub, session, p.conversation_id, write=True)
    return await send_message(
        hub,
        p.conversation_id,
        session.author,
        p.client_id,
        p.text,
        type="note",
        visibility="agents",
    )


async def agent_history(hub: Hub, session: AgentSession, p: types.History) -> dict[str, Any]:
    await _check_agent_conversation(hub, session, p.conversation_id, write=False)
    async with hub.db.connect() as conn:
        events = await list_events(conn, p.conversation_id, p.after_seq, include_private=True)
    return {"ok": True, "events": with_links(hub, events)}


async def agent_typing(hub: Hub, session: AgentSession, p: types.Typing) -> dict[str, Any]:
    await _check_agent_conversation(hub, session, p.conversation_id, write=True)
    await hub.notify.to_conversation_customers(
        p.conversation_id,
        "typing",
        {"conversation_id": p.conversation_id, "role": "agent", "typing": p.typing},
    )
    return {"ok": True}


# The same checks for the other actions on a conversation (hub.actions.files).
check_customer_conversation = _check_customer_conversation
check_agent_conversation = _check_agent_conversation
