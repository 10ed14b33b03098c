"""Load on several `rapport serve slack` processes sharing one database, on loopback only.

Real `python -m rapport.adapters.terminal.cli serve slack` processes (HTTP mode, metrics on) answer signed
`/rapport check <draft>` slash commands from `--users` users: two on one SQLite file and, when
PostgreSQL's server is installed, two on one PostgreSQL database (a throwaway server of this
script's own, initdb + pg_ctl as the `postgres` user when run as root, removed afterwards; or
`--postgres-url`).  A 1-process run sends every command to process A; a 2-process run spreads
them round-robin over A and B (client-side load balancing, as a load balancer would), so B
idles during 1-process runs.  A fake Slack (Web API at `/api/<method>`, response_url at
`/hooks/<n>`, tests/fakes/slack.py, refusing what Slack refuses) runs in its own child process (`--layout same`: in this
one) and streams the arrival time of every follow-up back (CLOCK_MONOTONIC, system-wide).

C is the number of commands in flight: each of C client tasks sends its next command when its
last one is answered (its follow-up reached the fake; `--gate ack`: as soon as it is acked, so
the checks pile up in the servers behind the acks and even C=1 runs them flat out).  Per run
(`--requests` commands): ack latency (client-side, around each POST) p50/p99/max; throughput as
completed checks per second (follow-ups received by the fake / time from the first POST to the
last follow-up) and acks per second; POST-to-follow-up p99; errors; CPU per check of the rapport
processes, PostgreSQL, the fake and this load client (from /proc), the machine's busy cores and
how many of them other programs used (a noisy neighbour shows there).  Each process gets
`--warmup` commands first.  Per level and round the four configurations run in ABBA order
(sqlite×1, postgresql×1, sqlite×2, postgresql×2, then reversed) with the same commands, and
the targets use each configuration's better run: lower ack p99, higher checks/s.

Targets (issue): PostgreSQL 1-process ack p99 ≤ 1.3× SQLite's (checked at every level); at the
top level (C=50): 2 processes > 1.1× the checks/s of 1, per database, and ack p99 < 1 s for
every configuration.  PostgreSQL runs with `synchronous_commit=off` (commits don't wait for a
disk flush, like SQLite's `synchronous=NORMAL` in WAL mode; `--pg-durable` waits).  Every
request has a timeout (10 s, 30 s for its follow-up), every wait a bound, the whole run a cap (300 s); exit 0 when the
measurements were taken (targets may FAIL), 1 on errors.  Results: bench/out/serve-load.json.

    python -m bench.serve_load                          # 200 commands per run at C = 1, 10, 50
    python -m bench.serve_load --requests 100 --levels 10 50 --rounds 1
    python -m bench.serve_load --databases sqlite       # no PostgreSQL
    python -m bench.serve_load --gate ack --rounds 4    # bursts; steadier better-of-4 numbers
    python -m bench.serve_load --postgres-url postgresql://rapport@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if __package__ in (None, ""):  # run as a file: make `bench` and `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.slack_load import (
    SECRET,
    TOKENS,
    Arrivals,
    Load,
    _clean_env,
    _cpu_seconds,
    _percentile,
    _signed,
    events,
    fake_slack,
)

if TYPE_CHECKING:
    from tests.fakes.slack import Call

ROOT = Path(__file__).resolve().parent.parent
TOKEN = TOKENS["rapport"]  # the fake counts calls with this token as rapport's
DATABASES = ("sqlite", "postgresql")
CONFIGS = tuple((db, procs) for procs in (1, 2) for db in DATABASES)  # the ABBA order
TARGET_PG_RATIO = 1.3  # PostgreSQL 1-process ack p99 / SQLite 1-process ack p99
TARGET_SCALE = 1.1  # 2-process checks/s / 1-process checks/s
TARGET_P99_MS = 1000.0
TOP_LEVEL = 50
#: Bolt warns once at start because SLACK_BOT_TOKEN is set while rapport passes its own client.
BENIGN = "`token` will be unused"
START_SECONDS = 60.0  # for a rapport process to answer /healthz
STOP_SECONDS = 30.0  # for a rapport process to exit after SIGTERM (it drains up to 10 s)
ANSWER_SECONDS = 30.0  # for one follow-up, with --gate answer
CLK_TCK = os.sysconf("SC_CLK_TCK")


# -- the fake Slack, in a child process ----------------------------------------------------------
async def _fake_child() -> None:
    """Child process: serve the fake Slack, print its URL, then stream what each call means to
    the load (`bench.slack_load.events`, one line each) on stdout; stop when stdin closes."""

    def emit(call: Call) -> None:
        sys.stdout.write("".join(line + "\n" for line in events(call)))
        sys.stdout.flush()

    fake = await fake_slack(emit).start()
    print(f"URL {fake.url}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await fake.stop()


@dataclass
class Fake:
    """The fake Slack as the load client sees it: `seen` fills as its calls arrive."""

    url: str
    seen: Arrivals
    close: Callable[[], Awaitable[None]]
    pid: int | None = None  # a child process: its CPU time is read from /proc


async def start_fake(layout: str, folder: Path) -> Fake:
    seen = Arrivals()
    if layout == "same":
        fake = await fake_slack(seen.see).start()
        return Fake(fake.url, seen, fake.stop)
    with (folder / "fake-slack.log").open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.serve_load", "--serve-fake", stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=err, cwd=ROOT, env=_clean_env(),
        )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
    except TimeoutError:
        line = b""
    if not line.startswith(b"URL "):
        proc.kill()
        await proc.wait()
        raise RuntimeError(f"the fake Slack did not start: {_tail(folder / 'fake-slack.log')}")
    stdout, stdin = proc.stdout, proc.stdin

    async def read() -> None:
        async for raw in stdout:
            seen.note(raw.decode())

    reader = asyncio.ensure_future(read())

    async def close() -> None:
        stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 20)
            await asyncio.wait_for(reader, 5)
        except TimeoutError:
            proc.kill()
            await proc.wait()

    return Fake(line.split()[1].decode(), seen, close, proc.pid)


# -- PostgreSQL ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


@dataclass
class Postgres:
    """A throwaway PostgreSQL server on 127.0.0.1 (as tests/pg_cluster.py starts one)."""

    bindir: Path
    top: Path
    port: int
    as_postgres: bool
    version: str = ""

    @property
    def url(self) -> str:
        return f"postgresql://rapport@127.0.0.1:{self.port}/postgres"

    def run(self, *args: str, timeout: float = 120) -> str:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:  # initdb and postgres refuse to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed: {(done.stderr or done.stdout)[-1500:]}")
        return done.stdout

    def postmaster(self) -> int | None:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int((self.top / "db" / "postmaster.pid").read_text().split()[0])
        return None

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "-D", str(self.top / "db"), "-m", "fast", "-w", "-t", "60", "stop")
        except (RuntimeError, subprocess.TimeoutExpired):
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.run("pg_ctl", "-D", str(self.top / "db"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.top, ignore_errors=True)


def start_postgres(bindir: Path, durable: bool) -> Postgres:
    as_postgres = os.geteuid() == 0
    top = Path(tempfile.mkdtemp(prefix="rapport-serve-load-pg-"))
    if as_postgres:
        shutil.chown(top, "postgres")
    pg = Postgres(bindir, top, _free_port(), as_postgres)
    try:
        pg.version = (pg.run("postgres", "--version").split() + ["?"] * 3)[2]
        pg.run("initdb", "-D", str(top / "db"), "-A", "trust", "-U", "rapport", "--no-sync")
        opts = (
            f"-p {pg.port} -k {top} -c listen_addresses=127.0.0.1 -c max_connections=100 "
            f"-c synchronous_commit={'on' if durable else 'off'}"
        )
        pg.run("pg_ctl", "-D", str(top / "db"), "-o", opts, "-l", str(top / "log"), "-w", "-t",
               "60", "start")  # fmt: skip
    except RuntimeError as exc:
        log = _tail(top / "log", 1000)
        pg.stop()
        raise RuntimeError(f"PostgreSQL did not start: {exc} {log}") from None
    except BaseException:
        pg.stop()
        raise
    return pg


# -- CPU accounting ------------------------------------------------------------------------------
def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all cores, from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    return sum(values) - values[3] - values[4], sum(values)


def _children_cpu(parent: int | None) -> dict[int, float]:
    """CPU seconds of `parent` and each of its children (PostgreSQL's backends)."""
    out: dict[int, float] = {}
    if parent is None:
        return out
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            if pid == parent or int(fields[1]) == parent:
                out[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


@dataclass
class CpuMark:
    at: float
    machine: tuple[int, int]
    servers: dict[str, float | None]
    postgres: dict[int, float]
    fake: float | None
    client: float


# -- rapport processes ---------------------------------------------------------------------------
@dataclass
class Server:
    """One `rapport serve slack` process."""

    name: str
    db: str
    port: int
    proc: asyncio.subprocess.Process
    log: Path
    exit_code: int | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events(self) -> str:
        return self.base + "/slack/events"


async def start_server(
    name: str, db: str, db_url: str, api_url: str, folder: Path, session: Any, log_level: str
) -> Server:
    """Start the process on a free port and wait (bounded) until /healthz answers 200."""
    log = folder / f"{name}.log"
    for attempt in range(3):  # another program may take the port between probe and bind
        port = _free_port()
        env = {k: v for k, v in _clean_env().items() if not k.startswith("RAPPORT_")}
        env.update(
            SLACK_BOT_TOKEN=TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api_url,
            RAPPORT_HOST="127.0.0.1", RAPPORT_PORT=str(port), RAPPORT_DATABASE_URL=db_url,
            RAPPORT_LOG_LEVEL=log_level,
        )  # fmt: skip
        with log.open("ab") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "rapport.adapters.terminal.cli", "serve", "slack", stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env,
            )  # fmt: skip
        server = Server(name, db, port, proc, log)
        deadline = time.monotonic() + START_SECONDS
        while proc.returncode is None and time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                async with session.get(server.base + "/healthz", timeout=_timeout(2)) as resp:
                    if resp.status == 200:
                        return server
            await asyncio.sleep(0.1)
        if proc.returncode is None:
            await stop_server(server)
            raise RuntimeError(f"{name} did not answer /healthz in {START_SECONDS:g} s: "
                               f"{_tail(log)}")  # fmt: skip
        if "in use" in _tail(log, 500).lower() and attempt < 2:
            continue
        raise RuntimeError(f"{name} exited {proc.returncode} at start: {_tail(log)}")
    raise AssertionError("unreachable")


async def stop_server(server: Server) -> None:
    """SIGTERM, wait (bounded), kill if it is still there."""
    proc = server.proc
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), STOP_SECONDS)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    server.exit_code = proc.returncode


