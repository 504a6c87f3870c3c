"""The "Team" view in the console, in the browser: a supervisor sees every agent live; an admin
disables one (whose console is signed out at once, and the supervisor's table follows), is
refused in the hub's words when disabling herself or giving an agent no site, edits a row with
the keyboard only; the webhook panel shows a site's failing delivery."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.kit import cli
from tests.kit.browser import BROWSER_OFFER_TIMEOUTS, agent_login, shot
from tests.kit.clients import Clients
from tests.kit.receiver import Receiver

pytestmark = pytest.mark.browser


@pytest.fixture
def hub_config() -> dict[str, Any]:
    # The receiver listens on 127.0.0.1, which only a development hub may post to.
    return {"offer_timeout_s": BROWSER_OFFER_TIMEOUTS, "webhook_allow_private": True}


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver(statuses=[500] * 100)  # the shop's receiver is down
    await r.start()
    try:
        yield r
    finally:
        await r.stop()


def row(page: Any, name: str) -> Any:
    """The team table's row of the agent called NAME."""
    return page.locator("#team-table tbody tr").filter(has=page.locator("th", has_text=name))


def cell(page: Any, name: str, col: str) -> Any:
    return row(page, name).locator(f"td[data-col={col}]")


async def test_a_supervisor_watches_the_team_and_an_admin_changes_it(
    hub_server: Any, browser: Any, clients: Clients, receiver: Receiver
) -> None:
    hub = hub_server
    code, _, err = await cli.hub_cli(
        hub.database_url,
        "sites", "set", "demo", "--webhook-url", receiver.url,
        HUB_WEBHOOK_ALLOW_PRIVATE="true",
    )  # fmt: skip
    assert code == 0, err
    await hub.add_agent("ann@example.com", "ann-password", name="Ann", role="admin")
    ada = await agent_login(browser, hub, 0)
    sue = await agent_login(browser, hub, 2, available=False)
    ann = await agent_login(browser, hub, 3, available=False)
    # A shopper asks for a chat: the demo site's webhook gets contact.created, and fails.
    shopper = await clients.customer(site_key="demo")
    assert (await shopper.call("contact.request", {"channel": "chat", "text": "Hello?"}))["ok"]

    # The supervisor sees every agent, live, and changes nothing.
    await sue.get_by_role("button", name="Team").click()
    await cell(sue, "Ada", "status").filter(has_text="available").wait_for()
    assert await cell(sue, "Bob", "status").inner_text() == "offline"
    assert await cell(sue, "Ada", "sites").inner_text() == "Every site"
    assert await sue.locator("#team-table button").count() == 0

    # The admin disables Ada: her console is signed out at once, the supervisor's row follows.
    await ann.get_by_role("button", name="Team").click()
    await ann.get_by_role("button", name="Disable Ada").click()
    await cell(ann, "Ada", "account").filter(has_text="disabled").wait_for()
    assert (
        "Ada disabled: their consoles were signed out"
        in await ann.locator("#team-status").inner_text()
    )
    await ada.locator("#login").wait_for()
    assert "Your session was ended" in await ada.locator("#login-error").inner_text()
    await cell(sue, "Ada", "account").filter(has_text="disabled").wait_for()
    await cell(sue, "Ada", "status").filter(has_text="offline").wait_for()
    # And enables her again (the button says what it does now).
    await ann.get_by_role("button", name="Enable Ada").click()
    await cell(ann, "Ada", "account").filter(has_text="enabled").wait_for()
    await cell(sue, "Ada", "account").filter(has_text="enabled").wait_for()

    # Disabling herself: refused, in the hub's words.
    await ann.get_by_role("button", name="Disable Ann").click()
    error = ann.locator("#team-error")
    await error.filter(has_text="you may not disable yourself").wait_for()
    assert await cell(ann, "Ann", "account").inner_text() == "enabled"

    # Bob edited with the keyboard only: his skills, and the shop's site alone.
    await ann.get_by_role("button", name="Edit Bob").focus()
    await ann.keyboard.press("Enter")
    assert await ann.evaluate("document.activeElement.getAttribute('aria-label')") == "Role of Bob"
    await ann.keyboard.press("Tab")
    await ann.keyboard.type("fr, returns")
    await ann.keyboard.press("Tab")  # "Every site"
    await ann.keyboard.press("Space")
    await ann.keyboard.press("Tab")  # demo
    await ann.keyboard.press("Tab")  # shop
    await ann.keyboard.press("Space")
    await ann.keyboard.press("Enter")
    await cell(ann, "Bob", "sites").filter(has_text="shop").wait_for()
    assert await cell(ann, "Bob", "skills").inner_text() == "fr, returns"
    assert await ann.evaluate("document.activeElement.id.startsWith('team-edit-')")
    await cell(sue, "Bob", "sites").filter(has_text="shop").wait_for()  # live
    assert await cell(sue, "Bob", "skills").inner_text() == "fr, returns"

    # No site at all: the hub refuses, the form stays as it was; Escape puts the row back.
    await ann.get_by_role("button", name="Edit Bob").click()
    await row(ann, "Bob").get_by_label("shop").uncheck()
    await row(ann, "Bob").get_by_role("button", name="Save").click()
    await error.filter(has_text="give at least one site key").wait_for()
    assert "Bob: The hub refused" in await error.inner_text()
    await row(ann, "Bob").get_by_label("Role of Bob").press("Escape")
    assert await cell(ann, "Bob", "sites").inner_text() == "shop"

    # The webhook panel: the demo site's delivery, failing and retried.
    await receiver.until(lambda got: len(got) >= 1)
    await ann.select_option("#hook-site", "demo")
    await ann.click("#hook-refresh")
    delivery = ann.locator("#hook-table tbody tr").filter(has_text="contact.created")
    await delivery.filter(has_text="HTTP 500").wait_for()
    assert "pending" in await delivery.inner_text()
    assert receiver.url in await ann.locator("#hook-url").inner_text()
    await shot(ann, "console-team", full_page=True)
    assert ada.js_errors == [] and sue.js_errors == [] and ann.js_errors == []


async def test_an_agent_is_refused_plainly(hub_server: Any, browser: Any) -> None:
    # Agents have no "Team" tab; the view, asked anyway, says why it shows nothing.
    ada = await agent_login(browser, hub_server, 0, available=False)
    assert await ada.get_by_role("button", name="Team").count() == 0
    await ada.evaluate("window.lifelineConsole.openTab('team')")
    await ada.locator("#team-error").filter(has_text="supervisors and admins").wait_for()
    await ada.locator("#hook-error").filter(has_text="supervisors and admins").wait_for()
    assert ada.js_errors == []
