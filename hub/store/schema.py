"""The tables. Every change to them is an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

ID = String(32)

sites = Table(
    "sites",
    metadata,
    Column("id", ID, primary_key=True),
    Column("key", String(64), nullable=False, unique=True),
    Column("secret", String(256), nullable=False),
    Column("name", String(200), nullable=False),
    # A JSON list of allowed origins, or null for "any origin may embed the widget".
    Column("origins", JSON, nullable=True),
    # "optional": unsigned visitors chat anonymously; "required": identify with a signature first.
    Column("identity_mode", String(16), nullable=False, server_default="optional"),
    Column("settings", JSON, nullable=False),
    Column("created_at", Float, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", ID, primary_key=True),
    Column("site_id", ID, ForeignKey("sites.id"), nullable=False, index=True),
    Column("name", String(200), nullable=True),
    Column("page", JSON, nullable=True),
    # Set when this customer was merged into another one; the row stays as the record of it.
    Column("merged_into", ID, nullable=True),
    Column("created_at", Float, nullable=False),
    # Set when the shop erased the customer (GDPR): the row stays, anonymous, for the reports.
    Column("erased_at", Float, nullable=True),
)

identifiers = Table(
    "identifiers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    Column("customer_id", ID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # user_id | email | phone | device
    Column("value", String(320), nullable=False),
    Column("verified", Boolean, nullable=False),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("customer_id", "kind", "value", name="uq_identifiers_customer_kind_value"),
    Index("ix_identifiers_lookup", "site_id", "kind", "value"),
)

visitor_tokens = Table(
    "visitor_tokens",
    metadata,
    # Only a SHA-256 of the token is stored: a leaked database does not let anyone pose as a
    # visitor.
    Column("token_hash", String(64), primary_key=True),
    Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    Column("customer_id", ID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", ID, primary_key=True),
    Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    Column("customer_id", ID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("last_seq", Integer, nullable=False, server_default="0"),
    # Set when a merge moved this conversation's events into another: appends follow it.
    Column("moved_to", ID, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("conversation_id", ID, ForeignKey("conversations.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("type", String(40), nullable=False),
    Column("ts", Float, nullable=False),
    Column("author_role", String(16), nullable=True),
    Column("author_id", ID, nullable=True),
    Column("author_name", String(200), nullable=True),
    Column("data", JSON, nullable=False),
    # "all" or "agents" (private notes).
    Column("visibility", String(8), nullable=False, server_default="all"),
    # role:id:client_id of the author, so that a retried send is recognised.
    Column("client_key", String(200), nullable=True),
    UniqueConstraint("conversation_id", "client_key", name="uq_events_conversation_client_key"),
)

agents = Table(
    "agents",
    metadata,
    Column("id", ID, primary_key=True),
    Column("email", String(320), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("skills", JSON, nullable=False),
    Column("capacity", JSON, nullable=False),
    Column("auto_answer", Boolean, nullable=False, server_default="0"),
    Column("created_at", Float, nullable=False),
    # Set by `hub agents set --disable`: no login, no token, no contact until enabled again.
    Column("disabled_at", Float, nullable=True),
    # The ids of the sites whose contacts the agent is offered and whose customers they read;
    # null: every site, those added later too (`hub agents set --sites`).
    Column("sites", JSON, nullable=True),
)

agent_tokens = Table(
    "agent_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("agent_id", ID, ForeignKey("agents.id"), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Every change of an agent's status (available, away, break, offline), with the reason given and
# the supervisor who set it (null: the agent, or the hub): the time in each status today.
agent_status_log = Table(
    "agent_status_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agent_id", ID, ForeignKey("agents.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", String(80), nullable=True),
    Column("at", Float, nullable=False),
    Column("set_by", ID, nullable=True),
    Index("ix_agent_status_log_agent_at", "agent_id", "at"),
)

# The columns the reports count, after a contact's site and enqueue time (ix_contacts_report).
REPORT_COLUMNS = (
    "channel",
    "reason",
    "first_assigned_at",
    "due_at",
    "end_reason",
    "state",
    "assigned_at",
    "ended_at",
    "attempts",
    "offer_timeouts",
    "media_connected_at",
    "first_frame_at",
    "survey_resolved",
    "survey_effort",
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", ID, primary_key=True),
    Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    Column("conversation_id", ID, ForeignKey("conversations.id"), nullable=False, index=True),
    # Indexed: every connect looks for the customer's open survey.
    Column("customer_id", ID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("channel", String(16), nullable=False),
    # queued | offered | assigned | ended. "offered" is persisted for reports; after a restart an
    # offered contact is simply waiting again.
    Column("state", String(16), nullable=False, index=True),
    Column("enqueued_at", Float, nullable=False),
    Column("not_before", Float, nullable=True),
    Column("phone", String(20), nullable=True),
    Column("skills", JSON, nullable=False),
    Column("agent_id", ID, ForeignKey("agents.id"), nullable=True, index=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("sticky_agent_id", ID, nullable=True),
    Column("sticky_until", Float, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("assigned_at", Float, nullable=True),
    Column("ended_at", Float, nullable=True),
    Column("end_reason", String(40), nullable=True),
    Column("resolved", Boolean, nullable=True),
    Column("reason", String(200), nullable=True),
    Column("outcome", String(20), nullable=True),
    # After the contact (DESIGN §9): the product the wrap-up named (or the page's), the
    # contact this one follows up when a survey said "not resolved", and until when the
    # customer may answer the survey the hub asked (null: no survey was asked).
    Column("product", String(120), nullable=True),
    Column("follow_up_of", ID, nullable=True, index=True),
    Column("survey_until", Float, nullable=True),
    # For the reports (docs/reports.md): when the contact came due (a scheduled callback: its
    # booked time; every other contact: when it was requested) and when a person first took
    # it (a contact given back to the line keeps its first assignment).
    Column("due_at", Float, nullable=True),
    Column("first_assigned_at", Float, nullable=True),
    # Counted from the log as it happens, so that one pass over a period's contacts has them:
    # offers of this contact that expired, and a video's first media connection and frame.
    Column("offer_timeouts", Integer, nullable=False, server_default="0"),
    Column("media_connected_at", Float, nullable=True),
    Column("first_frame_at", Float, nullable=True),
    # The customer's survey answer, also kept whole in ``surveys``: here so that the reports
    # count answers in the same pass as the contacts, from ix_contacts_report alone.
    Column("survey_resolved", Boolean, nullable=True),
    Column("survey_effort", Integer, nullable=True),
    # The andon's question at every wrap-up: who else ended with this reason and product?
    Index("ix_contacts_site_product_reason", "site_id", "product", "reason"),
    # The reports' index: a site's period, with every column a report's counts read, so that
    # a day of contacts is counted from the index alone (hub.store.reports).
    # Its id after the enqueue time walks the CSV's pages in order (hub.store.reports).
    Index("ix_contacts_report", "site_id", "enqueued_at", "id", *REPORT_COLUMNS),
    Index("ix_contacts_enqueued", "enqueued_at", "id"),
)

surveys = Table(
    "surveys",
    metadata,
    # One answer per contact, by its customer: a fact for the reports.
    Column("contact_id", ID, ForeignKey("contacts.id"), primary_key=True),
    Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("resolved", Boolean, nullable=False),
    Column("effort", Integer, nullable=True),
    Column("comment", String(2000), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("follow_up_id", ID, nullable=True),
    Column("answered_at", Float, nullable=False, index=True),
    # The contact's enqueue time (it never changes): a report finds its period's answers
    # from here, without a join deciding which side to walk.
    Column("enqueued_at", Float, nullable=False),
    Index("ix_surveys_site_enqueued", "site_id", "enqueued_at"),
)

orders = Table(
    "orders",
    metadata,
    # Orders the shop reports (POST /api/v1/shop/orders): contacts per order and per unit.
    Column("site_id", ID, ForeignKey("sites.id"), primary_key=True),
    Column("order_id", String(100), primary_key=True),
    Column("units", Integer, nullable=False),
    # The shop's id of the user who ordered, when it said: orders per customer.
    Column("user_id", String(200), nullable=True),
    Column("ordered_at", Float, nullable=False),
    Column("received_at", Float, nullable=False),
    Index("ix_orders_site_ordered", "site_id", "ordered_at"),
)

flags = Table(
    "flags",
    metadata,
    # An andon: a (site, product, reason) that two customers reported, or an agent pulled.
    Column("id", ID, primary_key=True),
    Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    Column("product", String(120), nullable=False),
    Column("reason", String(200), nullable=False),
    Column("contact_ids", JSON, nullable=False),
    Column("raised_by", ID, nullable=True),  # the agent who pulled it by hand; null: the hub
    Column("raised_at", Float, nullable=False),
    Column("cleared_at", Float, nullable=True),
    Column("cleared_by", ID, nullable=True),
    Index("ix_flags_site_product_reason", "site_id", "product", "reason"),
)

contact_events = Table(
    "contact_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", ID, ForeignKey("contacts.id"), nullable=False, index=True),
    # requested | offered | declined | expired | revoked | accepted | requeued | retry |
    # outcome | ended
    Column("type", String(20), nullable=False),
    Column("ts", Float, nullable=False),
    Column("agent_id", ID, nullable=True),
    Column("data", JSON, nullable=False),
    # The reports read the few events of one type (expired offers, media milestones).
    Index("ix_contact_events_type_contact", "type", "contact_id"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    # The outbox (DESIGN §13): one row per delivery, written with the fact it tells, sent by
    # hub.outbox at least once. ``id`` is the webhook-id receivers deduplicate by.
    Column("id", String(40), primary_key=True),
    Column("site_id", ID, ForeignKey("sites.id"), nullable=False),
    Column("type", String(40), nullable=False),
    # The JSON body exactly as sent, so that every attempt signs the same bytes.
    Column("body", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    # pending | delivered | failed (retried for a day) | cancelled (the site dropped its hook)
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    # When a pending delivery is tried next (also the lease of the process sending it).
    Column("next_attempt_at", Float, nullable=True),
    Column("last_attempt_at", Float, nullable=True),
    Column("last_code", Integer, nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("delivered_at", Float, nullable=True),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_site_created", "site_id", "created_at"),
)
