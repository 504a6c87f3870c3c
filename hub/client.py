"""The Python SDK's former home, kept so that no user's ``from hub.client import ...`` breaks.

The SDK is the package :mod:`hub.sdk` now (the video ends are :mod:`hub.sdk.video`, formerly
``hub.rtc``); import from there in new code. This module only re-exports its names.
"""

from __future__ import annotations

from hub.sdk import (
    BUFFER_SIZE,
    CALL_TIMEOUT,
    EVENTS_KEPT,
    AgentClient,
    Callback,
    ConnectionLost,
    CustomerClient,
    HubConnectionError,
    HubError,
    Payload,
    Predicate,
    check_ack,
    hub_error,
)

__all__ = [
    "BUFFER_SIZE",
    "CALL_TIMEOUT",
    "EVENTS_KEPT",
    "AgentClient",
    "Callback",
    "ConnectionLost",
    "CustomerClient",
    "HubConnectionError",
    "HubError",
    "Payload",
    "Predicate",
    "check_ack",
    "hub_error",
]
