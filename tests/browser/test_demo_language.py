"""The demo shop speaks the shopper's language as the widget on it does: French for a browser
set to French, English for any other (the widget's rule, web/widget/src/i18n.js)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.kit.browser import new_page, open_shop, w

pytestmark = pytest.mark.browser

# What each page says, in each language, and the widget's button on it.
FRENCH = {
    "lang": "fr",
    "title": "Northwind Goods : des objets bien pensés pour chaque jour",
    "hero": "Des objets bien pensés pour chaque jour.",
    "lede": "appuyez sur Aide en bas à droite",
    "nav": "Notre histoire",
    "product": "Mug en grès Ember",
    "add": "Ajouter au panier",
    "price": "24,00\u00a0€",
    "launcher": "Aide",
    "cart": "Votre panier",
    "each": "24,00\u00a0€ l'unité",
    "shipping": "Livraison",
    "ask": "Demandez-nous",
    "cart_label": "Panier 1",
}
ENGLISH = {
    "lang": "en",
    "title": "Northwind Goods: thoughtful things for every day",
    "hero": "Thoughtful things for every day.",
    "lede": "press Help at the bottom right",
    "nav": "Our story",
    "product": "Ember stoneware mug",
    "add": "Add to cart",
    "price": "€24.00",
    "launcher": "Help",
    "cart": "Your cart",
    "each": "€24.00 each",
    "shipping": "Shipping",
    "ask": "Ask us",
    "cart_label": "Cart 1",
}


LOCALES = [("fr-FR", FRENCH), ("fr-CA", FRENCH), ("en-GB", ENGLISH), ("de-DE", ENGLISH)]


async def test_the_shop_follows_the_browser_language(hub_server, browser) -> None:
    for locale, words in LOCALES:
        shop = await new_page(browser, locale=locale)
        await check_shop(shop, hub_server, words)
        assert shop.js_errors == [], locale
        await shop.context.close()


async def check_shop(shop: Any, hub: Any, words: dict[str, str]) -> None:
    await open_shop(shop, hub)
    assert await shop.evaluate("document.documentElement.lang") == words["lang"]
    assert await shop.title() == words["title"]
    assert await shop.locator("h1").inner_text() == words["hero"]
    assert words["lede"] in await shop.locator(".lede").inner_text()
    assert await shop.locator("nav a[href='#story']").inner_text() == words["nav"]
    mug = shop.locator(".product").first
    assert await mug.locator("h3").inner_text() == words["product"]
    assert await mug.locator(".price").inner_text() == words["price"]
    # The widget on the page made the same choice.
    assert (await w(shop, ".launcher").inner_text()).strip() == words["launcher"]

    await mug.locator("button.add").click()
    await shop.locator(".cart-link").click()
    await shop.locator("#cart-lines .line").wait_for()
    assert await shop.locator("h1").inner_text() == words["cart"]
    assert await shop.locator("#cart-lines .muted").inner_text() == words["each"]
    assert await shop.locator("dt[data-t=shipping]").inner_text() == words["shipping"]
    assert await shop.locator("button[data-t=askUs]").inner_text() == words["ask"]
    # The link's name is its hidden word and the count it shows.
    assert await shop.get_by_role("link", name=words["cart_label"], exact=True).count() == 1
