"""Administration used by the CLI, the demo and the bench: sites and agents."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from hub.actions import webhooks
from hub.core import webhooks as rules
from hub.core.capacity import DEFAULT_CAPACITY
from hub.core.credentials import hash_password
from hub.core.identity import normalize_email
from hub.core.policy import IDENTITY_MODES
from hub.store import outbox, queries
from hub.store.db import create_oneshot_engine, migrate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

ROLES = ("agent", "supervisor", "admin")


@asynccontextmanager
async def _store(database_url: str) -> AsyncIterator[AsyncEngine]:
    """A one-shot engine on the migrated store, disposed of on the way out."""
    engine = create_oneshot_engine(database_url)
    try:
        await migrate(engine)
        yield engine
    finally:
        await engine.dispose()


# What the console can show: a title fits the canned-response menu, a reason the wrap-up list.
MAX_CANNED = 100
MAX_CANNED_TITLE = 80
MAX_CANNED_TEXT = 2000
MAX_REASONS = 100
MAX_REASON = 80


def parse_canned_responses(raw: str) -> list[dict[str, str]]:
    """Canned responses from JSON text: a list of ``{"title", "text"}``; ValueError if not."""
    try:
        items = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"canned responses are not valid JSON: {exc}") from None
    if not isinstance(items, list):
        raise ValueError('canned responses must be a JSON list of {"title", "text"} objects')
    if len(items) > MAX_CANNED:
        raise ValueError(f"at most {MAX_CANNED} canned responses, not {len(items)}")
    out = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or set(item) != {"title", "text"}:
            raise ValueError(f'canned response {i}: an object with exactly "title" and "text"')
        title, text = item["title"], item["text"]
        if not isinstance(title, str) or not title.strip():
            raise ValueError(f"canned response {i}: the title must be a non-empty string")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"canned response {i}: the text must be a non-empty string")
        if len(title) > MAX_CANNED_TITLE:
            raise ValueError(
                f"canned response {i}: the title is over {MAX_CANNED_TITLE} characters"
            )
        if len(text) > MAX_CANNED_TEXT:
            raise ValueError(f"canned response {i}: the text is over {MAX_CANNED_TEXT} characters")
        out.append({"title": title, "text": text})
    return out


def check_contact_reasons(reasons: list[str]) -> list[str]:
    """The wrap-up reasons, unchanged; ValueError if one is empty, too long or repeated."""
    if len(reasons) > MAX_REASONS:
        raise ValueError(f"at most {MAX_REASONS} contact reasons, not {len(reasons)}")
    for reason in reasons:
        if not reason.strip():
            raise ValueError("a contact reason cannot be empty")
        if len(reason) > MAX_REASON:
            raise ValueError(f"contact reason {reason!r} is over {MAX_REASON} characters")
    if len(set(reasons)) != len(reasons):
        raise ValueError("contact reasons must be different from each other")
    return reasons


# What a site offers, in the widget's order: every channel unless ``--channels`` narrows it.
CHANNELS = ("chat", "callback", "video")


def check_login_url(url: str) -> str | None:
    """The shop's sign-in page (``""``: none), an http(s) URL the widget links to."""
    if url == "":
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise ValueError("--login-url: an http:// or https:// URL of the shop's sign-in page")
    return url


def parse_channels(text: str) -> list[str]:
    """``chat,video``: the channels a site offers, at least one, each known."""
    given = [c.strip() for c in text.split(",") if c.strip()]
    unknown = sorted(set(given) - set(CHANNELS))
    if unknown:
        raise ValueError(f"unknown channel {unknown[0]!r}: choose among chat, video, callback")
    if not given:
        raise ValueError("a site offers at least one channel")
    return [c for c in CHANNELS if c in given]


async def check_webhook(url: str, secret: str | None, *, allow_private: bool) -> dict[str, str]:
    """A checked subscription ``{"url", "secret"}`` (a new secret when none is given)."""
    rules.check_url(url)
    if secret is None:
        secret = rules.new_secret()
    rules.secret_key(secret)
    await webhooks.check_target(url, allow_private)
    return {"url": url, "secret": secret}


async def webhook_report(database_url: str, key: str) -> dict[str, Any]:
    """A site's webhook: its URL and secret, its deliveries by status, the latest ones."""
    async with _store(database_url) as engine, engine.connect() as conn:
        site = await queries.site_by_key(conn, key)
        if site is None:
            raise ValueError(f"no site with key {key!r}")
        hook = webhooks.subscription(site) or {}
        return {
            "site": key,
            "url": hook.get("url"),
            "secret": hook.get("secret"),
            "counts": await outbox.counts(conn, site["id"]),
            "recent": await webhooks.recent(conn, site["id"]),
        }