def _timeout(seconds: float) -> Any:
    import aiohttp

    return aiohttp.ClientTimeout(total=seconds)


_METRIC = re.compile(
    r'^rapport_(database|check)_seconds_(sum|count)(?:\{operation="([^"]*)"\})? (\S+)$'
)


def parse_metrics(text: str) -> dict[str, dict[str, float]]:
    """`{"database:<op>" | "check": {"sum": s, "count": n}}` from a /metrics page."""
    out: dict[str, dict[str, float]] = {}
    for line in text.splitlines():
        m = _METRIC.match(line)
        if m:
            key = f"database:{m[3]}" if m[1] == "database" else "check"
            out.setdefault(key, {})[m[2]] = float(m[4])
    return out


# -- the load ------------------------------------------------------------------------------------
class Spread(Load):
    """slack_load's signed commands, sent round-robin over one or more processes."""

    def __init__(self, session: Any, fake: Fake, seed: int, users: int, gate: str) -> None:
        super().__init__(session, fake.url, seed, users)
        self.watch = fake.seen
        self.gate = gate

    async def spread(self, urls: Sequence[str], requests: int, concurrency: int) -> dict[str, Any]:
        """`requests` commands, `concurrency` in flight: until acked (`--gate ack`) or until
        the follow-up arrived (`--gate answer`); latencies in ms (acked ones only)."""
        batch = [self.command() for _ in range(requests)]  # built and signed before the clock
        # time.monotonic throughout: the fake stamps follow-ups with it, also from its own process
        work = [(n, urls[i % len(urls)], body, _signed(body)) for i, (n, body) in enumerate(batch)]
        queue = iter(work)
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        last_ack = 0.0

        async def worker() -> None:
            nonlocal last_ack
            for n, url, body, headers in queue:
                t0 = time.monotonic()
                self.sent[n] = t0
                try:
                    async with self.session.post(url, data=body, headers=headers) as resp:
                        await resp.read()
                        status = resp.status
                except Exception as exc:  # timeouts, refused connections
                    errors[type(exc).__name__] += 1
                    continue
                t1 = time.monotonic()
                if status != 200:
                    errors[f"HTTP {status}"] += 1
                    continue
                latencies.append((t1 - t0) * 1000)
                last_ack = max(last_ack, t1)
                if self.gate == "answer" and not await self.watch.answered(n, ANSWER_SECONDS):
                    errors["no follow-up"] += 1

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        acked = (last_ack or time.monotonic()) - start
        return {
            "concurrency": concurrency,
            "requests": requests,
            "ok": len(latencies),
            "errors": dict(errors),
            "start": start,
            "ack_wall_s": acked,
            "acks_per_s": len(latencies) / acked if acked > 0 else 0.0,
            "p50_ms": _percentile(latencies, 0.50),
            "p99_ms": _percentile(latencies, 0.99),
            "max_ms": max(latencies, default=0.0),
            "hooks": [n for n, _ in batch],
            "latencies_ms": [round(v, 3) for v in latencies],
        }


