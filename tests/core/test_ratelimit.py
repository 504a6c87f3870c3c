"""Unit tests for the rate limits: the token bucket and the login throttle's failure window."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hub.core.ratelimit import FailureWindow, TokenBucket


def test_a_key_waits_once_its_window_is_full_until_the_oldest_failure_leaves_it() -> None:
    w = FailureWindow(limit=3, window_s=100.0)
    for t in (0.0, 10.0, 20.0):
        assert w.retry_after("ada", t) is None
        w.fail("ada", t)
    assert w.retry_after("ada", 20.0) == 80.0
    assert w.retry_after("ada", 99.0) == 1.0
    assert w.retry_after("bob", 20.0) is None  # keys are counted apart
    assert w.retry_after("ada", 100.0) is None  # the failure at 0 has left the window
    w.fail("ada", 100.0)
    assert w.retry_after("ada", 100.0) == 10.0  # now the one at 10 is the oldest that counts


def test_reset_forgets_the_failures() -> None:
    w = FailureWindow(limit=2, window_s=100.0)
    w.fail("ada", 0.0)
    w.fail("ada", 1.0)
    assert w.retry_after("ada", 1.0) is not None
    w.reset("ada")
    assert w.retry_after("ada", 1.0) is None
    w.reset("nobody")  # nothing to forget is fine


def test_stale_keys_are_forgotten_and_the_keys_are_bounded() -> None:
    w = FailureWindow(limit=1, window_s=10.0, max_keys=3)
    for i in range(3):
        w.fail(f"old{i}", 0.0)
    w.fail("new", 5.0)  # full: the oldest key goes
    assert len(w) == 3 and w.retry_after("old0", 5.0) is None
    w.fail("later", 20.0)  # every earlier failure is stale by now
    assert len(w) == 1
    assert w.retry_after("later", 20.0) == 10.0


@given(
    limit=st.integers(1, 5),
    gaps=st.lists(st.floats(0.0, 50.0, allow_nan=False), min_size=1, max_size=30),
)
def test_never_more_than_limit_failures_are_let_through_in_any_window(
    limit: int, gaps: list[float]
) -> None:
    """An attacker who tries whenever allowed gets at most ``limit`` tries per window."""
    window = 100.0
    w = FailureWindow(limit=limit, window_s=window)
    now, tried = 0.0, []
    for gap in gaps:
        now += gap
        wait = w.retry_after("k", now)
        if wait is None:
            w.fail("k", now)
            tried.append(now)
        else:
            assert 0 < wait <= window
    for t in tried:
        # Ages, as the window measures them (now − t < window: still in it).
        assert len([u for u in tried if 0 <= u - t < window]) <= limit


def test_the_token_bucket_allows_its_burst_then_its_rate() -> None:
    b = TokenBucket(rate=1.0, burst=2.0)
    assert b.allow(0.0) and b.allow(0.0)
    assert not b.allow(0.0)
    assert b.allow(1.0)
