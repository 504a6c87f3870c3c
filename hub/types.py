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
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from hub.core import phones
from hub.core.identity import EMAIL, is_e164
from hub.errors import Invalid


def _e164(value: str) -> str:
    if not is_e164(value):
        raise ValueError("must be in E.164 form, like +33612345678")
    return value


# A phone number as the hub stores it: E.164 (identify, a callback, a survey's follow-up).
Phone = Annotated[str, AfterValidator(_e164)]


def _national_phone(v: Any, info: ValidationInfo) -> Any:
    """A ``phone`` written as the payload's ``country`` dials it, made E.164 (no country: as is)."""
    country = info.data.get("country")
    if country is None or not isinstance(v, str):
        return v
    parsed = phones.parse(v, country)
    if parsed is None:
        raise ValueError(f"not a phone number we can call (read as a number of {country})")
    return parsed.e164


# A country as ISO 3166-1 alpha-2, in capitals ("fr" is taken as "FR").
Country = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True)]

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


# Described as what it accepts, for the OpenAPI document: a number or a date-time string.
TIMESTAMP_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 4102444800},
        {"type": "string", "format": "date-time"},
    ]
}
Timestamp = Annotated[
    float,
    BeforeValidator(_timestamp),
    Field(ge=0, le=4102444800),
    WithJsonSchema(TIMESTAMP_SCHEMA, mode="validation"),
]


def _no_nul(value: Any) -> Any:
    """Text holds no NUL character: PostgreSQL cannot store one, and no person types one."""
    if isinstance(value, str) and "\0" in value:
        raise ValueError("must not contain a NUL character")
    if isinstance(value, list) and any(isinstance(v, str) and "\0" in v for v in value):
        raise ValueError("must not contain a NUL character")
    return value


class Payload(BaseModel):
    # Unknown fields are ignored so that newer clients can talk to older hubs; known fields are
    # strictly typed: "3" is not a number and 1 is not a string.
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def no_nul(cls, value: Any) -> Any:
        return _no_nul(value)


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
    # The shopper's country (ISO 3166-1 alpha-2, from the widget's locale): with it, ``phone``
    # may be written as that country writes it ("06 12 34 56 78" in FR). Before ``phone``,
    # which reads it.
    country: Country | None = None
    phone: Phone | None = None
    not_before: Timestamp | None = None

    @field_validator("text")
    @classmethod
    def not_blank(cls, v: str | None) -> str | None:
        # The text is posted as a message, so it obeys the rule of message.send.
        if v is not None and not v.strip():
            raise ValueError("must not be blank")
        return v

    @field_validator("phone", mode="before")
    @classmethod
    def national(cls, v: Any, info: ValidationInfo) -> Any:
        return _national_phone(v, info)


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
    # As in contact.request: with the shopper's country, ``phone`` as they dial it at home.
    country: Country | None = None
    phone: Phone | None = None

    @field_validator("phone", mode="before")
    @classmethod
    def national(cls, v: Any, info: ValidationInfo) -> Any:
        return _national_phone(v, info)


# /agent


# Only an available agent is offered contacts; the others say why not to whoever reads them.
Status = Literal["available", "away", "break", "offline"]
# Given with a status: free text or a code ("lunch", "training"), at most 80 characters.
StatusReason = Annotated[
    str, StringConstraints(min_length=1, max_length=80, strip_whitespace=True), Plain
]


class Presence(Payload):
    status: Status
    reason: StatusReason | None = None


class AgentPresence(Payload):
    """A supervisor sets another agent's status (``agent.presence``)."""

    agent_id: Id
    status: Status
    reason: StatusReason | None = None


class ContactEnd(Payload):
    contact_id: Id
    resolved: bool | None = None
    reason: Reason | None = None
    product: Product | None = None


class ContactTransfer(Payload):
    """An assigned contact handed to a named agent (``to_agent``) or back to the queue."""

    contact_id: Id
    to_agent: Id | None = None
    # Back in line needing these skills (replacing the contact's own); omitted: unchanged.
    skills: Annotated[list[Skill], Field(max_length=5)] | None = None
    # A private note for the next agent, on the timeline before the transfer.
    note: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT), Plain] | None = None

    @field_validator("note")
    @classmethod
    def note_not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("must not be blank")
        return v


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
    # The wrap-up's contact reason, one of the site's, recorded when the outcome ends the call.
    reason: Reason | None = None


class NoteAdd(Text):
    conversation_id: Id
    client_id: ClientId


class Empty(Payload):
    pass


