"""Identity (DESIGN §7) against a real hub: visitor tokens, signed identify, merges, claims."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aiohttp

from hub.core.identity import sign_user_id
from tests.kit.hub import HubServer
from tests.kit.wire import Wire, customer, login

_tokens: dict[str, str] = {}


async def get_customer(server: HubServer, customer_id: str, status: int = 200) -> dict[str, Any]:
    # One supervisor login per hub: argon2 is slow on purpose.
    if server.database_url not in _tokens:
        _tokens[server.database_url] = await login(server.url, "sue@example.com", "sue-password")
    token = _tokens[server.database_url]
    async with aiohttp.ClientSession() as http:
        async with http.get(
            f"{server.url}/api/v1/customers/{customer_id}",
            headers={"Authorization": f"Bearer {token}"},
        ) as r:
            assert r.status == status, await r.text()
            return dict(await r.json())


async def say(w: Wire, conversation_id: str, text: str) -> int:
    ack = await w.call(
        "message.send",
        {"conversation_id": conversation_id, "client_id": str(uuid.uuid4()), "text": text},
    )
    assert ack["ok"], ack
    return int(ack["seq"])


async def history(w: Wire, conversation_id: str, after_seq: int = 0) -> list[dict[str, Any]]:
    ack = await w.call("history", {"conversation_id": conversation_id, "after_seq": after_seq})
    assert ack["ok"], ack
    return list(ack["events"])


def texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["data"]["text"] for e in events if e["type"] == "message"]


def signed(server: HubServer, user_id: str, **extra: Any) -> dict[str, Any]:
    return {"user_id": user_id, "user_hash": sign_user_id(server.site_secret, user_id), **extra}


def session_of(w: Wire) -> dict[str, Any]:
    return dict(w.received["session"][0])


async def test_visitor_token_is_recognised_on_reconnect(hub_server: HubServer) -> None:
    url, key = hub_server.url, hub_server.site_key
    first = await customer(url, key)
    s1 = session_of(first)
    ack = await first.call("contact.request", {"channel": "chat", "text": "Hello"})
    assert ack["ok"], ack
    await say(first, ack["conversation_id"], "Still there?")
    before = await history(first, ack["conversation_id"])
    await first.close()

    again = await customer(url, key, s1["visitor_token"])
    s2 = session_of(again)
    assert s2["customer_id"] == s1["customer_id"]
    assert s2["conversation_id"] == ack["conversation_id"]
    assert s2["verified"] is False
    after = await history(again, ack["conversation_id"])
    assert after == before
    assert texts(after) == ["Hello", "Still there?"]
    # The same device keeps writing into the same conversation, seqs continuing.
    assert await say(again, ack["conversation_id"], "Back") == before[-1]["seq"] + 1

    # A token the hub never issued is a new visitor, not anyone's history.
    stranger = await customer(url, key, "not-a-token-the-hub-gave")
    s3 = session_of(stranger)
    assert s3["customer_id"] != s1["customer_id"] and s3["conversation_id"] is None
    assert s3["visitor_token"] != "not-a-token-the-hub-gave"
    for w in (again, stranger):
        await w.close()


async def test_signed_identify_verifies_and_shows_identifiers(hub_server: HubServer) -> None:
    url, key = hub_server.url, hub_server.site_key
    w = await customer(url, key)
    me = session_of(w)["customer_id"]
    ack = await w.call(
        "identify", signed(hub_server, "user-42", email="Pat@Example.com", phone="+33612345678")
    )
    assert ack == {"ok": True, "customer_id": me, "verified": True, "conversation_id": None}
    # Uppercase hex is the same signature.
    upper = {"user_id": "user-42", "user_hash": sign_user_id(hub_server.site_secret, "user-42")}
    upper["user_hash"] = upper["user_hash"].upper()
    assert (await w.call("identify", upper))["verified"] is True

    profile = await get_customer(hub_server, me)
    assert profile["id"] == me
    assert profile["identifiers"] == [
        {"kind": "user_id", "value": "user-42", "verified": True},
        {"kind": "email", "value": "pat@example.com", "verified": False},
        {"kind": "phone", "value": "+33612345678", "verified": False},
    ]
    await w.close()
    again = await customer(url, key, session_of(w)["visitor_token"])
    assert session_of(again)["customer_id"] == me
    assert session_of(again)["verified"] is True
    await again.close()


async def test_anonymous_history_merges_into_the_verified_customer(
    hub_server: HubServer,
) -> None:
    url, key = hub_server.url, hub_server.site_key
    # Device A: the signed-in customer, with a history of their own.
    a = await customer(url, key)
    owner = (await a.call("identify", signed(hub_server, "alice")))["customer_id"]
    a_ack = await a.call("contact.request", {"channel": "chat", "text": "A1"})
    conv = a_ack["conversation_id"]
    await say(a, conv, "A2")
    assert (await a.call("contact.cancel", {"contact_id": a_ack["contact_id"]}))["ok"]
    a_events = await history(a, conv)

    # Device B: anonymous, then signs in as the same user.
    b = await customer(url, key)
    b_session = session_of(b)
    b_ack = await b.call("contact.request", {"channel": "chat", "text": "B1"})
    await say(b, b_ack["conversation_id"], "B2")
    b_events = await history(b, b_ack["conversation_id"])
    assert b_ack["conversation_id"] != conv

    merged = await b.call("identify", signed(hub_server, "alice"))
    assert merged == {"ok": True, "customer_id": owner, "verified": True, "conversation_id": conv}

    events = await history(b, conv)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    # A's history first, then B's in its own order, then the merge itself.
    assert [(e["type"], e["data"]) for e in events[: len(a_events)]] == [
        (e["type"], e["data"]) for e in a_events
    ]
    moved = events[len(a_events) : len(a_events) + len(b_events)]
    assert [(e["type"], e["data"], e["ts"]) for e in moved] == [
        (e["type"], e["data"], e["ts"]) for e in b_events
    ]
    assert texts(events) == ["A1", "A2", "B1", "B2"]
    last = events[-1]
    assert last["type"] == "identity.merged"
    assert last["data"] == {
        "from_customer_id": b_session["customer_id"],
        "events_moved": len(b_events),
    }
    assert len(events) == len(a_events) + len(b_events) + 1
    # Both devices are told, live.
    for w in (a, b):
        got = await w.next("event", lambda e: e["type"] == "identity.merged")
        assert got["conversation_id"] == conv and got["seq"] == last["seq"]
    # B now writes into the merged conversation, and its token now means the customer.
    assert await say(b, conv, "B3") == last["seq"] + 1
    await b.close()
    b2 = await customer(url, key, b_session["visitor_token"])
    assert session_of(b2)["customer_id"] == owner
    assert session_of(b2)["conversation_id"] == conv
    assert session_of(b2)["verified"] is True

    profile = await get_customer(hub_server, owner)
    assert [c["id"] for c in profile["conversations"]] == [conv]
    assert profile["identifiers"] == [{"kind": "user_id", "value": "alice", "verified": True}]
    for w in (a, b2):
        await w.close()


async def test_second_device_of_a_user_sees_the_same_history(hub_server: HubServer) -> None:
    url, key = hub_server.url, hub_server.site_key
    phone = await customer(url, key)
    owner = (await phone.call("identify", signed(hub_server, "bob-77")))["customer_id"]
    ack = await phone.call("contact.request", {"channel": "chat", "text": "From my phone"})
    conv = ack["conversation_id"]

    laptop = await customer(url, key)
    assert session_of(laptop)["visitor_token"] != session_of(phone)["visitor_token"]
    got = await laptop.call("identify", signed(hub_server, "bob-77"))
    assert got == {"ok": True, "customer_id": owner, "verified": True, "conversation_id": conv}
    events = await history(laptop, conv)
    assert events == await history(phone, conv)
    assert texts(events) == ["From my phone"]
    # A visitor with no history merges nothing: no merge event is invented.
    assert "identity.merged" not in [e["type"] for e in events]
    # And the laptop writes into the same conversation the phone sees.
    seq = await say(laptop, conv, "From my laptop")
    seen = await phone.next("event", lambda e: e["type"] == "message" and e["seq"] == seq)
    assert seen["data"]["text"] == "From my laptop"
    for w in (phone, laptop):
        await w.close()


async def test_unverified_claims_never_merge_nor_reveal(hub_server: HubServer) -> None:
    url, key = hub_server.url, hub_server.site_key
    first = await customer(url, key)
    c1 = session_of(first)["customer_id"]
    ack1 = await first.call(
        "identify", {"email": "same@example.com", "phone": "+33611111111", "name": "Pat"}
    )
    assert ack1 == {"ok": True, "customer_id": c1, "verified": False, "conversation_id": None}
    req = await first.call("contact.request", {"channel": "chat", "text": "my secret order"})
    conv1 = req["conversation_id"]

    second = await customer(url, key)
    c2 = session_of(second)["customer_id"]
    ack2 = await second.call(
        "identify", {"email": "SAME@example.com", "phone": "+33611111111", "name": "Pat"}
    )
    assert ack2 == {"ok": True, "customer_id": c2, "verified": False, "conversation_id": None}
    assert c2 != c1
    refused = await second.call("history", {"conversation_id": conv1, "after_seq": 0})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    assert "my secret order" not in str(refused)
    assert second.received["event"] == []

    # Claiming the email of a verified customer does not reach them either.
    verified = await customer(url, key)
    v = (await verified.call("identify", signed(hub_server, "carol", email="carol@example.com")))[
        "customer_id"
    ]
    third = await customer(url, key)
    ack3 = await third.call("identify", {"email": "carol@example.com"})
    assert ack3["customer_id"] == session_of(third)["customer_id"] != v
    assert ack3["verified"] is False

    claim = [
        {"kind": "email", "value": "same@example.com", "verified": False},
        {"kind": "phone", "value": "+33611111111", "verified": False},
    ]
    p1, p2 = await get_customer(hub_server, c1), await get_customer(hub_server, c2)
    assert p1["identifiers"] == claim and p2["identifiers"] == claim
    assert [c["id"] for c in p1["conversations"]] == [conv1]
    assert p2["conversations"] == []
    assert p1["name"] == p2["name"] == "Pat"
    pv = await get_customer(hub_server, v)
    assert pv["identifiers"] == [
        {"kind": "user_id", "value": "carol", "verified": True},
        {"kind": "email", "value": "carol@example.com", "verified": False},
    ]
    for w in (first, second, verified, third):
        await w.close()


async def test_two_verified_user_ids_never_merge(hub_server: HubServer) -> None:
    url, key = hub_server.url, hub_server.site_key
    w = await customer(url, key)
    a = await w.call("identify", signed(hub_server, "user-a"))
    req = await w.call("contact.request", {"channel": "chat", "text": "as A"})
    conv_a = req["conversation_id"]
    assert (await w.call("contact.cancel", {"contact_id": req["contact_id"]}))["ok"]

    b = await w.call("identify", signed(hub_server, "user-b"))
    assert b["ok"] and b["verified"] is True
    assert b["customer_id"] != a["customer_id"]
    assert b["conversation_id"] is None
    # Now user-b on this device: user-a's conversation is someone else's.
    refused = await w.call("history", {"conversation_id": conv_a, "after_seq": 0})
    assert refused["error"]["code"] == "forbidden"
    req_b = await w.call("contact.request", {"channel": "chat", "text": "as B"})
    assert req_b["conversation_id"] != conv_a

    back = await w.call("identify", signed(hub_server, "user-a"))
    assert back["customer_id"] == a["customer_id"] and back["conversation_id"] == conv_a
    assert texts(await history(w, conv_a)) == ["as A"]

    pa = await get_customer(hub_server, a["customer_id"])
    pb = await get_customer(hub_server, b["customer_id"])
    assert pa["identifiers"] == [{"kind": "user_id", "value": "user-a", "verified": True}]
    assert pb["identifiers"] == [{"kind": "user_id", "value": "user-b", "verified": True}]
    assert [c["id"] for c in pa["conversations"]] == [conv_a]
    assert [c["id"] for c in pb["conversations"]] == [req_b["conversation_id"]]
    await w.close()


async def test_bad_hash_is_refused_and_changes_nothing(hub_server: HubServer) -> None:
    url, key = hub_server.url, hub_server.site_key
    owner_ws = await customer(url, key)
    owner = (await owner_ws.call("identify", signed(hub_server, "dave")))["customer_id"]
    conv = (await owner_ws.call("contact.request", {"channel": "chat", "text": "dave's"}))[
        "conversation_id"
    ]

    w = await customer(url, key)
    me = session_of(w)["customer_id"]
    good = sign_user_id(hub_server.site_secret, "dave")
    flipped = good[:-1] + ("0" if good[-1] != "0" else "1")
    attempts = [
        {"user_id": "dave", "user_hash": flipped, "email": "dave@example.com"},
        {"user_id": "dave", "user_hash": sign_user_id("another-site-secret", "dave")},
        {"user_id": "dave", "user_hash": sign_user_id(hub_server.site_secret, "eve")},
        {"user_id": "dave"},
        {"user_hash": good},
    ]
    for attempt in attempts:
        ack = await w.call("identify", attempt)
        assert ack["ok"] is False, attempt
        assert ack["error"]["code"] == "identity_invalid", (attempt, ack)
        assert good not in str(ack) and hub_server.site_secret not in str(ack)

    refused = await w.call("history", {"conversation_id": conv, "after_seq": 0})
    assert refused["error"]["code"] == "forbidden"
    # Nothing was written for the visitor, not even its customer: it only ever looked.
    await get_customer(hub_server, me, status=404)
    assert (await get_customer(hub_server, owner))["identifiers"] == [
        {"kind": "user_id", "value": "dave", "verified": True}
    ]
    await w.close()
    again = await customer(url, key, session_of(w)["visitor_token"])
    assert session_of(again)["customer_id"] == me
    assert session_of(again)["verified"] is False
    for x in (owner_ws, again):
        await x.close()


async def test_required_identity_refuses_unsigned_contacts(hub_server: HubServer) -> None:
    channel = "chat"
    secret = await hub_server.add_site("strict", identity_mode="required")
    w = await customer(hub_server.url, "strict")
    me = session_of(w)
    assert me["identity_required"] is True and me["verified"] is False

    refused = await w.call("contact.request", {"channel": channel, "text": "let me in"})
    assert refused["ok"] is False and refused["error"]["code"] == "identity_required"
    # An unsigned claim is not enough.
    assert (await w.call("identify", {"email": "x@example.com"}))["verified"] is False
    refused = await w.call("contact.request", {"channel": channel, "text": "let me in"})
    assert refused["error"]["code"] == "identity_required"
    assert (await get_customer(hub_server, me["customer_id"]))["conversations"] == []

    ack = await w.call(
        "identify", {"user_id": "member-1", "user_hash": sign_user_id(secret, "member-1")}
    )
    assert ack["verified"] is True and ack["customer_id"] == me["customer_id"]
    accepted = await w.call("contact.request", {"channel": channel, "text": "signed in now"})
    assert accepted["ok"] is True, accepted
    assert texts(await history(w, accepted["conversation_id"])) == ["signed in now"]
    # The main shop's signature means nothing on this site.
    other = await customer(hub_server.url, "strict")
    forged = await other.call("identify", signed(hub_server, "member-1"))
    assert forged["error"]["code"] == "identity_invalid"
    for x in (w, other):
        await x.close()


async def test_history_moves_to_a_verified_customer_without_one(hub_server: HubServer) -> None:
    url, key = hub_server.url, hub_server.site_key
    a = await customer(url, key)
    owner = (await a.call("identify", signed(hub_server, "fay")))["customer_id"]
    b = await customer(url, key)
    req = await b.call("contact.request", {"channel": "chat", "text": "before signing in"})
    conv = req["conversation_id"]
    before = await history(b, conv)

    merged = await b.call("identify", signed(hub_server, "fay"))
    assert merged == {"ok": True, "customer_id": owner, "verified": True, "conversation_id": conv}
    events = await history(b, conv)
    assert events[: len(before)] == before
    assert events[-1]["type"] == "identity.merged"
    assert events[-1]["data"]["from_customer_id"] == session_of(b)["customer_id"]
    # The contact moved with the conversation: the customer can still cancel it.
    assert (await b.call("contact.cancel", {"contact_id": req["contact_id"]}))["ok"]
    # The first device, now the same customer, reads the conversation it never saw.
    assert texts(await history(a, conv)) == ["before signing in"]
    profile = await get_customer(hub_server, owner)
    assert [c["id"] for c in profile["conversations"]] == [conv]
    for w in (a, b):
        await w.close()


async def test_a_merge_while_messages_stream_in_loses_none(hub_server: HubServer) -> None:
    """The merge reads the visitor's events and moves them; sends keep landing meanwhile.

    Every acknowledged message must end up once in the merged conversation, in seq order,
    whether the writer stored it before the merge (then it was moved), or after (then it
    followed the conversation's ``moved_to``). A commit between the merge's read and its
    write would lose it: the write lock taken up front is what this test stands on.
    """
    url, key = hub_server.url, hub_server.site_key
    a = await customer(url, key)
    await a.call("identify", signed(hub_server, "gus"))
    a_ack = await a.call("contact.request", {"channel": "chat", "text": "A1"})
    conv = a_ack["conversation_id"]
    assert (await a.call("contact.cancel", {"contact_id": a_ack["contact_id"]}))["ok"]

    # The visitor in two tabs: one streams messages, the other signs in meanwhile.
    streaming = await customer(url, key)
    token = session_of(streaming)["visitor_token"]
    other_tab = await customer(url, key, token)
    b_ack = await streaming.call("contact.request", {"channel": "chat", "text": "B0"})
    old = b_ack["conversation_id"]
    count = 120
    sent = [f"B{n}" for n in range(1, count + 1)]
    sends = [asyncio.create_task(say(streaming, old, text)) for text in sent]
    # Sign in once the first sends are stored and the rest are on their way.
    await asyncio.wait(sends, return_when=asyncio.FIRST_COMPLETED)
    merged = await other_tab.call("identify", signed(hub_server, "gus"))
    assert merged["ok"] and merged["conversation_id"] == conv
    await asyncio.gather(*sends)  # every send acknowledged

    events = await history(a, conv)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    stored = texts(events)
    assert sorted(stored) == sorted(["A1", "B0", *sent])
    assert len(stored) == len(set(stored))
    # Nothing stayed behind in the visitor's old conversation.
    assert await history(streaming, old) == []
