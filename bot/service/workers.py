"""Checks off the event loop: a bounded pool of worker processes for the engine's CPU work.

A check of a long or unusual draft can take seconds of CPU; on the event loop that would stall
every other user's acknowledgement.  The bots and the console send the pure CPU work (the jobs
in `rapport.bot.service.jobs`) to `WorkerPool`; the one-shot CLI runs it `InProcess`, paying for no process.

Why our own processes rather than `concurrent.futures.ProcessPoolExecutor`: a job over its
time budget must be stopped, and an executor can neither cancel a running job nor kill one of
its workers without breaking the whole pool (every other user's job in flight fails with
`BrokenProcessPool`).  Here each worker is a child `python` with two pipes, one job at a time;
a job over budget gets its worker killed and replaced, and the others carry on.  Workers run
at a lower priority (nice), so on a busy machine the event loop still gets the CPU first, and
jobs on long drafts (`LONG_DRAFT` characters and more) may hold every worker but one, so a
chat-sized draft never waits behind a few huge ones.

Settings (environment): `RAPPORT_CHECK_WORKERS` (processes, default 2), `RAPPORT_CHECK_SECONDS`
(one job's budget, default 5), `RAPPORT_CHECK_QUEUE` (jobs that may wait for a worker,
default 16, counted apart for long and ordinary drafts).  A job that finds the queue full, or waits for a worker longer than twice the
budget (10 s at least), is refused as `busy`; one over budget as `too_long`.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rapport.bot.config import Config, ConfigError
from rapport.bot.engine.engine import Engine
from rapport.bot.rewriter.rewrite import Rewriter
from rapport.bot.service.jobs import JOBS, Engines

__all__ = ["CheckRefused", "InProcess", "Runner", "WorkerPool", "pool_from_env"]

log = logging.getLogger("rapport.workers")

#: How long a new worker may take to start and load the reader before it is given up on.
_START_SECONDS = 60.0
#: Tries to replace a worker that failed to start, before the pool carries on without it.
_START_TRIES = 3
_NICE = 10
#: A draft this long (characters) is a long one: it never takes the last free worker.
LONG_DRAFT = 5_000
_HEADER = 4


class CheckRefused(Exception):
    """A check rapport won't finish: `busy` (every worker taken) or `too_long` (over budget).

    `wording` is the key of what to tell the user (`templates/coach/messages.toml`).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def wording(self) -> str:
        """The message key: `check_busy` or `check_too_long`."""
        return f"check_{self.reason}"


class Runner(abc.ABC):
    """Runs a job from `rapport.bot.service.jobs` for a configuration (`key` names it: "" is the default)."""

    #: Core work an adapter may run at once on this runner (0: the adapter's own limit).
    in_flight = 0

    @abc.abstractmethod
    async def run(self, key: str, config: Config, job: str, *args: Any) -> Any:
        """The job's result (or its exception)."""

    async def close(self) -> None:  # noqa: B027 - a default: nothing to stop in-process
        """Stop any processes (nothing to do in-process)."""


class InProcess(Runner):
    """Jobs run right here, on the caller's thread: the one-shot CLI, tests, batch checks."""

    def __init__(self, engine: Engine, rewriter: Rewriter) -> None:
        self.engines = Engines()
        self.engines.seed("", engine, rewriter)

    async def run(self, key: str, config: Config, job: str, *args: Any) -> Any:
        """Run the job now (it blocks the loop for as long as it takes)."""
        return JOBS[job](self.engines.get(key, config), *args)


