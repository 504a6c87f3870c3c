"""Customers' sockets: recognising a browser, what it is told on connect, its page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from hub import types
from hub.actions import perform, survey
from hub.actions.context import Hub
from hub.core.credentials import TOKEN_SHAPE, customer_id_of_token, new_token, token_hash
from hub.notify import CUSTOMER_NS, conversation_room, customer_room, site_customers_room
from hub.store import queries
from hub.types import Visitor

# A site added or changed by ``hub sites add`` is seen within this many seconds.
SITE_CACHE_S = 5.0
# Sites kept in the cache at most; the oldest read goes first.
SITE_CACHE_MAX = 1000


async def site_by_key(hub: Hub, key: str) -> dict[str, Any] | None:
    """The site of a ``site_key``: read on every customer connect, so kept a few seconds.

    Only sites are kept, never a miss: made-up keys would otherwise fill the cache, and a
    site just added would stay unknown until its miss expired.
    """
    now = hub.clock()
    cache = hub.live.sites
    cached = cache.get(key)
    if cached is not None and 0 <= now - cached[0] < SITE_CACHE_S:
        return cached[1]
    async with hub.db.connect() as conn:
        site = await queries.site_by_key(conn, key)
    cache.pop(key, None)
    if site is not None:
        while len(cache) >= SITE_CACHE_MAX:
            del cache[next(iter(cache))]
        cache[key] = (now, site)
        hub.live.site_keys[site["id"]] = site["key"]
    return site


async def declared_origins(hub: Hub) -> list[str]:
    """Every origin a site declares (``hub sites add --origins``): where shops' pages live."""
    async with hub.reads.connect() as conn:
        rows = await queries.all_sites(conn)
    found: set[str] = set()
    for row in rows:
        found.update(o for o in row["origins"] or () if isinstance(o, str))
    return sorted(found)


async def connect(
    hub: Hub, sid: str, site: dict[str, Any], token: str | None
) -> tuple[Visitor, dict[str, Any]]:
    """A customer socket opened: who it is, the rooms it follows, and its ``session``."""
    visitor, token = await open_visitor(hub, sid, site, token)
    await hub.notify.enter(CUSTOMER_NS, sid, rooms_for(visitor))
    perform.customer_connected(hub, visitor.customer_id, sid)
    return visitor, session_payload(hub, visitor, token)


async def connected(hub: Hub, visitor: Visitor) -> None:
    """The socket has its ``session``: a customer back after a reload is told their place,
    and asked the survey they have not answered yet."""
    await perform.resend_positions(hub, visitor.customer_id)
    await perform.customer_back(hub, visitor.customer_id)
    await survey.ask_again(hub, visitor)


async def disconnected(hub: Hub, visitor: Visitor) -> None:
    await perform.customer_disconnected(hub, visitor.customer_id, visitor.sid)


async def open_visitor(
    hub: Hub, sid: str, site: dict[str, Any], token: str | None
) -> tuple[Visitor, str]:
    """Recognise the browser by its visitor token, or give it one; with the token it keeps.

    Nothing is written: a browser that only looks costs no row. A token the hub does not know
    yet is kept when it has the shape of one (another tab of the same browser, opened before
    this one asked for help, made it), so that both tabs are one customer when it does.
    """
    async with hub.db.connect() as conn:
        row = None
        if token:
            # A merged visitor's token was moved to the customer it merged into.
            row = await queries.customer_by_token(conn, site["id"], token_hash(token))
        if token is not None and row is not None:
            conv = await queries.conversation_of(conn, site["id"], row["id"])
            verified = await queries.verified_user_id(conn, row["id"]) is not None
            stored = True
        else:
            conv, verified = None, False
            # An erased customer's id stays taken (its row is kept, anonymous, for the reports):
            # its old token, presented again, starts someone new.
            if (
                token is None
                or not TOKEN_SHAPE.fullmatch(token)
                or await queries.customer(conn, customer_id_of_token(token_hash(token)))
            ):
                token = new_token()
            stored = False
            row = {"id": customer_id_of_token(token_hash(token)), "name": None}
    visitor = Visitor(
        sid=sid,
        site=site,
        customer_id=row["id"],
        customer_name=row["name"],
        token_hash=token_hash(token),
        verified=verified,
        conversation_id=conv["id"] if conv else None,
        stored=stored,
    )
    return visitor, token


async def store_visitor(conn: AsyncConnection, visitor: Visitor, now: float) -> None:
    """Write the visitor's customer, in the transaction of its first contact or identify;
    the caller calls ``stored`` once that transaction committed."""
    if not visitor.stored:
        await queries.store_visitor(
            conn,
            site_id=visitor.site["id"],
            customer_id=visitor.customer_id,
            token_hash=visitor.token_hash,
            page=visitor.page,
            now=now,
        )


def stored(visitor: Visitor) -> None:
    visitor.stored = True
    visitor.page = None


def site_channels(site: dict[str, Any]) -> list[str]:
    """The channels a site offers its customers: every one unless ``--channels`` narrowed it."""
    return list((site.get("settings") or {}).get("channels", ["chat", "callback", "video"]))


def session_payload(hub: Hub, visitor: Visitor, token: str | None = None) -> dict[str, Any]:
    online = perform.site_online(hub, visitor.site["id"])
    # The site's customers are followed from now on; what the earlier ones were told stays,
    # so that a change since reaches them too.
    hub.live.told_online.setdefault(visitor.site["id"], online)
    out: dict[str, Any] = {
        "customer_id": visitor.customer_id,
        "conversation_id": visitor.conversation_id,
        "channels": site_channels(visitor.site),
        "agents_online": online,
        "identity_required": visitor.site.get("identity_mode") == "required",
        # optional | anonymous_chat (video and callbacks need a signed identity) | required
        "identity_mode": visitor.site.get("identity_mode") or "optional",
        # Where the widget sends a shopper who must sign in (hub sites set --login-url).
        "login_url": (visitor.site.get("settings") or {}).get("login_url"),
        "verified": visitor.verified,
    }
    if token is not None:
        out["visitor_token"] = token
    return out


def rooms_for(visitor: Visitor) -> list[str]:
    rooms = [customer_room(visitor.customer_id), site_customers_room(visitor.site["id"])]
    if visitor.conversation_id:
        rooms.append(conversation_room(visitor.conversation_id))
    return rooms


async def customer_page(hub: Hub, visitor: Visitor, p: types.Page) -> dict[str, Any]:
    page: dict[str, Any] = {"url": p.url, "title": p.title, "ts": hub.clock()}
    if p.product is not None:
        page["product"] = p.product
    if p.order_id is not None:
        page["order_id"] = p.order_id
    if p.cart is not None:
        page["cart"] = [item.model_dump(exclude_none=True) for item in p.cart]
    if visitor.stored:
        async with hub.tx() as conn:
            await queries.set_customer(conn, visitor.customer_id, page=page)
    else:
        # Kept until the visitor is stored; another tab may have stored it meanwhile.
        visitor.page = page
        async with hub.tx() as conn:
            visitor.stored = await queries.set_customer(conn, visitor.customer_id, page=page)
        if visitor.stored:
            visitor.page = None
    if visitor.conversation_id:
        await hub.notify.to_conversation_agents(
            visitor.conversation_id,
            "customer.page",
            {
                "customer_id": visitor.customer_id,
                "conversation_id": visitor.conversation_id,
                "page": page,
            },
        )
    return {"ok": True}
