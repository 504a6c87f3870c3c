"""The realtime edge: socket.io namespaces /customer and /agent. Parse, authenticate, call."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

import socketio

from hub import types
from hub.actions import (
    agents,
    andon,
    contacts,
    identity,
    mayday,
    offers,
    snapshot,
    survey,
    timeline,
    transfer,
    visitors,
)
from hub.actions.context import Hub
from hub.core.ratelimit import TokenBucket
from hub.errors import Forbidden, HubError, Invalid, NotFound, RateLimited, Unauthorized

log = logging.getLogger(__name__)

# How long shutdown waits for work under way before it cancels it.
DRAIN_S = 5.0

Action = Callable[[Hub, Any, Any], Awaitable[dict[str, Any]]]


def refuse(error: HubError) -> socketio.exceptions.ConnectionRefusedError:
    # The first argument becomes the message, the second the data ({"code", "message"}).
    return socketio.exceptions.ConnectionRefusedError(error.message, error.to_dict())


def client_address(environ: dict[str, Any], trust_forwarded: bool) -> str | None:
    """The peer, or behind a trusted proxy the last X-Forwarded-For entry (as REST does)."""
    if trust_forwarded:
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", "")).rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded[:100]
    request = environ.get("aiohttp.request")
    remote = getattr(request, "remote", None) or environ.get("REMOTE_ADDR")
    return str(remote) if remote else None


def same_origin(environ: dict[str, Any], origin: str) -> bool:
    host = str(environ.get("HTTP_HOST", ""))
    return urlsplit(origin).netloc == host


class Edge(socketio.AsyncNamespace):  # type: ignore[misc]
    """Shared plumbing: a table of events, validation, rate limits, errors as acks."""

    events: ClassVar[dict[str, tuple[type[types.Payload], Action]]] = {}
    # Events with a rate budget of their own (see stream_budget), not the general one.
    streams: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, namespace: str, hub: Hub) -> None:
        super().__init__(namespace)
        self.hub = hub
        self.sessions: dict[str, Any] = {}
        # Rate budgets by who is asking, not by socket: a visitor token (or an agent) on ten
        # sockets shares one bucket. Each budget's key and its number of sockets, so that it
        # goes when the last of them closes.
        self.buckets: dict[str, TokenBucket] = {}
        self.budget_of: dict[str, str] = {}
        self.stream_buckets: dict[str, dict[str, TokenBucket]] = {}
        self.budget_sockets: dict[str, int] = {}
        # Sockets per client address, refused beyond the configured cap (0: no cap).
        self.address_of: dict[str, str] = {}
        self.per_address: dict[str, int] = {}
        self.max_per_address = 0
        self._tasks: set[asyncio.Task[None]] = set()
        # socket.io runs each event in a task of its own and keeps no handle we could await:
        # the edge records the ones in flight, so shutdown lets them finish before the
        # database closes under them.
        self._inflight: set[asyncio.Task[Any]] = set()
        # Set at shutdown: the hub going away is not an agent leaving, so no grace starts
        # then (the restarted hub starts one for every agent) and no contact is given back
        # while the hub stops.
        self.shutting_down = False

    async def trigger_event(self, event: str, *args: Any) -> Any:
        if event == "connect":
            sid, environ, auth = (*args, None)[:3]
            return await self.connect(sid, environ, auth)
        if event == "disconnect":
            return await self.disconnect(args[0])
        sid = args[0]
        data = args[1] if len(args) > 1 else None
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            return await self.dispatch(sid, event, data)
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def dispatch(self, sid: str, event: str, data: Any) -> dict[str, Any]:
        hub = self.hub
        try:
            session = self.sessions.get(sid)
            if session is None:
                raise Unauthorized("not connected")
            budget = self.budget_of[sid]
            if event in self.streams:
                own = self.stream_buckets.setdefault(budget, {})
                bucket = own.get(event) or own.setdefault(event, TokenBucket(*self.stream_budget()))
            else:
                bucket = self.buckets[budget]
            if not bucket.allow(hub.clock()):
                raise RateLimited("too many requests; slow down")
            route = self.events.get(event)
            if route is None:
                raise Invalid(f"unknown event {event!r}", code="unknown_event")
            model, action = route
            payload = types.parse(model, data)
            return await action(hub, session, payload)
        except HubError as exc:
            hub.metrics.errors.labels(exc.code).inc()
            return exc.ack()
        except Exception:
            # Never a stack trace to a client; the log keeps it.
            log.exception("%s %s failed", self.namespace, event)
            hub.metrics.errors.labels("internal").inc()
            return {
                "ok": False,
                "error": {"code": "internal", "message": "the hub failed to do this"},
            }

    def _open(self, sid: str, session: Any, budget: str) -> None:
        """Count the socket in; ``budget`` names whose rate budget its requests spend."""
        cfg = self.hub.config
        self.sessions[sid] = session
        if budget not in self.buckets:
            self.buckets[budget] = TokenBucket(cfg.rate_limit_per_s, cfg.rate_limit_burst)
        self.budget_of[sid] = budget
        self.budget_sockets[budget] = self.budget_sockets.get(budget, 0) + 1
        self.hub.metrics.connections.labels(self.namespace).inc()

    def _close(self, sid: str) -> Any:
        budget = self.budget_of.pop(sid, None)
        if budget is not None:
            left = self.budget_sockets.pop(budget, 1) - 1
            if left > 0:
                self.budget_sockets[budget] = left
            else:
                self.buckets.pop(budget, None)
                self.stream_buckets.pop(budget, None)
        self._leave_address(sid)
        session = self.sessions.pop(sid, None)
        if session is not None:
            self.hub.metrics.connections.labels(self.namespace).dec()
        return session

    def _take_address(self, sid: str, environ: dict[str, Any]) -> None:
        """Count the socket against its address, or refuse it beyond the cap."""
        address = client_address(environ, self.hub.config.trust_forwarded)
        if not self.max_per_address or address is None:
            return
        if self.per_address.get(address, 0) >= self.max_per_address:
            raise refuse(
                RateLimited("too many connections from this address", code="too_many_connections")
            )
        self.per_address[address] = self.per_address.get(address, 0) + 1
        self.address_of[sid] = address

    def _leave_address(self, sid: str) -> None:
        address = self.address_of.pop(sid, None)
        if address is not None:
            left = self.per_address.pop(address, 1) - 1
            if left > 0:
                self.per_address[address] = left

    def after_connect(
        self,
        sid: str,
        event: str,
        data: dict[str, Any],
        then: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """Emit once the client knows it is connected.

        An emit inside ``connect`` would overtake the connect packet itself.
        """

        notify = self.hub.notify

        async def later() -> None:
            for _ in range(200):
                if notify.is_connected(self.namespace, sid):
                    await notify.to_socket(self.namespace, sid, event, data)
                    if then is not None:
                        await then()
                    return
                await asyncio.sleep(0.005)

        task = asyncio.create_task(later())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """Let the events in flight finish (bounded), then stop what the edge started."""
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=DRAIN_S)
        for task in list(self._inflight):
            task.cancel()
        for task in list(self._inflight):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def stream_budget(self) -> tuple[float, float]:
        """The rate and burst of this namespace's stream events, per sender."""
        raise NotImplementedError

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        raise NotImplementedError

    async def disconnect(self, sid: str) -> None:
        raise NotImplementedError


