"""What the SDK raises: connection errors, and the HubError each answer of the hub carries."""

from __future__ import annotations

from typing import Any

from hub import errors
from hub.errors import HubError

Payload = dict[str, Any]

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


def is_error_code(code: str) -> bool:
    """Whether ``code`` is one of the hub's error codes (``offer_expired``...)."""
    return code in _ERROR_CLASSES


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
