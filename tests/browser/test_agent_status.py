"""Agent statuses in the console: an agent takes a break, and the supervisor sees it live."""

from __future__ import annotations

import pytest

from tests.kit.browser import agent_login, shot

pytestmark = pytest.mark.browser


async def test_an_agent_takes_a_break_and_the_supervisor_sees_it(hub_server, browser) -> None:
    hub = hub_server
    ada = await agent_login(browser, hub, 0)
    sue = await agent_login(browser, hub, 2, available=False)  # supervisor
    await sue.click("nav.tabs >> text=Live queue")
    ada_id = await ada.evaluate("window.lifelineConsole.me.id")
    row = sue.locator(f"tr[data-agent='{ada_id}']")
    await row.locator("[data-col=status] .pill.available").wait_for()

    # The status menu offers the four statuses; Ada picks Break.
    options = await ada.locator("#presence option").evaluate_all("os => os.map(o => o.value)")
    assert options == ["available", "away", "break", "offline"]
    await ada.select_option("#presence", "break")
    await ada.wait_for_function("window.lifelineConsole.state.presence === 'break'")
    assert await ada.locator("#presence").input_value() == "break"

    # Sue's list follows: the status, since when, and the time in each status today.
    await row.locator("[data-col=status] .pill.break").wait_for()
    assert "since" in await row.locator("[data-col=status]").inner_text()
    today = await row.locator("[data-col=today]").inner_text()
    assert "Break" in today and "Available" in today
    await shot(sue, "console-agent-status")

    # The hub agrees: a fresh snapshot says the same as the live state.
    for page in (ada, sue):
        cmp = await page.evaluate("window.lifelineConsole.compareWithFresh()")
        assert cmp["live"] == cmp["fresh"]
