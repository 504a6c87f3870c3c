"""Sessions in the console: a token revoked elsewhere (signed out from another window, here
through the REST call a window makes) drops the open console at once, back to the sign-in page
saying why; the console's own "Sign out" revokes its token on the hub."""

from __future__ import annotations

import aiohttp
import pytest

from tests.kit.browser import agent_login

pytestmark = pytest.mark.browser


async def rest_status(hub, method: str, path: str, token: str) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.request(
            method, hub.url + path, headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            return resp.status


async def test_a_revoked_token_drops_the_console_and_sign_out_revokes(hub_server, browser) -> None:
    hub = hub_server
    page = await agent_login(browser, hub, 0)
    token = await page.evaluate("window.lifelineConsole.token")
    assert await rest_status(hub, "POST", "/api/v1/auth/logout", token) == 200
    login = page.locator("#login")
    await login.wait_for()
    assert "signed out" in (await login.inner_text())
    assert await page.evaluate("sessionStorage.length") == 0
    assert await rest_status(hub, "GET", "/api/v1/flags", token) == 401

    # Signed in again, "Sign out" revokes the new token on the hub too.
    await page.fill("#email", hub.agents[0][0])
    await page.fill("#password", hub.agents[0][1])
    await page.click("#login-form button[type=submit]")
    await page.wait_for_function("window.lifelineConsole && window.lifelineConsole.connected")
    token = await page.evaluate("window.lifelineConsole.token")
    assert await rest_status(hub, "GET", "/api/v1/flags", token) == 200
    async with page.expect_response("**/api/v1/auth/logout"):
        await page.get_by_role("button", name="Sign out").click()
    await login.wait_for()
    assert await rest_status(hub, "GET", "/api/v1/flags", token) == 401
    assert page.js_errors == []
