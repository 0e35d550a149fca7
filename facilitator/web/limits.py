"""Token buckets: how often one phone may mark or pick, and how many new phones one
client address may be given."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

VOTE_BURST = 10  # marks and picks a device may send ...
VOTE_WINDOW_S = 5.0  # ... per this many seconds (token bucket)


class RateLimiter:
    """A token bucket per key: ``burst`` actions, refilled evenly over ``window_s``."""

    def __init__(
        self,
        burst: int = VOTE_BURST,
        window_s: float = VOTE_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 20_000,
    ) -> None:
        self.burst = float(burst)
        self.rate = burst / window_s
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}

    def _level(self, key: str, now: float) -> float:
        tokens, last = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - last) * self.rate)

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens = self._level(key, now)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return False
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > self.max_keys:
            self._prune(now)
        return True

    def retry_after(self, key: str) -> int:
        tokens = self._level(key, self.clock())
        return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _prune(self, now: float) -> None:
        """Forget full buckets (they behave like new ones); if still too many, the oldest."""
        self._buckets = {k: v for k, v in self._buckets.items() if self._level(k, now) < self.burst}
        if len(self._buckets) > self.max_keys:
            newest = sorted(self._buckets.items(), key=lambda kv: kv[1][1])[-self.max_keys // 2 :]
            self._buckets = dict(newest)
