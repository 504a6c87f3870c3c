"""A site's identity modes (DESIGN §7) through the command line and the customer socket:
``anonymous_chat`` lets unsigned visitors chat but asks a signed identity for video and
callbacks; ``required`` asks it for everything; the session says which, and where to sign in."""

from __future__ import annotations

import pytest

from hub.core.identity import sign_user_id
from tests.kit import cli
from tests.kit.hub import HandClock, HubServer
from tests.kit.wire import customer

PHONE = "+33612345678"
LOGIN = "https://shop.example/login"


async def site(server: HubServer, key: str, *args: str) -> str:
    secret = f"{key}-secret-0123456789"
    code, _, err = await cli.hub_cli(
        server.database_url, "sites", "add", key, "--secret", secret, *args
    )
    assert code == 0, err
    return secret


async def test_anonymous_chat_asks_a_signed_identity_for_video_and_callbacks(
    hub_server: HubServer,
) -> None:
    secret = await site(hub_server, "chatty", "--identity", "anonymous_chat", "--login-url", LOGIN)
    shopper = await customer(hub_server.url, "chatty")
    session = shopper.received["session"][0]
    assert (session["identity_mode"], session["login_url"]) == ("anonymous_chat", LOGIN)
    for request in ({"channel": "video"}, {"channel": "callback", "phone": PHONE}):
        ack = await shopper.call("contact.request", request)
        assert ack["ok"] is False and ack["error"]["code"] == "identity_required", ack
        assert "chat needs no sign-in" in ack["error"]["message"]
    assert (await shopper.call("contact.request", {"channel": "chat"}))["ok"] is True
    await shopper.close()

    signed = await customer(hub_server.url, "chatty")
    who = {"user_id": "u1", "user_hash": sign_user_id(secret, "u1")}
    assert (await signed.call("identify", who))["verified"] is True
    ack = await signed.call("contact.request", {"channel": "callback", "phone": PHONE})
    assert ack["ok"] is True, ack
    await signed.close()


async def test_required_asks_it_for_everything_and_the_mode_can_change(
    hub_server: HubServer, manual_clock: HandClock
) -> None:
    await site(hub_server, "strict", "--identity", "required")
    shopper = await customer(hub_server.url, "strict")
    assert shopper.received["session"][0]["identity_mode"] == "required"
    ack = await shopper.call("contact.request", {"channel": "chat"})
    assert ack["error"]["code"] == "identity_required"
    await shopper.close()
    code, _, err = await cli.hub_cli(
        hub_server.database_url, "sites", "set", "strict", "--identity", "optional"
    )
    assert code == 0, err
    # A running hub reads a site again within 5 s (hub.actions.visitors.SITE_CACHE_S).
    await manual_clock.advance(5.1)
    again = await customer(hub_server.url, "strict")
    assert again.received["session"][0]["identity_mode"] == "optional"
    assert (await again.call("contact.request", {"channel": "chat"}))["ok"] is True
    await again.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--identity", "sometimes"], "invalid choice"),
        (["--login-url", "javascript:alert(1)"], "--login-url"),
        (["--login-url", "/login"], "--login-url"),
    ],
)
async def test_a_bad_identity_setting_is_refused(
    hub_server: HubServer, args: list[str], message: str
) -> None:
    code, _, err = await cli.hub_cli(
        hub_server.database_url, "sites", "set", hub_server.site_key, *args
    )
    assert code != 0 and message in err, err
