"""Reports through the public surface: a scripted day, its summary worked out by hand in
docs/reports.md ("The scripted day"), the CSV parsed back, the shop's orders, refusals.

The hub runs on a manual clock, so every wait and handle time is exact.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from hub.store.schema import orders
from tests.kit import cli
from tests.kit.answers import check_answer
from tests.kit.clients import Clients, about
from tests.kit.hub import SITE_SECRET, HandClock, HubServer
from tests.kit.wire import Wire

pytestmark = pytest.mark.usefixtures("manual_clock")

SUE = ("sue@example.com", "sue-password")
ADA = ("ada@example.com", "ada-password")
PHONE = "+33612345678"


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


async def token(server: HubServer, who: tuple[str, str]) -> str:
    async with aiohttp.ClientSession() as http:
        async with http.post(
            server.url + "/api/v1/auth/login", json={"email": who[0], "password": who[1]}
        ) as resp:
            return str((await resp.json())["token"])


async def rest(
    server: HubServer, path: str, who: tuple[str, str] = SUE, **params: str
) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(
            server.url + path,
            params=params,
            headers={"Authorization": f"Bearer {await token(server, who)}"},
        ) as resp:
            check_answer("GET", path, resp.status, resp.content_type, await resp.text())
            if resp.content_type == "text/csv":
                return resp.status, await resp.text()
            return resp.status, await resp.json()


async def post_orders(server: HubServer, body: Any, secret: str = SITE_SECRET) -> tuple[int, Any]:
    basic = base64.b64encode(f"{server.site_key}:{secret}".encode()).decode()
    async with aiohttp.ClientSession() as http:
        async with http.post(
            server.url + "/api/v1/shop/orders",
            json=body,
            headers={"Authorization": f"Basic {basic}"},
        ) as resp:
            check_answer(
                "POST", "/api/v1/shop/orders", resp.status, resp.content_type, await resp.text()
            )
            return resp.status, await resp.json()


async def presence(agent: Wire, status: str) -> None:
    assert (await agent.call("presence", {"status": status}))["ok"]


async def request(shopper: Wire, channel: str, **extra: Any) -> str:
    ack = await shopper.call("contact.request", {"channel": channel, **extra})
    assert ack["ok"], ack
    return str(ack["contact_id"])


async def take(agent: Wire, contact_id: str) -> None:
    await agent.next("offer", about(contact_id))
    ack = await agent.call("offer.accept", {"contact_id": contact_id})
    assert ack["ok"], ack


async def call(w: Wire, event: str, payload: dict[str, Any]) -> None:
    ack = await w.call(event, payload)
    assert ack["ok"], (event, ack)


async def scripted_day(clients: Clients, clock: HandClock, server: HubServer) -> dict[str, str]:
    """The day of docs/reports.md; returns the contact ids by letter."""
    ada = await clients.agent(*ADA, available=False)
    shoppers = [await clients.customer() for _ in range(5)]
    a, b, c, d, e = shoppers
    ids: dict[str, str] = {}

    # A: a chat answered after 10 s, handled for 100 s, solved (survey: yes, effort 2).
    ids["A"] = await request(a, "chat", text="Where is my parcel?")
    await clock.advance(10)
    await presence(ada, "available")
    await take(ada, ids["A"])
    await presence(ada, "away")
    await clock.advance(100)
    await call(
        ada, "contact.end", {"contact_id": ids["A"], "resolved": True, "reason": "Order status"}
    )
    await a.next("survey.request", about(ids["A"]))
    await call(
        a,
        "survey.answer",
        {"contact_id": ids["A"], "resolved": True, "effort": 2, "comment": "Quick, thanks"},
    )

    # B: a chat the customer gives up after 3 s (a short abandon); C: after 20 s.
    ids["B"] = await request(b, "chat")
    await clock.advance(3)
    await call(b, "contact.cancel", {"contact_id": ids["B"]})
    ids["C"] = await request(c, "chat")
    await clock.advance(20)
    await call(c, "contact.cancel", {"contact_id": ids["C"]})

    # D: a video answered after 40 s (late: the target is 15 s); media connects 1 s after
    # the accept and the first frame comes 0.5 s later; ended after 60 s, not solved.
    ids["D"] = await request(d, "video")
    await clock.advance(40)
    await presence(ada, "available")
    await take(ada, ids["D"])
    await presence(ada, "away")
    await clock.advance(1)
    await call(ada, "rtc.state", {"contact_id": ids["D"], "state": "connected"})
    await clock.advance(0.5)
    await call(ada, "rtc.state", {"contact_id": ids["D"], "state": "first_frame"})
    await clock.advance(58.5)
    await call(
        ada,
        "contact.end",
        {
            "contact_id": ids["D"],
            "resolved": False,
            "reason": "Product question",
            "product": "Lamp L-200",
        },
    )
    await d.next("survey.request", about(ids["D"]))

    # E: a callback taken after 30 s, no answer, taken again 1 s later, reached 120 s after.
    ids["E"] = await request(e, "callback", phone=PHONE)
    await clock.advance(30)
    await presence(ada, "available")
    await take(ada, ids["E"])
    await call(ada, "callback.outcome", {"contact_id": ids["E"], "outcome": "no_answer"})
    await clock.advance(1.05)
    await take(ada, ids["E"])
    await presence(ada, "away")
    await clock.advance(120)
    await call(ada, "callback.outcome", {"contact_id": ids["E"], "outcome": "reached"})

    # D's customer: not solved, effort 6, with a phone: F, a follow-up callback, still waiting.
    ack = await d.call(
        "survey.answer",
        {
            "contact_id": ids["D"],
            "resolved": False,
            "effort": 6,
            "comment": "Lamp still flickers",
            "phone": PHONE,
        },
    )
    assert ack["ok"] and ack["follow_up"]["channel"] == "callback", ack
    ids["F"] = ack["follow_up"]["contact_id"]

    # The shop reports four orders, ten units.
    status, body = await post_orders(
        server, {"orders": [{"id": f"o{i}", "ts": clock.now, "units": i} for i in (1, 2, 3, 4)]}
    )
    assert status == 200 and body == {"ok": True, "accepted": 4, "duplicates": 0}, body
    return ids


async def hub_cli(server: HubServer, *args: str) -> tuple[int, str, str]:
    """``python -m hub ARGS`` on the test hub's database, as an operator would run it."""
    return await cli.hub_cli(server.database_url, *args)


