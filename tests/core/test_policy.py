"""Unit tests for the timing rules: sticky agents, callback retries, the wrap-up window."""

from __future__ import annotations

from hub.core.policy import WRAPUP_WINDOW_S, callback_retry_at, may_wrap_up, sticky_until


def test_sticky_only_with_a_previous_agent() -> None:
    assert sticky_until(100.0, "a", 20.0) == 120.0
    assert sticky_until(100.0, None, 20.0) is None


def test_an_unanswered_callback_is_tried_again_until_the_last_attempt() -> None:
    rule = {"now": 100.0, "max_attempts": 3, "delay_s": 300.0}
    assert callback_retry_at("no_answer", 1, **rule) == 400.0
    assert callback_retry_at("no_answer", 2, **rule) == 400.0
    assert callback_retry_at("no_answer", 3, **rule) is None
    assert callback_retry_at("reached", 1, **rule) is None
    assert callback_retry_at("wrong_number", 1, **rule) is None


def test_the_wrap_up_window() -> None:
    assert may_wrap_up(1000.0, 1000.0 - WRAPUP_WINDOW_S + 1)
    assert not may_wrap_up(1000.0, 1000.0 - WRAPUP_WINDOW_S)
