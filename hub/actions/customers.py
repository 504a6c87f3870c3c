"""What agents may read of a customer: the profile and its conversations."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from hub import types
from hub.actions.context import Hub
from hub.errors import Forbidden, NotFound
from hub.store import queries, search

ID = TypeAdapter(types.Id)


def is_id(customer_id: str) -> bool:
    """Whether this could be a customer's id. Other text is not looked up: it names no one,
    and the database need not be shown what it cannot hold (a NUL, in PostgreSQL)."""
    try:
        ID.validate_python(customer_id)
    except ValidationError:
        return False
    return True


async def customer_profile(conn: AsyncConnection, customer_id: str) -> dict[str, Any]:
    row = await queries.customer(conn, customer_id)
    if row is None or row["erased_at"] is not None:
        raise NotFound("no such customer")
    return {
        "id": row["id"],
        "name": row["name"],
        "page": row["page"],
        "identifiers": await queries.identifiers_of(conn, customer_id),
        "conversations": [
            {
                "id": c["id"],
                "last_seq": c["last_seq"],
                "created_at": c["created_at"],
                "updated_at": c["updated_at"],
            }
            for c in await queries.conversations_of(conn, customer_id)
        ],
    }


async def _check_reader(conn: AsyncConnection, agent: dict[str, Any], customer_id: str) -> None:
    if agent["role"] not in (
        "supervisor",
        "admin",
    ) and not await queries.agent_may_read_customer(conn, agent["id"], customer_id):
        raise Forbidden("this customer is not one of your sites'")


async def read_customer(hub: Hub, agent: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """A customer's profile, for an agent of the customer's site, a supervisor or an admin
    (DESIGN §7)."""
    if not is_id(customer_id):
        raise NotFound("no such customer")
    async with hub.db.connect() as conn:
        await _check_reader(conn, agent, customer_id)
        profile = await customer_profile(conn, customer_id)
    return {**profile, **hub.live.customer_presence(customer_id)}


async def customer_contacts(hub: Hub, agent: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """The customer's contacts, newest first: channel, dates, the agent, the wrap-up (reason,
    resolved) and the survey's answer, for whoever may read the profile."""
    if not is_id(customer_id):
        raise NotFound("no such customer")
    async with hub.db.connect() as conn:
        await _check_reader(conn, agent, customer_id)
        row = await queries.customer(conn, customer_id)
        if row is None or row["erased_at"] is not None:
            raise NotFound("no such customer")
        rows = await search.contacts_of(conn, [customer_id])
    return {
        "contacts": [
            {
                "id": c["id"],
                "conversation_id": c["conversation_id"],
                "channel": c["channel"],
                "state": c["state"],
                "enqueued_at": c["enqueued_at"],
                "ended_at": c["ended_at"],
                "end_reason": c["end_reason"],
                "reason": c["reason"],
                "resolved": c["resolved"],
                "outcome": c["outcome"],
                "product": c["product"],
                "agent_name": c["agent_name"],
                "survey": None
                if c["survey_resolved"] is None
                else {"resolved": c["survey_resolved"], "effort": c["survey_effort"]},
            }
            for c in rows
        ]
    }