async def hub_command(server: HubServer, *args: str) -> str:
    code, out, err = await hub_cli(server, "reports", *args)
    assert code == 0, err
    return out


def channel(
    offered: int, handled: int, abandoned: int, short: int, sl: float | None, **rest: Any
) -> dict[str, Any]:
    return {
        "offered": offered,
        "handled": handled,
        "abandoned": abandoned,
        "short_abandoned": short,
        "value_pct": sl,
        **rest,
    }


def figures(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "offered": m["offered"],
        "handled": m["handled"],
        "abandoned": m["abandoned"],
        "short_abandoned": m["short_abandoned"],
        "value_pct": m["service_level"]["value_pct"],
        "asa_s": m["asa_s"],
        "wait_p90_s": m["wait_p90_s"],
        "offer_timeouts": m["offer_timeouts"],
        "aht_s": m["aht_s"],
        "fcr_pct": m["fcr_pct"],
        "ces_avg": m["ces_avg"],
        "survey_responses": m["survey_responses"],
    }


async def test_the_scripted_day_gives_the_figures_worked_out_by_hand(
    clients: Clients, manual_clock: HandClock, hub_server: HubServer
) -> None:
    start = manual_clock()
    ids = await scripted_day(clients, manual_clock, hub_server)
    status, s = await rest(
        hub_server,
        "/api/v1/reports/summary",
        site=hub_server.site_key,
        **{"from": iso(start - 60), "to": iso(manual_clock() + 60)},
    )
    assert status == 200, s
    approx = pytest.approx
    assert figures(s["channels"]["chat"]) == approx(
        channel(
            3,
            1,
            2,
            1,
            50.0,
            asa_s=10,
            wait_p90_s=10,
            offer_timeouts=0,
            aht_s=100,
            fcr_pct=100.0,
            ces_avg=2.0,
            survey_responses=1,
        )
    )
    assert s["channels"]["chat"]["service_level"]["threshold_s"] == 30
    assert s["channels"]["chat"]["service_level"]["target_pct"] == 80
    assert figures(s["channels"]["video"]) == approx(
        channel(
            1,
            1,
            0,
            0,
            0.0,
            asa_s=40,
            wait_p90_s=40,
            offer_timeouts=0,
            aht_s=60,
            fcr_pct=0.0,
            ces_avg=6.0,
            survey_responses=1,
        )
    )
    assert figures(s["channels"]["callback"]) == approx(
        channel(
            2,
            1,
            0,
            0,
            50.0,
            asa_s=30,
            wait_p90_s=30,
            offer_timeouts=0,
            aht_s=120,
            fcr_pct=None,
            ces_avg=None,
            survey_responses=0,
        )
    )
    assert figures(s["all"]) == approx(
        channel(
            6,
            3,
            2,
            1,
            40.0,
            asa_s=80 / 3,
            wait_p90_s=40,
            offer_timeouts=0,
            aht_s=280 / 3,
            fcr_pct=50.0,
            ces_avg=4.0,
            survey_responses=2,
        )
    )
    assert s["all"]["service_level"]["threshold_s"] is None
    assert s["top_reasons"] == [
        {
            "reason": "Order status",
            "count": 1,
            "resolved_pct": 100.0,
            "comments": ["Quick, thanks"],
        },
        {
            "reason": "Product question",
            "count": 1,
            "resolved_pct": 0.0,
            "comments": ["Lamp still flickers"],
        },
    ]
    assert (s["orders"], s["units"]) == (4, 10)
    assert s["contacts_per_order"] == approx(1.5) and s["contacts_per_unit"] == approx(0.6)
    assert s["callbacks"] == {"requested": 2, "reached": 1, "attempts": 2, "success_pct": 100.0}
    assert s["video"] == {
        "sessions": 1,
        "media_connected_pct": 100.0,
        "first_frame_p50_ms": approx(1500),
    }
    assert s["flags"] == []
    assert s["site"] == hub_server.site_key

    # The CSV has the same contacts, one row each, and parses back (RFC 4180).
    status, text = await rest(
        hub_server,
        "/api/v1/reports/contacts.csv",
        site=hub_server.site_key,
        **{"from": iso(start - 60), "to": iso(manual_clock() + 60)},
    )
    assert status == 200
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    by_id = {r["id"]: r for r in rows}
    assert set(by_id) == set(ids.values())
    a_row = by_id[ids["A"]]
    assert (a_row["channel"], a_row["wait_s"], a_row["handle_s"]) == ("chat", "10.000", "100.000")
    assert (a_row["agent"], a_row["reason"], a_row["survey_resolved"], a_row["effort"]) == (
        "ada@example.com",
        "Order status",
        "yes",
        "2",
    )
    assert a_row["comment"] == "Quick, thanks"
    assert by_id[ids["B"]]["outcome"] == "cancelled" and by_id[ids["B"]]["assigned"] == ""
    assert by_id[ids["D"]]["product"] == "Lamp L-200"
    assert by_id[ids["E"]]["outcome"] == "reached"

    # Prometheus has the same day per site and channel, for an operator's own graphs.
    async with aiohttp.ClientSession() as http:
        async with http.get(hub_server.url + "/metrics") as resp:
            exposition = await resp.text()
    series = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in exposition.splitlines()
        if line.startswith("lifeline_site_")
    }
    site = hub_server.site_key
    assert series[f'lifeline_site_contacts_total{{channel="chat",site="{site}"}}'] == 3
    assert series[f'lifeline_site_contacts_total{{channel="callback",site="{site}"}}'] == 2
    assert series[f'lifeline_site_answered_total{{channel="callback",site="{site}"}}'] == 1
    assert series[f'lifeline_site_abandons_total{{channel="chat",short="true",site="{site}"}}'] == 1
    assert (
        series[f'lifeline_site_abandons_total{{channel="chat",short="false",site="{site}"}}'] == 1
    )
    wait = "lifeline_site_answer_wait_seconds_bucket"
    assert series[f'{wait}{{channel="chat",le="30.0",site="{site}"}}'] == 1
    assert series[f'{wait}{{channel="video",le="30.0",site="{site}"}}'] == 0
    assert series[f'{wait}{{channel="video",le="45.0",site="{site}"}}'] == 1

    # The command line prints the same, read from the database directly.
    window = ["--from", iso(start - 60), "--to", iso(manual_clock() + 60)]
    printed = await hub_command(
        hub_server, "summary", "--site", hub_server.site_key, *window, "--json"
    )
    assert json.loads(printed) == s
    printed_csv = await hub_command(hub_server, "csv", "--site", hub_server.site_key, *window)
    assert printed_csv.replace("\r\n", "\n") == text.replace("\r\n", "\n")

    # By hour: buckets from the period's start, here cut between C (start + 113 s) and D
    # (start + 133 s); each bucket is exactly the summary of its own hour.
    cut = start + 125
    status, by_hour = await rest(
        hub_server,
        "/api/v1/reports/series",
        site=hub_server.site_key,
        interval="hour",
        **{"from": iso(cut - 3600), "to": iso(cut + 3600)},
    )
    assert status == 200, by_hour
    assert by_hour["interval"] == "hour" and len(by_hour["buckets"]) == 2
    first, second = by_hour["buckets"]
    assert first["channels"]["chat"] == {
        "offered": 3,
        "handled": 1,
        "abandoned": 2,
        "short_abandoned": 1,
        "service_level_pct": 50.0,
        "asa_s": 10.0,
    }
    assert first["channels"]["video"]["offered"] == 0
    assert first["channels"]["video"]["service_level_pct"] is None
    assert first["channels"]["video"]["asa_s"] is None
    assert second["channels"]["video"] == approx(
        {
            "offered": 1,
            "handled": 1,
            "abandoned": 0,
            "short_abandoned": 0,
            "service_level_pct": 0.0,
            "asa_s": 40.0,
        }
    )
    assert second["channels"]["callback"]["service_level_pct"] == approx(50.0)
    assert second["all"] == approx(
        {
            "offered": 3,
            "handled": 2,
            "abandoned": 0,
            "short_abandoned": 0,
            "service_level_pct": 100 / 3,
            "asa_s": 35.0,
        }
    )
    for bucket in by_hour["buckets"]:
        status, alone = await rest(
            hub_server,
            "/api/v1/reports/summary",
            site=hub_server.site_key,
            **{"from": bucket["from"], "to": bucket["to"]},
        )
        for ch in ("chat", "video", "callback"):
            got, want = bucket["channels"][ch], alone["channels"][ch]
            assert got["offered"] == want["offered"] and got["handled"] == want["handled"]
            assert got["service_level_pct"] == want["service_level"]["value_pct"]
            assert got["asa_s"] == want["asa_s"]
    status, by_day = await rest(
        hub_server,
        "/api/v1/reports/series",
        interval="day",
        **{"from": iso(start - 60), "to": iso(manual_clock() + 60)},
    )
    assert status == 200 and len(by_day["buckets"]) == 1
    assert by_day["buckets"][0]["all"]["offered"] == s["all"]["offered"]
    assert by_day["buckets"][0]["to"] == by_day["to"]

    # Another period has nothing to measure: nulls, not zeros.
    status, empty = await rest(
        hub_server,
        "/api/v1/reports/summary",
        **{"from": iso(start - 7200), "to": iso(start - 3600)},
    )
    assert status == 200 and empty["all"]["offered"] == 0
    assert empty["all"]["asa_s"] is None and empty["all"]["service_level"]["value_pct"] is None
    assert empty["contacts_per_order"] is None and empty["video"]["first_frame_p50_ms"] is None