async def add_site(
    database_url: str,
    key: str,
    secret: str,
    name: str | None = None,
    origins: list[str] | None = None,
    identity_mode: str = "optional",
    settings: Mapping[str, Any] | None = None,
) -> str:
    if not key or len(key) > 64:
        raise ValueError("a site key is 1 to 64 characters")
    if len(secret) < 16:
        raise ValueError("a site secret needs at least 16 characters")
    if identity_mode not in IDENTITY_MODES:
        raise ValueError("identity mode is optional, anonymous_chat or required")
    async with _store(database_url) as engine, engine.begin() as conn:
        if await queries.site_by_key(conn, key) is not None:
            raise ValueError(f"a site with key {key!r} exists already")
        return await queries.add_site(
            conn,
            key=key,
            secret=secret,
            name=name or key,
            origins=origins,
            identity_mode=identity_mode,
            settings=settings,
            now=time.time(),
        )


async def update_site(
    database_url: str,
    key: str,
    *,
    name: str | None = None,
    origins: list[str] | None = None,
    settings: Mapping[str, Any] | None = None,
    identity_mode: str | None = None,
) -> str:
    """Change what is given of an existing site; ``settings`` keys replace the stored ones.

    ``origins=[]`` lets any origin embed the widget again.
    """
    if name is not None and not 1 <= len(name.strip()) <= 200:
        raise ValueError("a site name is 1 to 200 characters")
    if identity_mode is not None and identity_mode not in IDENTITY_MODES:
        raise ValueError("identity mode is optional, anonymous_chat or required")
    async with _store(database_url) as engine, engine.begin() as conn:
        site = await queries.site_by_key(conn, key)
        if site is None:
            raise ValueError(f"no site with key {key!r}")
        values: dict[str, Any] = {}
        if name is not None:
            values["name"] = name
        if origins is not None:
            values["origins"] = origins or None
        if identity_mode is not None:
            values["identity_mode"] = identity_mode
        if settings:
            stored = dict(site["settings"] or {})
            merged = {**stored, **settings}
            if "service_level" in settings:
                # Per channel: setting chat's target keeps video's.
                merged["service_level"] = {
                    **(stored.get("service_level") or {}),
                    **settings["service_level"],
                }
            values["settings"] = merged
        if values:
            await queries.update_site(conn, site["id"], **values)
        return str(site["id"])


MIN_PASSWORD = 8
MAX_PASSWORD = 1000  # what the login route reads
MAX_NAME = 200
MAX_SKILL = 64


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    return role


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ValueError(f"a password has at most {MAX_PASSWORD} characters")
    return password


def check_name(name: str) -> str:
    if not 1 <= len(name.strip()) <= MAX_NAME:
        raise ValueError(f"an agent's name is 1 to {MAX_NAME} characters")
    return name.strip()


def check_skills(skills: Iterable[str]) -> list[str]:
    out = sorted({s.strip() for s in skills if s.strip()})
    for skill in out:
        if len(skill) > MAX_SKILL:
            raise ValueError(f"skill {skill!r} is over {MAX_SKILL} characters")
    return out


# ``sites=EVERY_SITE``: the agent serves every site, those added later too (the default).
EVERY_SITE = "*"


async def site_ids(conn: AsyncConnection, keys: Iterable[str] | str) -> list[str] | None:
    """The ids of the sites given by key (None for :data:`EVERY_SITE`); ValueError names an
    unknown key. An empty list is refused: an agent of no site would never be offered anything.
    """
    if keys == EVERY_SITE:
        return None
    wanted = sorted({k.strip() for k in keys if k.strip()})
    if not wanted:
        raise ValueError(f"give at least one site key, or {EVERY_SITE!r} for every site")
    by_key = {row["key"]: row["id"] for row in await queries.all_sites(conn)}
    unknown = [k for k in wanted if k not in by_key]
    if unknown:
        raise ValueError(f"no site with key {', '.join(map(repr, unknown))}")
    return sorted(by_key[k] for k in wanted)


