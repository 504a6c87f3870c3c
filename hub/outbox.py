"""The webhook sender: the one loop that posts the outbox's due deliveries (DESIGN §13).

It wakes when a transaction has written a delivery (``Hub.outbox_wake``) or at the next
attempt's time on the hub's clock, claims what is due (``hub.actions.webhooks.claim``), posts
each signed delivery at once, and records what became of it. A delivery goes only to public
addresses unless the operator allows private ones: the host is resolved by
:class:`PublicResolver`, which drops every other address, so the address checked is the one
connected to (a name that resolves differently the second time gains nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from hub.actions import webhooks
from hub.actions.context import Hub
from hub.core import webhooks as rules

log = logging.getLogger(__name__)

# How long shutdown waits for the posts under way before it cancels them.
DRAIN_S = 5.0
# Looked at again at least this often, whatever the clock says is next.
POLL_S = 30.0


class PrivateAddress(OSError):
    """The webhook's host has no public address."""


class PublicResolver(AbstractResolver):
    """A resolver that keeps only public addresses (``hub.core.webhooks.is_public``)."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        public = [r for r in found if rules.is_public(r["host"])]
        if not public:
            raise PrivateAddress(f"{host} resolves to private or local addresses only")
        return public

    async def close(self) -> None:
        await self._inner.close()


class Outbox:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._http: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        config = self.hub.config
        connector = aiohttp.TCPConnector(
            resolver=None if config.webhook_allow_private else PublicResolver(), limit=50
        )
        self._http = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=config.webhook_timeout_s),
            headers={"User-Agent": "Lifeline-Webhooks/1"},
        )
        self._task = asyncio.create_task(self._run(), name="outbox")

    async def stop(self) -> None:
        """Finish the posts under way (a little while), then stop; what is not recorded as
        sent stays pending and goes out after the next start."""
        self._stopping = True
        self.hub.outbox_wake.set()
        if self._task is not None:
            _done, late = await asyncio.wait({self._task}, timeout=DRAIN_S)
            for task in late:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._http is not None:
            await self._http.close()

    async def _run(self) -> None:
        hub = self.hub
        while not self._stopping:
            hub.outbox_wake.clear()
            try:
                due = await webhooks.claim(hub)
                if due:
                    await asyncio.gather(*(self._deliver(d) for d in due))
                    continue
                next_at = await webhooks.next_due_at(hub)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook outbox step failed; retrying in a second")
                next_at = hub.clock() + 1.0
            now = hub.clock()
            await hub.clock.wait(hub.outbox_wake, min(next_at or now + POLL_S, now + POLL_S))

    async def _deliver(self, delivery: dict[str, Any]) -> None:
        hook = delivery["hook"]
        if hook is None:
            await webhooks.attempted(self.hub, delivery, None, "the site has no webhook any more")
            return
        code, error = await self._post(hook, delivery)
        await webhooks.attempted(self.hub, delivery, code, error)

    async def _post(
        self, hook: dict[str, str], delivery: dict[str, Any]
    ) -> tuple[int | None, str | None]:
        assert self._http is not None
        url = hook["url"]
        body = delivery["body"].encode()
        timestamp = int(self.hub.clock())
        try:
            if not self.hub.config.webhook_allow_private:
                # An address written in the URL is not resolved: check it here.
                await webhooks.check_target(url, allow_private=False)
            headers = {
                "Content-Type": "application/json",
                "webhook-id": delivery["id"],
                "webhook-timestamp": str(timestamp),
                "webhook-signature": rules.sign(hook["secret"], delivery["id"], timestamp, body),
            }
            async with self._http.post(
                url, data=body, headers=headers, allow_redirects=False
            ) as resp:
                await resp.read()
                return resp.status, None if 200 <= resp.status < 300 else f"HTTP {resp.status}"
        except TimeoutError:
            return None, f"no answer in {self.hub.config.webhook_timeout_s:g} s"
        except ValueError as exc:
            return None, str(exc)
        except (aiohttp.ClientError, OSError) as exc:
            return None, f"{type(exc).__name__}: {exc}"[:300]