REPORTS = ("/api/v1/reports/summary", "/api/v1/reports/series", "/api/v1/reports/contacts.csv")


async def test_an_agent_is_forbidden_the_reports(hub_server: HubServer) -> None:
    for path in REPORTS:
        status, body = await rest(hub_server, path, ADA)
        assert status == 403 and body["error"]["code"] == "forbidden", path


@pytest.mark.parametrize(
    "bad",
    [
        {"from": "2027-01-15T10:00:00+00:00", "to": "2027-01-15T09:00:00+00:00"},
        {"from": "2025-01-01T00:00:00+00:00", "to": "2027-01-15T09:00:00+00:00"},
        {"from": "yesterday"},
        {"from": "2027-01-15T10:00:00"},
        {"site": "no-such-site"},
        {"colour": "blue"},
    ],
)
async def test_bad_report_parameters_are_a_400(hub_server: HubServer, bad: dict[str, str]) -> None:
    for path in REPORTS:
        status, body = await rest(hub_server, path, **bad)
        assert status == 400 and body["error"]["code"] == "invalid", (path, bad, body)


@pytest.mark.parametrize(
    "bad",
    [
        {"interval": "minute"},
        {"interval": ""},
        # 32 days by the hour is more buckets than a series has.
        {"from": "2027-01-01T00:00:00+00:00", "to": "2027-02-02T00:00:00+00:00"},
    ],
)
async def test_bad_series_parameters_are_a_400(hub_server: HubServer, bad: dict[str, str]) -> None:
    status, body = await rest(hub_server, "/api/v1/reports/series", **bad)
    assert status == 400 and body["error"]["code"] == "invalid", (bad, body)
    assert body["error"]["message"]