def _cpu_mark(servers: dict[str, Server], pg: Postgres | None, fake: Fake) -> CpuMark:
    return CpuMark(
        time.perf_counter(),
        _machine_jiffies(),
        {name: _cpu_seconds(s.proc.pid) for name, s in servers.items()},
        _children_cpu(pg.postmaster() if pg is not None else None),
        _cpu_seconds(fake.pid),
        time.process_time(),
    )


def _cpu_used(a: CpuMark, b: CpuMark, used: Sequence[str], checks: int) -> dict[str, Any]:
    """CPU ms per check of each part; cores busy on the machine, and busy with other programs
    (anything but the rapport processes, PostgreSQL, the fake and this client)."""
    per = max(checks, 1) / 1000

    def seconds(x: float | None, y: float | None) -> float | None:
        return None if x is None or y is None else y - x

    servers = {n: seconds(a.servers[n], b.servers[n]) for n in b.servers}
    pg = sum(v - a.postgres.get(p, 0.0) for p, v in b.postgres.items())
    fake = seconds(a.fake, b.fake)
    client = b.client - a.client
    ours = sum(v for v in servers.values() if v is not None) + pg + (fake or 0.0) + client
    wall = b.at - a.at
    busy, total = b.machine[0] - a.machine[0], b.machine[1] - a.machine[1]
    cores = busy / CLK_TCK / wall if total and wall > 0 else None
    mine = [servers[n] for n in used]
    return {
        "rapport_ms": None if None in mine else sum(v or 0.0 for v in mine) / per,
        "postgres_ms": pg / per if b.postgres else None,
        "fake_ms": None if fake is None else fake / per,
        "client_ms": client / per,
        "cores_busy": cores,
        "cores_other": None if cores is None else max(0.0, cores - ours / wall),
    }


