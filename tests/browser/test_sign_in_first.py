"""A shop that wants its shoppers signed in (DESIGN §7): on an ``anonymous_chat`` site an
unsigned shopper chats at once, but a tap on video help or a callback says to sign in and links
to the shop's sign-in page instead of failing; once signed in, the same tap goes through."""

from __future__ import annotations

import pytest

from hub.actions import admin
from tests.kit.browser import new_page, open_shop, shot, w

pytestmark = pytest.mark.browser

LOGIN = "https://shop.example/account/login"


async def test_anonymous_chat_asks_to_sign_in_for_video_and_callbacks(hub_server, browser) -> None:
    hub = hub_server
    await admin.update_site(
        hub.database_url, "demo", identity_mode="anonymous_chat", settings={"login_url": LOGIN}
    )
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    for channel in ("callback", "video"):
        await w(shop, f"[data-action={channel}]").click()
        notice = w(shop, "[data-signin]")
        await notice.wait_for()
        assert "Chat needs no sign-in" in await notice.inner_text()
        link = w(shop, ".signin-link")
        assert await link.get_attribute("href") == LOGIN
        # Focus goes to the link, for a keyboard user.
        assert (
            await shop.evaluate(
                "document.querySelector('lifeline-widget').shadowRoot.activeElement?.className"
            )
            == "signin-link"
        )
    await shot(shop, "widget-sign-in")
    # The shop's own button is held to the same rule, and chat needs nothing.
    await shop.evaluate("Lifeline('open', 'video')")
    await w(shop, "[data-signin]").wait_for()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Hello, no account here")
    await shop.keyboard.press("Enter")
    await w(shop, ".msg.me:not(.pending)").wait_for()

    # Signed in (the demo shop's backend signs the user id), the callback form opens.
    await shop.select_option("#signin", "alice")
    await shop.locator(".hello", has_text="Alice").wait_for()
    await shop.wait_for_function("Lifeline.version")
    await shop.evaluate("Lifeline('open', 'callback')")
    await w(shop, "[data-view=callback]").wait_for()
    assert shop.js_errors == []


async def test_a_shop_that_identifies_and_opens_in_one_breath_gets_the_channel(
    hub_server, browser
) -> None:
    """``identify`` then ``open("callback")`` in the same tick: the open waits for the hub's
    answer to the identify instead of asking a shopper who is signing in to sign in."""
    hub = hub_server
    await admin.update_site(
        hub.database_url, "demo", identity_mode="anonymous_chat", settings={"login_url": LOGIN}
    )
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await shop.wait_for_function("Lifeline.version")
    await shop.evaluate(
        """async () => {
          const res = await fetch("/demo/api/signin", {method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({user_id: "u-breath", name: "Bea"})});
          const u = await res.json();
          Lifeline("identify", {userId: u.user_id, userHash: u.user_hash, name: u.name});
          Lifeline("open", "callback");
        }"""
    )
    await w(shop, "[data-view=callback]").wait_for()
    assert await w(shop, "[data-signin]").is_hidden()
    assert shop.js_errors == []