async def test_a_survey_answer_tells_the_supervisors(
    clients: Clients, hub_server: HubServer
) -> None:
    sue = await clients.agent(*SUE, available=False)
    ada = await clients.agent(*ADA, available=True)
    shopper = await clients.customer()
    contact_id = await request(shopper, "chat", text="Hello")
    await take(ada, contact_id)
    await call(ada, "contact.end", {"contact_id": contact_id, "resolved": True})
    await shopper.next("survey.request", about(contact_id))
    await call(shopper, "survey.answer", {"contact_id": contact_id, "resolved": True, "effort": 3})
    told = await sue.next("survey.answered", about(contact_id))
    assert told == {
        "contact_id": contact_id,
        "site": hub_server.site_key,
        "channel": "chat",
        "resolved": True,
        "effort": 3,
    }
    await ada.quiet("survey.answered")


async def test_orders_are_stored_once_and_need_the_sites_secret(hub_server: HubServer) -> None:
    ts = "2026-12-01T10:00:00+01:00"
    status, body = await post_orders(hub_server, {"orders": [{"id": "o1", "ts": ts, "units": 2}]})
    assert (status, body) == (200, {"ok": True, "accepted": 1, "duplicates": 0})
    again = await post_orders(
        hub_server,
        {"orders": [{"id": "o1", "ts": ts, "units": 2}, {"id": "o2", "ts": 1795464000.5}]},
    )
    assert again == (200, {"ok": True, "accepted": 1, "duplicates": 1})
    status, body = await post_orders(
        hub_server, {"orders": [{"id": "o3", "ts": ts}]}, secret="wrong" * 4
    )
    assert status == 401 and body["error"]["code"] == "unauthorized"
    for bad in (
        {"orders": []},
        {"orders": [{"id": "o4", "ts": ts, "units": 0}]},
        {"orders": [{"id": "o4", "ts": ts, "units": -1}]},
        {"orders": [{"id": "o4"}]},
        {"orders": [{"id": "", "ts": ts}]},
        {"orders": [{"id": "o5", "ts": ts}, {"id": "o5", "ts": ts}]},
        {"orders": [{"id": f"x{i}", "ts": ts} for i in range(1001)]},
        {"orders": [{"id": "o6", "ts": "last tuesday"}]},
        {"orders": [{"id": "o6", "ts": ts, "user_id": ""}]},
    ):
        status, body = await post_orders(hub_server, bad)
        assert status == 400 and body["error"]["code"] == "invalid", bad
    # Nothing of the refused calls was stored: o4, o5, o6 are new now. ``at``, the name of
    # ``ts`` before 0.2, is still read.
    status, body = await post_orders(
        hub_server,
        {
            "orders": [
                {"id": "o4", "ts": ts},
                {"id": "o5", "at": ts},
                {"id": "o6", "ts": ts, "user_id": "shopper-6"},
                {"id": "x0", "ts": ts},
            ]
        },
    )
    assert body == {"ok": True, "accepted": 4, "duplicates": 0}
    async with hub_server.hub.reads.connect() as conn:
        held = await conn.execute(
            select(orders.c.order_id, orders.c.user_id, orders.c.ordered_at).where(
                orders.c.order_id.in_(["o1", "o6"])
            )
        )
        rows = {r.order_id: (r.user_id, r.ordered_at) for r in held}
    assert rows == {"o1": (None, 1796115600.0), "o6": ("shopper-6", 1796115600.0)}


