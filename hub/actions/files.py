"""Attachments: a customer or an agent sends a file into a conversation, and its link serves it.

The edge authenticates and reads the body; here the sender's right to the conversation is
checked before any byte is read, the file's type is taken from its first bytes, the bytes are
stored, and the ``attachment`` event goes down the same road as a message. Links are signed
for minutes and made afresh each time an event is sent or read (hub.core.files.linked).
"""

from __future__ import annotations

import secrets
from typing import Any

from hub.actions import timeline
from hub.actions.context import Hub
from hub.actions.visitors import site_by_key
from hub.core import files
from hub.core.credentials import token_hash
from hub.core.ratelimit import TokenBucket
from hub.errors import Forbidden, HubError, NotFound, RateLimited, Unauthorized
from hub.store import queries
from hub.store.files import FileStore
from hub.store.timeline import event_payload
from hub.types import AgentSession, Visitor

Uploader = Visitor | AgentSession
# Buckets kept at most: beyond, the full ones (nobody sending lately) are dropped.
MAX_BUCKETS = 10_000


def too_large(limit: int) -> HubError:
    return HubError(f"a file may be at most {limit // (1024 * 1024)} MB", "too_large", 413)


def store_of(hub: Hub) -> FileStore:
    if hub.files is None:
        raise HubError("this hub keeps no files", code="unsupported", status=404)
    return hub.files


async def visitor_for(hub: Hub, site_key: str, token: str, origin: str | None) -> Visitor:
    """The customer a widget's visitor token names on a site, as its socket would be."""
    site = await site_by_key(hub, site_key) if len(site_key) <= 64 else None
    if site is None:
        raise Unauthorized("unknown site or visitor token")
    allowed = site["origins"]
    if origin is not None and allowed is not None and origin not in allowed:
        raise Forbidden(f"this site does not allow {origin}", code="forbidden_origin")
    async with hub.db.connect() as conn:
        row = await queries.customer_by_token(conn, site["id"], token_hash(token))
        if row is None:
            # A browser that never asked for help has no conversation to attach to.
            raise Unauthorized("unknown site or visitor token")
        conv = await queries.conversation_of(conn, site["id"], row["id"])
    return Visitor(
        sid="rest",
        site=site,
        customer_id=row["id"],
        customer_name=row["name"],
        token_hash=token_hash(token),
        verified=False,
        conversation_id=conv["id"] if conv else None,
    )


async def check_upload(hub: Hub, uploader: Uploader, conversation_id: str) -> None:
    """May this sender attach to this conversation, now? Asked before the body is read."""
    if isinstance(uploader, Visitor):
        await timeline.check_customer_conversation(hub, uploader, conversation_id)
        who = f"customer:{uploader.customer_id}"
    else:
        await timeline.check_agent_conversation(hub, uploader, conversation_id, write=True)
        who = f"agent:{uploader.id}"
    buckets = hub.live.upload_buckets
    bucket = buckets.get(who)
    if bucket is None:
        if len(buckets) >= MAX_BUCKETS:
            buckets.clear()
        per_minute = hub.config.files_per_minute
        bucket = buckets[who] = TokenBucket(per_minute / 60.0, per_minute)
    if not bucket.allow(hub.clock()):
        raise RateLimited("too many files; wait a minute", code="rate_limited")


async def upload(
    hub: Hub,
    uploader: Uploader,
    conversation_id: str,
    name: str | None,
    data: bytes,
    client_id: str,
) -> dict[str, Any]:
    """Store the file and append its ``attachment`` event, once per (sender, client_id)."""
    if len(data) > hub.config.files_max_bytes:
        raise too_large(hub.config.files_max_bytes)
    media_type = files.sniff(data[:16])
    if media_type is None:
        raise HubError(
            "only JPEG, PNG, WebP and GIF images and PDF documents may be sent",
            "unsupported_type",
            415,
        )
    store = store_of(hub)
    key = secrets.token_urlsafe(24)
    await store.put(key, data)
    author = uploader.author
    try:
        row, new = await hub.writer.append(
            conversation_id=conversation_id,
            type="attachment",
            data={
                "file": key,
                "name": files.safe_name(name, media_type),
                "type": media_type,
                "size": len(data),
                "client_id": client_id,
            },
            now=hub.clock(),
            author=author,
            visibility="all",
            client_key=f"{author['role']}:{author['id']}:file:{client_id}",
        )
    except BaseException:
        await store.delete(key)
        raise
    if not new:
        # A retry of an upload already stored: the first copy stands.
        await store.delete(key)
    event = files.linked(event_payload(row), hub.config.files_secret, hub.clock())
    if new:
        await hub.notify.publish_event(event)
    return {"ok": True, "seq": row["seq"], "attachment": event["data"]}


async def read(hub: Hub, key: str, exp: int, name: str, sig: str) -> tuple[bytes, str]:
    """The bytes and media type a signed link serves, or why it does not."""
    refused = files.check_link(hub.config.files_secret, key, exp, name, sig, hub.clock())
    if refused == "link_expired":
        raise Forbidden("this link has expired; reopen the conversation", code=refused)
    if refused is not None:
        raise Forbidden("this link is not valid", code=refused)
    data = await store_of(hub).get(key)
    media_type = files.sniff(data[:16]) if data else None
    if data is None or media_type is None:
        raise NotFound("no such file", code="not_found")
    return data, media_type


async def delete(hub: Hub, keys: list[str]) -> None:
    """Remove these files' bytes (an erasure); a file already gone is no error."""
    store = store_of(hub) if keys else None
    for key in keys:
        if store is not None and files.KEY.fullmatch(key):
            await store.delete(key)
