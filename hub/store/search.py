"""Search: customers by name and identifiers, messages by their words, and a customer's contacts.

The messages' index is made by migration 0012 and kept by the database itself: on SQLite an
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
# What migration 0012 makes that ``hub/store/schema.py`` cannot describe: the FTS5 table and
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
    if conn.dialect.name == "sqlite":
        return await _sqlite_messages(conn, found, site_ids, limit)
    return await _pg_messages(conn, found, site_ids, limit)


def _readable(query: Select[Any], site_ids: list[str] | None) -> Select[Any]:
    """The hits' conversations, customers and sites, less what the agent may not see."""
    return (
        query.add_columns(
            conversations.c.customer_id,
            customers.c.name.label("customer_name"),
            sites.c.key.label("site"),
        )
        .join(customers, customers.c.id == conversations.c.customer_id)
        .join(sites, sites.c.id == conversations.c.site_id)
        .where(_visible(), _in_sites(conversations.c.site_id, site_ids))
    )


# SQLite walks the index newest first (its rowid is the order of insertion), a page at a time,
# until it has ``limit`` hits the agent may read: a common word does not make it join and sort
# every message that holds it. At most PAGES pages: an agent of one small site searching for a
# word of every site's messages gets the hits among the newest PAGE * PAGES.
PAGE = 200
PAGES = 10


async def _sqlite_messages(
    conn: AsyncConnection, found: list[str], site_ids: list[str] | None, limit: int
) -> list[Row]:
    # Every word, the last one also as a prefix (the agent may still be typing it).
    match = " ".join([*(f'"{w}"' for w in found[:-1]), f'"{found[-1]}"*'])
    out: list[Row] = []
    before = None
    for _ in range(PAGES):
        page = (
            await conn.execute(
                text(
                    "SELECT rowid, conversation_id, seq FROM message_search"
                    " WHERE message_search MATCH :match AND rowid < :before"
                    " ORDER BY rowid DESC LIMIT :page"
                ),
                {"match": match, "before": 2**63 - 1 if before is None else before, "page": PAGE},
            )
        ).all()
        if not page:
            break
        readable = {
            r.id: r
            for r in await conn.execute(
                _readable(select(conversations.c.id), site_ids).where(
                    conversations.c.id.in_({r.conversation_id for r in page})
                )
            )
        }
        for rid, conversation_id, seq in page:
            conv = readable.get(conversation_id)
            if conv is not None:
                out.append(
                    {
                        "rid": rid,
                        "conversation_id": conversation_id,
                        "seq": seq,
                        "customer_id": conv.customer_id,
                        "customer_name": conv.customer_name,
                        "site": conv.site,
                    }
                )
        if len(out) >= limit or len(page) < PAGE:
            break
        before = page[-1].rowid
    out = out[:limit]
    if out:
        # Snippets only for what is shown.
        snippets = await conn.execute(
            text(
                "SELECT rowid, snippet(message_search, 0, '', '', '…', 12) FROM message_search"
                " WHERE message_search MATCH :match AND rowid IN :rids"
            ).bindparams(bindparam("rids", expanding=True)),
            {"match": match, "rids": [r["rid"] for r in out]},
        )
        by_rid: dict[int, str] = {r[0]: r[1] for r in snippets}
        for r in out:
            r["snippet"] = by_rid.get(r.pop("rid"), "")
    return out


async def _pg_messages(
    conn: AsyncConnection, found: list[str], site_ids: list[str] | None, limit: int
) -> list[Row]:
    query = " & ".join([*found[:-1], f"{found[-1]}:*"])
    tsquery = func.to_tsquery(literal_column("'simple'"), bindparam("tsq", query))
    # Written as the index's expression is, so that the planner uses the index.
    body: Any = literal_column("events.data ->> 'text'")
    hits = (
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
        _readable(hits, site_ids).order_by(literal_column("events.ts").desc()).limit(limit)
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
