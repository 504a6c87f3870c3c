"""The supervisor's reports in the console, in the browser: a chat handled and wrapped up with a
reason, then a survey answer; the supervisor's "Live queue" tab shows the figures (live when
the contact ends and when the survey is answered), the reason with its comment, the period by
hour and by day, refetches on a period change and downloads the CSV with the bearer token."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.kit.browser import agent_login, new_page, open_shop, shot, w

pytestmark = pytest.mark.browser

REASON = "Product question"
COMMENT = "Quick and kind, thanks"


def cell(page, row: str, channel: str):
    """The figures table's cell of ROW (its label) for CHANNEL."""
    return (
        page.locator("#rep-figures tbody tr")
        .filter(has=page.locator("th", has_text=row))
        .locator(f"td[data-channel={channel}]")
    )


async def test_the_supervisor_reads_the_figures_and_downloads_the_csv(
    hub_server, browser, tmp_path: Path
) -> None:
    hub = hub_server
    sue = await agent_login(browser, hub, 2, available=False)  # the seeded supervisor
    await sue.get_by_role("button", name="Live queue").click()
    await sue.locator("#rep-figures").wait_for()
    # Nothing handled yet: the rates and means are "—", never 0.
    assert await cell(sue, "Handled", "chat").inner_text() == "0"
    assert await cell(sue, "ASA", "chat").inner_text() == "—"
    assert await cell(sue, "FCR", "all").inner_text() == "—"
    assert "target 80 % in 30 s" in await cell(sue, "Service level", "chat").inner_text()

    # A chat on the demo shop, taken by Ada and ended with a reason.
    ada = await agent_login(browser, hub, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub)
    await w(shop, ".launcher").click()
    await w(shop, "[data-action=chat]").click()
    await w(shop, "textarea").fill("Which bulb fits the L-200?")
    await shop.keyboard.press("Enter")
    await ada.locator(".offer button.primary").click()
    await w(shop, ".sys[data-type='contact.assigned']").wait_for()
    await ada.click("#wrapup-open")
    await ada.select_option("#wrap-reason", REASON)
    await ada.click("#wrap-submit")
    await ada.locator(".conv-item").wait_for(state="detached")

    # The supervisor's figures follow live (debounced), without a reload. They are fetched
    # again at the accept too (the queue and Ada changed), before the reason is known: the
    # contact's end is what brings its reason.
    await sue.locator(f"#rep-reasons li[data-reason='{REASON}']").wait_for()
    assert await sue.locator(f"#rep-reasons li[data-reason='{REASON}']").count() == 1
    assert await cell(sue, "Offered", "all").inner_text() == "1"
    handled = sue.locator("#rep-figures tbody tr:nth-child(2) td[data-channel=chat]")
    assert await handled.inner_text() == "1"

    # The customer answers the survey; the figures follow (the hub tells supervisors).
    pane = w(shop, "[data-survey]")
    await pane.wait_for()
    await pane.locator("[data-answer=yes]").click()
    await pane.locator("[data-effort='2']").click()
    await w(shop, "#ll-survey-comment").fill(COMMENT)
    await pane.locator("button[type=submit]").click()
    await pane.locator("[role=status]").first.wait_for()
    reason = sue.locator(f"#rep-reasons li[data-reason='{REASON}']")
    await reason.locator("q", has_text=COMMENT).wait_for()
    assert "resolved 100 %" in await reason.inner_text()
    assert await cell(sue, "FCR", "chat").inner_text() == "100 %"
    assert await cell(sue, "CES", "chat").inner_text() == "2"
    assert await cell(sue, "Survey responses", "all").inner_text() == "1"
    # By hour (one series call), drawn on a canvas and tabled: the contact's hour has 1.
    hourly = sue.locator("#rep-series-table tbody tr")
    await hourly.first.wait_for(state="attached")
    assert await hourly.count() == 1
    assert await hourly.locator("td").first.text_content() == "1"
    series = sue.locator("#rep-series-chart[role=img]")
    assert "by hour" in (await series.get_attribute("aria-label") or "")
    assert await series.evaluate("c => c.width > 0 && c.height > 0")
    chart = sue.locator("#rep-reasons-chart[role=img]")
    assert REASON in (await chart.get_attribute("aria-label") or "")
    await sue.locator("#reports").scroll_into_view_if_needed()
    await shot(sue, "console-reports", full_page=True)

    # A period change asks the hub again.
    before = await sue.evaluate("window.lifelineConsole.reports.fetches")
    await sue.select_option("#rep-period", "7d")
    await sue.wait_for_function(
        f"window.lifelineConsole.reports.fetches > {before}"
        " && document.querySelector('#rep-status').textContent.includes('updated')"
    )
    assert await cell(sue, "Handled", "all").inner_text() == "1"
    # Seven days are drawn by day.
    await sue.locator("#rep-series h3", has_text="By day").wait_for()
    assert await sue.locator("#rep-series-table tbody tr").count() == 1

    # The CSV, fetched with the bearer token and saved from a Blob.
    async with sue.expect_download() as info:
        await sue.click("#rep-csv")
    download = await info.value
    target = tmp_path / "contacts.csv"
    await download.save_as(target)
    lines = target.read_text().splitlines()
    assert lines[0].startswith("id,site,channel,")
    assert len(lines) == 2 and REASON in lines[1]
    assert sue.js_errors == [] and ada.js_errors == [] and shop.js_errors == []
    # Chart.js drew under the console's strict policy.
    assert sue.csp_refusals == []


async def test_an_agent_is_refused_plainly(hub_server, browser) -> None:
    # Agents have no "Live queue" tab; the panel, asked anyway, says why it shows nothing.
    ada = await agent_login(browser, hub_server, 0, available=False)
    await ada.evaluate("window.lifelineConsole.openTab('supervisor')")
    alert = ada.locator("#rep-error[role=alert]")
    await alert.wait_for()
    assert "403" in await alert.inner_text()
    assert ada.js_errors == []