class CustomerEdge(Edge):
    events: ClassVar[dict[str, tuple[type[types.Payload], Action]]] = {
        "identify": (types.Identify, identity.identify),
        "contact.request": (types.ContactRequest, contacts.request_contact),
        "contact.cancel": (types.ContactRef, contacts.cancel_contact),
        "survey.answer": (types.SurveyAnswer, survey.answer_survey),
        "message.send": (types.MessageSend, timeline.customer_message),
        "history": (types.History, timeline.customer_history),
        "typing": (types.Typing, timeline.customer_typing),
        "page": (types.Page, visitors.customer_page),
        "rtc.signal": (types.RtcSignal, mayday.customer_signal),
        "rtc.state": (types.RtcState, mayday.customer_rtc_state),
        "rtc.rejoin": (types.ContactRef, mayday.customer_rejoin),
        "cobrowse.events": (types.Cobrowse, mayday.cobrowse_events),
        "cobrowse.chunk": (types.CobrowseChunk, mayday.cobrowse_chunk),
        "share.pause": (types.ContactRef, mayday.share_pause),
        "share.resume": (types.ContactRef, mayday.share_resume),
    }
    # A large page's slices come many at once (up to 256): their own budget, so that sending
    # one spends nothing of what the shopper's messages need.
    streams: ClassVar[frozenset[str]] = frozenset({"cobrowse.chunk"})

    def stream_budget(self) -> tuple[float, float]:
        return 64.0, float(types.MAX_CHUNKS)

    def __init__(self, namespace: str, hub: Hub) -> None:
        super().__init__(namespace, hub)
        # Anyone may open a customer socket: one address may not open them without end.
        self.max_per_address = hub.config.max_connections_per_address

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        hub = self.hub
        if not isinstance(auth, dict) or not isinstance(auth.get("site_key"), str):
            raise refuse(Invalid('auth must be {"site_key": ..., "visitor_token": ...}'))
        token = auth.get("visitor_token")
        if token is not None and (not isinstance(token, str) or len(token) > 200):
            raise refuse(Invalid("visitor_token must be a string"))
        if len(auth["site_key"]) > 64:
            raise refuse(NotFound("unknown site", code="unknown_site"))
        site = await visitors.site_by_key(hub, auth["site_key"])
        if site is None:
            raise refuse(NotFound("unknown site", code="unknown_site"))
        # The raw header: "null" (a sandboxed frame, a file:// page) is not a listed origin.
        origin = environ.get("HTTP_ORIGIN") or None
        allowed = site["origins"]
        if origin is not None and allowed is not None and origin not in allowed:
            # Browsers always send Origin; apps and the Python SDK send none and are allowed.
            raise refuse(Forbidden(f"this site does not allow {origin}", code="forbidden_origin"))
        self._take_address(sid, environ)
        try:
            visitor, session = await visitors.connect(hub, sid, site, token)
        except BaseException:
            self._leave_address(sid)
            raise
        # One budget per visitor token (per customer once tokens merged), not per socket.
        self._open(sid, visitor, f"visitor:{visitor.token_hash}")
        self.after_connect(sid, "session", session, then=lambda: visitors.connected(hub, visitor))

    async def disconnect(self, sid: str) -> None:
        visitor = self._close(sid)
        if visitor is not None and not self.shutting_down:
            await visitors.disconnected(self.hub, visitor)


