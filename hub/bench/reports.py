"""The reports scenario: the summary and the CSV over a day of 100,000 stored contacts.

The contacts are written straight into the hub's database (a day of plausible facts: chats,
videos and callbacks, handled or abandoned, each with the log it would leave, a third with a
survey answer, wrap-up reasons and products), then a supervisor asks the running hub for the
day's summary five times and downloads the day's CSV once. The summary should take under 1 s.
"""

from __future__ import annotations

import random
import time
from typing import Any

import aiohttp

from hub.bench.common import PASSWORD, Context, Payload, percentile
from hub.core.credentials import new_id
from hub.store.db import create_oneshot_engine
from hub.store.schema import (
    contact_events,
    contacts,
    conversations,
    customers,
    orders,
    sites,
    surveys,
)

REASONS = ("Order status", "Payment", "Product question", "Returns", "Other")
CHANNEL_MIX = ("chat",) * 6 + ("video",) * 2 + ("callback",) * 2
DAY_S = 86400.0
CUSTOMERS_PER_BATCH = 1000


def day_of_contacts(site_id: str, n: int, start: float, seed: int = 7) -> dict[str, list[Any]]:
    """``n`` contacts over the day from ``start``, ten per customer, as rows per table."""
    rng = random.Random(seed)
    rows: dict[str, list[Any]] = {
        "customers": [],
        "conversations": [],
        "contacts": [],
        "surveys": [],
        "contact_events": [],
    }
    n_customers = max(1, n // 10)
    people = []
    for _ in range(n_customers):
        customer_id, conversation_id = new_id(), new_id()
        rows["customers"].append({"id": customer_id, "site_id": site_id, "created_at": start})
        rows["conversations"].append(
            {
                "id": conversation_id,
                "site_id": site_id,
                "customer_id": customer_id,
                "last_seq": 0,
                "created_at": start,
                "updated_at": start,
            }
        )
        people.append((customer_id, conversation_id))
    for i in range(n):
        customer_id, conversation_id = people[i % n_customers]
        channel = CHANNEL_MIX[i % len(CHANNEL_MIX)]
        enqueued = start + rng.random() * (DAY_S - 3600)
        handled = rng.random() < 0.85
        wait = rng.expovariate(1 / 20)
        handle = rng.expovariate(1 / 240)
        contact_id = new_id()
        reason = REASONS[rng.randrange(len(REASONS))] if handled else None
        rows["contacts"].append(
            {
                "id": contact_id,
                "site_id": site_id,
                "conversation_id": conversation_id,
                "customer_id": customer_id,
                "channel": channel,
                "state": "ended",
                "enqueued_at": enqueued,
                "due_at": enqueued,
                "skills": [],
                "attempts": 1 if channel == "callback" else 0,
                "created_at": enqueued,
                "first_assigned_at": enqueued + wait if handled else None,
                "assigned_at": enqueued + wait if handled else None,
                "ended_at": enqueued + wait + (handle if handled else 0),
                "end_reason": ("reached" if channel == "callback" else "ended")
                if handled
                else rng.choice(("cancelled", "abandoned")),
                "reason": reason,
                "product": f"SKU-{rng.randrange(200)}" if handled else None,
                "resolved": handled,
                "offer_timeouts": 0,
                "media_connected_at": None,
                "first_frame_at": None,
                "survey_resolved": None,
                "survey_effort": None,
            }
        )
        # The log a real contact leaves: requested, offered (5 % of offers expire first),
        # accepted, media milestones for a video, ended.
        log = rows["contact_events"]
        log.append(_event(contact_id, "requested", enqueued))
        row = rows["contacts"][-1]
        if handled:
            if rng.random() < 0.05:
                log.append(_event(contact_id, "offered", enqueued + wait / 3))
                log.append(_event(contact_id, "expired", enqueued + wait / 2))
                row["offer_timeouts"] = 1
            log.append(_event(contact_id, "offered", enqueued + wait * 0.9))
            log.append(_event(contact_id, "accepted", enqueued + wait))
            if channel == "video":
                connected, frame = enqueued + wait + 0.4, enqueued + wait + 0.4 + rng.random()
                log.append(_event(contact_id, "media_connected", connected))
                log.append(_event(contact_id, "first_frame", frame))
                row["media_connected_at"], row["first_frame_at"] = connected, frame
        log.append(_event(contact_id, "ended", enqueued + wait + (handle if handled else 0)))
        if handled and rng.random() < 0.33:
            # As the hub keeps an answer: whole in surveys, its figures on the contact's row.
            row["survey_resolved"], row["survey_effort"] = rng.random() < 0.7, rng.randint(1, 7)
            rows["surveys"].append(
                {
                    "contact_id": contact_id,
                    "site_id": site_id,
                    "customer_id": customer_id,
                    "resolved": row["survey_resolved"],
                    "effort": row["survey_effort"],
                    "comment": "It took a while" if rng.random() < 0.2 else None,
                    "answered_at": enqueued + wait + handle + 60,
                    "enqueued_at": enqueued,
                }
            )
    return rows


def _event(contact_id: str, kind: str, ts: float) -> dict[str, Any]:
    return {"contact_id": contact_id, "type": kind, "ts": ts, "data": {}}


async def seed(database_url: str, site_key: str, n: int, start: float) -> float:
    """Write the day into the database; returns the seconds it took."""
    began = time.perf_counter()
    engine = create_oneshot_engine(database_url)
    try:
        async with engine.begin() as conn:
            site_id = (await conn.execute(sites.select().where(sites.c.key == site_key))).one().id
            day = day_of_contacts(site_id, n, start)
            for table, name in (
                (customers, "customers"),
                (conversations, "conversations"),
                (contacts, "contacts"),
                (surveys, "surveys"),
                (contact_events, "contact_events"),
            ):
                batch = day[name]
                for i in range(0, len(batch), 5000):
                    await conn.execute(table.insert(), batch[i : i + 5000])
            await conn.execute(
                orders.insert(),
                [
                    {
                        "site_id": site_id,
                        "order_id": f"o{i}",
                        "units": 1 + i % 3,
                        "ordered_at": start + i * DAY_S / (n // 2),
                        "received_at": start,
                    }
                    for i in range(n // 2)
                ],
            )
    finally:
        await engine.dispose()
    return time.perf_counter() - began


async def reports(ctx: Context) -> Payload:
    from hub.actions.admin import add_agent

    n = ctx.options.report_contacts
    ctx.notes["reports"] = (
        f"{n:,} contacts over one day in the database, a third with a survey answer, "
        f"{n // 2:,} orders; the summary asked 5 times, the series by hour and the CSV once"
    )
    start = time.time() - DAY_S
    async with ctx.hub("reports", 0) as (server, site_key, _):
        database_url = ctx.fresh_database("reports")
        ctx.stage("reports: seeding", 1)
        seeded_s = await seed(database_url, site_key, n, start)
        email = f"supervisor-{ctx.run_id}@bench.example"
        await add_agent(
            database_url, email=email, name="Supervisor", password=PASSWORD, role="supervisor"
        )
        params = {"site": site_key, "from": str(start - 1), "to": str(start + DAY_S)}
        timings: list[float] = []
        ctx.stage("reports: summary", 5)
        async with aiohttp.ClientSession() as http:
            async with http.post(
                server.url + "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
            ) as resp:
                headers = {"Authorization": f"Bearer {(await resp.json())['token']}"}
            offered = None
            for _ in range(5):
                began = time.perf_counter()
                async with http.get(
                    server.url + "/api/v1/reports/summary", params=params, headers=headers
                ) as resp:
                    body = await resp.json()
                    if resp.status != 200:
                        raise RuntimeError(f"summary failed: {resp.status} {body}")
                timings.append((time.perf_counter() - began) * 1000)
                offered = body["all"]["offered"]
                ctx.bar.update()
            began = time.perf_counter()
            async with http.get(
                server.url + "/api/v1/reports/series",
                params={**params, "interval": "hour"},
                headers=headers,
            ) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"series failed: {resp.status} {await resp.text()}")
                await resp.read()
            series_ms = (time.perf_counter() - began) * 1000
            ctx.stage("reports: CSV", 1)
            began = time.perf_counter()
            size = 0
            async with http.get(
                server.url + "/api/v1/reports/contacts.csv", params=params, headers=headers
            ) as resp:
                async for chunk in resp.content.iter_chunked(1 << 16):
                    size += len(chunk)
            csv_ms = (time.perf_counter() - began) * 1000
    if offered != n:
        ctx.notes["reports"] += f"; the summary counted {offered} contacts, not {n}"
    return {
        "contacts": n,
        "seed_s": seeded_s,
        "summary_p50_ms": percentile(timings, 50),
        "summary_max_ms": max(timings),
        "series_ms": series_ms,
        "csv_ms": csv_ms,
        "csv_bytes": size,
    }