# What an admin may change of an agent (``PATCH /api/v1/agents/{id}``): each field given is
# changed, the others are kept. ``sites`` are site keys, or "*" for every site.
TeamSkill = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
SiteKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class AgentChange(Payload):
    # An admin's edit is refused whole when it names a field the hub does not know: a typo
    # such as "disable" must not look like a change that was made.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: Name | None = None
    role: Literal["agent", "supervisor", "admin"] | None = None
    skills: Annotated[list[TeamSkill], Field(max_length=50)] | None = None
    # An empty list is refused by the action, in its words: an agent of no site gets nothing.
    sites: Annotated[list[SiteKey], Field(max_length=200)] | str | None = None
    auto_answer: bool | None = None
    disabled: bool | None = None

    @field_validator("sites")
    @classmethod
    def every_site(cls, v: list[str] | str | None) -> list[str] | str | None:
        if isinstance(v, str) and v != "*":
            raise ValueError('must be a list of site keys, or "*" for every site')
        return v


# REST query strings: every value arrives as text, so numbers are parsed ("100" is 100), and
# a parameter the endpoint does not know is refused rather than silently ignored.


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, frozen=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def no_nul(cls, value: Any) -> Any:
        return _no_nul(value)


def _ascii_number(value: Any) -> Any:
    """A number in a query string is plain ASCII decimal: ``int()`` and pydantic also take
    ``1_0``, ``+7``, `` 7`` and other scripts' digits, which no client means to send."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{1,18}(\.[0-9]{1,18})?", value):
        raise ValueError("must be a number in ASCII digits")
    return value


QueryNumber = Annotated[float, BeforeValidator(_ascii_number)]
QueryCount = Annotated[int, BeforeValidator(_ascii_number)]
Positive = Annotated[QueryNumber, Field(gt=0)]
Percent = Annotated[QueryNumber, Field(gt=0, lt=100)]


class Order(Payload):
    id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    # When it was ordered. ``at`` is its name before 0.2, still read.
    ts: Timestamp = Field(validation_alias=AliasChoices("ts", "at"))
    units: Annotated[int, Field(ge=1, le=100_000)] = 1
    # The shop's own id of the user who ordered (as in ``identify``), when it knows it.
    user_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


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


QueryTimestamp = Annotated[
    float,
    BeforeValidator(_query_timestamp),
    Field(ge=0, le=4102444800),
    WithJsonSchema(TIMESTAMP_SCHEMA, mode="validation"),
]


class ReportQuery(Query):
    """``GET /api/v1/reports/summary`` and ``contacts.csv``: a site (or all) and a period."""

    site: SiteKey | None = None
    # ISO 8601 with a zone, or epoch seconds; default: the last 24 hours.
    start: QueryTimestamp | None = Field(default=None, alias="from")
    end: QueryTimestamp | None = Field(default=None, alias="to")


class ShopCustomerQuery(Query):
    """``GET /api/v1/shop/customers?user_id=U``: the shop's own id of its user."""

    user_id: Annotated[str, StringConstraints(min_length=1, max_length=320)]


class SiteQuery(Query):
    """``?site=KEY``: one site, by its key."""

    site: SiteKey


class FlagsQuery(Query):
    """``GET /api/v1/flags``: one site's flags (or every site's), open or also cleared."""

    site: SiteKey | None = None
    cleared: Literal["0", "1"] = "0"


class EventsQuery(Query):
    """``GET /api/v1/conversations/{id}/events?after_seq=N``: as ``history`` asks."""

    after_seq: Annotated[QueryCount, Field(ge=0, le=2**31 - 1)] = 0


def _searchable(value: str) -> str:
    if not re.search(r"\w", value):
        raise ValueError("must hold a letter or a digit")
    return value


class SearchQuery(Query):
    """``GET /api/v1/search?q=TEXT&limit=N``: customers and messages holding ``q``."""

    q: Annotated[
        str,
        StringConstraints(min_length=2, max_length=200, strip_whitespace=True),
        Plain,
        AfterValidator(_searchable),
    ]
    limit: Annotated[QueryCount, Field(ge=1, le=50)] = 20


# REST paths: what ``{...}`` in a route's path may hold, checked like a query.


class CustomerPath(Query):
    # Any text: one that is no id names no customer, and is answered 404 like an unknown one
    # (hub.actions.customers.is_id), so a shop learns nothing from the difference.
    customer_id: str


class ConversationPath(Query):
    conversation_id: Id


class AgentPath(Query):
    agent_id: Id


class SeriesQuery(ReportQuery):
    """``GET /api/v1/reports/series``: a report's period in buckets of an hour or a day."""

    interval: Literal["hour", "day"] = "hour"


class StaffingQuery(Query):
    """``GET /api/v1/reports/staffing`` (DESIGN §9): a forecast, answered by Erlang C."""

    volume: Annotated[QueryNumber, Field(ge=0)]
    interval_s: Positive
    aht_s: Positive
    threshold_s: Annotated[QueryNumber, Field(ge=0)]
    target_pct: Percent
    max_occupancy_pct: Annotated[QueryNumber, Field(gt=0, le=100)] = 85.0
    shrinkage_pct: Annotated[QueryNumber, Field(ge=0, lt=100)] = 30.0
    concurrency: Annotated[QueryCount, Field(ge=1, le=50)] = 1


