"""The team over REST (issue 11): supervisors list the agents with their live state; admins
change them, and the running hub applies a change at once: sockets, routing, supervisors.

The hub runs on a manual clock that these tests never move past the session check
(HUB_SESSION_CHECK): what happens, happens because of the request, not of a later look.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from tests.kit.clients import Clients
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire, login

pytestmark = pytest.mark.usefixtures("manual_clock")

ADA = ("ada@example.com", "ada-password")
SUE = ("sue@example.com", "sue-password")
ANN = ("ann@example.com", "ann-password")


async def api(
    server: HubServer, method: str, path: str, token: str, body: Any = None
) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.request(
            method,
            f"{server.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        ) as r:
            return r.status, await r.json(content_type=None)


async def add_admin(server: HubServer) -> str:
    """Ann, an admin; returns her token."""
    await server.add_agent(ANN[0], ANN[1], name="Ann", role="admin")
    return await login(server.url, *ANN)


async def team(server: HubServer, token: str) -> dict[str, dict[str, Any]]:
    status, body = await api(server, "GET", "/api/v1/agents", token)
    assert status == 200, body
    return {a["email"]: a for a in body["agents"]}


async def agent_id(server: HubServer, token: str, email: str) -> str:
    return str((await team(server, token))[email]["id"])


async def supervisor(clients: Clients) -> Wire:
    """Sue's console: she gets ``agent.updated``."""
    return await clients.agent(*SUE, available=False)


async def test_supervisors_see_every_agent_with_their_live_state(
    hub_server: HubServer, clients: Clients
) -> None:
    await clients.ada()  # available
    sue = await login(hub_server.url, *SUE)
    agents = await team(hub_server, sue)

    assert sorted(agents) == ["ada@example.com", "bob@example.com", "sue@example.com"]
    ada = agents["ada@example.com"]
    assert ada["name"] == "Ada" and ada["role"] == "agent"
    assert ada["status"] == "available" and ada["load"] == {"chat": 0, "video": 0, "callback": 0}
    assert ada["sites"] is None and ada["skills"] == [] and ada["disabled"] is False
    assert agents["bob@example.com"]["status"] == "offline"
    for a in agents.values():
        assert not any("password" in key or "hash" in key for key in a), a

    # An agent may not see the team, nor change it.
    token = await login(hub_server.url, *ADA)
    status, body = await api(hub_server, "GET", "/api/v1/agents", token)
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = await api(hub_server, "PATCH", f"/api/v1/agents/{ada['id']}", token, {})
    assert status == 403 and body["error"]["code"] == "forbidden"
    status, body = await api(hub_server, "GET", "/api/v1/agents", "forged")
    assert status == 401


async def test_an_admin_changes_an_agent_and_the_supervisors_are_told(
    hub_server: HubServer, clients: Clients
) -> None:
    ann = await add_admin(hub_server)
    sue_console = await supervisor(clients)
    ada = await clients.ada()
    ada_id = await agent_id(hub_server, ann, ADA[0])

    change = {"name": "Ada L.", "skills": ["fr", "returns"], "sites": ["shop"], "auto_answer": True}
    status, body = await api(hub_server, "PATCH", f"/api/v1/agents/{ada_id}", ann, change)
    assert status == 200, body
    assert body["revoked"] == 0  # nothing that needs a new login
    changed = body["agent"]
    assert (changed["name"], changed["skills"], changed["sites"]) == (
        "Ada L.",
        ["fr", "returns"],
        ["shop"],
    )
    assert changed["auto_answer"] is True and changed["role"] == "agent"

    told = await sue_console.next("agent.updated", lambda p: p["id"] == ada_id and "name" in p)
    assert told["name"] == "Ada L." and told["sites"] == ["shop"] and told["status"] == "available"
    assert (await team(hub_server, ann))[ADA[0]] == changed
    # Her open console is told of itself as it is now, without logging in again.
    me = (await ada.call("snapshot", {}))["agent"]
    assert me["name"] == "Ada L." and me["auto_answer"] is True

    # A supervisor reads the team but may not change it: nothing changes.
    sue = await login(hub_server.url, *SUE)
    status, body = await api(hub_server, "PATCH", f"/api/v1/agents/{ada_id}", sue, {"name": "X"})
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert (await team(hub_server, ann))[ADA[0]]["name"] == "Ada L."

    # Back to every site.
    status, body = await api(hub_server, "PATCH", f"/api/v1/agents/{ada_id}", ann, {"sites": "*"})
    assert status == 200 and body["agent"]["sites"] is None


BAD_CHANGES: list[tuple[dict[str, Any], str]] = [
    ({"disable": True}, "disable"),  # a typo is not a change that silently did nothing
    ({"name": "Ada", "password": "new-password"}, "password"),
    ({"role": "boss"}, "role"),
    ({"sites": ["shop", "nowhere"]}, "no site with key 'nowhere'"),
    ({"sites": []}, "give at least one site key"),
    ({"sites": "shop"}, "sites"),
    ({"skills": "fr"}, "skills"),
    ({"skills": ["x" * 65]}, "skills"),
    ({"name": "  "}, "name"),
    ({"disabled": "yes"}, "disabled"),
    ({"auto_answer": 1}, "auto_answer"),
]


