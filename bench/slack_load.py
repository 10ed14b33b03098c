"""Slack ack latency under load: rapport's Slack app against a bare slack-bolt app, on loopback.

Two apps answer signed `/rapport check <draft>` slash commands over real HTTP on 127.0.0.1:
rapport's (`rapport.adapters.slack.app.build_app`, a real SQLite file) and a bare slack-bolt `AsyncApp`
with the same signing secret whose handler only does `await ack()`.  Both are mounted with
`rapport.adapters.slack.server.web_app` and each runs in its own child process (`--layout same` puts
them in this one).  The fake Slack of tests/fakes/slack.py (Web API at `/api/<method>`,
response_url at `/hooks/<n>`; it refuses what Slack refuses, Block Kit limits included) runs in
this process next to the load client, which counts its calls and refusals and timestamps every
follow-up.

At each concurrency level the two apps' runs alternate bare, rapport, rapport, bare (ABBA,
`--rounds 2`), so a noisy neighbour on a shared machine hits both; the targets use each app's
better run (lower p99).  Ack latency is measured client-side around each POST; time to
follow-up runs from the POST to the response_url post arriving at the fake.  Every request
has a 10 s timeout and the whole run a cap (180 s); exit 1 only on errors, never for a FAIL.

    python -m bench.slack_load                       # 200 commands per run at C = 1, 10, 50
    python -m bench.slack_load --requests 50 --levels 1 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a file: make `bench` and `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if TYPE_CHECKING:
    from tests.fakes.slack import Call, FakeSlack

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5  # rapport p99 / bare p99, at each concurrency
TARGET_P99_MS = 1000.0
SECRET = "bench-signing-secret"
TOKENS = {"rapport": "xoxb-rapport-bench", "bare": "xoxb-bare-bench"}
APPS = ("bare", "rapport")
TEAM = "T1"
CHANNEL = "C0BENCH"  # where the commands come from; the fake Slack has the bot in it
NAMES = ("Dana", "Sam", "Priya", "Leo", "Maria", "Ravi", "Chen", "Aisha", "Kofi", "Ingrid")
PLACES = ("Acme", "Northwind", "Globex", "Initech", "Hooli")
SKILLS = ("Python", "SQL", "product strategy", "UX research", "Kubernetes", "data modelling")
ROLES = ("staff engineer", "PM", "design lead", "data scientist")
PROJECTS = ("billing", "search", "mobile", "onboarding")
DRAFTS = (
    "Hi {name}, could you endorse me for {skill}? Thanks!",
    "Hey {name}! Hope you're well. We worked together at {place} on the {project} migration "
    "in {year}. Would you be open to writing me a short recommendation for the {role} role? "
    "No pressure at all.",
    "{name}, I need a referral to {place} ASAP. Please send it today.",
    "Hi {name}, congrats on the new job at {place}! I just endorsed you for {skill}; if you "
    "get a moment, an endorsement for {skill2} would mean a lot.",
    "Hello {name}, we haven't met, but I loved your talk on {skill}. Could you introduce me "
    "to someone on the {place} hiring team?",
    "hey {name} can u endorse me for {skill} pls",
    "Hi <@U0{uid}>, thanks again for the intro last week. Happy to return the favour: I can "
    "review your {skill} deck any time.",
    "Dear {name}, I'm applying for the {role} position at {place}. As my manager on the "
    "{project} project, would you be willing to be a reference? I can send a one-page "
    "summary to make it easy.",
    "Hi {name}! Quick one: would you endorse me for {skill} on LinkedIn? Glad to do the same "
    "for you.",
    "{name} please like and share my post about {skill} :pray: it would really help "
    "https://example.com/post/{year}",
)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _draft(rng: random.Random) -> str:
    skill, skill2 = rng.sample(SKILLS, 2)
    return rng.choice(DRAFTS).format(
        name=rng.choice(NAMES), skill=skill, skill2=skill2, place=rng.choice(PLACES),
        project=rng.choice(PROJECTS), role=rng.choice(ROLES), year=rng.randint(2016, 2024),
        uid=rng.randint(1000, 9999),
    )  # fmt: skip


def _signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    """Headers as Slack sends them with a form-encoded body (signed as tests/fakes signs)."""
    from tests.fakes.slack_sender import sign

    return {"Content-Type": "application/x-www-form-urlencoded", **sign(secret, body)}


def _clean_env() -> dict[str, str]:
    """This environment without SLACK_* (Bolt reads tokens from it, and OAuth switches on)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}