# REST answers: what each route sends back, described in the OpenAPI document
# (``GET /api/v1/openapi.json``). The views build their answers as plain dicts; the document's
# fuzz test (tests/test_openapi.py) checks every answer against these models.


class Answer(BaseModel):
    # Open, like the payloads: fields may be added to an answer without breaking a client.
    model_config = ConfigDict(frozen=True)


class ErrorDetail(Answer):
    code: str
    message: str


class ErrorAnswer(Answer):
    """Every 4xx and 5xx: ``{"ok": false, "error": {"code", "message"}}``."""

    ok: Literal[False]
    error: ErrorDetail


class OkAnswer(Answer):
    ok: Literal[True]


class HealthAnswer(OkAnswer):
    status: Literal["ok"]
    # Cluster mode only (docs/cluster.md): which node answered, and whether it reaches Redis.
    node: str | None = None
    redis: Literal["ok", "down"] | None = None


class AgentRef(Answer):
    id: str
    name: str | None


class LoginAgent(AgentRef):
    role: str


class LoginAnswer(Answer):
    """``POST /api/v1/auth/login``: the bearer token for the other agent routes."""

    token: str
    expires_in_s: int
    agent: LoginAgent


class Identifier(Answer):
    kind: str
    value: str
    verified: bool


class ConversationSummary(Answer):
    id: str
    last_seq: int
    created_at: float
    updated_at: float


class CustomerProfile(Answer):
    id: str
    name: str | None
    page: dict[str, Any] | None
    identifiers: list[Identifier]
    conversations: list[ConversationSummary]


class SearchIdentifier(Answer):
    kind: str
    value: str


class CustomerHit(Answer):
    id: str
    name: str | None
    site: str
    created_at: float
    identifiers: list[SearchIdentifier]


class MessageHit(Answer):
    conversation_id: str
    seq: int
    customer_id: str
    customer_name: str | None
    site: str
    snippet: str


class SearchAnswer(Answer):
    """``GET /api/v1/search``: what the asking agent may read, newest first."""

    customers: list[CustomerHit]
    messages: list[MessageHit]


class PastSurvey(Answer):
    resolved: bool
    effort: int | None


class PastContact(Answer):
    """One contact of a customer's history: how it went, and what the customer said of it."""

    id: str
    conversation_id: str
    channel: str
    state: str
    enqueued_at: float
    ended_at: float | None
    end_reason: str | None
    reason: str | None
    resolved: bool | None
    outcome: str | None
    product: str | None
    agent_name: str | None
    survey: PastSurvey | None


class CustomerContacts(Answer):
    contacts: list[PastContact]


class Author(Answer):
    role: str
    id: str | None
    name: str | None


class Event(Answer):
    """A timeline event, as the ``event`` of the socket.io protocol."""

    conversation_id: str
    seq: int
    type: str
    ts: float
    author: Author | None = None
    data: dict[str, Any]
    visibility: str | None = None


class EventsAnswer(Answer):
    events: list[Event]


# Attachments (hub.actions.files): the upload's query, its answer, and a file's signed link.


class UploadQuery(Query):
    """``POST /api/v1/conversations/{id}/files``: the body is the file's bytes."""

    client_id: ClientId
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    # The widget's site key, with ``Authorization: Visitor <token>`` (agents send none).
    site: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class FilePath(Query):
    key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{32}$")]


class FileQuery(Query):
    exp: QueryCount
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    sig: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class Attachment(Answer):
    file: str
    name: str
    type: Literal["image/jpeg", "image/png", "image/webp", "image/gif", "application/pdf"]
    size: int
    client_id: str
    url: str


class UploadAnswer(OkAnswer):
    seq: int
    attachment: Attachment


class Flag(Answer):
    id: str
    site: str | None
    site_id: str
    product: str
    reason: str
    contact_ids: list[str]
    ts: float
    raised_by: AgentRef | None
    cleared_at: float | None = None
    cleared_by: AgentRef | None = None


class FlagsAnswer(Answer):
    flags: list[Flag]


class StaffingAnswer(Answer):
    """``hub.core.staffing.Staffing``, field for field."""

    traffic_erlangs: float
    agents: int
    scheduled: int
    service_level_pct: float | None
    p_wait: float | None
    asa_s: float | None
    occupancy_pct: float | None


class ServiceLevel(Answer):
    threshold_s: float | None
    target_pct: float | None
    value_pct: float | None


