"""The SDK's agent: the console's protocol from Python (integrations, tests, the bench)."""

from __future__ import annotations

import uuid
from typing import Any

import aiohttp

from hub.errors import HubError
from hub.sdk.connection import Payload, _Client, _drop_none
from hub.sdk.errors import HubConnectionError, hub_error


class AgentClient(_Client):
    """An agent: the console's protocol, from Python (integrations, tests, the bench)."""

    namespace = "/agent"

    def __init__(
        self,
        url: str,
        token: str,
        *,
        reconnect: bool = True,
        backfill: bool = True,
        agent: Payload | None = None,
    ) -> None:
        super().__init__(url, reconnect=reconnect, backfill=backfill)
        self.token = token
        self.agent: Payload = agent or {}
        self._http: aiohttp.ClientSession | None = None

    def _auth(self) -> Payload:
        return {"token": self.token}

    @classmethod
    async def login(
        cls, url: str, email: str, password: str, *, connect: bool = True, **kwargs: Any
    ) -> AgentClient:
        """Log in over REST and return a client (connected unless ``connect=False``).

        A wrong email or password raises HubError with code ``unauthorized``.
        """
        async with aiohttp.ClientSession() as http:
            body = await _request(
                http,
                "POST",
                url.rstrip("/") + "/api/v1/auth/login",
                json={"email": email, "password": password},
            )
        client = cls(url, body["token"], agent=body.get("agent"), **kwargs)
        if connect:
            await client.connect()
        return client

    async def close(self) -> None:
        await super().close()
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _on_server_event(self, event: str, data: Payload) -> None:
        if event == "presence" and data.get("status"):
            self.agent["presence"] = data["status"]

    async def set_presence(self, status: str) -> None:
        await self._call("presence", {"status": status}, retry=True)

    async def accept(self, contact_id: str) -> Payload:
        """Accept an offer; returns ``{"conversation_id", "customer", ...}``."""
        ack = await self._call("offer.accept", {"contact_id": contact_id})
        self.follow(ack.get("conversation_id"))
        return ack

    async def decline(self, contact_id: str) -> None:
        await self._call("offer.decline", {"contact_id": contact_id})

    async def send_message(
        self, conversation_id: str, text: str, client_id: str | None = None
    ) -> int:
        """Post a message in an assigned conversation; exactly once, like the customer's."""
        self.follow(conversation_id, backfill=False)
        ack = await self._call(
            "message.send",
            {
                "conversation_id": conversation_id,
                "client_id": client_id or str(uuid.uuid4()),
                "text": text,
            },
            retry=True,
        )
        return int(ack["seq"])

    async def end_contact(
        self,
        contact_id: str,
        resolved: bool | None = None,
        reason: str | None = None,
        product: str | None = None,
    ) -> Payload:
        """End (or wrap up) a contact; ``reason`` must be one of the site's contact reasons."""
        return await self._call(
            "contact.end",
            _drop_none(contact_id=contact_id, resolved=resolved, reason=reason, product=product),
        )

    async def raise_andon(self, contact_id: str, product: str, reason: str) -> Payload:
        """Stop the line: flag a product from a conversation of yours; returns the flag."""
        ack = await self._call(
            "andon.raise", {"contact_id": contact_id, "product": product, "reason": reason}
        )
        return dict(ack["flag"])

    async def clear_andon(self, site: str, product: str, reason: str) -> None:
        """A supervisor puts a flagged product back (``site`` is the site key)."""
        await self._call("andon.clear", {"site": site, "product": product, "reason": reason})

    async def callback_outcome(self, contact_id: str, outcome: str) -> None:
        await self._call("callback.outcome", {"contact_id": contact_id, "outcome": outcome})

    async def snapshot(self) -> Payload:
        """The agent's whole state: ``{"agent", "contacts", "offers", "callbacks", ...}``."""
        ack = await self._call("snapshot", {}, retry=True)
        if isinstance(ack.get("agent"), dict):
            self.agent.update(ack["agent"])
        return ack

    async def add_note(self, conversation_id: str, text: str, client_id: str | None = None) -> int:
        """Add an agent-only note; returns its ``seq``."""
        ack = await self._call(
            "note.add",
            {
                "conversation_id": conversation_id,
                "client_id": client_id or str(uuid.uuid4()),
                "text": text,
            },
            retry=True,
        )
        return int(ack["seq"])

    async def typing(self, conversation_id: str, typing: bool) -> None:
        await self._call("typing", {"conversation_id": conversation_id, "typing": typing})

    # -- REST ------------------------------------------------------------------------------------

    async def _get(self, path: str, params: dict[str, str] | None = None) -> Payload:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return await _request(
            self._http,
            "GET",
            self.url + path,
            params=params,
            headers={"Authorization": f"Bearer {self.token}"},
        )

    async def send_file(
        self, conversation_id: str, data: bytes, name: str, client_id: str | None = None
    ) -> Payload:
        """Attach a file to a conversation assigned to this agent (see CustomerClient's)."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return await _request(
            self._http,
            "POST",
            f"{self.url}/api/v1/conversations/{conversation_id}/files",
            params={"name": name, "client_id": client_id or str(uuid.uuid4())},
            data=data,
            headers={"Authorization": f"Bearer {self.token}"},
        )

    async def get_customer(self, customer_id: str) -> Payload:
        """The customer's profile, identifiers (with ``verified``) and conversations."""
        return await self._get(f"/api/v1/customers/{customer_id}")

    async def get_flags(self, site: str | None = None, cleared: bool = False) -> list[Payload]:
        """The andon flags (open ones; with ``cleared``, those cleared too)."""
        params = {"cleared": "1" if cleared else "0"}
        if site is not None:
            params["site"] = site
        body = await self._get("/api/v1/flags", params)
        return list(body.get("flags", []))

    async def get_events(self, conversation_id: str, after_seq: int = 0) -> list[Payload]:
        body = await self._get(
            f"/api/v1/conversations/{conversation_id}/events", {"after_seq": str(after_seq)}
        )
        return list(body.get("events", []))


async def _request(http: aiohttp.ClientSession, method: str, url: str, **kwargs: Any) -> Payload:
    """One REST call; a non-2xx answer raises the HubError it describes."""
    try:
        async with http.request(method, url, **kwargs) as resp:
            try:
                body = await resp.json(content_type=None)
            except ValueError:
                body = None
            if resp.status >= 400:
                error = body.get("error", body) if isinstance(body, dict) else None
                if not isinstance(error, dict) or "code" not in error:
                    error = {
                        "code": "unauthorized" if resp.status == 401 else "error",
                        "message": f"HTTP {resp.status}",
                    }
                raise hub_error(error, status=resp.status)
            if not isinstance(body, dict):
                raise HubError(f"malformed answer from {url}", code="invalid")
            return body
    except aiohttp.ClientConnectionError as exc:
        raise HubConnectionError(f"cannot reach {url}: {exc}") from exc