# -- the fake Slack ---------------------------------------------------------------------------
def events(call: Call) -> list[str]:
    """What one call to the fake Slack (tests/fakes/slack.py) means to the load, as lines for
    `Arrivals.note` (so a fake in a child process can stream them): `C <app>:<method>` per Web
    API call, `H <n> <arrival>` per response_url post, `B <text>` per post that isn't an
    ephemeral report, `R <what>` per call the fake refused as Slack would."""
    lines = []
    if call.method.startswith("hook:"):
        lines.append("C hooks:response_url")
        lines.append(f"H {call.method.removeprefix('hook:')} {call.at!r}")
        if not call.body.get("blocks") or call.body.get("response_type") != "ephemeral":
            lines.append("B " + json.dumps(str(call.body.get("text", call.body))[:120]))
    else:
        auth = call.headers.get("Authorization", "")
        app = next((a for a, t in TOKENS.items() if auth == f"Bearer {t}"), "unknown")
        lines.append(f"C {app}:{call.method}")
    if call.error is not None:
        lines.append(f"R {call.method} {call.error}")
    return lines


@dataclass
class Arrivals:
    """The fake Slack as the load client sees it: calls counted per app and method, the first
    follow-up of each command (hook number → arrival, time.monotonic()), follow-ups that weren't
    a report, refusals; `answered` and `wait_hooks` wait (bounded) for follow-ups."""

    calls: Counter[str] = field(default_factory=Counter)  # "<app>:<method>"
    hooks: dict[int, float] = field(default_factory=dict)
    bad_hooks: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    waiters: dict[int, asyncio.Future[None]] = field(default_factory=dict)

    def note(self, line: str) -> None:
        kind, _, rest = line.rstrip("\n").partition(" ")
        if kind == "C":
            self.calls[rest] += 1
        elif kind == "H":
            n, at = rest.split()
            self.hooks.setdefault(int(n), float(at))
            self.arrived.set()
            waiter = self.waiters.pop(int(n), None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
        elif kind == "B":
            self.bad_hooks.append(json.loads(rest))
        elif kind == "R":
            self.refused.append(rest)

    def see(self, call: Call) -> None:
        """`FakeSlack.on_call` for a fake in this process."""
        for line in events(call):
            self.note(line)

    async def answered(self, n: int, timeout: float) -> bool:
        """Wait (at most `timeout` s) for command n's follow-up; whether it came."""
        if n in self.hooks:
            return True
        waiter = self.waiters.setdefault(n, asyncio.get_running_loop().create_future())
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            self.waiters.pop(n, None)
            return False
        return True

    async def wait_hooks(self, wanted: Sequence[int], timeout: float) -> int:
        """Wait (at most `timeout` s) until every hook in `wanted` arrived; how many did."""
        deadline = time.monotonic() + timeout
        while True:
            missing = sum(1 for n in wanted if n not in self.hooks)
            left = deadline - time.monotonic()
            if not missing or left <= 0:
                return len(wanted) - missing
            self.arrived.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), min(left, 0.5))


def fake_slack(on_call: Callable[[Call], None]) -> FakeSlack:
    """The fake Slack the benches use: only the apps' tokens are valid, and the bot is in the
    benches' channel (and every DM)."""
    from tests.fakes.slack import FakeSlack

    return FakeSlack(tokens=set(TOKENS.values()), channels={CHANNEL}, on_call=on_call)


