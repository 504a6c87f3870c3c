"""Search: customers by name and identifiers, messages by their words, and a customer's contacts.

The messages' index is made by migration 0021 and kept by the database itself: on SQLite an
FTS5 table that a trigger on ``events`` fills as events are inserted (so the writer's batches
pay one more insert each, inside the database, and no Python), on PostgreSQL a GIN index on the
text's ``tsvector``. An erasure empties the SQLite table of the customer's conversations
(:func:`forget`); on PostgreSQL the redacted events simply have no text left to index.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, literal_column, or_, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.store.schema import agents, contacts, conversations, customers, identifiers, sites

Row = dict[str, Any]

FTS_TABLE = "message_search"
PG_INDEX = "ix_events_message_text"
# What migration 0021 makes that ``hub/store/schema.py`` cannot describe: the FTS5 table and
# its shadow tables (SQLite), the expression index (PostgreSQL).
OUTSIDE_METADATA = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{s}" for s in ("data", "idx", "content", "docsize", "config"))}
    | {PG_INDEX}
)
# Identifiers an agent searches by; a device id is nobody's to type.
SEARCHED_KINDS = ("user_id", "email", "phone")
# The words of a query: letters and digits of any script. Everything else (quotes, FTS5 and
# tsquery operators, the underscore, which both tokenizers split at) separates words, so no
# text can change what the query means.
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 8


def words(q: str) -> list[str]:
    return WORD.findall(q.lower())[:MAX_WORDS]


def _like(q: str) -> str:
    escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def readable_sites(conn: AsyncConnection, agent: Row) -> list[str] | None:
    """The ids of the sites whose customers the agent reads; None: every site."""
    if agent["role"] in ("supervisor", "admin"):
        return None
    listed = (await conn.execute(select(agents.c.sites).where(agents.c.id == agent["id"]))).scalar()
    return None if listed is None else list(listed)


def _in_sites(column: Any, site_ids: list[str] | None) -> Any:
    return True if site_ids is None else column.in_(site_ids)


async def find_customers(
    conn: AsyncConnection, q: str, site_ids: list[str] | None, limit: int
) -> list[Row]:
    """Customers (not erased, not merged away) whose name or a searched identifier holds ``q``,
    case-insensitively: a part of an email or of a phone number finds them too."""
    pattern = _like(q)
    by_identifier = select(identifiers.c.customer_id).where(
        identifiers.c.kind.in_(SEARCHED_KINDS),
        func.lower(identifiers.c.value).like(pattern, escape="\\"),
    )
    rows = await conn.execute(
        select(customers.c.id, customers.c.name, customers.c.created_at, sites.c.key.label("site"))
        .join(sites, sites.c.id == customers.c.site_id)
        .where(
            customers.c.erased_at.is_(None),
            customers.c.merged_into.is_(None),
            _in_sites(customers.c.site_id, site_ids),
            or_(
                func.lower(customers.c.name).like(pattern, escape="\\"),
                customers.c.id.in_(by_identifier),
            ),
        )
        .order_by(customers.c.created_at.desc(), customers.c.id)
        .limit(limit)
    )
    found = [dict(r._mapping) for r in rows]
    if found:
        ids = [r["id"] for r in found]
        held: dict[str, list[Row]] = {i: [] for i in ids}
        for r in await conn.execute(
            select(identifiers.c.customer_id, identifiers.c.kind, identifiers.c.value)
            .where(identifiers.c.customer_id.in_(ids), identifiers.c.kind.in_(SEARCHED_KINDS))
            .order_by(identifiers.c.id)
        ):
            held[r.customer_id].append({"kind": r.kind, "value": r.value})
        for c in found:
            c["identifiers"] = held[c["id"]]
    return found


def _visible() -> Any:
    # A merged-away conversation's events were copied to the one it moved to: found there.
    return and_(
        conversations.c.moved_to.is_(None),
        customers.c.erased_at.is_(None),
    )


async def find_messages(
    conn: AsyncConnection, q: str, site_ids: list[str] | None, limit: int
) -> list[Row]:
    """Messages and notes holding every word of ``q`` (the last one as a prefix), newest first,
    each with a short snippet around the words."""
    found = words(q)
    if not found:
        return []
    base: Select[Any]
    if conn.dialect.name == "sqlite":
        match = " ".join(f'"{w}"*' for w in found)
        hits = (
            select(
                literal_column("message_search.conversation_id").label("conversation_id"),
                literal_column("message_search.seq").label("seq"),
                literal_column("snippet(message_search, 0, '', '', '…', 12)").label("snippet"),
            )
            .select_from(text(FTS_TABLE))
            .where(text("message_search MATCH :match").bindparams(bindparam("match", match)))
            .subquery("hits")
        )
        base = select(hits.c.conversation_id, hits.c.seq, hits.c.snippet).select_from(
            hits.join(conversations, conversations.c.id == hits.c.conversation_id)
        )
    else:
        query = " & ".join(f"{w}:*" for w in found)
        tsquery = func.to_tsquery(literal_column("'simple'"), bindparam("tsq", query))
        # Written as the index's expression is, so that the planner uses the index.
        body: Any = literal_column("events.data ->> 'text'")
        base = (
            select(
                literal_column("events.conversation_id").label("conversation_id"),
                literal_column("events.seq").label("seq"),
                func.ts_headline(
                    literal_column("'simple'"),
                    body,
                    tsquery,
                    literal_column('\'StartSel="", StopSel="", MaxWords=14, MinWords=6\''),
                ).label("snippet"),
            )
            .select_from(text("events"))
            .join(conversations, conversations.c.id == literal_column("events.conversation_id"))
            .where(
                text("events.type IN ('message', 'note')"),
                func.to_tsvector(literal_column("'simple'"), body).op("@@")(tsquery),
            )
        )
    rows = await conn.execute(
        base.add_columns(
            conversations.c.customer_id,
            customers.c.name.label("customer_name"),
            sites.c.key.label("site"),
        )
        .join(customers, customers.c.id == conversations.c.customer_id)
        .join(sites, sites.c.id == conversations.c.site_id)
        .where(_visible(), _in_sites(conversations.c.site_id, site_ids))
        .order_by(conversations.c.updated_at.desc(), literal_column("seq").desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


async def forget(conn: AsyncConnection, conversation_ids: list[str]) -> None:
    """Take these conversations' text out of the index (an erasure)."""
    if conn.dialect.name != "sqlite" or not conversation_ids:
        return
    marks = ", ".join(f":c{i}" for i in range(len(conversation_ids)))
    await conn.execute(
        text(f"DELETE FROM {FTS_TABLE} WHERE conversation_id IN ({marks})"),
        {f"c{i}": c for i, c in enumerate(conversation_ids)},
    )


async def contacts_of(conn: AsyncConnection, customer_ids: list[str]) -> list[Row]:
    """A customer's contacts, newest first, with who took them and how they ended."""
    rows = await conn.execute(
        select(
            contacts.c.id,
            contacts.c.conversation_id,
            contacts.c.channel,
            contacts.c.state,
            contacts.c.enqueued_at,
            contacts.c.ended_at,
            contacts.c.end_reason,
            contacts.c.reason,
            contacts.c.resolved,
            contacts.c.outcome,
            contacts.c.product,
            contacts.c.survey_resolved,
            contacts.c.survey_effort,
            agents.c.name.label("agent_name"),
        )
        .outerjoin(agents, agents.c.id == contacts.c.agent_id)
        .where(contacts.c.customer_id.in_(customer_ids))
        .order_by(contacts.c.enqueued_at.desc(), contacts.c.id)
        .limit(200)
    )
    return [dict(r._mapping) for r in rows]