class Figures(Answer):
    """One channel's figures in a period, or all channels' (docs/reports.md)."""

    offered: int
    handled: int
    abandoned: int
    short_abandoned: int
    service_level: ServiceLevel
    asa_s: float | None
    wait_p90_s: float | None
    offer_timeouts: int
    aht_s: float | None
    fcr_pct: float | None
    ces_avg: float | None
    survey_responses: int


class CallbackFigures(Answer):
    requested: int
    reached: int
    attempts: int
    success_pct: float | None


class VideoFigures(Answer):
    sessions: int
    media_connected_pct: float | None
    first_frame_p50_ms: float | None


class ReportPeriod(Answer):
    site: str | None
    start: str = Field(alias="from")
    end: str = Field(alias="to")


class SummaryAnswer(ReportPeriod):
    """``GET /api/v1/reports/summary`` (docs/reports.md)."""

    all: Figures
    channels: dict[str, Figures]
    top_reasons: list[dict[str, Any]]
    orders: int
    units: int
    contacts_per_order: float | None
    contacts_per_unit: float | None
    callbacks: CallbackFigures
    video: VideoFigures
    flags: list[Flag]


class BucketFigures(Answer):
    offered: int
    handled: int
    abandoned: int
    short_abandoned: int
    service_level_pct: float | None
    asa_s: float | None


class Bucket(Answer):
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    all: BucketFigures
    channels: dict[str, BucketFigures]


class SeriesAnswer(ReportPeriod):
    """``GET /api/v1/reports/series`` (docs/reports.md)."""

    interval: Literal["hour", "day"]
    buckets: list[Bucket]


class Delivery(Answer):
    id: str
    type: str
    status: str
    attempts: int
    created_at: str
    last_attempt_at: str | None
    next_attempt_at: str | None
    last_code: int | None
    last_error: str | None


class TeamMember(Answer):
    """An agent as ``hub agents list`` shows them, with their presence and load now."""

    id: str
    email: str
    name: str
    role: Literal["agent", "supervisor", "admin"]
    skills: list[str]
    sites: list[str] | None  # site keys; null: every site
    auto_answer: bool
    disabled: bool
    disabled_at: float | None
    created_at: float
    status: Status
    load: dict[str, int]


class TeamAnswer(Answer):
    """``GET /api/v1/agents``: every agent, enabled or not, by email."""

    agents: list[TeamMember]


class AgentChangeAnswer(OkAnswer):
    """``PATCH /api/v1/agents/{id}``: the agent as changed; how many tokens were revoked."""

    agent: TeamMember
    revoked: int


class WebhooksAnswer(Answer):
    """``GET /api/v1/webhooks?site=KEY``: where the site's webhook goes and how it fares."""

    site: str
    url: str | None
    counts: dict[str, int]
    recent: list[Delivery]


class OrdersAnswer(OkAnswer):
    """``POST /api/v1/shop/orders``: newly stored orders, and those already held by id."""

    accepted: int
    duplicates: int


class CustomerExport(Answer):
    """``GET /api/v1/shop/customers/{id}/export``: every record held on the customer, as
    stored (columns are added as the hub grows, so the records are open objects)."""

    customer_id: str
    site: str
    exported_at: float
    customers: list[dict[str, Any]]
    identifiers: list[Identifier]
    conversations: list[dict[str, Any]]
    events: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    surveys: list[dict[str, Any]]


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


# The live laser pointer: where it is, as fractions (0..1) of the shared surface as the
# shopper sees it (the viewport of the page, or the picture of a shared screen).
Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class LaserMove(Payload):
    contact_id: Id
    x: Fraction
    y: Fraction
    color: Color | None = None


# A full snapshot too big for one cobrowse.events batch, sent as slices of the JSON text of
# its ``events`` list, in order (index 0 .. count - 1). A slice is at most 40 K characters so
# that its message stays under the transport's 256 KB however it is escaped (a character is
# at most 6 bytes as \uXXXX).
MAX_CHUNK_CHARS = 40 * 1024
MAX_CHUNKS = 256


class CobrowseChunk(Payload):
    contact_id: Id
    batch_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    index: Annotated[int, Field(ge=0, le=MAX_CHUNKS - 1)]
    count: Annotated[int, Field(ge=1, le=MAX_CHUNKS)]
    data: Annotated[str, StringConstraints(min_length=1, max_length=MAX_CHUNK_CHARS)]

    @field_validator("count")
    @classmethod
    def index_within(cls, count: int, info: Any) -> int:
        index = info.data.get("index")
        if index is not None and index >= count:
            raise ValueError("index must be below count")
        return count


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
    # A browser that has only looked is not written down (an open socket costs no row): its
    # customer and token are stored by its first contact or identify, with the last page it
    # told us about, kept here until then.
    stored: bool = True
    page: dict[str, Any] | None = None

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