# -- the two apps -----------------------------------------------------------------------------
async def start_app(kind: str, api_url: str, db: str) -> tuple[int, Callable[[], Awaitable[None]]]:
    """Serve one app on 127.0.0.1:0; returns its port and a closer."""
    from aiohttp import web
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    from rapport.adapters.slack.server import web_app

    rapport: Any = None
    if kind == "rapport":
        from rapport.adapters.slack.app import SlackSettings, build_app
        from rapport.bot.service.rapport import Rapport
        from rapport.bot.storage import open_store

        rapport = Rapport(await open_store(f"sqlite:///{db}"))
        settings = SlackSettings(bot_token=TOKENS[kind], signing_secret=SECRET, api_url=api_url)
        app = build_app(rapport, settings)
    else:
        client = AsyncWebClient(token=TOKENS[kind], base_url=api_url)
        app = AsyncApp(client=client, signing_secret=SECRET, name="bare")

        @app.command("/rapport")
        async def only_ack(ack: AsyncAck) -> None:
            await ack()

    runner = web.AppRunner(web_app(app), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()

    async def close() -> None:
        me = asyncio.current_task()
        pending = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        if pending:  # listeners still running after their ack
            await asyncio.wait(pending, timeout=10)
        await runner.cleanup()
        if rapport is not None:
            from rapport.adapters.slack.app import adapter_of

            await adapter_of(app).close()
            await rapport.close()

    return int(runner.addresses[0][1]), close


async def _serve_child(kind: str, api_url: str, db: str) -> None:
    """Child process: serve, print the port, stop when stdin closes."""
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    port, close = await start_app(kind, api_url, db)
    print(f"PORT {port}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await close()


@dataclass
class Served:
    """A running app as the load client sees it."""

    kind: str
    url: str
    close: Callable[[], Awaitable[None]]
    pid: int | None = None  # a child process: its CPU time can be read from /proc
    log: Path | None = None


async def spawn_app(kind: str, api_url: str, db: str, folder: Path) -> Served:
    log = folder / f"{kind}.log"
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.slack_load", "--serve", kind, "--api-url", api_url,
            "--db", db, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, cwd=ROOT,
            env=_clean_env(),
        )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 60)
    except TimeoutError:
        line = b""
    if not line.startswith(b"PORT "):
        proc.kill()
        await proc.wait()
        raise RuntimeError(f"{kind} app did not start: {log.read_text()[-2000:]}")

    async def close() -> None:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if proc.returncode:
            raise RuntimeError(f"{kind} app exited {proc.returncode}: {log.read_text()[-2000:]}")

    url = f"http://127.0.0.1:{int(line.split()[1])}/slack/events"
    return Served(kind, url, close, proc.pid, log)


async def same_app(kind: str, api_url: str, db: str) -> Served:
    port, close = await start_app(kind, api_url, db)
    return Served(kind, f"http://127.0.0.1:{port}/slack/events", close)


