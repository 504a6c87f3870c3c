"""Prometheus metrics of one hub process, on a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.connections = Gauge(
            "lifeline_connections", "Connected sockets", ["namespace"], registry=r
        )
        self.events = Counter("lifeline_timeline_events_total", "Timeline events sent", registry=r)
        self.messages = Counter("lifeline_messages_total", "Messages stored", ["role"], registry=r)
        self.contacts = Counter(
            "lifeline_contacts_total", "Contacts requested", ["channel"], registry=r
        )
        self.offers = Counter("lifeline_offers_total", "Offers made", ["channel"], registry=r)
        self.offer_outcomes = Counter(
            "lifeline_offer_outcomes_total", "Offers by outcome", ["outcome"], registry=r
        )
        self.waiting = Gauge("lifeline_contacts_waiting", "Contacts waiting", registry=r)
        self.wait_seconds = Histogram(
            "lifeline_wait_seconds",
            "Time from request to assignment",
            ["channel"],
            buckets=(1, 5, 10, 15, 30, 60, 120, 300, 600),
            registry=r,
        )
        # Per site and channel, so that an operator graphs each site's service level: the
        # label values are bounded by sites × channels (× 2 for abandons).
        site_channel = ["site", "channel"]
        self.site_contacts = Counter(
            "lifeline_site_contacts_total", "Contacts enqueued", site_channel, registry=r
        )
        self.site_answered = Counter(
            "lifeline_site_answered_total",
            "Contacts taken the first time",
            site_channel,
            registry=r,
        )
        self.site_abandons = Counter(
            "lifeline_site_abandons_total",
            "Contacts the customer left before anyone took them (short: under HUB_SHORT_ABANDON_S)",
            [*site_channel, "short"],
            registry=r,
        )
        self.site_wait = Histogram(
            "lifeline_site_answer_wait_seconds",
            "From came due to first taken (the service level's wait)",
            site_channel,
            buckets=(5, 10, 15, 20, 30, 45, 60, 120, 300, 600, 1800),
            registry=r,
        )
        self.surveys = Counter(
            "lifeline_survey_answers_total", "Survey answers", ["resolved"], registry=r
        )
        self.abandons = Counter(
            "lifeline_abandons_total", "Contacts abandoned while waiting", ["channel"], registry=r
        )
        self.flags = Counter("lifeline_andon_flags_total", "Andon flags raised", registry=r)
        self.webhook_attempts = Counter(
            "lifeline_webhook_attempts_total",
            "Webhook delivery attempts, by what became of the delivery",
            ["outcome"],
            registry=r,
        )
        self.errors = Counter(
            "lifeline_refused_total", "Requests refused, by error code", ["code"], registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