async def measure(args: argparse.Namespace, dbs: dict[str, str], pg: Postgres | None) -> dict[str, Any]:  # fmt: skip
    import aiohttp

    folder = Path(tempfile.mkdtemp(prefix="rapport-serve-load-"))
    servers: dict[str, Server] = {}
    runs: list[dict[str, Any]] = []
    metrics: dict[str, dict[str, dict[str, float]]] = {}
    logs: dict[str, list[str]] = {}
    calls: dict[str, dict[str, int]] = {}
    fake: Fake | None = None
    connector = aiohttp.TCPConnector(limit=0)
    session = aiohttp.ClientSession(timeout=_timeout(args.timeout), connector=connector)
    try:
        fake = await start_fake(args.layout, folder)
        api_url = fake.url + "/api/"
        for db, url in dbs.items():
            if db == "sqlite":
                url = f"sqlite:///{folder / 'rapport.db'}"
            for which in "ab":  # one after the other: the first migrates the new database
                name = f"{db}-{which}"
                servers[name] = await start_server(
                    name, db, url, api_url, folder, session, args.log_level
                )
        calls["start-up"] = dict(fake.seen.calls)
        load = Spread(session, fake, args.seed, args.users, args.gate)
        for name, server in servers.items():
            warm = await load.spread([server.events], args.warmup, 1)
            got = await fake.seen.wait_hooks(warm["hooks"], args.follow_up_wait)
            if warm["ok"] != args.warmup or got != args.warmup:
                raise RuntimeError(f"{name} warm-up failed: {warm['errors']}, {got} follow-ups; "
                                   f"{_tail(server.log)}")  # fmt: skip
        calls["warm-up"] = dict(fake.seen.calls - Counter(calls["start-up"]))
        configs = [c for c in CONFIGS if c[0] in dbs]
        for level in args.levels:
            for rnd in range(args.rounds):
                for db, procs in configs if rnd % 2 == 0 else configs[::-1]:  # ABBA
                    used = [f"{db}-{w}" for w in "ab"[:procs]]
                    load.rng = random.Random(f"{args.seed}-{level}-{rnd}")  # same commands
                    before = _cpu_mark(servers, pg, fake)
                    r = await load.spread([servers[n].events for n in used], args.requests, level)
                    got = await fake.seen.wait_hooks(r["hooks"], args.follow_up_wait)
                    after = _cpu_mark(servers, pg, fake)
                    hooks = fake.seen.hooks
                    arrivals = [hooks[n] for n in r["hooks"] if n in hooks]
                    span = max(arrivals, default=r["start"]) - r["start"]
                    r.update(
                        database=db, procs=procs, round=rnd + 1, follow_ups=got,
                        checks_per_s=got / span if span > 0 else 0.0,
                        follow_up_ms=[round((hooks[n] - load.sent[n]) * 1000, 3)
                                      for n in r["hooks"] if n in hooks],
                        cpu=_cpu_used(before, after, used, got),
                    )  # fmt: skip
                    f = r["follow_up_ms"]
                    r["follow_up_p50_ms"] = _percentile(f, 0.5)
                    r["follow_up_p99_ms"] = _percentile(f, 0.99)
                    del r["start"]
                    runs.append(r)
                    print(_row(r), flush=True)
        calls["runs"] = dict(
            fake.seen.calls - Counter(calls["start-up"]) - Counter(calls["warm-up"])
        )
        for name, server in servers.items():
            with contextlib.suppress(Exception):
                async with session.get(server.base + "/metrics", timeout=_timeout(5)) as resp:
                    metrics[name] = parse_metrics(await resp.text())
    finally:
        await asyncio.gather(*(stop_server(s) for s in servers.values()))
        for server in servers.values():
            logs[server.name] = _tail(server.log, 20_000).splitlines()
        await session.close()
        if fake is not None:
            await fake.close()
        shutil.rmtree(folder, ignore_errors=True)
    assert fake is not None
    return {
        "runs": runs,
        "calls": calls,
        "bad_hooks": fake.seen.bad_hooks,
        "refused": fake.seen.refused,
        "metrics": metrics,
        "exit_codes": {n: s.exit_code for n, s in servers.items()},
        "server_logs": logs,
    }


