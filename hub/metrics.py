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
        self.surveys = Counter(
            "lifeline_survey_answers_total", "Survey answers", ["resolved"], registry=r
        )
        self.abandons = Counter(
            "lifeline_abandons_total", "Contacts abandoned while waiting", ["channel"], registry=r
        )
        self.flags = Counter("lifeline_andon_flags_total", "Andon flags raised", registry=r)
        self.errors = Counter(
            "lifeline_refused_total", "Requests refused, by error code", ["code"], registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
