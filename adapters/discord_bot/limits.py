"""Per-person rate limits on Discord: friendly cooldowns instead of a flooded core."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

__all__ = ["RateLimiter"]

#: People a limiter tracks before it sweeps out those who have gone quiet.
_SWEEP_AT = 50_000


class RateLimiter:
    """A sliding window per user: at most `rate` commands in `per` seconds."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.per, self.clock = rate, per, clock
        self._seen: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}
        self._swept = float("-inf")

    def wait(self, user_id: int) -> float:
        """0 if the user may go ahead now (and counts it), else seconds to wait."""
        now = self.clock()
        seen = self._seen.setdefault(user_id, deque())
        while seen and now - seen[0] >= self.per:
            seen.popleft()
        if len(seen) >= self.rate:
            return self.per - (now - seen[0])
        seen.append(now)
        self._told.pop(user_id, None)
        if len(self._seen) > _SWEEP_AT and now - self._swept > self.per:  # bounded, swept rarely
            self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < self.per}
            self._swept = now
        return 0.0

    def should_tell(self, user_id: int) -> bool:
        """True once per window for a user who is being held back (the first refusal only)."""
        now = self.clock()
        last = self._told.get(user_id)
        if last is not None and now - last < self.per:
            return False
        if len(self._told) > _SWEEP_AT:
            self._told.clear()
        self._told[user_id] = now
        return True
