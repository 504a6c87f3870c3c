"""Reads and writes, each on a connection the caller holds inside its transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, Table, and_, func, insert, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.core.credentials import new_id
from hub.store.schema import (
    agent_status_log,
    agent_tokens,
    agents,
    contact_events,
    contacts,
    conversations,
    customers,
    flags,
    identifiers,
    orders,
    sites,
    surveys,
    visitor_tokens,
)

Row = dict[str, Any]

DEFAULT_SITE_SETTINGS: dict[str, Any] = {
    "channels": ["chat", "callback", "video"],
    "canned_responses": [
        {"title": "Greeting", "text": "Hello! How can I help you today?"},
        {"title": "One moment", "text": "Thank you, let me check that for you."},
        {"title": "Goodbye", "text": "Is there anything else I can do for you?"},
    ],
    "contact_reasons": ["Order status", "Payment", "Product question", "Returns", "Other"],
}


def _row(r: Any) -> Row | None:
    return dict(r._mapping) if r is not None else None


# sites


async def add_site(
    conn: AsyncConnection,
    *,
    key: str,
    secret: str,
    name: str,
    origins: list[str] | None,
    identity_mode: str,
    settings: Mapping[str, Any] | None,
    now: float,
) -> str:
    site_id = new_id()
    await conn.execute(
        insert(sites).values(
            id=site_id,
            key=key,
            secret=secret,
            name=name,
            origins=origins,
            identity_mode=identity_mode,
            settings={**DEFAULT_SITE_SETTINGS, **(settings or {})},
            created_at=now,
        )
    )
    return site_id


async def site_by_key(conn: AsyncConnection, key: str) -> Row | None:
    return _row((await conn.execute(select(sites).where(sites.c.key == key))).first())


async def site_by_id(conn: AsyncConnection, site_id: str) -> Row | None:
    return _row((await conn.execute(select(sites).where(sites.c.id == site_id))).first())


async def update_site(conn: AsyncConnection, site_id: str, **values: Any) -> None:
    await conn.execute(update(sites).where(sites.c.id == site_id).values(**values))


# customers and identity


async def create_customer(conn: AsyncConnection, site_id: str, now: float) -> str:
    customer_id = new_id()
    await conn.execute(insert(customers).values(id=customer_id, site_id=site_id, created_at=now))
    return customer_id


async def store_visitor(
    conn: AsyncConnection,
    *,
    site_id: str,
    customer_id: str,
    token_hash: str,
    page: dict[str, Any] | None,
    now: float,
) -> None:
    """Write a visitor's customer and token the first time they matter (idempotent).

    Another socket of the same browser, in this process or another, may have written them
    first: then both inserts do nothing.
    """
    await conn.execute(
        _insert_new(conn, customers).values(
            id=customer_id, site_id=site_id, page=page, created_at=now
        )
    )
    await conn.execute(
        _insert_new(conn, visitor_tokens).values(
            token_hash=token_hash, site_id=site_id, customer_id=customer_id, created_at=now
        )
    )


def _insert_new(conn: AsyncConnection, table: Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the connection's dialect."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


async def customer(conn: AsyncConnection, customer_id: str) -> Row | None:
    return _row(
        (await conn.execute(select(customers).where(customers.c.id == customer_id))).first()
    )


async def customer_by_token(conn: AsyncConnection, site_id: str, token_hash: str) -> Row | None:
    row = (
        await conn.execute(
            select(customers)
            .join(visitor_tokens, visitor_tokens.c.customer_id == customers.c.id)
            .where(visitor_tokens.c.token_hash == token_hash, visitor_tokens.c.site_id == site_id)
        )
    ).first()
    return _row(row)


async def add_visitor_token(
    conn: AsyncConnection, site_id: str, customer_id: str, token_hash: str, now: float
) -> None:
    await conn.execute(
        insert(visitor_tokens).values(
            token_hash=token_hash, site_id=site_id, customer_id=customer_id, created_at=now
        )
    )


async def rebind_token(conn: AsyncConnection, token_hash: str, customer_id: str) -> None:
    await conn.execute(
        update(visitor_tokens)
        .where(visitor_tokens.c.token_hash == token_hash)
        .values(customer_id=customer_id)
    )


async def identifiers_of(conn: AsyncConnection, customer_id: str) -> list[Row]:
    rows = await conn.execute(
        select(identifiers.c.kind, identifiers.c.value, identifiers.c.verified)
        .where(identifiers.c.customer_id == customer_id)
        .order_by(identifiers.c.id)
    )
    return [dict(r._mapping) for r in rows]


async def owner_of_user_id(conn: AsyncConnection, site_id: str, user_id: str) -> str | None:
    return (
        await conn.execute(
            select(identifiers.c.customer_id).where(
                identifiers.c.site_id == site_id,
                identifiers.c.kind == "user_id",
                identifiers.c.value == user_id,
                identifiers.c.verified.is_(True),
            )
        )
    ).scalar()


async def verified_user_id(conn: AsyncConnection, customer_id: str) -> str | None:
    return (
        await conn.execute(
            select(identifiers.c.value).where(
                identifiers.c.customer_id == customer_id,
                identifiers.c.kind == "user_id",
                identifiers.c.verified.is_(True),
            )
        )
    ).scalar()


async def add_identifier(
    conn: AsyncConnection,
    *,
    site_id: str,
    customer_id: str,
    kind: str,
    value: str,
    verified: bool,
    now: float,
) -> None:
    exists = (
        await conn.execute(
            select(identifiers.c.id, identifiers.c.verified).where(
                identifiers.c.customer_id == customer_id,
                identifiers.c.kind == kind,
                identifiers.c.value == value,
            )
        )
    ).first()
    if exists is None:
        await conn.execute(
            insert(identifiers).values(
                site_id=site_id,
                customer_id=customer_id,
                kind=kind,
                value=value,
                verified=verified,
                created_at=now,
            )
        )
    elif verified and not exists.verified:
        await conn.execute(
            update(identifiers).where(identifiers.c.id == exists.id).values(verified=True)
        )


async def set_customer(conn: AsyncConnection, customer_id: str, **values: Any) -> bool:
    """Change a customer; False when there is no such row (a visitor not yet stored)."""
    result = await conn.execute(
        update(customers).where(customers.c.id == customer_id).values(**values)
    )
    return bool(result.rowcount)


# conversations and the timeline


async def conversation_of(conn: AsyncConnection, site_id: str, customer_id: str) -> Row | None:
    return _row(
        (
            await conn.execute(
                select(conversations)
                .where(
                    conversations.c.site_id == site_id, conversations.c.customer_id == customer_id
                )
                .order_by(conversations.c.created_at)
                .limit(1)
            )
        ).first()
    )


async def conversations_of(conn: AsyncConnection, customer_id: str) -> list[Row]:
    rows = await conn.execute(
        select(conversations)
        .where(conversations.c.customer_id == customer_id)
        .order_by(conversations.c.created_at)
    )
    return [dict(r._mapping) for r in rows]


async def conversation(conn: AsyncConnection, conversation_id: str) -> Row | None:
    return _row(
        (
            await conn.execute(select(conversations).where(conversations.c.id == conversation_id))
        ).first()
    )


async def create_conversation(
    conn: AsyncConnection, site_id: str, customer_id: str, now: float
) -> str:
    conversation_id = new_id()
    await conn.execute(
        insert(conversations).values(
            id=conversation_id,
            site_id=site_id,
            customer_id=customer_id,
            last_seq=0,
            created_at=now,
            updated_at=now,
        )
    )
    return conversation_id


async def reassign_conversation(
    conn: AsyncConnection, conversation_id: str, customer_id: str
) -> None:
    await conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(customer_id=customer_id)
    )
    await conn.execute(
        update(contacts)
        .where(contacts.c.conversation_id == conversation_id)
        .values(customer_id=customer_id)
    )


async def move_contacts(
    conn: AsyncConnection, source_conv: str, target_conv: str, customer_id: str
) -> None:
    await conn.execute(
        update(contacts)
        .where(contacts.c.conversation_id == source_conv)
        .values(conversation_id=target_conv, customer_id=customer_id)
    )


async def move_identifiers(conn: AsyncConnection, source: str, target: str) -> None:
    """Unverified claims and device ids of a merged visitor follow it to the target."""
    rows = await conn.execute(select(identifiers).where(identifiers.c.customer_id == source))
    for r in rows:
        have = (
            await conn.execute(
                select(identifiers.c.id).where(
                    identifiers.c.customer_id == target,
                    identifiers.c.kind == r.kind,
                    identifiers.c.value == r.value,
                )
            )
        ).first()
        if have is None:
            await conn.execute(
                update(identifiers).where(identifiers.c.id == r.id).values(customer_id=target)
            )
        else:
            await conn.execute(identifiers.delete().where(identifiers.c.id == r.id))
    await conn.execute(
        update(visitor_tokens)
        .where(visitor_tokens.c.customer_id == source)
        .values(customer_id=target)
    )


# agents


async def add_agent(
    conn: AsyncConnection,
    *,
    email: str,
    name: str,
    role: str,
    password_hash: str,
    skills: Iterable[str],
    capacity: Mapping[str, int],
    auto_answer: bool,
    now: float,
    sites: list[str] | None = None,
) -> str:
    agent_id = new_id()
    await conn.execute(
        insert(agents).values(
            id=agent_id,
            email=email,
            name=name,
            role=role,
            password_hash=password_hash,
            skills=sorted(set(skills)),
            sites=sites,
            capacity=dict(capacity),
            auto_answer=auto_answer,
            created_at=now,
        )
    )
    return agent_id


async def agent_by_email(conn: AsyncConnection, email: str) -> Row | None:
    return _row((await conn.execute(select(agents).where(agents.c.email == email))).first())


async def agents_by_ids(conn: AsyncConnection, agent_ids: Iterable[str]) -> list[Row]:
    wanted = list(agent_ids)
    if not wanted:
        return []
    return [
        dict(r._mapping) for r in await conn.execute(select(agents).where(agents.c.id.in_(wanted)))
    ]


async def log_agent_status(
    conn: AsyncConnection,
    agent_id: str,
    status: str,
    at: float,
    reason: str | None = None,
    set_by: str | None = None,
) -> None:
    await conn.execute(
        insert(agent_status_log).values(
            agent_id=agent_id, status=status, reason=reason, at=at, set_by=set_by
        )
    )


async def agent_status_changes(conn: AsyncConnection, since: float) -> list[Row]:
    """Every agent's status changes from ``since`` on, oldest first, each agent's latest one
    before ``since`` too (their status then)."""
    log = agent_status_log
    before = select(func.max(log.c.id)).where(log.c.at < since).group_by(log.c.agent_id)
    rows = await conn.execute(
        select(log.c.agent_id, log.c.status, log.c.reason, log.c.at)
        .where((log.c.at >= since) | log.c.id.in_(before))
        .order_by(log.c.at, log.c.id)
    )
    return [dict(r._mapping) for r in rows]


async def agent(conn: AsyncConnection, agent_id: str) -> Row | None:
    return _row((await conn.execute(select(agents).where(agents.c.id == agent_id))).first())


async def all_agents(conn: AsyncConnection) -> list[Row]:
    return [dict(r._mapping) for r in await conn.execute(select(agents).order_by(agents.c.email))]


async def add_agent_token(
    conn: AsyncConnection, agent_id: str, token_hash: str, now: float, expires_at: float
) -> None:
    await conn.execute(
        insert(agent_tokens).values(
            token_hash=token_hash, agent_id=agent_id, created_at=now, expires_at=expires_at
        )
    )


async def agent_by_token(conn: AsyncConnection, token_hash: str, now: float) -> Row | None:
    """The enabled agent holding this unexpired token, with ``token_expires_at``."""
    row = (
        await conn.execute(
            select(agents, agent_tokens.c.expires_at.label("token_expires_at"))
            .join(agent_tokens, agent_tokens.c.agent_id == agents.c.id)
            .where(
                agent_tokens.c.token_hash == token_hash,
                agent_tokens.c.expires_at > now,
                agents.c.disabled_at.is_(None),
            )
        )
    ).first()
    return _row(row)


async def valid_tokens(conn: AsyncConnection, token_hashes: Iterable[str], now: float) -> set[str]:
    """Those of ``token_hashes`` that still open a session: unexpired, of an enabled agent."""
    wanted = sorted(set(token_hashes))
    valid: set[str] = set()
    for start in range(0, len(wanted), 500):  # under every backend's limit of parameters
        rows = await conn.execute(
            select(agent_tokens.c.token_hash)
            .join(agents, agent_tokens.c.agent_id == agents.c.id)
            .where(
                agent_tokens.c.token_hash.in_(wanted[start : start + 500]),
                agent_tokens.c.expires_at > now,
                agents.c.disabled_at.is_(None),
            )
        )
        valid.update(r[0] for r in rows)
    return valid


async def revoke_token(conn: AsyncConnection, token_hash: str) -> None:
    await conn.execute(agent_tokens.delete().where(agent_tokens.c.token_hash == token_hash))


async def revoke_agent_tokens(conn: AsyncConnection, agent_id: str) -> int:
    """Revoke every token of the agent; returns how many there were."""
    result = await conn.execute(agent_tokens.delete().where(agent_tokens.c.agent_id == agent_id))
    return int(result.rowcount or 0)


async def update_agent(conn: AsyncConnection, agent_id: str, **values: Any) -> None:
    await conn.execute(update(agents).where(agents.c.id == agent_id).values(**values))


async def drop_expired_tokens(conn: AsyncConnection, now: float) -> None:
    await conn.execute(agent_tokens.delete().where(agent_tokens.c.expires_at <= now))


# contacts


async def create_contact(conn: AsyncConnection, **values: Any) -> str:
    contact_id = new_id()
    await conn.execute(insert(contacts).values(id=contact_id, **values))
    return contact_id


async def contact(conn: AsyncConnection, contact_id: str) -> Row | None:
    return _row((await conn.execute(select(contacts).where(contacts.c.id == contact_id))).first())


async def set_contact(conn: AsyncConnection, contact_id: str, **values: Any) -> None:
    await conn.execute(update(contacts).where(contacts.c.id == contact_id).values(**values))


async def count_offer_timeout(conn: AsyncConnection, contact_id: str) -> None:
    await conn.execute(
        update(contacts)
        .where(contacts.c.id == contact_id)
        .values(offer_timeouts=contacts.c.offer_timeouts + 1)
    )


async def first_milestone(conn: AsyncConnection, contact_id: str, column: str, ts: float) -> None:
    """Record when a contact first reached a media milestone (later ones keep the first)."""
    col = contacts.c[column]
    await conn.execute(
        update(contacts).where(contacts.c.id == contact_id, col.is_(None)).values({column: ts})
    )


async def active_contacts(conn: AsyncConnection) -> list[Row]:
    rows = await conn.execute(
        select(contacts).where(contacts.c.state != "ended").order_by(contacts.c.enqueued_at)
    )
    return [dict(r._mapping) for r in rows]


async def active_contact_in(conn: AsyncConnection, conversation_id: str) -> list[Row]:
    rows = await conn.execute(
        select(contacts)
        .where(contacts.c.conversation_id == conversation_id, contacts.c.state != "ended")
        .order_by(contacts.c.created_at)
    )
    return [dict(r._mapping) for r in rows]


async def contacts_of_agent(conn: AsyncConnection, agent_id: str) -> list[Row]:
    rows = await conn.execute(
        select(contacts)
        .where(contacts.c.agent_id == agent_id, contacts.c.state == "assigned")
        .order_by(contacts.c.assigned_at)
    )
    return [dict(r._mapping) for r in rows]


async def open_callbacks(conn: AsyncConnection) -> list[Row]:
    rows = await conn.execute(
        select(contacts)
        .where(contacts.c.channel == "callback", contacts.c.state != "ended")
        .order_by(func.coalesce(contacts.c.not_before, contacts.c.enqueued_at))
    )
    return [dict(r._mapping) for r in rows]


async def agent_holds(conn: AsyncConnection, agent_id: str, conversation_id: str) -> bool:
    """Whether a contact of the conversation is assigned to the agent: they may write in it."""
    row = (
        await conn.execute(
            select(contacts.c.id).where(
                contacts.c.conversation_id == conversation_id,
                contacts.c.agent_id == agent_id,
                contacts.c.state == "assigned",
            )
        )
    ).first()
    return row is not None


async def agent_serves(conn: AsyncConnection, agent_id: str, site_of: Select[Any]) -> bool:
    """Whether the agent is on the team of the site ``site_of`` (a scalar select of a site id)
    names: an agent without a list serves every site. False when it names nothing."""
    row = (
        await conn.execute(
            select(agents.c.sites, site_of.scalar_subquery().label("site_id")).where(
                agents.c.id == agent_id
            )
        )
    ).first()
    if row is None or row.site_id is None:
        return False
    return row.sites is None or row.site_id in row.sites


async def agent_may_read(conn: AsyncConnection, agent_id: str, conversation_id: str) -> bool:
    """An agent reads every conversation of the sites they serve, during a contact and after
    (one they hold is :func:`agent_holds`)."""
    site = select(conversations.c.site_id).where(conversations.c.id == conversation_id)
    return await agent_serves(conn, agent_id, site)


async def agent_may_read_customer(conn: AsyncConnection, agent_id: str, customer_id: str) -> bool:
    """An agent reads every customer of the sites they serve, and one whose contact is offered
    or assigned to them (a team changed under a contact keeps it readable)."""
    site = select(customers.c.site_id).where(customers.c.id == customer_id)
    if await agent_serves(conn, agent_id, site):
        return True
    row = (
        await conn.execute(
            select(contacts.c.id).where(
                contacts.c.customer_id == customer_id,
                contacts.c.agent_id == agent_id,
                or_(contacts.c.state == "assigned", contacts.c.state == "offered"),
            )
        )
    ).first()
    return row is not None


async def log_contact_event(
    conn: AsyncConnection,
    contact_id: str,
    type: str,
    now: float,
    agent_id: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    await conn.execute(
        insert(contact_events).values(
            contact_id=contact_id, type=type, ts=now, agent_id=agent_id, data=dict(data or {})
        )
    )


async def handle_times(conn: AsyncConnection, limit: int = 50) -> list[tuple[str, float]]:
    rows = await conn.execute(
        select(contacts.c.channel, (contacts.c.ended_at - contacts.c.assigned_at))
        .where(and_(contacts.c.state == "ended", contacts.c.assigned_at.is_not(None)))
        .order_by(contacts.c.ended_at.desc())
        .limit(limit)
    )
    return [(r[0], float(r[1])) for r in rows]


async def phone_of(conn: AsyncConnection, customer_id: str) -> str | None:
    """The customer's most recent phone claim, if any."""
    return (
        await conn.execute(
            select(identifiers.c.value)
            .where(identifiers.c.customer_id == customer_id, identifiers.c.kind == "phone")
            .order_by(identifiers.c.id.desc())
            .limit(1)
        )
    ).scalar()