# -- report --------------------------------------------------------------------------------------
_HEADER = (
    f"  {'C':>3}  {'database':<11}{'procs':>5}{'run':>4}{'ok':>5}{'acks/s':>8}{'checks/s':>9}"
    f"{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'f-up p99':>9}{'CPU/check: rapport':>23}{'pg':>6}"
    f"{'fake':>6}{'client':>8}{'cores':>7}{'other':>6}"
)


def _num(v: float | None, fmt: str = ".2f") -> str:
    return "-" if v is None else format(v, fmt)


def _row(r: dict[str, Any], mark: str = " ") -> str:
    c = r["cpu"]
    errors = f"   errors {r['errors']}" if r["errors"] else ""
    missing = r["requests"] - r["follow_ups"]
    return (
        f"  {r['concurrency']:>3}  {r['database']:<11}{r['procs']:>5}{r['round']:>3}{mark}"
        f"{r['ok']:>5}{r['acks_per_s']:>8.0f}{r['checks_per_s']:>9.1f}{r['p50_ms']:>8.1f}"
        f"{r['p99_ms']:>8.1f}{r['max_ms']:>8.1f}{r['follow_up_p99_ms']:>9.0f}   "
        f"{_num(c['rapport_ms']):>20}{_num(c['postgres_ms']):>6}{_num(c['fake_ms']):>6}"
        f"{_num(c['client_ms']):>8}{_num(c['cores_busy']):>7}{_num(c['cores_other']):>6}"
        + errors
        + (f"   {missing} follow-ups missing" if missing else "")
    )


