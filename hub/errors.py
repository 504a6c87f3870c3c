"""The one error hierarchy: a code a program can branch on and a message a person can read."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """An error the hub reports to a client as ``{"code", "message"}``."""

    code = "error"
    status = 400  # the HTTP status when raised behind a REST view

    def __init__(self, message: str, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}

    def ack(self) -> dict[str, Any]:
        return {"ok": False, "error": self.to_dict()}


class Invalid(HubError):
    code = "invalid"


class NotFound(HubError):
    code = "not_found"
    status = 404


class Forbidden(HubError):
    code = "forbidden"
    status = 403


class Unauthorized(HubError):
    code = "unauthorized"
    status = 401


class IdentityInvalid(HubError):
    code = "identity_invalid"
    status = 403


class IdentityRequired(HubError):
    code = "identity_required"
    status = 403


class OfferExpired(HubError):
    code = "offer_expired"
    status = 409


class Conflict(HubError):
    code = "conflict"
    status = 409


class RateLimited(HubError):
    code = "rate_limited"
    status = 429

    def __init__(
        self,
        message: str,
        code: str | None = None,
        status: int | None = None,
        *,
        retry_after_s: int | None = None,
    ) -> None:
        super().__init__(message, code, status)
        # Over HTTP, the Retry-After header (seconds).
        self.retry_after_s = retry_after_s