class _Worker:
    """One child process and its pipes; one job at a time."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.answers = asyncio.StreamReader()
        self.jobs: asyncio.StreamWriter | None = None
        self._read: asyncio.BaseTransport | None = None

    async def connect(self) -> None:
        """Join the process's pipes to the event loop."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        loop = asyncio.get_running_loop()
        self._read, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(self.answers), self.proc.stdout
        )
        transport, protocol = await loop.connect_write_pipe(
            asyncio.streams.FlowControlMixin, self.proc.stdin
        )
        self.jobs = asyncio.StreamWriter(transport, protocol, None, loop)

    async def call(self, message: bytes) -> Any:
        """Send one job and wait for its answer; a job's own exception is raised here."""
        assert self.jobs is not None
        self.jobs.write(len(message).to_bytes(_HEADER, "big") + message)
        await self.jobs.drain()
        size = int.from_bytes(await self.answers.readexactly(_HEADER), "big")
        ok, value = pickle.loads(await self.answers.readexactly(size))
        if not ok:
            raise value
        return value

    async def stop(self) -> None:
        """Kill the process and reap it (in a thread: the loop never waits on a process)."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        for pipe in (self.jobs, self._read):
            if pipe is not None:
                pipe.close()
        for raw in (self.proc.stdin, self.proc.stdout):
            if raw is not None:
                raw.close()
        try:
            await asyncio.to_thread(self.proc.wait, 5)
        except asyncio.CancelledError:
            self.proc.wait(1)  # killed already: reaping it is quick
            raise


class _JobFailed(Exception):
    """Marks an exception raised by the job itself (the worker is fine)."""


class WorkerPool(Runner):
    """`size` worker processes; jobs wait (boundedly) for a free one, and get `budget` seconds."""

    def __init__(self, config: Config, size: int = 2, budget: float = 5.0, queue: int = 16) -> None:
        self.config = config
        self.size = size
        self.budget = budget
        self.queue = queue
        self.wait_limit = max(2 * budget, 10.0)
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._starting: set[asyncio.Task[None]] = set()
        self._stopping: set[asyncio.Task[None]] = set()
        self._waiting = [0, 0]  # jobs waiting for a worker: ordinary drafts', long drafts'
        self._closed = False
        #: Every job the pool can hold (running or waiting), plus room for ordinary work: an
        #: adapter admitting this many never makes anyone wait behind jobs the pool holds.
        self.in_flight = size + 2 * queue + 8
        #: Long drafts may hold all workers but one, so ordinary drafts never queue behind them.
        self._long = asyncio.Semaphore(max(1, size - 1))

    def start(self) -> None:
        """Start the workers in the background (call from the event loop; idempotent)."""
        if self._idle is not None:
            return
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._spawn()

    @property
    def ready(self) -> int:
        """Workers started and free right now."""
        return 0 if self._idle is None else self._idle.qsize()

    async def wait_ready(self, timeout: float = _START_SECONDS) -> bool:
        """Start the pool and wait (up to `timeout`) until every worker is free; True if so."""
        self.start()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.ready < self.size and loop.time() < deadline:
            await asyncio.sleep(0.02)
        return self.ready >= self.size

    async def run(self, key: str, config: Config, job: str, *args: Any) -> Any:
        """Run the job in a worker; CheckRefused when the pool is full or the job too slow."""
        if self._closed:
            raise RuntimeError("the check workers are closed")
        self.start()
        assert self._idle is not None
        long = self.size > 1 and any(isinstance(a, str) and len(a) >= LONG_DRAFT for a in args)
        if self._idle.empty() and self._waiting[long] >= self.queue:
            raise CheckRefused("busy")
        message = pickle.dumps((job, key, config, args), pickle.HIGHEST_PROTOCOL)
        self._waiting[long] += 1
        try:
            worker = await asyncio.wait_for(self._take(long), self.wait_limit)
        except TimeoutError:
            raise CheckRefused("busy") from None
        finally:
            self._waiting[long] -= 1
        try:
            result = await asyncio.wait_for(self._call(worker, message), self.budget)
        except TimeoutError:
            log.warning("a check ran over its %.1f s budget: worker replaced", self.budget)
            self._replace(worker)
            raise CheckRefused("too_long") from None
        except _JobFailed as failed:
            self._idle.put_nowait(worker)
            raise failed.__cause__ or RuntimeError("check failed") from None
        except BaseException:  # the worker died, or we were cancelled mid-job: a fresh one
            self._replace(worker)
            raise
        finally:
            if long:
                self._long.release()
        self._idle.put_nowait(worker)
        return result

    async def _take(self, long: bool) -> _Worker:
        """A free worker; a long draft's job first takes a place in the long drafts' lane."""
        assert self._idle is not None
        if long:
            await self._long.acquire()
        try:
            return await self._idle.get()
        except BaseException:
            if long:
                self._long.release()
            raise

    @staticmethod
    async def _call(worker: _Worker, message: bytes) -> Any:
        try:
            return await worker.call(message)
        except (asyncio.IncompleteReadError, ConnectionError, pickle.UnpicklingError):
            raise RuntimeError("a check worker stopped unexpectedly") from None
        except Exception as exc:  # raised by the job, sent back whole
            raise _JobFailed() from exc

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        self._background(worker.stop(), self._stopping)
        if not self._closed:
            self._spawn()

    def _spawn(self) -> None:
        self._background(self._start_one(), self._starting)

    @staticmethod
    def _background(job: Any, tasks: set[asyncio.Task[None]]) -> None:
        task = asyncio.ensure_future(job)
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _start_one(self) -> None:
        """Start a worker, load the reader in it, and make it available."""
        for attempt in range(1, _START_TRIES + 1):
            worker = None
            try:
                worker = await _launch()
                self._all.add(worker)
                warm = pickle.dumps(("warm", "", self.config, ()), pickle.HIGHEST_PROTOCOL)
                await asyncio.wait_for(worker.call(warm), _START_SECONDS)
            except Exception as exc:
                log.error("a check worker failed to start (try %d): %s", attempt, exc)
                if worker is not None:
                    self._all.discard(worker)
                    await worker.stop()
                await asyncio.sleep(attempt)
                continue
            if self._closed or self._idle is None:
                await worker.stop()
                return
            self._idle.put_nowait(worker)
            return

    async def close(self) -> None:
        """Stop every worker (jobs in flight fail)."""
        self._closed = True
        for task in list(self._starting):
            task.cancel()
        await asyncio.gather(*self._starting, *self._stopping, return_exceptions=True)
        await asyncio.gather(*(w.stop() for w in self._all), return_exceptions=True)
        self._all.clear()


async def _launch() -> _Worker:
    """Start a worker process.  It is forked in a thread and its pipes joined to the loop
    afterwards, so neither the fork nor a child watcher's thread holds up the loop."""
    root = str(Path(__file__).resolve().parents[2])  # the folder holding bot/
    # lower the priority first: loading the engine is a second of CPU the loop shouldn't wait on
    code = (
        f"import os, sys; os.nice({_NICE}); sys.path.insert(0, {root!r}); "
        "from bot.service.workers import serve; serve()"
    )
    started = asyncio.ensure_future(
        asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
    )
    try:
        worker = _Worker(await asyncio.shield(started))
    except asyncio.CancelledError:  # the pool is closing: don't leave the process behind
        started.add_done_callback(_kill_started)
        raise
    try:
        await worker.connect()
    except BaseException:
        await worker.stop()
        raise
    return worker


