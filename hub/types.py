"""The types the layers share: who is connected, and every client payload.

Payloads are validated at the edge (:func:`parse`): a bad one is refused whole with ``invalid``
before any action sees it. Actions take the parsed models, so the wire contract is written once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from hub.core.identity import EMAIL, is_e164
from hub.errors import Invalid


def _e164(value: str) -> str:
    if not is_e164(value):
        raise ValueError("must be in E.164 form, like +33612345678")
    return value


# A phone number as the hub stores it: E.164 (identify, a callback, a survey's follow-up).
Phone = Annotated[str, AfterValidator(_e164)]

# NUL, and the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): a
# name or a message holding them can show the agent other text than it says (an "invoice"
# that reads backwards). Refused, not stripped: the sender learns at once, and what is stored
# is exactly what was sent. The marks U+200E and U+200F, which right-to-left text needs, pass.
CONTROLS = re.compile("[\x00\u202a-\u202e\u2066-\u2069]")


def _plain(value: str) -> str:
    if CONTROLS.search(value):
        raise ValueError("must not hold NUL or bidi override characters")
    return value


Plain = AfterValidator(_plain)

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True), Plain]
Channel = Literal["chat", "video", "callback"]
MAX_TEXT = 4000


def _timestamp(value: Any) -> Any:
    """``not_before`` may be epoch seconds or an ISO 8601 string with a time zone."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("must be epoch seconds or an ISO 8601 date-time") from None
        if parsed.tzinfo is None:
            raise ValueError("an ISO 8601 date-time needs a time zone")
        return parsed.timestamp()
    return value


Timestamp = Annotated[float, BeforeValidator(_timestamp), Field(ge=0, le=4102444800)]


class Payload(BaseModel):
    # Unknown fields are ignored so that newer clients can talk to older hubs; known fields are
    # strictly typed: "3" is not a number and 1 is not a string.
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True, allow_inf_nan=False)


class Text(Payload):
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT), Plain]

    @field_validator("text")
    @classmethod
    def not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be blank")
        return v


# /customer


class Identify(Payload):
    user_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    user_hash: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")] | None = None
    email: Annotated[str, StringConstraints(max_length=320, strip_whitespace=True)] | None = None
    phone: Phone | None = None
    name: Name | None = None

    @field_validator("email")
    @classmethod
    def email_shape(cls, v: str | None) -> str | None:
        if v is not None and not EMAIL.match(v):
            raise ValueError("is not an email address")
        return v


Skill = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_.-]+$")]


class ContactRequest(Payload):
    channel: Channel
    # Skills an agent needs for this contact (a language, a department), set by the shop's page.
    skills: Annotated[list[Skill], Field(max_length=5)] = []
    text: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT), Plain] | None = None
    phone: Phone | None = None
    not_before: Timestamp | None = None

    @field_validator("text")
    @classmethod
    def not_blank(cls, v: str | None) -> str | None:
        # The text is posted as a message, so it obeys the rule of message.send.
        if v is not None and not v.strip():
            raise ValueError("must not be blank")
        return v


class ContactRef(Payload):
    contact_id: Id


class MessageSend(Text):
    conversation_id: Id
    client_id: ClientId


class History(Payload):
    conversation_id: Id
    # Bounded by the store's 32-bit seq column: a larger number failed inside the database.
    after_seq: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0


class Typing(Payload):
    conversation_id: Id
    typing: bool


Product = Annotated[str, StringConstraints(min_length=1, max_length=120, strip_whitespace=True)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CartItem(Payload):
    sku: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    qty: Annotated[int, Field(ge=1, le=999)] | None = None


def _web_url(value: str) -> str:
    """Only a page of the web: the console makes it a link, and ``javascript:`` must not be one."""
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValueError("must be an http or https URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http or https URL")
    return value


class Page(Payload):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2000), AfterValidator(_web_url)]
    title: Annotated[str, StringConstraints(max_length=300), Plain] | None = None
    # What the page shows, when the shop says (``Lifeline.setContext({product, order_id,
    # cart})``): shown to the agent; the product is the wrap-up's default.
    product: Product | None = None
    order_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    cart: Annotated[list[CartItem], Field(max_length=50)] | None = None


