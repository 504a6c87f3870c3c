"""The widget's JS API (DESIGN §13, docs/widget.md) as a shop's own page uses it: its own
"Chat with us" button opens the chat in one tap with a text ready, setContext tells the agent
the product, the order and the cart, and the page hears the contact's events by their names."""

from __future__ import annotations

import pytest

from tests.kit.browser import agent_login, new_page, open_shop, shot, w

pytestmark = pytest.mark.browser

HEARD = """
window.__heard = [];
for (const name of ["open", "contact.assigned", "message", "unread"])
  Lifeline("on", name, (p) => window.__heard.push([name, p]));
"""


async def test_a_shops_own_button_opens_the_chat_and_the_agent_sees_the_cart(
    hub_server, browser
) -> None:
    agent = await agent_login(browser, hub_server, 0)
    shop = await new_page(browser)
    await open_shop(shop, hub_server)
    await shop.evaluate(HEARD)

    # The shop's own button: one call, the chat is open with the text ready to send.
    await shop.evaluate(
        "Lifeline('setContext', {product: 'Lamp L-200', order_id: 'A-1234',"
        " cart: [{sku: 'L-200', name: 'Lamp', qty: 2}, {sku: 'B-7'}]})"
    )
    await shop.evaluate("Lifeline('open', 'chat', {text: 'About my order A-1234'})")
    composer = w(shop, "textarea")
    await composer.wait_for()
    assert await composer.input_value() == "About my order A-1234"
    assert await shop.evaluate("window.__heard.some(([n]) => n === 'open')")
    await shop.keyboard.press("Enter")

    await agent.locator(".offer button.primary").click()
    await agent.locator(".bubble.theirs", has_text="About my order A-1234").wait_for()
    order = agent.locator("[data-context=order]")
    await order.wait_for()
    assert "A-1234" in await order.inner_text()
    assert "Lamp L-200" in await agent.locator("[data-context=product]").inner_text()
    cart = await agent.locator(".cart li").all_inner_texts()
    assert cart == ["2 × Lamp (L-200)", "B-7"]
    await shot(agent, "console-from-the-shop")
    await shop.wait_for_function(
        "window.__heard.some(([n, p]) => n === 'contact.assigned' && p.agent && p.agent.name)"
    )

    # A channel that does not exist is a clear error for the shop's developer.
    error = await shop.evaluate(
        "(() => { try { Lifeline('open', 'fax'); } catch (e) { return e.message; } })()"
    )
    assert "chat" in error and "fax" in error
    assert shop.js_errors == [] and agent.js_errors == []
