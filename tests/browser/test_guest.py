"""The widget is a guest on someone else's page: hostile CSS cannot break it, it breaks nothing,
an origin the site does not allow is refused, and it works with the keyboard alone."""

from __future__ import annotations

import pytest

from tests.kit.browser import new_page, shot, w, widget_ready

pytestmark = pytest.mark.browser

SNIPPET = (
    "<script>window.Lifeline=window.Lifeline||function(){(Lifeline.q=Lifeline.q||[]).push(arguments)}</script>"
    '<script src="{hub}/widget.js" data-site-key="{key}" async></script>'
)

PAGE_FACTS = """() => {
  const box = (id) => { const r = document.getElementById(id).getBoundingClientRect();
                        return [r.x, r.y, r.width, r.height]; };
  const cs = getComputedStyle(document.getElementById('para'));
  return {
    boxes: ['para', 'cell-a', 'cell-b'].map(box),
    para: [cs.fontSize, cs.color, cs.fontFamily, cs.display],
    body: getComputedStyle(document.body).transform,
    sheets: document.styleSheets.length,
    scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
  };
}"""


async def test_hostile_css_neither_breaks_the_widget_nor_is_broken(
    hub_server, shop_site, browser
) -> None:
    hub = hub_server
    page = await new_page(browser)
    # The page alone, then the same page with the widget: the page's own layout is unchanged.
    await page.goto(shop_site.page("hostile.html"))
    alone = await page.evaluate(PAGE_FACTS)
    await page.goto(
        shop_site.page(
            "hostile.html", widget=SNIPPET.replace("{hub}", hub.url).replace("{key}", hub.site_key)
        )
    )
    await widget_ready(page)
    with_widget = await page.evaluate(PAGE_FACTS)
    assert with_widget == alone
    assert await page.evaluate("Object.keys(window).filter((k) => /lifeline/i.test(k))") == [
        "Lifeline"
    ]

    # The widget keeps its own look: 16 px bold label, a sensible size, at the bottom right.
    launcher = w(page, ".launcher")
    style = await launcher.evaluate(
        "(el) => { const s = getComputedStyle(el);"
        " return [s.fontSize, s.display, s.visibility, s.color]; }"
    )
    assert style == ["16px", "flex", "visible", "rgb(255, 255, 255)"]
    box = await launcher.bounding_box()
    assert 40 <= box["height"] <= 64 and box["width"] < 200
    assert box["x"] + box["width"] > 1280 - 40 and box["y"] + box["height"] > 800 - 40
    await shot(page, "widget-hostile-page")

    # And it works: open, chat view, type.
    await launcher.click()
    await w(page, "[data-action=chat]").click()
    textarea = w(page, "textarea")
    await textarea.fill("Typing on a hostile page")
    assert await textarea.evaluate("(el) => getComputedStyle(el).fontSize") == "15px"
    panel = await w(page, ".panel").bounding_box()
    assert 300 <= panel["width"] <= 400 and panel["height"] > 300
    assert await page.evaluate(PAGE_FACTS) == alone


async def test_widget_refused_from_an_origin_the_site_does_not_allow(
    hub_server, shop_site, browser
) -> None:
    hub = hub_server
    await hub.add_site("strict", "strict-secret-0123456789", origins=["https://shop.example"])
    page = await new_page(browser)
    await page.goto(shop_site.page("embed.html", key="strict"))
    await page.wait_for_selector("lifeline-widget[data-lifeline-state=refused]", state="attached")
    assert await w(page, ".launcher").is_hidden()
    errors = await page.evaluate("window.lifelineErrors.map((e) => e.code)")
    assert errors == ["refused"]
    # The same page on an allowed site gets its button.
    await hub.add_site("open", "open-secret-0123456789", origins=[shop_site.origin])
    await page.goto(shop_site.page("embed.html", key="open"))
    await widget_ready(page)


async def test_keyboard_only(hub_server, shop_site, browser) -> None:
    hub = hub_server
    page = await new_page(browser)
    await page.goto(shop_site.page("embed.html", key=hub.site_key))
    await widget_ready(page)
    # What has focus: inside the widget, the focused element's class (or tag); else the id.
    focused = """() => { const a = document.activeElement; const s = a && a.shadowRoot;
        return s && s.activeElement ? s.activeElement.className || s.activeElement.tagName
                                    : a && a.id; }"""

    # Tab from the page's own link reaches the help button.
    await page.focus("#first")
    await page.keyboard.press("Tab")
    assert await page.evaluate(focused) == "launcher"
    await page.keyboard.press("Enter")
    # Focus moves into the panel, on the first choice.
    assert await page.evaluate(focused) == "card"
    assert await w(page, ".launcher").get_attribute("aria-expanded") == "true"
    await page.keyboard.press("Enter")
    await page.wait_for_function(f"({focused})() === 'TEXTAREA'")
    await page.keyboard.type("Hello from the keyboard")
    await page.keyboard.press("Enter")
    await w(page, ".msg.me:not(.pending)").wait_for()
    # Escape closes and gives focus back to the button.
    await page.keyboard.press("Escape")
    assert await w(page, ".panel").is_hidden()
    assert await page.evaluate(focused) == "launcher"
    assert await w(page, ".launcher").get_attribute("aria-expanded") == "false"
    # Reopening goes straight back to the conversation, composer focused.
    await page.keyboard.press("Enter")
    await page.wait_for_function(f"({focused})() === 'TEXTAREA'")
    # The call-me-back form is reachable and labelled: Shift+Tab to the header's back button.
    label = "() => document.activeElement.shadowRoot.activeElement.getAttribute('aria-label')"
    # (back past the composer's attach and End chat buttons, the log and Close)
    for _ in range(10):
        await page.keyboard.press("Shift+Tab")
        if await page.evaluate(label) == "Back":
            break
    assert await page.evaluate(label) == "Back"
    await page.keyboard.press("Enter")
    await page.wait_for_function(f"({focused})() === 'card'")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await page.wait_for_function(f"({focused})() === 'in'")
    assert await w(page, "#ll-phone").get_attribute("aria-describedby")
    label = await w(page, "label[for=ll-phone]").inner_text()
    assert label == "Phone number"
    # ARIA: a dialog labelled by its title; the log is a live region.
    assert await w(page, ".panel").get_attribute("role") == "dialog"
    assert await w(page, ".log").get_attribute("aria-live") == "polite"


async def test_phone_sized_screen(hub_server, browser) -> None:
    hub = hub_server
    page = await new_page(browser, width=375, height=700)
    await page.goto(f"{hub.url}/demo/?site_key=demo")
    await widget_ready(page)
    await w(page, ".launcher").click()
    panel = await w(page, ".panel").bounding_box()
    assert panel["width"] == 375 and panel["height"] == 700
    await w(page, "[data-action=chat]").wait_for()
    await shot(page, "widget-phone")