class SurveyAnswer(Payload):
    contact_id: Id
    resolved: bool
    effort: Annotated[int, Field(ge=1, le=7)] | None = None
    comment: Annotated[str, StringConstraints(max_length=2000), Plain] | None = None
    phone: Phone | None = None


# /agent


class Presence(Payload):
    status: Literal["available", "away"]


class ContactEnd(Payload):
    contact_id: Id
    resolved: bool | None = None
    reason: Reason | None = None
    product: Product | None = None


class AndonRaise(Payload):
    contact_id: Id
    product: Product
    reason: Reason


class AndonClear(Payload):
    site: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    product: Product
    reason: Reason


class CallbackOutcome(Payload):
    contact_id: Id
    outcome: Literal["reached", "no_answer", "wrong_number"]


class NoteAdd(Text):
    conversation_id: Id
    client_id: ClientId


class Empty(Payload):
    pass


# REST query strings: every value arrives as text, so numbers are parsed ("100" is 100), and
# a parameter the endpoint does not know is refused rather than silently ignored.


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True, allow_inf_nan=False)


Positive = Annotated[float, Field(gt=0)]
Percent = Annotated[float, Field(gt=0, lt=100)]


class Order(Payload):
    id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    units: Annotated[int, Field(ge=0, le=100_000)] = 1
    at: Timestamp | None = None  # when it was ordered; default: when the hub hears of it


class Orders(Payload):
    """``POST /api/v1/shop/orders``: up to 1,000 orders a call, each stored once by its id."""

    orders: Annotated[list[Order], Field(min_length=1, max_length=1000)]


def _query_timestamp(value: Any) -> Any:
    """In a query string, epoch seconds are text too: ``from=1795464000`` is a time."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return _timestamp(value)
    return value


QueryTimestamp = Annotated[float, BeforeValidator(_query_timestamp), Field(ge=0, le=4102444800)]


class ReportQuery(Query):
    """``GET /api/v1/reports/summary`` and ``contacts.csv``: a site (or all) and a period."""

    site: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    # ISO 8601 with a zone, or epoch seconds; default: the last 24 hours.
    start: QueryTimestamp | None = Field(default=None, alias="from")
    end: QueryTimestamp | None = Field(default=None, alias="to")


class ShopCustomerQuery(Query):
    """``GET /api/v1/shop/customers?user_id=U``: the shop's own id of its user."""

    user_id: Annotated[str, StringConstraints(min_length=1, max_length=320)]


class SiteQuery(Query):
    """``?site=KEY``: one site, by its key."""

    site: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class SeriesQuery(ReportQuery):
    """``GET /api/v1/reports/series``: a report's period in buckets of an hour or a day."""

    interval: Literal["hour", "day"] = "hour"


class StaffingQuery(Query):
    """``GET /api/v1/reports/staffing`` (DESIGN §9): a forecast, answered by Erlang C."""

    volume: Annotated[float, Field(ge=0)]
    interval_s: Positive
    aht_s: Positive
    threshold_s: Annotated[float, Field(ge=0)]
    target_pct: Percent
    max_occupancy_pct: Annotated[float, Field(gt=0, le=100)] = 85.0
    shrinkage_pct: Annotated[float, Field(ge=0, lt=100)] = 30.0
    concurrency: Annotated[int, Field(ge=1, le=50)] = 1


P = TypeVar("P", bound=Payload)


Q = TypeVar("Q", bound=BaseModel)