class AgentEdge(Edge):
    events: ClassVar[dict[str, tuple[type[types.Payload], Action]]] = {
        "presence": (types.Presence, agents.presence),
        "agent.presence": (types.AgentPresence, agents.presence_of),
        "offer.accept": (types.ContactRef, offers.accept_offer),
        "offer.decline": (types.ContactRef, offers.decline_offer),
        "message.send": (types.MessageSend, timeline.agent_message),
        "contact.end": (types.ContactEnd, contacts.end_contact),
        "callback.outcome": (types.CallbackOutcome, contacts.callback_outcome),
        "contact.transfer": (types.ContactTransfer, transfer.transfer),
        "contact.watch": (types.ContactRef, transfer.watch),
        "contact.unwatch": (types.ContactRef, transfer.unwatch),
        "contact.list": (types.Empty, transfer.live_contacts),
        "transfer.targets": (types.ContactRef, transfer.targets),
        "andon.raise": (types.AndonRaise, andon.raise_flag),
        "andon.clear": (types.AndonClear, andon.clear_flag),
        "history": (types.History, timeline.agent_history),
        "note.add": (types.NoteAdd, timeline.add_note),
        "typing": (types.Typing, timeline.agent_typing),
        "snapshot": (types.Empty, lambda hub, s, _p: snapshot.snapshot(hub, s)),
        "rtc.signal": (types.RtcSignal, mayday.agent_signal),
        "rtc.state": (types.RtcState, mayday.agent_rtc_state),
        "rtc.rejoin": (types.ContactRef, mayday.agent_rejoin),
        "annotation.draw": (types.AnnotationDraw, mayday.annotation_draw),
        "annotation.clear": (types.ContactRef, mayday.annotation_clear),
        "laser.move": (types.LaserMove, mayday.laser_move),
        "laser.end": (types.ContactRef, mayday.laser_end),
    }
    # About one a frame while the laser is down: a budget of their own, so pointing never
    # spends what the agent's messages need, and never reaches the shopper faster than it.
    streams: ClassVar[frozenset[str]] = frozenset({"laser.move"})

    def stream_budget(self) -> tuple[float, float]:
        rate = self.hub.config.laser_rate_per_s
        return rate, max(rate / 2, 1.0)

    async def connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        hub = self.hub
        # "null" (a sandboxed frame, a file:// page) is a browser too, and not the console.
        origin = environ.get("HTTP_ORIGIN") or None
        if (
            origin is not None
            and not same_origin(environ, origin)
            and origin not in hub.config.console_origins
        ):
            raise refuse(
                Forbidden(f"the console may not be used from {origin}", code="forbidden_origin")
            )
        token = auth.get("token") if isinstance(auth, dict) else None
        try:
            session = await agents.session_for_token(hub, sid, token)
        except HubError as exc:
            raise refuse(exc) from None
        self._open(sid, session, f"agent:{session.id}")
        status = await agents.connect(hub, session)
        self.after_connect(sid, "presence", {"status": status})

    async def disconnect(self, sid: str) -> None:
        session = self._close(sid)
        if session is not None and not self.shutting_down:
            await agents.disconnect(self.hub, session)