async def test_a_bad_change_is_refused_whole_and_changes_nothing(hub_server: HubServer) -> None:
    ann = await add_admin(hub_server)
    before = await team(hub_server, ann)
    ada_id = before[ADA[0]]["id"]
    for bad, named in BAD_CHANGES:
        # A good name beside the bad field: refused too, the whole change is.
        body = {"name": "Changed", **bad} if "name" not in bad else bad
        status, answer = await api(hub_server, "PATCH", f"/api/v1/agents/{ada_id}", ann, body)
        assert status == 400 and answer["error"]["code"] == "invalid", (bad, answer)
        assert named in answer["error"]["message"], (bad, answer)
    for raw in (b"[]", b"not json"):
        async with aiohttp.ClientSession() as http:
            async with http.patch(
                f"{hub_server.url}/api/v1/agents/{ada_id}",
                data=raw,
                headers={"Authorization": f"Bearer {ann}"},
            ) as r:
                assert r.status == 400 and (await r.json())["error"]["code"] == "invalid"

    status, answer = await api(hub_server, "PATCH", "/api/v1/agents/nobody", ann, {"name": "X"})
    assert status == 404 and answer["error"]["code"] == "not_found"
    assert await team(hub_server, ann) == before


async def test_an_admin_may_not_disable_or_demote_themselves(hub_server: HubServer) -> None:
    ann = await add_admin(hub_server)
    ann_id = await agent_id(hub_server, ann, ANN[0])
    for body in ({"disabled": True}, {"role": "supervisor"}, {"name": "Ann", "role": "agent"}):
        status, answer = await api(hub_server, "PATCH", f"/api/v1/agents/{ann_id}", ann, body)
        assert status == 409 and answer["error"]["code"] == "conflict", answer
        assert "another admin" in answer["error"]["message"]
    # Her own name, skills and so on are hers to change; her token still works.
    status, answer = await api(
        hub_server, "PATCH", f"/api/v1/agents/{ann_id}", ann, {"role": "admin"}
    )
    assert status == 200 and answer["revoked"] == 0
    me = (await team(hub_server, ann))[ANN[0]]
    assert me["role"] == "admin" and me["disabled"] is False


async def test_disabling_an_agent_ends_their_console_at_once(
    hub_server: HubServer, clients: Clients
) -> None:
    ann = await add_admin(hub_server)
    sue_console = await supervisor(clients)
    ada = await clients.ada()
    gone = asyncio.Event()

    @ada.sio.on("disconnect", namespace="/agent")  # type: ignore[untyped-decorator,unused-ignore]
    async def on_disconnect(*_reason: Any) -> None:
        gone.set()

    ada_id = await agent_id(hub_server, ann, ADA[0])
    status, body = await api(
        hub_server, "PATCH", f"/api/v1/agents/{ada_id}", ann, {"disabled": True}
    )
    assert status == 200 and body["revoked"] == 1, body  # the token of her console
    # At once: the clock has not moved, so no session check has looked at the store.
    assert await ada.next("session.ended") == {"reason": "revoked"}
    await asyncio.wait_for(gone.wait(), 5)
    assert body["agent"]["disabled"] is True and body["agent"]["status"] == "offline"
    told = await sue_console.next("agent.updated", lambda p: p["id"] == ada_id and "disabled" in p)
    assert told["disabled"] is True and told["status"] == "offline"

    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{hub_server.url}/api/v1/auth/login", json={"email": ADA[0], "password": ADA[1]}
        ) as r:
            assert r.status == 401

    status, body = await api(
        hub_server, "PATCH", f"/api/v1/agents/{ada_id}", ann, {"disabled": False}
    )
    assert status == 200 and body["agent"]["disabled"] is False
    await login(hub_server.url, *ADA)


async def test_moving_an_agent_to_one_site_routes_at_once(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    await hub_server.add_site("second")
    ann = await add_admin(hub_server)
    ada = await clients.ada()  # she serves every site
    ada_id = await agent_id(hub_server, ann, ADA[0])

    status, body = await api(
        hub_server, "PATCH", f"/api/v1/agents/{ada_id}", ann, {"sites": [hub_server.site_key]}
    )
    assert status == 200 and body["agent"]["sites"] == [hub_server.site_key], body
    # A contact of the second site is no longer for her...
    other = await clients.customer(site_key="second")
    ack = await other.call("contact.request", {"channel": "chat"})
    assert ack["ok"], ack
    await manual_clock.settle()
    await ada.quiet("offer")
    # ...one of her site is.
    _shopper, mine = await clients.request("chat")
    await manual_clock.settle()
    assert (await ada.next("offer"))["contact_id"] == mine
    assert (await ada.call("offer.accept", {"contact_id": mine}))["ok"]

    # Every site again: the second site's contact, waiting all along, is offered to her now.
    status, body = await api(hub_server, "PATCH", f"/api/v1/agents/{ada_id}", ann, {"sites": "*"})
    assert status == 200 and body["agent"]["sites"] is None
    await ada.next("offer", lambda o: o["contact_id"] == ack["contact_id"])
