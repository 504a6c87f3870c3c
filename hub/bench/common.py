"""What every bench scenario shares: options, the context that starts a seeded hub, and helpers.

Every scenario starts its own hub subprocess (fresh SQLite unless a database URL is given),
seeds it through :mod:`hub.actions.admin`, measures, and stops it. Every loop is bounded by a
count and by a time limit so that a broken hub makes the bench fail, not hang.
"""

from __future__ import annotations

import asyncio
import math
import resource
import secrets
from collections.abc import AsyncIterator, Awaitable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tqdm import tqdm

from hub.bench.process import Server, hub_argv
from hub.core import reports
from hub.sdk import AgentClient, CustomerClient

T = TypeVar("T")
Payload = dict[str, Any]

PASSWORD = "bench-password-not-secret"
CONNECT_CONCURRENCY = 25  # parallel connects/logins: enough to be quick, few enough not to time out


@dataclass
class Options:
    waiting: int = 500
    agents: int = 100
    samples: int = 300
    customers: int = 1000
    seconds: float = 3.0
    pairs: int = 8
    window: int = 16
    rate: int = 500
    sessions: int = 20
    minutes: float = 10.0  # soak
    scale_customers: tuple[int, ...] = (1000, 5000, 10000)
    scale_waiting: tuple[int, ...] = (500, 2000, 5000)
    scale_engine: tuple[int, ...] = (1000, 10000)
    report_contacts: int = 100_000


@dataclass
class Context:
    """What every scenario needs: options, where to put databases and logs, the progress bar."""

    options: Options
    workdir: Path
    bar: tqdm[Any]
    database_url: str | None = None  # shared, e.g. PostgreSQL; otherwise a fresh SQLite each run
    notes: dict[str, str] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: secrets.token_hex(3))
    _count: int = 0

    def stage(self, name: str, total: int) -> None:
        self.bar.reset(total=total)
        self.bar.set_description(name)

    def fresh_database(self, name: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.workdir / (name + '.db')}"

    @asynccontextmanager
    async def hub(
        self,
        name: str,
        n_agents: int,
        *,
        skills: Iterable[str] = (),
        auto_answer: bool = False,
        capacity: dict[str, int] | None = None,
    ) -> AsyncIterator[tuple[Server, str, list[str]]]:
        """Seed a site and agents, start a hub on them, yield (server, site_key, agent emails)."""
        from hub.actions.admin import add_agents, add_site  # the lead's seeding API; migrates too

        database_url = self.fresh_database(name)
        site_key = f"bench-{name}-{self.run_id}"
        await add_site(
            database_url,
            site_key,
            secrets.token_hex(16),
            name=f"bench {name}",
            settings={"channels": ["chat", "callback", "video"]},
        )
        emails = [f"{name}-{self.run_id}-{i}@bench.example" for i in range(n_agents)]
        if emails:
            await add_agents(
                database_url,
                [
                    {
                        "email": e,
                        "name": f"Agent {i}",
                        "password": PASSWORD,
                        "skills": list(skills),
                        "auto_answer": auto_answer,
                        **({"capacity": capacity} if capacity else {}),
                    }
                    for i, e in enumerate(emails)
                ],
            )
        server = Server(
            f"hub ({name})",
            hub_argv(),
            self.workdir / f"hub-{name}.log",
            env={
                "HUB_DATABASE_URL": database_url,
                # The bench measures capacity, not the per-client abuse limits.
                "HUB_RATE_LIMIT": "1000000",
                "HUB_RATE_BURST": "1000000",
                "HUB_MAX_CONNECTIONS_PER_ADDRESS": "0",
            },
        )
        await server.start()
        try:
            yield server, site_key, emails
        finally:
            await server.stop()


async def bounded(ctx: Context, coros: list[Awaitable[T]], limit_s: float) -> list[T]:
    """Run coroutines CONNECT_CONCURRENCY at a time, ticking the bar; all or nothing."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(coro: Awaitable[T]) -> T:
        async with gate:
            result = await coro
            ctx.bar.update()
            return result

    async with asyncio.timeout(limit_s):
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(c)) for c in coros]
    return [t.result() for t in tasks]


async def close_all(clients: Iterable[CustomerClient | AgentClient]) -> None:
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


def raise_open_files(wanted: int) -> int:
    """Raise this process's soft limit of open files towards ``wanted`` (up to the hard limit).

    Thousands of sockets need more than the common default of 1024. A hub started afterwards
    inherits the limit (rlimits pass to child processes), so the bench raises it before it
    starts one. Returns the soft limit now in force.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def percentile(values: list[float], q: float) -> float:
    """The reports' nearest-rank percentile (``hub.core.reports``); NaN, not None, for no
    values, so that a bench figure is always a number in the JSON's tables and charts."""
    value = reports.percentile(values, q)
    return math.nan if value is None else value