def non_finite(data: Any) -> bool:
    """Whether ``data`` holds NaN or an infinity anywhere, however deep (walked without recursion).

    JSON has no such numbers, but Python's ``json`` reads ``NaN`` and ``Infinity``; relayed
    as they are (a co-browse batch is opaque to the hub), they break the parser of the other
    side's browser, which then drops its socket.
    """
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, float):
            if not math.isfinite(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def parse(model: type[Q], data: Any) -> Q:
    """Validate ``data`` against ``model`` or raise :class:`Invalid` naming the first problem."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid("the payload must be a JSON object")
    if non_finite(data):
        raise Invalid("payload: numbers must be finite (no NaN or Infinity)")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "payload"
        raise Invalid(f"{where}: {first['msg']}") from None


# Mayday


class SessionDescription(Payload):
    type: Literal["offer", "answer"]
    sdp: Annotated[str, StringConstraints(min_length=1, max_length=64_000)]


class IceCandidate(Payload):
    candidate: Annotated[str, StringConstraints(max_length=2000)]
    sdpMid: Annotated[str, StringConstraints(max_length=64)] | None = None
    sdpMLineIndex: Annotated[int, Field(ge=0, le=64)] | None = None


class RtcSignal(Payload):
    contact_id: Id
    description: SessionDescription | None = None
    # null means "end of candidates", as in WebRTC; absent means no candidate in this message.
    candidate: IceCandidate | None = None
    restart: bool = False


class RtcState(Payload):
    contact_id: Id
    state: Literal["connected", "first_frame", "failed", "disconnected"]
    detail: Annotated[str, StringConstraints(max_length=300)] | None = None


MAX_COBROWSE_EVENTS = 500


class Cobrowse(Payload):
    contact_id: Id
    # rrweb events are opaque to the hub; only their number and total size are limited.
    events: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_COBROWSE_EVENTS)]


Point = Annotated[
    list[Annotated[float, Field(allow_inf_nan=False)]], Field(min_length=2, max_length=2)
]
Color = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
MAX_STROKE_POINTS = 2000


class Stroke(Payload):
    id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    tool: Literal["arrow", "pen", "highlighter", "laser", "ink"]
    color: Color
    points: Annotated[list[Point], Field(min_length=1, max_length=MAX_STROKE_POINTS)]
    surface: Literal["page", "video"]
    ttl_ms: Annotated[int, Field(ge=100, le=60_000)] | None = None

    @field_validator("points")
    @classmethod
    def on_surface(cls, points: list[list[float]], info: Any) -> list[list[float]]:
        for x, y in points:
            if x < 0 or y < 0 or x > 100_000 or y > 1_000_000:
                raise ValueError("points must lie on the shared surface")
        return points


class AnnotationDraw(Payload):
    contact_id: Id
    stroke: Stroke

    @field_validator("stroke")
    @classmethod
    def video_is_relative(cls, stroke: Stroke) -> Stroke:
        if stroke.surface == "video" and any(x > 1 or y > 1 for x, y in stroke.points):
            raise ValueError("points on a video surface are relative, from 0 to 1")
        return stroke


# Who is connected.


@dataclass
class Visitor:
    """A connected customer socket: who it is and what it may see."""

    sid: str
    site: dict[str, Any]
    customer_id: str
    customer_name: str | None
    token_hash: str
    verified: bool
    conversation_id: str | None

    @property
    def author(self) -> dict[str, Any]:
        return {"role": "customer", "id": self.customer_id, "name": self.customer_name}


@dataclass
class AgentSession:
    """A connected console (one per socket; an agent may have several tabs)."""

    sid: str
    agent: dict[str, Any]
    # The token the socket authenticated with (its SHA-256) and when it expires: a socket
    # lives no longer than its token (DESIGN §11).
    token_hash: str = ""
    expires_at: float = float("inf")

    @property
    def id(self) -> str:
        return str(self.agent["id"])

    @property
    def is_supervisor(self) -> bool:
        return self.agent["role"] in ("supervisor", "admin")

    @property
    def author(self) -> dict[str, Any]:
        return {"role": "agent", "id": self.id, "name": self.agent["name"]}
