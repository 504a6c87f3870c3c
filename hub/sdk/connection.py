"""The plumbing both SDK clients share: connecting, acks, reconnection and ordered delivery."""

from __future__ import annotations

import ast
import asyncio
import logging
from types import TracebackType
from typing import Any, Self

import socketio

from hub.errors import HubError
from hub.sdk.errors import ConnectionLost, HubConnectionError, check_ack, is_error_code
from hub.sdk.receive import Receiver

log = logging.getLogger(__name__)

Payload = dict[str, Any]

CALL_TIMEOUT = 10.0  # seconds to wait for an ack, reconnection included
EVENTS_KEPT = 10_000  # delivered timeline events kept in ``events``


def _drop_none(**fields: Any) -> Payload:
    return {k: v for k, v in fields.items() if v is not None}


class _Client(Receiver):
    """What both clients share: acks, reconnection, ordered delivery and the receive API."""

    namespace = "/"

    def __init__(self, url: str, *, reconnect: bool = True, backfill: bool = True) -> None:
        super().__init__()
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

        self._last_seq: dict[str, int] = {}  # conversation_id -> last seq delivered
        self._held: dict[str, dict[int, Payload]] = {}  # events past a gap, waiting for the fill
        self._filling: set[str] = set()
        self._pending: set[asyncio.Future[Any]] = set()  # acks we are waiting for
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
        if code == "refused" and is_error_code(message):
            code = message  # a server refusing with a bare code word
        return HubConnectionError(message, code=code)

    async def close(self) -> None:
        """Disconnect, stop reconnecting, and cancel and await every task this client owns."""
        self._closed = True
        await self._sio.shutdown()
        self._connected.clear()
        self._fail_pending()
        self._fail_waiters(lambda: ConnectionLost("client closed"))
        await self._cancel_tasks()

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