async def add_agents(database_url: str, agents: Iterable[Mapping[str, Any]]) -> list[str]:
    """Add agents: ``email, name, password``, optional ``role, skills, sites`` (keys, default
    every site), ``auto_answer, capacity``."""
    ids = []
    async with _store(database_url) as engine, engine.begin() as conn:
        for a in agents:
            role = check_role(a.get("role", "agent"))
            email = normalize_email(a["email"])
            if "@" not in email:
                raise ValueError(f"{email!r} is not an email address")
            check_password(a["password"])
            if await queries.agent_by_email(conn, email) is not None:
                raise ValueError(f"an agent with email {email} exists already")
            ids.append(
                await queries.add_agent(
                    conn,
                    email=email,
                    name=a["name"],
                    role=role,
                    password_hash=hash_password(a["password"]),
                    skills=a.get("skills", ()),
                    sites=await site_ids(conn, a.get("sites", EVERY_SITE)),
                    capacity={**DEFAULT_CAPACITY, **a.get("capacity", {})},
                    auto_answer=bool(a.get("auto_answer", False)),
                    now=time.time(),
                )
            )
    return ids


async def add_agent(database_url: str, **agent: Any) -> str:
    return (await add_agents(database_url, [agent]))[0]


async def change_agent(
    conn: AsyncConnection,
    agent: Mapping[str, Any],
    *,
    name: str | None = None,
    role: str | None = None,
    skills: Iterable[str] | None = None,
    sites: Iterable[str] | str | None = None,
    auto_answer: bool | None = None,
    password: str | None = None,
    disabled: bool | None = None,
    now: float,
) -> dict[str, Any]:
    """Change what is given of the agent's row in ``conn``'s transaction; returns
    ``{"id", "revoked"}``.

    A new password, a new role or disabling the agent revokes every token they hold (they log
    in again). Everything is checked before anything is written; ValueError says what is
    wrong. ``sites`` are keys, or :data:`EVERY_SITE`.
    """
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = check_name(name)
    if role is not None:
        values["role"] = check_role(role)
    if skills is not None:
        values["skills"] = check_skills(skills)
    if sites is not None:
        values["sites"] = await site_ids(conn, sites)
    if auto_answer is not None:
        values["auto_answer"] = auto_answer
    if password is not None:
        values["password_hash"] = hash_password(check_password(password))
    if disabled is not None and disabled != (agent["disabled_at"] is not None):
        values["disabled_at"] = now if disabled else None
    if values:
        await queries.update_agent(conn, agent["id"], **values)
    revoked = 0
    # A new role too: a demoted supervisor's console must not keep what it was given.
    new_role = role is not None and role != agent["role"]
    if password is not None or disabled or new_role:
        revoked = await queries.revoke_agent_tokens(conn, agent["id"])
    return {"id": agent["id"], "revoked": revoked}


async def update_agent(database_url: str, email: str, **changes: Any) -> dict[str, Any]:
    """:func:`change_agent` for ``hub agents set``: a running hub ends the revoked consoles'
    sockets, and takes the new skills and sites, when it next looks (``HUB_SESSION_CHECK``)."""
    async with _store(database_url) as engine, engine.begin() as conn:
        agent = await queries.agent_by_email(conn, normalize_email(email))
        if agent is None:
            raise ValueError(f"no agent with email {normalize_email(email)}")
        return await change_agent(conn, agent, now=time.time(), **changes)


def agent_listing(row: Mapping[str, Any], site_keys: Mapping[str, str]) -> dict[str, Any]:
    """What ``hub agents list`` shows of an agent: never the password hash. ``sites`` are
    keys, or null for every site."""
    sites = row.get("sites")
    return {
        "id": row["id"],
        "email": row["email"],
        "name": row["name"],
        "role": row["role"],
        "skills": list(row["skills"] or ()),
        "sites": None if sites is None else sorted(site_keys.get(s, s) for s in sites),
        "auto_answer": bool(row["auto_answer"]),
        "disabled": row["disabled_at"] is not None,
        "disabled_at": row["disabled_at"],
        "created_at": row["created_at"],
    }


def site_listing(row: Mapping[str, Any]) -> dict[str, Any]:
    """What ``hub sites list`` shows of a site: never the secret."""
    return {
        "key": row["key"],
        "name": row["name"],
        "identity_mode": row["identity_mode"],
        "origins": list(row["origins"]) if row["origins"] is not None else None,
    }


async def list_agents(database_url: str) -> list[dict[str, Any]]:
    async with _store(database_url) as engine, engine.connect() as conn:
        keys = {row["id"]: row["key"] for row in await queries.all_sites(conn)}
        return [agent_listing(r, keys) for r in await queries.all_agents(conn)]


async def list_sites(database_url: str) -> list[dict[str, Any]]:
    async with _store(database_url) as engine, engine.connect() as conn:
        return [site_listing(r) for r in await queries.all_sites(conn)]


async def site_exists(database_url: str, key: str) -> bool:
    async with _store(database_url) as engine, engine.connect() as conn:
        return await queries.site_by_key(conn, key) is not None
