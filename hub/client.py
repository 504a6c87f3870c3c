"""The asyncio Python SDK: customer and agent clients speaking the hub's protocol (DESIGN §5).

Both clients wrap one python-socketio ``AsyncClient`` (websocket transport) and add what every
application would otherwise rewrite:

- requests are awaited acks; ``{"ok": false}`` raises :class:`hub.errors.HubError` (the subclass
  matching the server's code, e.g. ``OfferExpired``) carrying the server's code and message;
- timeline ``event``s are delivered exactly once and in ``seq`` order per conversation: duplicates
  are dropped, a gap (or a reconnect) is filled from ``history(after_seq=last)``;
- ``send_message`` is exactly-once: a send whose ack was lost with the connection is retried with
  the same ``client_id`` after python-socketio has reconnected, and the hub answers with the same
  ``seq``;
- a small receive API: ``on(name, callback)`` and ``await wait_for(name, predicate)``, which also
  sees matching events that arrived before it was called. Besides the server's events, the
  clients report ``connect`` and ``disconnect {"reason"}`` (every reconnection included).

Example::

    async with CustomerClient("http://127.0.0.1:8000", "shop") as customer:
        await customer.request_contact("chat", text="Where is my order?")
        reply = await customer.wait_for("event", lambda e: e["author"]["role"] == "agent")
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import logging
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import aiohttp
import socketio

from hub import errors
from hub.errors import HubError

if TYPE_CHECKING:
    from hub.rtc import VideoSession

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Callback = Callable[[Payload], Awaitable[None] | None]
Predicate = Callable[[Payload], bool]

CALL_TIMEOUT = 10.0  # seconds to wait for an ack, reconnection included
BUFFER_SIZE = 1000  # unconsumed arrivals kept per event name for wait_for
EVENTS_KEPT = 10_000  # delivered timeline events kept in ``events``

# The error class for each code the hub sends, so callers may catch e.g. ``OfferExpired``.
_ERROR_CLASSES: dict[str, type[HubError]] = {
    cls.code: cls
    for cls in vars(errors).values()
    if isinstance(cls, type) and issubclass(cls, HubError) and cls is not HubError
}


class HubConnectionError(ConnectionError):
    """The hub refused the connection (bad site key, bad token) or could not be reached."""

    def __init__(self, message: str, code: str = "unavailable") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class ConnectionLost(HubConnectionError):
    """The connection dropped before the hub acknowledged a request that is unsafe to repeat."""

    def __init__(self, message: str = "connection lost before the hub acknowledged") -> None:
        super().__init__(message, code="connection_lost")


def hub_error(error: Any, status: int | None = None) -> HubError:
    """Build the HubError for an error object ``{"code", "message"}`` sent by the hub."""
    if not isinstance(error, dict):
        error = {}
    code = str(error.get("code") or "error")
    message = str(error.get("message") or code)
    cls = _ERROR_CLASSES.get(code, HubError)
    return cls(message, code=code, status=status)


def check_ack(event: str, ack: Any) -> Payload:
    """Return an ``{"ok": true}`` ack, or raise the HubError it carries."""
    if not isinstance(ack, dict):
        raise HubError(f"malformed ack to {event!r}: {ack!r}", code="invalid")
    if ack.get("ok") is True:
        return ack
    raise hub_error(ack.get("error"))


def _matches(predicate: Predicate | None, item: Payload) -> bool:
    """A predicate that fails on an event of another shape (KeyError...) does not match it."""
    if predicate is None:
        return True
    try:
        return bool(predicate(item))
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return False


def _drop_none(**fields: Any) -> Payload:
    return {k: v for k, v in fields.items() if v is not None}


class _Client:
    """What both clients share: acks, reconnection, ordered delivery and the receive API."""

    namespace = "/"

    def __init__(self, url: str, *, reconnect: bool = True, backfill: bool = True) -> None:
        self.url = url.rstrip("/")
        # backfill: when a conversation is first seen mid-stream, fetch its history from seq 0
        # so ``events`` holds the whole timeline; off, the first event seen is the baseline.
        self._backfill = backfill
        # handle_sigint=False: an SDK must not take over the application's Ctrl-C.
        self._sio = socketio.AsyncClient(
            reconnection=reconnect,
            reconnection_delay=0.5,
            reconnection_delay_max=5,
            handle_sigint=False,
        )
        ns = self.namespace
        self._sio.on("connect", self._on_connect, namespace=ns)
        self._sio.on("disconnect", self._on_disconnect, namespace=ns)
        self._sio.on("connect_error", self._on_connect_error, namespace=ns)
        self._sio.on("*", self._on_any, namespace=ns)

        self._callbacks: dict[str, list[Callback]] = defaultdict(list)
        self._buffers: dict[str, deque[Payload]] = defaultdict(lambda: deque(maxlen=BUFFER_SIZE))
        self._waiters: dict[str, list[tuple[Predicate | None, asyncio.Future[Payload]]]] = (
            defaultdict(list)
        )
        self._last_seq: dict[str, int] = {}  # conversation_id -> last seq delivered
        self._held: dict[str, dict[int, Payload]] = {}  # events past a gap, waiting for the fill
        self._filling: set[str] = set()
        self._pending: set[asyncio.Future[Any]] = set()  # acks we are waiting for
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connected = asyncio.Event()
        self._ever_connected = False
        self._closed = False
        self._refusal: Any = None
        self.events: list[Payload] = []

    # -- lifetime ------------------------------------------------------------------------------

    def _auth(self) -> Payload:
        raise NotImplementedError

    @property
    def sio(self) -> socketio.AsyncClient:
        """The underlying python-socketio client, for tools that need its raw speed (the bench)."""
        return self._sio

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    async def connect(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109 (public API)
        """Connect (websocket transport); raise HubConnectionError if refused or unreachable."""
        if self._sio.connected:
            return
        self._closed = False
        self._refusal = None
        try:
            # auth is a callable so that python-socketio's reconnections send fresh values
            # (the customer's visitor token learned from ``session``).
            await self._sio.connect(
                self.url,
                auth=self._auth,
                transports=["websocket"],
                namespaces=[self.namespace],
                wait_timeout=timeout,
            )
        except socketio.exceptions.ConnectionError as exc:
            raise self._refused(str(exc)) from exc
        await self._after_connect(timeout)

    async def _after_connect(self, limit_s: float) -> None:
        """Wait for whatever the server sends right after connecting."""

    def _refused(self, fallback: str) -> HubConnectionError:
        data = self._refusal
        code, message = "unavailable", fallback
        if (
            isinstance(data, dict)
            and isinstance(data.get("message"), str)
            and data["message"].startswith("{")
            and not isinstance(data.get("data"), dict)
        ):
            # python-socketio stringifies a dict given as ConnectionRefusedError's only
            # argument; recover the {"code", "message"} it carried.
            try:
                parsed = ast.literal_eval(data["message"])
            except (ValueError, SyntaxError):
                parsed = None
            if isinstance(parsed, dict):
                data = {"data": parsed}
        if isinstance(data, dict):
            inner: dict[str, Any] = data["data"] if isinstance(data.get("data"), dict) else data
            message = str(inner.get("message") or data.get("message") or fallback)
            code = str(inner.get("code") or data.get("code") or "refused")
        elif isinstance(data, str):
            message, code = data, "refused"
        if code == "refused" and message in _ERROR_CLASSES:
            code = message  # a server refusing with a bare code word
        return HubConnectionError(message, code=code)

    async def close(self) -> None:
        """Disconnect, stop reconnecting, and cancel and await every task this client owns."""
        self._closed = True
        await self._sio.shutdown()
        self._connected.clear()
        self._fail_pending()
        for waiters in self._waiters.values():
            for _, fut in waiters:
                if not fut.done():
                    fut.set_exception(ConnectionLost("client closed"))
        while self._tasks:
            tasks = list(self._tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._tasks.difference_update(tasks)

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _spawn(self, coro: Awaitable[Any], name: str) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("task %s failed", task.get_name(), exc_info=task.exception())

    def _fail_pending(self) -> None:
        for fut in self._pending:
            if not fut.done():
                fut.set_exception(ConnectionLost())
        self._pending.clear()

    async def _simulate_drop(self) -> None:
        """Close the websocket under python-socketio, as a network failure would (for tests)."""
        ws = getattr(self._sio.eio, "ws", None)
        if ws is not None:
            await ws.close()

    # -- socket.io handlers (run by python-socketio, one task per packet, in arrival order) ----

    def _on_connect(self) -> None:
        self._connected.set()
        if self._ever_connected:
            # Events emitted while we were away are in the store: fetch them.
            self._spawn(self._resync(), "hub-client-resync")
        self._ever_connected = True
        self._dispatch("connect", {})

    def _on_disconnect(self, reason: Any = None) -> None:
        self._connected.clear()
        # python-socketio forgets pending ack callbacks on disconnect; fail them now rather
        # than let callers wait out their timeout.
        self._fail_pending()
        self._dispatch("disconnect", {"reason": str(reason)})

    def _on_connect_error(self, data: Any = None) -> None:
        self._refusal = data

    def _on_any(self, event: str, data: Any = None) -> None:
        if not isinstance(data, dict):
            data = {"data": data}
        if event == "event":
            self._on_timeline(data)
            return
        self._on_server_event(event, data)
        self._dispatch(event, data)

    def _on_server_event(self, event: str, data: Payload) -> None:
        """Let a subclass update its own state before callbacks see an event."""

    # -- ordered, exactly-once timeline ---------------------------------------------------------

    def follow(self, conversation_id: str | None, *, backfill: bool | None = None) -> None:
        """Track a conversation so its events are resumed after a reconnect."""
        if not conversation_id or conversation_id in self._last_seq:
            return
        self._last_seq[conversation_id] = 0
        if self._backfill if backfill is None else backfill:
            self._start_fill(conversation_id)

    def _start_fill(self, conversation_id: str) -> None:
        if conversation_id not in self._filling:
            self._filling.add(conversation_id)
            self._spawn(self._fill(conversation_id), f"hub-client-fill-{conversation_id}")

    def _on_timeline(self, ev: Payload) -> None:
        conv, seq = ev.get("conversation_id"), ev.get("seq")
        if not isinstance(conv, str) or not isinstance(seq, int):
            log.warning("dropping malformed event %r", ev)
            return
        last = self._last_seq.get(conv)
        if last is None:
            # First sight of this conversation: take it from the start, or from here.
            last = 0 if self._backfill else seq - 1
            self._last_seq[conv] = last
        if seq <= last:
            return  # a duplicate (at-least-once delivery, or already fetched by history)
        if seq == last + 1 and conv not in self._filling:
            self._deliver(ev)
            return
        # A gap: hold this event and fetch what is missing; the fill delivers both in order.
        self._held.setdefault(conv, {})[seq] = ev
        self._start_fill(conv)

    def _deliver(self, ev: Payload) -> None:
        self._last_seq[ev["conversation_id"]] = ev["seq"]
        self.events.append(ev)
        if len(self.events) > EVENTS_KEPT:
            del self.events[: len(self.events) - EVENTS_KEPT]
        self._dispatch("event", ev)

    async def _fill(self, conv: str) -> None:
        """Deliver, in order, what the store has after our last seq, then what was held."""
        self._filling.add(conv)
        try:
            fetched = await self._history(conv, self._last_seq.get(conv, 0))
        except ConnectionLost:
            return  # the resync after reconnecting fills it; keep what is held
        except HubError as exc:
            # Not (or no longer) ours, e.g. an agent whose contact ended: stop following it.
            log.info("stop following %s: %s", conv, exc)
            self._last_seq.pop(conv, None)
            self._held.pop(conv, None)
            return
        except TimeoutError:
            log.warning("history of %s timed out; delivering what is held", conv)
            fetched = []
        finally:
            self._filling.discard(conv)
        merged = {ev["seq"]: ev for ev in fetched if isinstance(ev.get("seq"), int)}
        merged.update(self._held.pop(conv, {}))
        for seq in sorted(merged):
            if seq > self._last_seq.get(conv, 0):
                self._deliver(merged[seq])

    async def _resync(self) -> None:
        for conv in list(self._last_seq):
            if conv not in self._filling:
                self._filling.add(conv)
                await self._fill(conv)

    async def _history(self, conversation_id: str, after_seq: int) -> list[Payload]:
        ack = await self._call(
            "history", {"conversation_id": conversation_id, "after_seq": after_seq}, retry=True
        )
        events = ack.get("events") or []
        return [ev for ev in events if isinstance(ev, dict)]

    # -- receive API ----------------------------------------------------------------------------

    def on(self, event: str, callback: Callback) -> None:
        """Call ``callback(payload)`` (sync or async) for every ``event`` received."""
        self._callbacks[event].append(callback)

    def off(self, event: str, callback: Callback) -> None:
        """Stop calling ``callback`` for ``event`` (no error if it was not registered)."""
        with contextlib.suppress(ValueError):
            self._callbacks[event].remove(callback)

    def _dispatch(self, event: str, data: Payload) -> None:
        for callback in self._callbacks.get(event, ()):
            try:
                result = callback(data)
                if inspect.isawaitable(result):
                    self._spawn(result, f"hub-client-on-{event}")
            except Exception:
                log.exception("callback for %r failed", event)
        for i, (predicate, fut) in enumerate(self._waiters.get(event, ())):
            if not fut.done() and _matches(predicate, data):
                fut.set_result(data)
                del self._waiters[event][i]
                return  # consumed by that waiter
        self._buffers[event].append(data)

    async def wait_for(
        self,
        event: str,
        predicate: Predicate | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (the API promised to tests and apps)
    ) -> Payload:
        """Return the first unconsumed ``event`` matching ``predicate``, waiting if need be.

        Events that arrived before the call count (up to the last BUFFER_SIZE of each name),
        so a test can send, then wait, without racing. Raises TimeoutError.
        """
        buffer = self._buffers[event]
        for item in buffer:
            if _matches(predicate, item):
                buffer.remove(item)
                return item
        fut: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
        entry = (predicate, fut)
        self._waiters[event].append(entry)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise TimeoutError(f"no {event!r} within {timeout} s") from None
        finally:
            if entry in self._waiters[event]:
                self._waiters[event].remove(entry)

    # -- requests -------------------------------------------------------------------------------

    async def _call(
        self, event: str, data: Payload, *, limit_s: float = CALL_TIMEOUT, retry: bool = False
    ) -> Payload:
        """Emit and await the ack; raise HubError on ``ok: false``.

        Waits out a reconnection before sending. If the connection drops after sending, the
        request is repeated only when ``retry`` says it is idempotent (history, or a message with
        its client_id); otherwise ConnectionLost is raised since it may or may not have happened.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_s
        while True:
            if self._closed:
                raise ConnectionLost("client is closed")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no ack for {event!r} within {limit_s} s")
            if not self._connected.is_set():
                try:
                    await asyncio.wait_for(self._connected.wait(), remaining)
                except TimeoutError:
                    raise ConnectionLost(f"not connected; {event!r} not sent") from None
                continue
            fut: asyncio.Future[Any] = loop.create_future()

            def ack(*args: Any, fut: asyncio.Future[Any] = fut) -> None:
                if not fut.done():
                    fut.set_result(args[0] if args else None)

            self._pending.add(fut)
            try:
                await self._sio.emit(event, data, namespace=self.namespace, callback=ack)
                result = await asyncio.wait_for(fut, remaining)
            except (ConnectionLost, socketio.exceptions.BadNamespaceError):
                if not retry:
                    raise ConnectionLost(f"connection lost during {event!r}") from None
                continue
            except TimeoutError:
                raise TimeoutError(f"no ack for {event!r} within {limit_s} s") from None
            finally:
                self._pending.discard(fut)
            return check_ack(event, result)

    async def history(self, conversation_id: str, after_seq: int = 0) -> list[Payload]:
        """The conversation's timeline events after ``after_seq``, in order."""
        return await self._history(conversation_id, after_seq)

    async def call(self, event: str, data: Payload | None = None) -> Payload:
        """Send any protocol event and return its ack; ``ok: false`` raises HubError.

        The typed methods cover the common events; this reaches the rest (the Mayday
        ``rtc.*`` events, for instance) without waiting for a new SDK release.
        """
        return await self._call(event, data or {})


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
    ) -> VideoSession:
        """Tap "live video help": a ``video`` contact and its WebRTC end (needs aiortc).

        ``screen`` is an aiortc video track of what the app shows (the agent sees it and draws
        on it); ``microphone`` an aiortc audio track, or None to stay muted. The agent's
        strokes reach ``on_stroke(stroke)``; see ``hub.rtc.VideoSession``.
        """
        from hub.rtc import VideoSession  # aiortc and PyAV load only for video

        session = VideoSession(
            self,
            screen=screen,
            microphone=microphone,
            on_stroke=on_stroke,
            on_clear=on_clear,
            on_agent_frame=on_agent_frame,
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

    async def page(self, url: str, title: str | None = None) -> None:
        await self._call("page", _drop_none(url=url, title=title))


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
        self, contact_id: str, resolved: bool | None = None, reason: str | None = None
    ) -> None:
        await self._call(
            "contact.end",
            _drop_none(
                contact_id=contact_id,
                resolved=resolved,
                reason=reason,
            ),
        )

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

    async def get_customer(self, customer_id: str) -> Payload:
        """The customer's profile, identifiers (with ``verified``) and conversations."""
        return await self._get(f"/api/v1/customers/{customer_id}")

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
