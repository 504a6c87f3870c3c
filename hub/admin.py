"""Administration used by the CLI, the demo and the bench: sites and agents."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from hub.auth import hash_password
from hub.core.identity import normalize_email
from hub.core.routing import DEFAULT_CAPACITY
from hub.store import queries
from hub.store.db import create_oneshot_engine, migrate

ROLES = ("agent", "supervisor", "admin")


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
    if identity_mode not in ("optional", "required"):
        raise ValueError("identity mode is optional or required")
    engine = create_oneshot_engine(database_url)
    try:
        await migrate(engine)
        async with engine.begin() as conn:
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
    finally:
        await engine.dispose()


async def add_agents(database_url: str, agents: Iterable[Mapping[str, Any]]) -> list[str]:
    """Add agents: ``email, name, password``, optional ``role, skills, auto_answer, capacity``."""
    engine = create_oneshot_engine(database_url)
    ids = []
    try:
        await migrate(engine)
        async with engine.begin() as conn:
            for a in agents:
                role = a.get("role", "agent")
                if role not in ROLES:
                    raise ValueError(f"role must be one of {', '.join(ROLES)}")
                email = normalize_email(a["email"])
                if "@" not in email:
                    raise ValueError(f"{email!r} is not an email address")
                if len(a["password"]) < 8:
                    raise ValueError("a password needs at least 8 characters")
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
                        capacity={**DEFAULT_CAPACITY, **a.get("capacity", {})},
                        auto_answer=bool(a.get("auto_answer", False)),
                        now=time.time(),
                    )
                )
    finally:
        await engine.dispose()
    return ids


async def add_agent(database_url: str, **agent: Any) -> str:
    return (await add_agents(database_url, [agent]))[0]


async def site_exists(database_url: str, key: str) -> bool:
    engine = create_oneshot_engine(database_url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            return await queries.site_by_key(conn, key) is not None
    finally:
        await engine.dispose()
