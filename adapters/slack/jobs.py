"""Acknowledged means kept: slash commands that change what rapport keeps are written to the
database's job queue before their ack, carried out, then taken off it.  A job whose process
died (no heartbeat for a lease) is carried out by the next process that looks.  Replays of a
delivery (Slack's retries, a signed request posted again) are recognised and run nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from rapport.adapters.common.inflight import InFlight
from rapport.bot.metrics import metrics
from rapport.bot.storage.base import Job, Store

__all__ = ["DELIVERY_KEEP_SECONDS", "JOB_LEASE_SECONDS", "Jobs"]

log = logging.getLogger("rapport.slack")

PLATFORM = "slack"
#: How long a handled event id (or a slash command's fingerprint) is remembered: Slack retries
#: events within minutes, and a signed request is accepted for 5 minutes, so a replay of it
#: within that window is recognised.
DELIVERY_KEEP_SECONDS = 3600.0
#: A job taken this long ago and not finished belongs to a process that died (PostgreSQL, where
#: several processes share the queue); a SQLite file serves one process, whose restart takes
#: every job taken before it started at once.
JOB_LEASE_SECONDS = 20.0
#: How often a process looks for jobs a dead process left.
RECOVER_EVERY_SECONDS = 10.0


class Jobs:
    """One process's side of the job queue: deliveries seen, jobs kept, held and recovered."""

    def __init__(self, store: Store, work: InFlight, run: Callable[[Job], Awaitable[None]]):
        self.store = store
        self.work = work
        self.run = run  # carries out a job and answers it (then `finish`es it)
        self._held: set[int] = set()  # ids of the jobs this process is carrying out
        self._tasks: set[asyncio.Task[None]] = set()
        self._recovery: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    async def first(self, delivery: str) -> bool:
        """True the first time a delivery (an event id, a command's fingerprint) is seen here
        or by another process on the database; True too when that can't be told."""
        if not delivery:
            return True
        try:
            return bool(
                await self.store.claim_delivery(
                    PLATFORM, delivery, time.time(), DELIVERY_KEEP_SECONDS
                )
            )
        except Exception:
            log.exception("couldn't record delivery %s", delivery)
            return True  # better a rare double than a dropped message

    async def keep(self, delivery: str, payload: str) -> int | None:
        """Write a job before its ack; its id, or None for a replay of one already kept."""
        return await self.store.enqueue(
            PLATFORM, delivery, payload, time.time(), DELIVERY_KEEP_SECONDS
        )

    def hold(self, job_id: int) -> None:
        """This process is carrying the job out: its heartbeat keeps the job from looking
        abandoned to any other process (or to this one's own recovery)."""
        self._held.add(job_id)

    async def finish(self, job_id: int) -> None:
        """The job is done and answered: take it off the queue (a failure leaves it to run
        again after a restart, a double rather than a loss)."""
        try:
            await self.store.finish_job(job_id)
        except Exception as exc:
            metrics().failed(exc)
            log.exception("couldn't finish job %s", job_id)
        finally:
            self._held.discard(job_id)

    def start_recovery(self, lease: float = JOB_LEASE_SECONDS) -> None:
        """Carry out, now and every `RECOVER_EVERY_SECONDS`, the jobs a dead process left (a
        job is abandoned once no process has renewed it for `lease` seconds); renew this
        process's own jobs every quarter lease."""
        if self._recovery is None:
            loop = asyncio.get_running_loop()
            self._recovery = loop.create_task(self._recover_forever(lease))
            self._heartbeat = loop.create_task(self._renew_forever(lease / 4))

    async def _renew_forever(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            if self._held:
                try:
                    await self.store.renew_jobs(set(self._held), time.time())
                except Exception as exc:
                    metrics().failed(exc)
                    log.exception("couldn't renew this process's jobs")

    async def _recover_forever(self, lease: float) -> None:
        while True:
            try:
                taken = await self.recover(lease)
            except Exception as exc:
                metrics().failed(exc)
                log.exception("couldn't take jobs left by another process")
                taken = 0
            await asyncio.sleep(0.2 if taken else min(RECOVER_EVERY_SECONDS, lease))

    async def recover(self, lease: float = JOB_LEASE_SECONDS) -> int:
        """Take jobs no process has renewed for `lease` seconds (a dead process's; no more than
        half the free room) and start them."""
        room = self.work.room() // 2
        if room <= 0:
            return 0
        now = time.time()
        jobs = await self.store.take_jobs(PLATFORM, now - lease, now, room)
        for job in jobs:
            self.hold(job.id)
            log.info("carrying out job %s acknowledged before a restart", job.id)
            task = asyncio.get_running_loop().create_task(self._recovered(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return len(jobs)

    async def _recovered(self, job: Job) -> None:
        async with self.work.working():
            await self.run(job)

    async def close(self) -> None:
        """Stop looking for jobs and renewing this process's own."""
        for task in (self._recovery, self._heartbeat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