async def sites_command(server: HubServer, *args: str) -> tuple[int, str]:
    code, _, err = await hub_cli(server, "sites", *args)
    return code, err


async def test_service_level_targets_are_set_per_site_and_channel(hub_server: HubServer) -> None:
    code, err = await sites_command(
        hub_server, "set", hub_server.site_key, "--service-level", "chat=70/60"
    )
    assert code == 0, err
    code, err = await sites_command(
        hub_server, "set", hub_server.site_key, "--service-level", "video=95/10"
    )
    assert code == 0, err
    status, s = await rest(hub_server, "/api/v1/reports/summary", site=hub_server.site_key)
    assert status == 200, s
    levels = {ch: s["channels"][ch]["service_level"] for ch in ("chat", "video", "callback")}
    # Setting video's kept chat's; callback has the default.
    assert {ch: (v["target_pct"], v["threshold_s"]) for ch, v in levels.items()} == {
        "chat": (70, 60),
        "video": (95, 10),
        "callback": (80, 300),
    }
    for bad in ("chat=100/30", "chat=80", "email=80/30", "chat=80/0", "chat=80/30,chat=70/20"):
        code, err = await sites_command(
            hub_server, "set", hub_server.site_key, "--service-level", bad
        )
        assert code == 2 and err.startswith("hub: "), (bad, err)
    status, again = await rest(hub_server, "/api/v1/reports/summary", site=hub_server.site_key)
    assert again["channels"]["chat"]["service_level"]["target_pct"] == 70


def test_the_report_commands_on_a_database_of_their_own(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from hub.cli import main

    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    assert main(["sites", "add", "shop", "--secret", "0123456789abcdef0123"]) == 0
    assert main(["sites", "set", "shop", "--service-level", "chat=70/60"]) == 0
    capsys.readouterr()
    assert main(["reports", "summary", "--site", "shop", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["all"]["offered"] == 0 and summary["all"]["asa_s"] is None
    assert summary["channels"]["chat"]["service_level"]["target_pct"] == 70
    assert main(["reports", "summary"]) == 0
    table = capsys.readouterr().out
    assert "every site" in table and "service level (%)" in table
    assert main(["reports", "csv", "--site", "shop"]) == 0
    assert capsys.readouterr().out.startswith("id,site,channel,customer,enqueued")
    assert main(["reports", "summary", "--site", "nope"]) == 2
    assert main(["reports", "summary", "--from", "yesterday"]) == 2
    assert main(["sites", "set", "shop", "--service-level", "chat=100/60"]) == 2
