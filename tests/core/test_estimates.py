"""Unit tests for the wait estimate a waiting customer is shown."""

from __future__ import annotations

import math

from hub.core.estimates import DEFAULT_HANDLE_S, average_handle_s, estimate_wait_s, wire_wait_s


def test_estimate_wait_s() -> None:
    assert estimate_wait_s(1, free_servers=1, busy_servers=0, avg_handle_s=300.0) == 0.0
    assert estimate_wait_s(2, free_servers=2, busy_servers=3, avg_handle_s=300.0) == 0.0
    assert estimate_wait_s(1, free_servers=0, busy_servers=1, avg_handle_s=300.0) == 300.0
    assert estimate_wait_s(1, free_servers=0, busy_servers=2, avg_handle_s=300.0) == 150.0
    assert estimate_wait_s(4, free_servers=1, busy_servers=2, avg_handle_s=120.0) == 120.0
    assert estimate_wait_s(1, free_servers=0, busy_servers=0, avg_handle_s=300.0) == math.inf


def test_average_handle_time_starts_from_the_defaults() -> None:
    assert average_handle_s("video", []) == DEFAULT_HANDLE_S["video"]
    assert average_handle_s("chat", [100.0, 200.0]) == 150.0


def test_the_wire_says_none_when_nobody_can_serve() -> None:
    assert wire_wait_s(math.inf) is None
    assert wire_wait_s(149.6) == 150
