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

The modules: ``errors`` (what the SDK raises), ``receive`` (``on``/``wait_for``), ``connection``
(the clients' shared plumbing), ``customer``, ``agent``, and ``video`` (the WebRTC ends, with
aiortc). The SDK depends on nothing of the hub's server: of ``hub`` it imports only
``hub.errors``. ``AgentPeer``, ``CustomerPeer``, ``VideoSession`` and ``configuration`` are
importable from here too, but load ``hub.sdk.video`` (aiortc and PyAV) only when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hub.errors import HubError
from hub.sdk.agent import AgentClient
from hub.sdk.connection import CALL_TIMEOUT, EVENTS_KEPT, Payload
from hub.sdk.customer import CustomerClient
from hub.sdk.errors import ConnectionLost, HubConnectionError, check_ack, hub_error
from hub.sdk.receive import BUFFER_SIZE, Callback, Predicate

if TYPE_CHECKING:
    from hub.sdk.video import AgentPeer, CustomerPeer, VideoSession, configuration

__all__ = [
    "BUFFER_SIZE",
    "CALL_TIMEOUT",
    "EVENTS_KEPT",
    "AgentClient",
    "AgentPeer",
    "Callback",
    "ConnectionLost",
    "CustomerClient",
    "CustomerPeer",
    "HubConnectionError",
    "HubError",
    "Payload",
    "Predicate",
    "VideoSession",
    "check_ack",
    "configuration",
    "hub_error",
]

_VIDEO = frozenset({"AgentPeer", "CustomerPeer", "VideoSession", "configuration"})


def __getattr__(name: str) -> Any:
    # The video names import aiortc and PyAV: only when asked for, so that a chat-only
    # application (and the hub's tests and bench) never loads them.
    if name in _VIDEO:
        return getattr(importlib.import_module("hub.sdk.video"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
