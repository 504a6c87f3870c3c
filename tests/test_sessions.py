"""Agent sessions (DESIGN §11): logout, revocation and expiry end the token's sockets.

The hub runs on a manual clock: expiry and the hub's look for tokens revoked by another
process (the CLI, here as a subprocess, as an operator runs it) happen when the test moves time.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import aiohttp
import pytest
import socketio

from tests.kit.clients import Clients
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import Wire, login

pytestmark = pytest.mark.usefixtures("manual_clock")

ADA = ("ada@example.com", "ada-password")
BOB = ("bob@example.com", "bob-password")
SUE = ("sue@example.com", "sue-password")
# HUB_SESSION_CHECK's default: how often the hub looks for revocations made elsewhere.
CHECK_S = 5.0


async def post(
    server: HubServer, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.url}{path}", json=body, headers=headers) as r:
            return r.status, await r.json(content_type=None)


async def get_status(server: HubServer, path: str, token: str) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.get(
            f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"}
        ) as r:
            return r.status


async def console(clients: Clients, server: HubServer, token: str) -> tuple[Wire, asyncio.Event]:
    """An agent socket opened with ``token``, and an event set when the hub disconnects it."""
    w = clients.keep(Wire(server.url, "/agent"))
    gone = asyncio.Event()

    @w.sio.on("disconnect", namespace="/agent")  # type: ignore[untyped-decorator,unused-ignore]
    async def on_disconnect(*_reason: Any) -> None:
        gone.set()

    await w.connect({"token": token})
    await w.next("presence")
    return w, gone


async def ended(w: Wire, gone: asyncio.Event, reason: str) -> None:
    """The socket got ``session.ended {"reason"}`` and was disconnected, in that order."""
    assert await w.next("session.ended") == {"reason": reason}
    await asyncio.wait_for(gone.wait(), 5)
    assert not w.sio.connected


async def still_open(w: Wire) -> None:
    await w.round_trip()
    assert w.received["session.ended"] == []


async def refused(server: HubServer, token: str) -> None:
    w = Wire(server.url, "/agent")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await w.connect({"token": token})
    assert not w.sio.connected
    await w.close()


async def cli(server: HubServer, *args: str) -> tuple[int, str, str]:
    """``hub ARGS`` on the hub's database, in a subprocess."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        *args,
        env={**os.environ, "HUB_DATABASE_URL": server.database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_logout_revokes_the_token_and_ends_its_sockets(
    hub_server: HubServer, clients: Clients
) -> None:
    token = await login(hub_server.url, *ADA)
    other = await login(hub_server.url, *ADA)  # a second login: another tab, another device
    first, first_gone = await console(clients, hub_server, token)
    second, second_gone = await console(clients, hub_server, token)
    kept, _ = await console(clients, hub_server, other)

    status, body = await post(hub_server, "/api/v1/auth/logout", token=token)
    assert (status, body) == (200, {"ok": True})
    await ended(first, first_gone, "logged_out")
    await ended(second, second_gone, "logged_out")
    await still_open(kept)  # the other token is untouched

    assert await get_status(hub_server, "/api/v1/customers/nobody", token) == 401
    # Ada may not read a customer that does not exist, but she is who she says she is.
    assert await get_status(hub_server, "/api/v1/customers/nobody", other) == 403
    await refused(hub_server, token)
    status, body = await post(hub_server, "/api/v1/auth/logout", token=token)
    assert status == 401 and body["error"]["code"] == "unauthorized"


async def test_logout_needs_a_bearer_token(hub_server: HubServer) -> None:
    for token in (None, "", "forged"):
        status, body = await post(hub_server, "/api/v1/auth/logout", token=token)
        assert status == 401 and body["error"]["code"] == "unauthorized", body


@pytest.mark.parametrize("hub_config", [{"token_ttl_s": 60.0}])
async def test_an_expired_token_ends_its_socket_when_the_clock_passes_it(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    token = await login(hub_server.url, *ADA)
    w, gone = await console(clients, hub_server, token)
    await manual_clock.advance(59.0)
    await still_open(w)
    await manual_clock.advance(1.05)
    await ended(w, gone, "expired")
    await refused(hub_server, token)


async def test_a_new_password_revokes_every_token_and_drops_the_sockets(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    tokens = [await login(hub_server.url, *ADA) for _ in range(2)]
    sockets = [await console(clients, hub_server, t) for t in tokens]
    bob, _ = await console(clients, hub_server, await login(hub_server.url, *BOB))

    code, out, err = await cli(hub_server, "agents", "set", ADA[0], "--password", "new-password")
    assert code == 0, err
    assert "2 session(s) revoked" in out
    await manual_clock.advance(CHECK_S)
    for w, gone in sockets:
        await ended(w, gone, "revoked")
    await still_open(bob)

    for token in tokens:
        assert await get_status(hub_server, "/api/v1/customers/nobody", token) == 401
    status, _ = await post(hub_server, "/api/v1/auth/login", {"email": ADA[0], "password": ADA[1]})
    assert status == 401
    status, body = await post(
        hub_server, "/api/v1/auth/login", {"email": ADA[0], "password": "new-password"}
    )
    assert status == 200, body


async def test_a_disabled_agent_is_dropped_cannot_log_in_and_is_offered_nothing(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada(available=False)
    token = await login(hub_server.url, *BOB)
    bob, bob_gone = await console(clients, hub_server, token)
    assert (await bob.call("presence", {"status": "available"}))["ok"]

    code, _, err = await cli(hub_server, "agents", "set", BOB[0], "--disable")
    assert code == 0, err
    await manual_clock.advance(CHECK_S)
    await ended(bob, bob_gone, "revoked")
    await still_open(ada)
    await refused(hub_server, token)

    # The same refusal as a wrong password: nothing says the account exists but is disabled.
    right = await post(hub_server, "/api/v1/auth/login", {"email": BOB[0], "password": BOB[1]})
    wrong = await post(hub_server, "/api/v1/auth/login", {"email": BOB[0], "password": "nope-1234"})
    assert right == wrong
    assert right[0] == 401 and right[1]["error"]["code"] == "unauthorized"

    # Nobody is offered the contact: Bob, the only available agent, is gone.
    shopper, contact_id = await clients.request("chat")
    await manual_clock.settle()
    await ada.quiet("offer")
    engine = hub_server.hub.live.engine
    assert [a for a in engine.agents.values() if a.connected and a.status == "available"] == []

    code, _, err = await cli(hub_server, "agents", "set", BOB[0], "--enable")
    assert code == 0, err
    back = await clients.bob()
    offer = await back.next("offer")
    assert offer["contact_id"] == contact_id
    await shopper.round_trip()


async def test_a_new_role_revokes_the_tokens(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    sue, gone = await console(clients, hub_server, await login(hub_server.url, *SUE))
    code, _, err = await cli(hub_server, "agents", "set", SUE[0], "--role", "agent")
    assert code == 0, err
    await manual_clock.advance(CHECK_S)
    await ended(sue, gone, "revoked")
    status, body = await post(
        hub_server, "/api/v1/auth/login", {"email": SUE[0], "password": SUE[1]}
    )
    assert status == 200 and body["agent"]["role"] == "agent"


async def test_a_refused_change_revokes_nothing(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    ada, _ = await console(clients, hub_server, await login(hub_server.url, *ADA))
    for args in (["--password", "short"], ["--role", "boss"], ["--name", ""]):
        code, _, err = await cli(hub_server, "agents", "set", ADA[0], *args)
        assert code != 0 and err.strip(), (args, err)
    await manual_clock.advance(CHECK_S)
    await still_open(ada)


async def test_new_skills_apply_from_the_agents_next_connect(
    hub_server: HubServer, clients: Clients, manual_clock: HandClock
) -> None:
    ada = await clients.ada()
    _shopper, contact_id = await clients.request("chat", skills=["billing"])
    await manual_clock.settle()
    await ada.quiet("offer")  # Ada has no billing skill

    code, out, err = await cli(hub_server, "agents", "set", ADA[0], "--skills", "billing")
    assert code == 0, err
    assert "revoked" not in out  # skills change nothing of a session
    await manual_clock.advance(CHECK_S)
    await still_open(ada)
    await ada.close()

    again = await clients.ada()
    assert (await again.next("offer"))["contact_id"] == contact_id
