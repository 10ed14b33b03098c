"""Checks off the event loop: a bounded pool of worker processes for the engine's CPU work.

A check of a long or unusual draft can take seconds of CPU; on the event loop that would stall
every other user's acknowledgement.  The bots and the console send the pure CPU work (the jobs
in `bot.jobs`) to `WorkerPool`; the one-shot CLI runs it `InProcess`, paying for no process.

Why our own processes rather than `concurrent.futures.ProcessPoolExecutor`: a job over its
time budget must be stopped, and an executor can neither cancel a running job nor kill one of
its workers without breaking the whole pool (every other user's job in flight fails with
`BrokenProcessPool`).  Here each worker is a child `python` with two pipes, one job at a time;
a job over budget gets its worker killed and replaced, and the others carry on.  Workers run
at a lower priority (nice), so on a busy machine the event loop still gets the CPU first.

Settings (environment): `RAPPORT_CHECK_WORKERS` (processes, default 2), `RAPPORT_CHECK_SECONDS`
(one job's budget, default 5), `RAPPORT_CHECK_QUEUE` (jobs that may wait for a worker,
default 16).  A job that finds the queue full, or waits for a worker longer than twice the
budget (10 s at least), is refused as `busy`; one over budget as `too_long`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.config import Config, ConfigError
from bot.engine import Engine
from bot.jobs import JOBS, Engines
from bot.rewrite import Rewriter

__all__ = ["CheckRefused", "InProcess", "Runner", "WorkerPool", "pool_from_env"]

log = logging.getLogger("rapport.workers")

#: How long a new worker may take to start and load the reader before it is given up on.
_START_SECONDS = 60.0
#: Tries to replace a worker that failed to start, before the pool carries on without it.
_START_TRIES = 3
_NICE = 10
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


class Runner:
    """Runs a job from `bot.jobs` for a configuration (`key` names it: "" is the default)."""

    async def run(self, key: str, config: Config, job: str, *args: Any) -> Any:
        """The job's result (or its exception)."""
        raise NotImplementedError

    async def close(self) -> None:
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

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def call(self, message: bytes) -> Any:
        """Send one job and wait for its answer; a job's own exception is raised here."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(len(message).to_bytes(_HEADER, "big") + message)
        await self.proc.stdin.drain()
        size = int.from_bytes(await self.proc.stdout.readexactly(_HEADER), "big")
        ok, value = pickle.loads(await self.proc.stdout.readexactly(size))
        if not ok:
            raise value
        return value

    async def stop(self) -> None:
        """Kill the process and reap it."""
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.proc.wait(), 5)


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
        self._tasks: set[asyncio.Task[None]] = set()
        self._waiting = 0
        self._closed = False

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
        if self._idle.empty() and self._waiting >= self.queue:
            raise CheckRefused("busy")
        message = pickle.dumps((job, key, config, args), pickle.HIGHEST_PROTOCOL)
        self._waiting += 1
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.wait_limit)
        except TimeoutError:
            raise CheckRefused("busy") from None
        finally:
            self._waiting -= 1
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
        self._idle.put_nowait(worker)
        return result

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
        self._background(worker.stop())
        if not self._closed:
            self._spawn()

    def _spawn(self) -> None:
        self._background(self._start_one())

    def _background(self, job: Any) -> None:
        task = asyncio.ensure_future(job)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _start_one(self) -> None:
        """Start a worker, load the reader in it, and make it available."""
        for attempt in range(1, _START_TRIES + 1):
            worker = None
            try:
                worker = _Worker(await _launch())
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
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(*(w.stop() for w in self._all), return_exceptions=True)
        self._all.clear()


async def _launch() -> asyncio.subprocess.Process:
    root = str(Path(__file__).resolve().parent.parent)
    code = f"import sys; sys.path.insert(0, {root!r}); from bot.workers import serve; serve()"
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


def serve() -> None:
    """A worker process's loop: read a job from stdin, run it, write the answer to stdout."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    with contextlib.suppress(OSError):
        os.nice(_NICE)
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