def _cpu_seconds(pid: int | None) -> float | None:
    """utime + stime of a child process (Linux), for CPU per request."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


# -- the load ---------------------------------------------------------------------------------
class Load:
    """Builds signed slash commands (hook numbers unique over the run) and sends them."""

    def __init__(self, session: Any, fake_url: str, seed: int, users: int) -> None:
        self.session = session
        self.fake_url = fake_url
        self.rng = random.Random(seed)
        self.users = users
        self.next_hook = 0
        self.sent: dict[int, float] = {}

    def command(self) -> tuple[int, bytes]:
        n = self.next_hook
        self.next_hook += 1
        user = self.rng.randrange(self.users)
        form = {
            "token": "legacy-verification-token", "team_id": TEAM, "team_domain": "bench",
            "channel_id": CHANNEL, "channel_name": "general", "user_id": f"U{user:05d}",
            "user_name": f"user{user}", "command": "/rapport",
            "text": "check " + _draft(self.rng), "api_app_id": "A0BENCH",
            "is_enterprise_install": "false",
            "response_url": f"{self.fake_url}/hooks/{n}", "trigger_id": f"{n}.bench",
        }  # fmt: skip
        return n, urlencode(form).encode()

    async def run(self, app: Served, requests: int, concurrency: int) -> dict[str, Any]:
        """`requests` commands, `concurrency` at a time; latencies in ms (ok ones only)."""
        batch = [self.command() for _ in range(requests)]  # built and signed before the clock
        signed = [(n, body, _signed(body)) for n, body in batch]
        queue = iter(signed)
        latencies: list[float] = []
        errors: Counter[str] = Counter()

        async def worker() -> None:
            for n, body, headers in queue:
                t0 = time.perf_counter()
                self.sent[n] = time.monotonic()  # the fake stamps arrivals with this clock
                try:
                    async with self.session.post(app.url, data=body, headers=headers) as resp:
                        await resp.read()
                        status = resp.status
                except Exception as exc:  # timeouts, refused connections
                    errors[type(exc).__name__] += 1
                    continue
                if status == 200:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    errors[f"HTTP {status}"] += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - start
        return {
            "app": app.kind,
            "concurrency": concurrency,
            "requests": requests,
            "ok": len(latencies),
            "errors": dict(errors),
            "wall_s": wall,
            "req_per_s": requests / wall if wall else 0.0,
            "p50_ms": _percentile(latencies, 0.50),
            "p99_ms": _percentile(latencies, 0.99),
            "max_ms": max(latencies, default=0.0),
            "hooks": [n for n, _ in batch],
            "latencies_ms": [round(v, 3) for v in latencies],
        }


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    import aiohttp

    seen = Arrivals()
    fake = await fake_slack(seen.see).start()
    api_url = fake.url + "/api/"
    apps: dict[str, Served] = {}
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="slack-load-") as tmp:
        folder = Path(tmp)
        db = str(folder / "rapport.db")
        try:
            for kind in APPS:
                if args.layout == "child":
                    apps[kind] = await spawn_app(kind, api_url, db, folder)
                else:
                    apps[kind] = await same_app(kind, api_url, db)
            timeout = aiohttp.ClientTimeout(total=args.timeout)
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
                load = Load(session, fake.url, args.seed, args.users)
                for kind in APPS:  # auth.test happens here, once per app
                    warm = await load.run(apps[kind], args.warmup, 1)
                    if warm["ok"] != args.warmup:
                        raise RuntimeError(f"{kind} warm-up failed: {warm['errors']}")
                    if kind == "rapport":
                        await seen.wait_hooks(warm["hooks"], args.follow_up_wait)
                for level in args.levels:
                    for rnd in range(args.rounds):
                        order = APPS if rnd % 2 == 0 else APPS[::-1]  # ABBA
                        for kind in order:
                            cpu0 = _cpu_seconds(apps[kind].pid)
                            r = await load.run(apps[kind], args.requests, level)
                            r["round"] = rnd + 1
                            wanted = r["hooks"]
                            if kind == "rapport":
                                got = await seen.wait_hooks(wanted, args.follow_up_wait)
                            else:  # the bare app sends none; count any that came anyway
                                got = sum(1 for n in wanted if n in seen.hooks)
                            r["follow_ups"] = got
                            r["follow_up_ms"] = [
                                round((seen.hooks[n] - load.sent[n]) * 1000, 3)
                                for n in wanted
                                if n in seen.hooks
                            ]
                            cpu1 = _cpu_seconds(apps[kind].pid)
                            if cpu0 is not None and cpu1 is not None:
                                r["cpu_ms_per_req"] = (cpu1 - cpu0) * 1000 / args.requests
                            runs.append(r)
        finally:
            for served in apps.values():
                await served.close()
            await fake.stop()
        logs = {
            k: s.log.read_text(errors="replace").splitlines()
            for k, s in apps.items()
            if s.log is not None and s.log.exists()
        }
    return {"runs": runs, "calls": dict(seen.calls), "bad_hooks": seen.bad_hooks,
            "refused": seen.refused, "app_logs": logs}  # fmt: skip


# -- report -----------------------------------------------------------------------------------
def _best(runs: list[dict[str, Any]], kind: str, level: int) -> dict[str, Any]:
    mine = [r for r in runs if r["app"] == kind and r["concurrency"] == level]
    return min(mine, key=lambda r: (r["ok"] < r["requests"], r["p99_ms"]))


def report(args: argparse.Namespace, result: dict[str, Any], wall: float) -> list[tuple[str, bool, str]]:  # fmt: skip
    runs = result["runs"]
    where = (
        "each app in its own child process (python -m bench.slack_load --serve …); "
        "load client and fake Slack in this process"
        if args.layout == "child"
        else "both apps, the load client and fake Slack in this one process"
    )
    print(f"Slack ack latency, loopback: {args.requests} signed `/rapport check …` commands per run, "
          f"{args.users} users, levels {', '.join(map(str, args.levels))}, {wall:.1f} s in all")  # fmt: skip
    print(f"  layout: {where}")
    print(f"  order: per level the runs alternate bare, rapport, rapport, bare … ({args.rounds} "
          "rounds, ABBA); * = the app's better run (lower p99), used for the targets")  # fmt: skip
    print()
    print(f"  {'C':>3}  {'app':<8}{'run':>4}{'requests':>9}{'ok':>5}{'req/s':>8}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'CPU ms/req':>11}")  # fmt: skip
    for level in args.levels:
        best = {k: _best(runs, k, level) for k in APPS}
        for r in runs:
            if r["concurrency"] != level:
                continue
            cpu = f"{r['cpu_ms_per_req']:.2f}" if "cpu_ms_per_req" in r else "n/a"
            mark = "*" if r is best[r["app"]] else " "
            print(f"  {level:>3}  {r['app']:<8}{r['round']:>3}{mark}{r['requests']:>9}{r['ok']:>5}"
                  f"{r['req_per_s']:>8.0f}{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}"
                  f"{r['max_ms']:>9.1f}{cpu:>11}"
                  + (f"   errors {r['errors']}" if r["errors"] else ""))  # fmt: skip
    print()
    checks: list[tuple[str, bool, str]] = []
    ratios = []
    for level in args.levels:
        bare, mine = _best(runs, "bare", level), _best(runs, "rapport", level)
        ratio = mine["p99_ms"] / bare["p99_ms"] if bare["p99_ms"] else float("inf")
        ratios.append(f"C={level} {ratio:.2f}×")
        checks.append((f"C={level}: rapport p99 ≤ {TARGET_RATIO:g}× bare p99", ratio <= TARGET_RATIO,
                       f"{mine['p99_ms']:.1f} / {bare['p99_ms']:.1f} ms = {ratio:.2f}×"))  # fmt: skip
        checks.append((f"C={level}: rapport p99 < {TARGET_P99_MS:g} ms", mine["p99_ms"] < TARGET_P99_MS,
                       f"{mine['p99_ms']:.1f} ms"))  # fmt: skip
    print(f"  ratio rapport p99 / bare p99 (better runs): {'   '.join(ratios)}")
    print("  follow-ups (response_url posts received by the fake) for rapport's commands:")
    for level in args.levels:
        mine = [r for r in runs if r["app"] == "rapport" and r["concurrency"] == level]
        times = [t for r in mine for t in r["follow_up_ms"]]
        print(f"    C={level:<3} {sum(r['follow_ups'] for r in mine)}/{sum(r['requests'] for r in mine)}"
              f" arrived   time to follow-up p50 {_percentile(times, 0.5):.1f} ms   "
              f"p99 {_percentile(times, 0.99):.1f} ms   max {max(times, default=0):.1f} ms")  # fmt: skip
    calls = result["calls"]
    print(f"  fake Slack calls: {', '.join(f'{k} {v}' for k, v in sorted(calls.items()))}")
    bare_hooks = sum(r["follow_ups"] for r in runs if r["app"] == "bare")
    logs = result["app_logs"]
    log_lines = {k: len(v) for k, v in logs.items()}
    print(f"  follow-ups from the bare app: {bare_hooks}   app stderr lines: "
          f"{', '.join(f'{k} {v}' for k, v in log_lines.items()) or 'n/a (same process)'}")  # fmt: skip
    for kind, lines in logs.items():
        for line in lines[:5]:
            print(f"    {kind}: {line[:160]}")
    if result["bad_hooks"]:
        print(f"  follow-ups that were not a report: {len(result['bad_hooks'])}, first: "
              f"{result['bad_hooks'][0]!r}")  # fmt: skip
    sent = sum(r["requests"] for r in runs)
    ok = sum(r["ok"] for r in runs)
    rapport_runs = [r for r in runs if r["app"] == "rapport"]
    expected = sum(r["requests"] for r in rapport_runs)
    arrived = sum(r["follow_ups"] for r in rapport_runs)
    checks.append(("every command acked with HTTP 200", ok == sent, f"{ok}/{sent}"))
    checks.append(("every rapport command got its follow-up report",
                   arrived == expected and not result["bad_hooks"],
                   f"{arrived}/{expected}, {len(result['bad_hooks'])} not a report"))  # fmt: skip
    refused = result["refused"]
    checks.append(("the fake Slack refused nothing (tokens, channels, Block Kit limits)",
                   not refused, f"{len(refused)} refused" + (f", first: {refused[0]}" if refused else "")))  # fmt: skip
    auth = {k: calls.get(f"{k}:auth.test", 0) for k in APPS}
    checks.append(("auth.test once per app (warmed)", all(v == 1 for v in auth.values()),
                   ", ".join(f"{k} {v}" for k, v in auth.items())))  # fmt: skip
    print()
    for name, passed, detail in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {detail}")
    return checks


def main(argv: list[str] | None = None) -> int:
    """Measure and print; exit 1 only on errors (missed targets just print FAIL)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=200, help="commands per run (default 200)")
    p.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50], metavar="C",
                   help="concurrency levels (default 1 10 50)")  # fmt: skip
    p.add_argument("--rounds", type=int, default=2, help="runs per app per level (ABBA order)")
    p.add_argument("--users", type=int, default=50, help="distinct Slack users (default 50)")
    p.add_argument("--warmup", type=int, default=1, help="warm-up commands per app (default 1)")
    p.add_argument("--layout", choices=("child", "same"), default="child",
                   help="apps in child processes (default) or in this process")  # fmt: skip
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    p.add_argument("--follow-up-wait", type=float, default=30.0,
                   help="seconds to wait for a run's follow-ups")  # fmt: skip
    p.add_argument("--cap", type=float, default=180.0, help="seconds for the whole run")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "slack-load.json",
                   help="results file (default bench/out/slack-load.json)")  # fmt: skip
    p.add_argument("--serve", choices=APPS, help=argparse.SUPPRESS)  # child process mode
    p.add_argument("--api-url", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    for k in [k for k in os.environ if k.startswith("SLACK_")]:
        del os.environ[k]
    if args.serve:
        asyncio.run(_serve_child(args.serve, args.api_url, args.db))
        return 0
    if not 1 <= args.requests <= 10_000 or args.warmup < 1 or args.rounds < 1:
        p.error("--requests must be 1..10000, --warmup and --rounds at least 1")
    if any(not 1 <= c <= 500 for c in args.levels):
        p.error("--levels must be 1..500")
    start = time.perf_counter()
    try:
        result = asyncio.run(asyncio.wait_for(measure(args), args.cap))
    except TimeoutError:
        print(f"error: the run did not finish within --cap {args.cap:g} s", file=sys.stderr)
        return 1
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    wall = time.perf_counter() - start
    checks = report(args, result, wall)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "wall_s": wall,
        "checks": [{"name": n, "pass": ok, "detail": d} for n, ok, d in checks],
        **result,
    }
    args.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(f"  results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