def _kill_started(started: asyncio.Future[subprocess.Popen[bytes]]) -> None:
    if not started.cancelled() and started.exception() is None:
        proc = started.result()
        proc.kill()
        proc.wait(1)
        for raw in (proc.stdin, proc.stdout):
            if raw is not None:
                raw.close()


def serve() -> None:
    """A worker process's loop: read a job from stdin, run it, write the answer to stdout."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the answers
    jobs = sys.stdin.buffer
    engines = Engines()
    while True:
        header = jobs.read(_HEADER)
        if len(header) < _HEADER:
            return  # the parent closed the pipe: it has gone
        job, key, config, args = pickle.loads(jobs.read(int.from_bytes(header, "big")))
        try:
            answer = (True, JOBS[job](engines.get(key, config), *args))
        except Exception as exc:
            answer = (False, _portable(exc))
        data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        answers.write(len(data).to_bytes(_HEADER, "big") + data)
        answers.flush()


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError that names it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def pool_from_env(config: Config, env: Mapping[str, str] | None = None) -> WorkerPool:
    """A pool sized by $RAPPORT_CHECK_WORKERS, $RAPPORT_CHECK_SECONDS, $RAPPORT_CHECK_QUEUE."""
    env = os.environ if env is None else env
    size = _setting(env, "RAPPORT_CHECK_WORKERS", 2, (1, 64), "a number of processes")
    budget = _setting(env, "RAPPORT_CHECK_SECONDS", 5, (0.1, 300), "a number of seconds")
    queue = _setting(env, "RAPPORT_CHECK_QUEUE", 16, (0, 10_000), "a number of waiting checks")
    return WorkerPool(config, int(size), budget, int(queue))


def _setting(
    env: Mapping[str, str], name: str, default: float, bounds: tuple[float, float], what: str
) -> float:
    """A numeric setting within bounds (whole numbers unless it is seconds)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    low, high = bounds
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be {what}, not {raw!r}") from None
    whole = value == int(value) or what.endswith("seconds")
    if not (low <= value <= high and whole):
        raise ConfigError(f"{name} must be {what} from {low:g} to {high:g}, not {raw!r}")
    return value
