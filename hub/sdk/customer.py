"""The SDK's customer: a shopper on one site, speaking the widget's protocol from Python."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp

from hub.errors import HubError
from hub.sdk.agent import _request
from hub.sdk.connection import Payload, _Client, _drop_none
from hub.sdk.errors import HubConnectionError

if TYPE_CHECKING:
    from hub.sdk.video import VideoSession


class CustomerClient(_Client):
    """A shopper on one site: the widget's protocol, from Python (an app, a test, a bench)."""

    namespace = "/customer"

    def __init__(
        self,
        url: str,
        site_key: str,
        *,
        visitor_token: str | None = None,
        reconnect: bool = True,
        backfill: bool = True,
    ) -> None:
        super().__init__(url, reconnect=reconnect, backfill=backfill)
        self.site_key = site_key
        self._visitor_token = visitor_token
        self._customer_id: str | None = None
        self._conversation_id: str | None = None
        self._session = asyncio.Event()
        # The survey the hub asks now (``survey.request``), until it is answered.
        self.survey: Payload | None = None

    @property
    def customer_id(self) -> str | None:
        return self._customer_id

    @property
    def visitor_token(self) -> str | None:
        """Keep this to be recognised next time (pass it back as ``visitor_token``)."""
        return self._visitor_token

    @property
    def conversation_id(self) -> str | None:
        return self._conversation_id

    def _auth(self) -> Payload:
        return {"site_key": self.site_key, "visitor_token": self._visitor_token}

    async def _after_connect(self, limit_s: float) -> None:
        # The hub sends ``session`` right after connecting; wait so the properties are set.
        try:
            await asyncio.wait_for(self._session.wait(), limit_s)
        except TimeoutError:
            await self.close()
            raise HubConnectionError("no session from the hub", code="unavailable") from None

    def _on_server_event(self, event: str, data: Payload) -> None:
        if event == "session":
            self._customer_id = data.get("customer_id") or self._customer_id
            self._visitor_token = data.get("visitor_token") or self._visitor_token
            if data.get("conversation_id"):
                self._switch(data["conversation_id"])
            self._session.set()
        elif event == "survey.request":
            self.survey = data

    def _switch(self, conversation_id: str) -> None:
        self._conversation_id = conversation_id
        self.follow(conversation_id)

    async def identify(
        self,
        user_id: str | None = None,
        user_hash: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        name: str | None = None,
    ) -> Payload:
        """Tell the hub who this is; a valid ``user_hash`` verifies ``user_id`` (may merge)."""
        ack = await self._call(
            "identify",
            _drop_none(
                user_id=user_id,
                user_hash=user_hash,
                email=email,
                phone=phone,
                name=name,
            ),
        )
        self._customer_id = ack.get("customer_id") or self._customer_id
        if ack.get("conversation_id"):
            # A merge may move us into the verified customer's conversation.
            self._switch(ack["conversation_id"])
        return ack

    async def request_contact(
        self,
        channel: str,
        text: str | None = None,
        phone: str | None = None,
        not_before: datetime | float | str | None = None,
        skills: list[str] | None = None,
    ) -> Payload:
        """Ask for a person on ``channel``; returns the ack with ``contact_id``.

        ``not_before`` (callbacks) is a datetime, epoch seconds, or ISO 8601 with a time zone;
        ``skills`` are what the agent needs (a language, a department), all of them.
        """
        if isinstance(not_before, datetime):
            # Epoch seconds need no time zone; a naive datetime is taken as local time.
            not_before = not_before.timestamp()
        ack = await self._call(
            "contact.request",
            _drop_none(
                channel=channel,
                text=text,
                phone=phone,
                not_before=not_before,
                skills=skills,
            ),
        )
        if ack.get("conversation_id"):
            self._switch(ack["conversation_id"])
        return ack

    async def request_video(
        self,
        *,
        screen: Any = None,
        microphone: Any = None,
        on_stroke: Callable[[Payload], Any] | None = None,
        on_clear: Callable[[], Any] | None = None,
        on_agent_frame: Callable[[Any], None] | None = None,
        on_laser: Callable[[tuple[float, float] | None], Any] | None = None,
    ) -> VideoSession:
        """Tap "live video help": a ``video`` contact and its WebRTC end (needs aiortc).

        ``screen`` is an aiortc video track of what the app shows (the agent sees it and draws
        on it); ``microphone`` an aiortc audio track, or None to stay muted. The agent's
        strokes reach ``on_stroke(stroke)``, the live laser ``on_laser((x, y))`` and
        ``on_laser(None)`` when it is up; see ``hub.sdk.video.VideoSession``.
        """
        from hub.sdk.video import VideoSession  # aiortc and PyAV load only for video

        session = VideoSession(
            self,
            screen=screen,
            microphone=microphone,
            on_stroke=on_stroke,
            on_clear=on_clear,
            on_agent_frame=on_agent_frame,
            on_laser=on_laser,
        )
        try:
            ack = await self.request_contact("video")
        except BaseException:
            await session.close()
            raise
        session.bind(ack["contact_id"])
        return session

    async def cancel_contact(self, contact_id: str) -> None:
        await self._call("contact.cancel", {"contact_id": contact_id})

    async def send_message(
        self, text: str, client_id: str | None = None, conversation_id: str | None = None
    ) -> int:
        """Post a message; returns its ``seq``. Exactly once, even across a reconnect."""
        conv = conversation_id or self._conversation_id
        if not conv:
            raise HubError("no conversation yet: request a contact first", code="invalid")
        ack = await self._call(
            "message.send",
            {"conversation_id": conv, "client_id": client_id or str(uuid.uuid4()), "text": text},
            retry=True,
        )
        return int(ack["seq"])

    async def send_file(
        self,
        data: bytes,
        name: str,
        client_id: str | None = None,
        conversation_id: str | None = None,
    ) -> Payload:
        """Attach a file (JPEG, PNG, WebP, GIF or PDF, at most 10 MB) over HTTP; returns the
        answer: ``seq`` and the ``attachment`` with its signed ``url``. Once per client_id."""
        conv = conversation_id or self._conversation_id
        if not conv or not self._visitor_token:
            raise HubError("no conversation yet: request a contact first", code="invalid")
        params = {"site": self.site_key, "name": name, "client_id": client_id or str(uuid.uuid4())}
        async with aiohttp.ClientSession() as http:
            return await _request(
                http,
                "POST",
                f"{self.url}/api/v1/conversations/{conv}/files",
                params=params,
                data=data,
                headers={"Authorization": f"Visitor {self._visitor_token}"},
            )

    async def history(  # type: ignore[override]
        self, after_seq: int = 0, conversation_id: str | None = None
    ) -> list[Payload]:
        conv = conversation_id or self._conversation_id
        if not conv:
            return []
        return await self._history(conv, after_seq)

    async def typing(self, typing: bool) -> None:
        if self._conversation_id:
            await self._call("typing", {"conversation_id": self._conversation_id, "typing": typing})

    async def page(self, url: str, title: str | None = None, product: str | None = None) -> None:
        """Say which page the customer is on, and the product it shows (the wrap-up's
        default product, as ``Lifeline.setContext({product})`` in the widget)."""
        await self._call("page", _drop_none(url=url, title=title, product=product))

    async def answer_survey(
        self,
        contact_id: str,
        resolved: bool,
        *,
        effort: int | None = None,
        comment: str | None = None,
        phone: str | None = None,
    ) -> Payload | None:
        """Answer the survey of an ended contact; returns the follow-up the hub booked when
        the problem is not solved (``{"contact_id", "channel", "phone"?}``), else None."""
        ack = await self._call(
            "survey.answer",
            _drop_none(
                contact_id=contact_id,
                resolved=resolved,
                effort=effort,
                comment=comment,
                phone=phone,
            ),
        )
        if self.survey is not None and self.survey.get("contact_id") == contact_id:
            self.survey = None
        follow_up = ack.get("follow_up")
        return dict(follow_up) if isinstance(follow_up, dict) else None
