"""The login throttle (DESIGN §11): per account and per client address, on the hub's clock."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import aiohttp
import pytest

from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import customer

pytestmark = pytest.mark.usefixtures("manual_clock")

ADA = ("ada@example.com", "ada-password")
BOB = ("bob@example.com", "bob-password")
SUE = ("sue@example.com", "sue-password")
WINDOW_S = 900.0
# How long a held password check waits at most before it lets go by itself.
GATE_S = 5.0


async def attempt(
    server: HubServer, email: str, password: str, address: str | None = None
) -> tuple[int, str | None, Any]:
    """A login: its status, its Retry-After header and its body."""
    headers = {"X-Forwarded-For": f"203.0.113.9, {address}"} if address else {}
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{server.url}/api/v1/auth/login",
            json={"email": email, "password": password},
            headers=headers,
        ) as r:
            return r.status, r.headers.get("Retry-After"), await r.json(content_type=None)


def throttled(answer: tuple[int, str | None, Any], retry_after: str) -> None:
    status, header, body = answer
    assert status == 429, answer
    assert header == retry_after
    assert body["ok"] is False and body["error"]["code"] == "rate_limited", body
    assert body["error"]["message"]


@pytest.mark.parametrize(
    "hub_config",
    [{"login_account_limit": 3, "login_address_limit": 100, "login_window_s": WINDOW_S}],
)
async def test_an_account_is_throttled_after_its_failures_until_the_window_moves(
    hub_server: HubServer, manual_clock: HandClock
) -> None:
    for _ in range(3):
        status, _, body = await attempt(hub_server, ADA[0], "wrong-password")
        assert status == 401 and body["error"]["code"] == "unauthorized"
    # Even the right password is not looked at now; the email's case makes no difference.
    throttled(await attempt(hub_server, ADA[0], ADA[1]), "900")
    throttled(await attempt(hub_server, "ADA@example.com", ADA[1]), "900")
    # Another account from the same address is not concerned.
    assert (await attempt(hub_server, BOB[0], BOB[1]))[0] == 200

    await manual_clock.advance(WINDOW_S - 10)
    throttled(await attempt(hub_server, ADA[0], ADA[1]), "10")
    await manual_clock.advance(10.05)
    assert (await attempt(hub_server, ADA[0], ADA[1]))[0] == 200


@pytest.mark.parametrize(
    "hub_config",
    [{"login_account_limit": 3, "login_address_limit": 100, "login_window_s": WINDOW_S}],
)
async def test_a_success_resets_the_accounts_count(
    hub_server: HubServer, manual_clock: HandClock
) -> None:
    for _ in range(2):
        assert (await attempt(hub_server, ADA[0], "wrong-password"))[0] == 401
        await manual_clock.advance(1)
    assert (await attempt(hub_server, ADA[0], ADA[1]))[0] == 200
    for _ in range(2):
        assert (await attempt(hub_server, ADA[0], "wrong-password"))[0] == 401
    assert (await attempt(hub_server, ADA[0], ADA[1]))[0] == 200  # 2 failures since, not 4
    for _ in range(3):
        assert (await attempt(hub_server, ADA[0], "wrong-password"))[0] == 401
    throttled(await attempt(hub_server, ADA[0], ADA[1]), "900")


@pytest.mark.parametrize(
    "hub_config",
    [
        {
            "login_account_limit": 100,
            "login_address_limit": 3,
            "login_window_s": WINDOW_S,
            "trust_forwarded": True,
        }
    ],
)
async def test_an_address_is_throttled_across_accounts(
    hub_server: HubServer, manual_clock: HandClock
) -> None:
    here, there = "198.51.100.7", "198.51.100.8"
    assert (await attempt(hub_server, ADA[0], "wrong-password", here))[0] == 401
    await manual_clock.advance(100)
    assert (await attempt(hub_server, BOB[0], "wrong-password", here))[0] == 401
    assert (await attempt(hub_server, "nobody@example.com", "whatever-1", here))[0] == 401
    throttled(await attempt(hub_server, SUE[0], SUE[1], here), "800")
    # Sue herself is not throttled: from another address she logs in, and that success does
    # not reset the count of the address that failed.
    assert (await attempt(hub_server, SUE[0], SUE[1], there))[0] == 200
    throttled(await attempt(hub_server, SUE[0], SUE[1], here), "800")

    # The first failure leaves the window: one more try, and the window is full again.
    await manual_clock.advance(800.05)
    assert (await attempt(hub_server, SUE[0], SUE[1], here))[0] == 200
    assert (await attempt(hub_server, SUE[0], "wrong-password", here))[0] == 401
    throttled(await attempt(hub_server, SUE[0], SUE[1], here), "100")


@pytest.mark.parametrize("hub_config", [{"login_account_limit": 2, "login_address_limit": 2}])
async def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(
    hub_server: HubServer,
) -> None:
    assert (await attempt(hub_server, ADA[0], "wrong-password", "192.0.2.1"))[0] == 401
    assert (await attempt(hub_server, BOB[0], "wrong-password", "192.0.2.2"))[0] == 401
    # Both failures came from the one real peer, 127.0.0.1, whatever the header said.
    status, header, _ = await attempt(hub_server, SUE[0], SUE[1], "192.0.2.3")
    assert status == 429 and header == str(15 * 60)


@pytest.mark.parametrize("hub_config", [{"login_account_limit": 3, "login_address_limit": 100}])
async def test_attempts_sent_at_once_get_no_more_tries_than_the_limit(
    hub_server: HubServer,
) -> None:
    answers = await asyncio.gather(
        *(attempt(hub_server, ADA[0], "wrong-password") for _ in range(10))
    )
    assert sorted(status for status, _, _ in answers) == [401] * 3 + [429] * 7


@pytest.mark.parametrize(
    "hub_config",
    [{"login_account_limit": 100, "login_address_limit": 2, "trust_forwarded": True}],
)
async def test_a_success_is_not_counted_against_its_address(hub_server: HubServer) -> None:
    here = "198.51.100.7"
    for _ in range(3):
        assert (await attempt(hub_server, SUE[0], SUE[1], here))[0] == 200
    assert (await attempt(hub_server, ADA[0], "wrong-password", here))[0] == 401
    assert (await attempt(hub_server, SUE[0], SUE[1], here))[0] == 200
    assert (await attempt(hub_server, ADA[0], "wrong-password", here))[0] == 401
    throttled(await attempt(hub_server, SUE[0], SUE[1], here), str(15 * 60))


@pytest.mark.parametrize(
    "hub_config", [{"login_account_limit": 5, "login_address_limit": 2, "trust_forwarded": True}]
)
async def test_a_team_behind_one_address_signs_in_at_once(hub_server: HubServer) -> None:
    # The start of a shift: every agent of an office behind one address at the same moment.
    # Only wrong answers count against the address, not logins still being checked.
    office = "198.51.100.20"
    answers = await asyncio.gather(
        *(attempt(hub_server, email, password, office) for email, password in (ADA, BOB, SUE) * 3)
    )
    assert [status for status, _, _ in answers] == [200] * 9


@pytest.mark.parametrize(
    "hub_config",
    [{"login_concurrency": 1, "login_account_limit": 100, "login_address_limit": 100}],
)
async def test_logins_under_way_leave_the_loop_to_others(
    hub_server: HubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A password check held open until the customer's ack is in: were it on the event loop,
    # the hub could answer nothing until it let go (after GATE_S, and the test fails).
    from hub.actions import agents
    from hub.core import credentials

    gate = threading.Event()
    inside = threading.Semaphore(0)
    checks = {"now": 0, "most": 0}
    lock = threading.Lock()

    def held(password_hash: str | None, password: str) -> bool:
        with lock:
            checks["now"] += 1
            checks["most"] = max(checks["most"], checks["now"])
        inside.release()
        gate.wait(GATE_S)
        with lock:
            checks["now"] -= 1
        return credentials.verify_password(password_hash, password)

    monkeypatch.setattr(agents, "verify_password", held)
    shopper = await customer(hub_server.url, hub_server.site_key)
    ack = await shopper.call("contact.request", {"channel": "chat", "text": "Hello"})
    # Known and unknown emails alike: each one's check is under way or waiting its turn.
    emails = [ADA[0], "nobody@example.com", BOB[0], "ghost@example.com"]
    logins = [asyncio.ensure_future(attempt(hub_server, e, "wrong-password")) for e in emails]
    assert await asyncio.to_thread(inside.acquire, timeout=GATE_S)
    history = await shopper.call(
        "history", {"conversation_id": ack["conversation_id"], "after_seq": 0}
    )
    assert history["ok"] and not any(t.done() for t in logins)
    gate.set()
    answers = await asyncio.gather(*logins)
    assert [status for status, _, _ in answers] == [401] * 4
    assert checks["most"] == 1  # login_concurrency
    await shopper.close()