# after the contact: surveys and flags


async def survey_of(conn: AsyncConnection, contact_id: str) -> Row | None:
    return _row(
        (await conn.execute(select(surveys).where(surveys.c.contact_id == contact_id))).first()
    )


async def add_survey(conn: AsyncConnection, **values: Any) -> None:
    await conn.execute(insert(surveys).values(**values))


async def pending_survey(conn: AsyncConnection, customer_id: str, now: float) -> Row | None:
    """The customer's latest contact whose survey is asked, open and not answered yet."""
    answered = select(surveys.c.contact_id).where(surveys.c.contact_id == contacts.c.id)
    return _row(
        (
            await conn.execute(
                select(contacts)
                .where(
                    contacts.c.customer_id == customer_id,
                    contacts.c.survey_until >= now,
                    ~answered.exists(),
                )
                .order_by(contacts.c.ended_at.desc())
                .limit(1)
            )
        ).first()
    )


async def same_problem(
    conn: AsyncConnection, site_id: str, product: str, reason: str, since: float
) -> list[Row]:
    """Contacts of the site ended since ``since`` with this wrap-up reason and product."""
    rows = await conn.execute(
        select(contacts.c.id, contacts.c.customer_id)
        .where(
            contacts.c.site_id == site_id,
            contacts.c.product == product,
            contacts.c.reason == reason,
            contacts.c.state == "ended",
            contacts.c.ended_at >= since,
        )
        .order_by(contacts.c.ended_at)
    )
    return [dict(r._mapping) for r in rows]