def _mine(runs: list[dict[str, Any]], db: str, procs: int, level: int) -> list[dict[str, Any]]:
    return [r for r in runs if (r["database"], r["procs"], r["concurrency"]) == (db, procs, level)]


def _best_p99(runs: list[dict[str, Any]], db: str, procs: int, level: int) -> dict[str, Any]:
    return min(_mine(runs, db, procs, level), key=lambda r: (r["ok"] < r["requests"], r["p99_ms"]))


def _best_rate(runs: list[dict[str, Any]], db: str, procs: int, level: int) -> dict[str, Any]:
    return max(_mine(runs, db, procs, level), key=lambda r: r["checks_per_s"])


def report(args: argparse.Namespace, result: dict[str, Any], about: dict[str, Any]) -> list[tuple[str, str, str]]:  # fmt: skip
    runs = result["runs"]
    dbs = about["databases"]
    configs = [c for c in CONFIGS if c[0] in dbs]
    top = TOP_LEVEL if TOP_LEVEL in args.levels else max(args.levels)
    print()
    print("  better runs: ack p99 (lower of the rounds) and checks/s (higher of the rounds)")
    print("  " + " " * 17 + "".join(f"{f'C={lv}':^22}" for lv in args.levels))
    print(f"  {'database':<11}{'procs':>5} " + f"{'p99 ms':>10}{'checks/s':>10}  " * len(args.levels))  # fmt: skip
    for db, procs in configs:
        cells = "".join(
            f"{_best_p99(runs, db, procs, lv)['p99_ms']:>10.1f}"
            f"{_best_rate(runs, db, procs, lv)['checks_per_s']:>10.1f}  "
            for lv in args.levels
        )
        print(f"  {db:<11}{procs:>5} {cells}")
    print()
    checks: list[tuple[str, str, str]] = []  # (PASS | FAIL | SKIP, name, detail)

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    for level in args.levels:
        name = f"C={level}: PostgreSQL 1-process ack p99 ≤ {TARGET_PG_RATIO:g}× SQLite's"
        if "postgresql" not in dbs:
            checks.append(("SKIP", name, about["skip"]))
            continue
        s, p = _best_p99(runs, "sqlite", 1, level), _best_p99(runs, "postgresql", 1, level)
        ratio = p["p99_ms"] / s["p99_ms"] if s["p99_ms"] else float("inf")
        checks.append((verdict(ratio <= TARGET_PG_RATIO), name,
                       f"{p['p99_ms']:.1f} / {s['p99_ms']:.1f} ms = {ratio:.2f}×"))  # fmt: skip
    for db in DATABASES:
        name = f"C={top}: {db} 2 processes > {TARGET_SCALE:g}× the checks/s of 1"
        if db not in dbs:
            checks.append(("SKIP", name, about["skip"]))
            continue
        one, two = _best_rate(runs, db, 1, top), _best_rate(runs, db, 2, top)
        ratio = two["checks_per_s"] / one["checks_per_s"] if one["checks_per_s"] else 0.0
        checks.append((verdict(ratio > TARGET_SCALE), name,
                       f"{two['checks_per_s']:.1f} / {one['checks_per_s']:.1f} = {ratio:.2f}×"))  # fmt: skip
    for db, procs in configs:
        best = _best_p99(runs, db, procs, top)
        worst = max(r["p99_ms"] for r in _mine(runs, db, procs, top))
        checks.append((verdict(best["p99_ms"] < TARGET_P99_MS),
                       f"C={top}: {db} {procs} process{'es' if procs > 1 else ''} ack p99 < "
                       f"{TARGET_P99_MS:g} ms",
                       f"{best['p99_ms']:.1f} ms (worst round {worst:.1f} ms)"))  # fmt: skip
    sent = sum(r["requests"] for r in runs)
    ok = sum(r["ok"] for r in runs)
    arrived = sum(r["follow_ups"] for r in runs)
    checks.append((verdict(ok == sent), "every command acked with HTTP 200", f"{ok}/{sent}"))
    refused = result["refused"]
    checks.append((verdict(not refused), "the fake Slack refused nothing (tokens, channels, Block Kit limits)",
                   f"{len(refused)} refused" + (f", first: {refused[0]}" if refused else "")))  # fmt: skip
    checks.append((verdict(arrived == sent and not result["bad_hooks"]),
                   "every command got its follow-up report",
                   f"{arrived}/{sent}, {len(result['bad_hooks'])} not a report"))  # fmt: skip
    processes = len(result["exit_codes"])
    auth = {k: v.get("rapport:auth.test", 0) for k, v in result["calls"].items()}
    checks.append((verdict(auth.get("start-up") == processes and not auth.get("runs")),
                   "auth.test once per process at start-up, none while measuring",
                   f"{processes} processes: " + ", ".join(f"{k} {v}" for k, v in auth.items())
                   + " (warm-up: Bolt's own first-request auth.test)"))  # fmt: skip
    codes = result["exit_codes"]
    checks.append((verdict(all(c == 0 for c in codes.values())), "processes exit 0 on SIGTERM",
                   ", ".join(f"{n} {c}" for n, c in codes.items())))  # fmt: skip

    for db in dbs:  # where the time goes, from the processes' own /metrics
        merged: dict[str, dict[str, float]] = {}
        for name, m in result["metrics"].items():
            if name.startswith(db + "-"):
                for key, v in m.items():
                    acc = merged.setdefault(key, {"sum": 0.0, "count": 0.0})
                    acc["sum"] += v.get("sum", 0.0)
                    acc["count"] += v.get("count", 0.0)
        check = merged.pop("check", {"sum": 0.0, "count": 0.0})
        ops = sorted(merged.items(), key=lambda kv: -kv[1]["sum"])
        per_check = sum(v["sum"] for _, v in ops) / check["count"] * 1000 if check["count"] else 0
        mean = check["sum"] / check["count"] * 1000 if check["count"] else 0.0
        print(f"  {db} /metrics (wall time, awaits included): check {mean:.1f} ms mean over "
              f"{check['count']:.0f} (store calls {per_check:.1f} ms of it); ms per store call (× calls per check): "
              + ", ".join(
                  f"{k.split(':', 1)[1]} {v['sum'] / v['count'] * 1000:.2f}"
                  + (f" ×{v['count'] / check['count']:.1f}" if check["count"] else "")
                  for k, v in ops[:7] if v["count"]))  # fmt: skip
    for phase, calls in result["calls"].items():
        print(f"  fake Slack calls, {phase}: "
              f"{', '.join(f'{k} {v}' for k, v in sorted(calls.items())) or 'none'}")  # fmt: skip
    for name, lines in result["server_logs"].items():
        noisy = [ln for ln in lines if not ln.startswith("rapport: serving") and BENIGN not in ln]
        if noisy:
            print(f"  {name} wrote {len(noisy)} log lines, first: {noisy[0][:150]}")
    if result["bad_hooks"]:
        print(f"  follow-ups that were not a report: {result['bad_hooks'][0]!r}")
    print()
    for state, name, detail in checks:
        print(f"  {state}  {name}: {detail}")
    return checks


