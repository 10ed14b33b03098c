"""Work a chat adapter has acknowledged and not yet finished: a few at a time, a bound on how
much may wait (beyond it the user is told "busy" at once), and a drain for shutdown.

Slack and Discord both answer within 3 s and then do the work; this keeps that work from
piling up without bound, and lets `rapport serve` wait for it before closing the database.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from rapport.bot.metrics import metrics
from rapport.bot.wording import say

__all__ = ["InFlight", "ack_after"]

T = TypeVar("T")


class InFlight:
    """Acknowledged work in one process: `running` at once (checks are CPU work on the event
    loop, so a few at a time keep it free for new acks), at most `waiting` held in all (None:
    no bound), counted so shutdown can wait for it."""

    def __init__(self, running: int, waiting: int | None = None) -> None:
        self.waiting = waiting
        self._slots = asyncio.Semaphore(running)
        self._count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def count(self) -> int:
        """Work held now: running, or waiting for a slot."""
        return self._count

    def full(self) -> bool:
        """True when no more work may be taken on."""
        return self.waiting is not None and self._count >= self.waiting

    def room(self) -> int:
        """How much more work may be taken on before `full` (unbounded: a large number)."""
        if self.waiting is None:
            return 1 << 30
        return max(0, self.waiting - self._count)

    def refusal(self) -> str | None:
        """When full, the words that turn a request away (counted as a busy refusal); None
        when there is room."""
        if not self.full():
            return None
        metrics().error("busy")
        return say("chat.busy")

    @contextlib.asynccontextmanager
    async def working(self, slot: bool = True) -> AsyncIterator[None]:
        """Hold a piece of work: counted until it ends, and (with `slot`) waiting its turn for
        one of the running slots.  A state change takes no slot, so it is never late for its
        ack behind slow checks."""
        self._count += 1
        self._idle.clear()
        try:
            if slot:
                async with self._slots:
                    yield
            else:
                yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._idle.set()

    async def drain(self, timeout: float) -> bool:
        """Wait (up to `timeout` seconds) for the work held now to finish; True if it did."""
        if self._idle.is_set():
            return True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True


async def ack_after(
    work: Awaitable[T], ack: Callable[[], Awaitable[object]], wait: float
) -> asyncio.Future[T]:
    """Start `work` and acknowledge once it has finished, or after `wait` seconds if it hasn't
    (the platform wants its ack within 3 s); the work, running or done, is returned.

    For state changes: what a user sees acknowledged should already be stored, and a slow
    write is acknowledged anyway and answered when it ends.  The work's own failure is left
    in the returned future, for the caller to report."""
    task = asyncio.ensure_future(work)
    await asyncio.wait({task}, timeout=wait)
    await ack()
    return task