async def open_flag(conn: AsyncConnection, site_id: str, product: str, reason: str) -> Row | None:
    return _row(
        (
            await conn.execute(
                select(flags).where(
                    flags.c.site_id == site_id,
                    flags.c.product == product,
                    flags.c.reason == reason,
                    flags.c.cleared_at.is_(None),
                )
            )
        ).first()
    )


async def last_cleared(conn: AsyncConnection, site_id: str, product: str, reason: str) -> float:
    """When a flag of this (site, product, reason) was last cleared: counting starts again."""
    value = (
        await conn.execute(
            select(func.max(flags.c.cleared_at)).where(
                flags.c.site_id == site_id, flags.c.product == product, flags.c.reason == reason
            )
        )
    ).scalar()
    return float(value) if value is not None else float("-inf")


async def add_flag(conn: AsyncConnection, **values: Any) -> str:
    flag_id = new_id()
    await conn.execute(insert(flags).values(id=flag_id, **values))
    return flag_id


async def set_flag(conn: AsyncConnection, flag_id: str, **values: Any) -> None:
    await conn.execute(update(flags).where(flags.c.id == flag_id).values(**values))


async def flags_of(
    conn: AsyncConnection,
    site_id: str | None,
    *,
    cleared: bool,
    raised: tuple[float, float] | None = None,
) -> list[Row]:
    """Flags newest first: open ones (and cleared ones with ``cleared``), of a site or all,
    raised within ``[start, end)`` when ``raised`` is given."""
    query = select(flags).order_by(flags.c.raised_at.desc())
    if raised is not None:
        query = query.where(flags.c.raised_at >= raised[0], flags.c.raised_at < raised[1])
    if site_id is not None:
        query = query.where(flags.c.site_id == site_id)
    if not cleared:
        query = query.where(flags.c.cleared_at.is_(None))
    return [dict(r._mapping) for r in await conn.execute(query)]


async def known_orders(conn: AsyncConnection, site_id: str, order_ids: list[str]) -> set[str]:
    if not order_ids:
        return set()
    rows = await conn.execute(
        select(orders.c.order_id).where(
            orders.c.site_id == site_id, orders.c.order_id.in_(order_ids)
        )
    )
    return {r[0] for r in rows}


async def add_orders(conn: AsyncConnection, rows: list[Row]) -> None:
    if rows:
        await conn.execute(insert(orders), rows)


async def all_sites(conn: AsyncConnection) -> list[Row]:
    return [
        dict(r._mapping) for r in await conn.execute(select(sites).order_by(sites.c.created_at))
    ]


async def ping(conn: AsyncConnection) -> None:
    await conn.execute(text("SELECT 1"))