# -- main ----------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    """Measure and print; exit 1 only on errors (missed targets just print FAIL)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=200, help="commands per run (default 200)")
    p.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50], metavar="C",
                   help="concurrency levels: POSTs in flight (default 1 10 50)")  # fmt: skip
    p.add_argument("--rounds", type=int, default=2, help="runs per configuration per level (ABBA)")
    p.add_argument("--users", type=int, default=50, help="distinct Slack users (default 50)")
    p.add_argument("--warmup", type=int, default=5, help="warm-up commands per process")
    p.add_argument("--databases", nargs="+", choices=DATABASES, default=list(DATABASES))
    p.add_argument("--postgres-url", help="use this (empty or rapport's) database instead of a "
                   "throwaway server; rapport's tables are created in it and left there")  # fmt: skip
    p.add_argument("--pg-durable", action="store_true",
                   help="throwaway server with synchronous_commit=on (default off)")  # fmt: skip
    p.add_argument("--gate", choices=("answer", "ack"), default="answer",
                   help="a command is in flight until its follow-up arrives (default) or "
                   "until its ack")  # fmt: skip
    p.add_argument("--layout", choices=("child", "same"), default="child",
                   help="fake Slack in a child process (default) or in this one")  # fmt: skip
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    p.add_argument("--follow-up-wait", type=float, default=60.0,
                   help="seconds to wait for a run's follow-ups")  # fmt: skip
    p.add_argument("--cap", type=float, default=300.0, help="seconds for the whole measurement")
    p.add_argument("--log-level", default="WARNING", help="RAPPORT_LOG_LEVEL of the processes")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "serve-load.json",
                   help="results file (default bench/out/serve-load.json)")  # fmt: skip
    p.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)  # child mode
    args = p.parse_args(argv)
    if args.serve_fake:
        asyncio.run(_fake_child())
        return 0
    if not 1 <= args.requests <= 10_000 or args.warmup < 1 or args.rounds < 1:
        p.error("--requests must be 1..10000, --warmup and --rounds at least 1")
    if any(not 1 <= c <= 500 for c in args.levels) or args.users < 1:
        p.error("--levels must be 1..500, --users at least 1")
    from tests.pg_cluster import server_bin

    dbs: dict[str, str] = {"sqlite": ""} if "sqlite" in args.databases else {}
    pg: Postgres | None = None
    about: dict[str, Any] = {"postgres": "not asked for (--databases)", "cpus": os.cpu_count(),
                             "skip": "PostgreSQL not measured (--databases)"}  # fmt: skip
    start = time.perf_counter()
    try:
        if "postgresql" in args.databases:
            bindir = server_bin()
            if args.postgres_url:
                dbs["postgresql"] = args.postgres_url
                about["postgres"] = "--postgres-url (server not managed here)"
            elif bindir is None:
                about["postgres"] = (
                    "PostgreSQL's server binaries are not installed (no pg_ctl on PATH or in "
                    "/usr/lib/postgresql/*/bin; apt-get install postgresql), so only SQLite was "
                    "measured"
                )
                about["skip"] = "PostgreSQL not measured: its server binaries are not installed"
                print(f"serve_load: {about['postgres']}", file=sys.stderr, flush=True)
            else:
                pg = start_postgres(bindir, args.pg_durable)
                dbs["postgresql"] = pg.url
                about["postgres"] = (
                    f"throwaway PostgreSQL {pg.version} on 127.0.0.1:{pg.port}, "
                    f"synchronous_commit={'on' if args.pg_durable else 'off'}"
                )
        if not dbs:
            print("error: no database to measure", file=sys.stderr)
            return 1
        about["databases"] = list(dbs)
        print(f"rapport serve slack under load, loopback: {args.requests} signed `/rapport check "
              f"…` per run, {args.users} users, C = {', '.join(map(str, args.levels))}, "
              f"{args.rounds} rounds (ABBA), {os.cpu_count()} CPUs")  # fmt: skip
        print(f"  databases: {', '.join(dbs)}; {about['postgres']}; fake Slack "
              f"{'in a child process' if args.layout == 'child' else 'in this process'}")  # fmt: skip
        gate = "its follow-up arrives" if args.gate == "answer" else "it is acked"
        print(f"  C = commands in flight (one is in flight until {gate}); 1 process = A only, "
              "2 = round-robin over A and B")  # fmt: skip
        print("  cores = the machine's cores busy, other = of them with other programs; "
              "f-up = POST to follow-up; * = better p99, + = better checks/s, ± both")  # fmt: skip
        print(_HEADER, flush=True)
        try:
            result = asyncio.run(asyncio.wait_for(measure(args, dbs, pg), args.cap))
        except TimeoutError:
            print(f"error: the run did not finish within --cap {args.cap:g} s", file=sys.stderr)
            return 1
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    except RuntimeError as exc:  # PostgreSQL did not start
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if pg is not None:
            pg.stop()
    wall = time.perf_counter() - start
    print(f"\n  all runs again, marked ({wall:.0f} s in all):")
    print(_HEADER)
    runs = result["runs"]
    for level in args.levels:
        for db, procs in [c for c in CONFIGS if c[0] in dbs]:
            best_p99, best_rate = (
                _best_p99(runs, db, procs, level),
                _best_rate(runs, db, procs, level),
            )
            for r in _mine(runs, db, procs, level):
                a, b = r is best_p99, r is best_rate
                print(_row(r, "±" if a and b else "*" if a else "+" if b else " "))
    checks = report(args, result, about)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "about": about,
        "wall_s": wall,
        "checks": [{"state": s, "name": n, "detail": d} for s, n, d in checks],
        **result,
    }
    args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(f"  results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
