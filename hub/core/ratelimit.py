"""Rate limits: a token bucket per connection, failures in a window per login key. Pure: the
caller passes the time."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float
    tokens: float = -1.0
    updated: float = 0.0

    def allow(self, now: float, cost: float = 1.0) -> bool:
        if self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


class FailureWindow:
    """Failures per key within a sliding window: after ``limit`` of them the key must wait.

    What the login throttle counts (per account and per client address). ``retry_after``
    says how many seconds are left until the oldest failure of a full window falls out of it.
    At most ``max_keys`` keys are kept: when there are more, the stale ones go first, then
    the oldest ones, so a spray of addresses or made-up emails cannot grow it without bound.
    """

    def __init__(self, limit: int, window_s: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        # Written as ages (now − t), as retry_after reads them: a failure is in the window while
        # its age is under window_s, and the two never disagree over a float's last digit.
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: str, now: float) -> float | None:
        """Seconds until ``key`` may try again, or None if it may now."""
        times = self._recent(key, now)
        if times is None or len(times) < self.limit:
            return None
        # window_s − age, not t + window_s − now: with t near now, the sum would round to
        # just over window_s.
        return self.window_s - (now - times[-self.limit])

    def fail(self, key: str, now: float) -> None:
        times = self._recent(key, now)
        if times is None:
            if len(self._failures) >= self.max_keys:
                self._forget(now)
            times = self._failures[key] = deque(maxlen=self.limit)
        times.append(now)

    def reset(self, key: str) -> None:
        self._failures.pop(key, None)

    def _forget(self, now: float) -> None:
        for key in list(self._failures):
            self._recent(key, now)
        while len(self._failures) >= self.max_keys:
            del self._failures[next(iter(self._failures))]

    def __len__(self) -> int:
        return len(self._failures)
