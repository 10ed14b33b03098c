"""Discord interaction latency under load: rapport's discord.py client against a bare one, on loopback.

Two real discord.py clients log in (REST only, no gateway) against one fake Discord REST
server on 127.0.0.1:0: rapport's (`rapport.adapters.discord_bot.bot.build_client` over a real SQLite
file, per-user rate limit raised to 10**6 per second so the bench is never throttled) and a
bare `discord.Client` whose `/rapport check draft:<text>` only does
`await interaction.response.defer(ephemeral=True, thinking=True)`, the first thing rapport does.
`/rapport check draft:<outreach draft>` interactions from `--users` users (4 in 5 in a server,
1 in 5 in DMs) are fed with `client._connection.parse_interaction_create(raw)`, the gateway's
own parser, in this process.

The fake is the tests' (tests/fakes/discord.py: JSON with Content-Type exactly
`application/json`; refusals as Discord's, e.g. 400 for bodies over Discord's limits, 401 for
a wrong token, 404 for unknown routes, never 5xx) and stamps every interaction callback
(`POST /interactions/{id}/{token}/callback`) and followup (`POST /webhooks/{app}/{token}`) as
it arrives, with time.monotonic() (CLOCK_MONOTONIC), which is system-wide, so its stamps
compare with this process's.  By default it runs in a child
process (`--layout child`) and streams the stamps back on its stdout, so the clients' event
loop carries only the clients' work, as it would against the real Discord; `--layout same`
puts it in this process.  Both clients always share this process and its event loop (only
one of them is fed at a time).

Per interaction: callback latency = stamp of the callback (the defer) at the fake minus the
moment just before `parse_interaction_create`; for rapport also followup latency (the
answer).  `C` interactions are in flight at a time: the next is fed when an in-flight one's
followup (the answer) is recorded (`--gate answer`, the default: an interaction is in flight
until it is answered), or, with `--gate callback`, as soon as its callback is (a burst: every
interaction is fed before the answers come back).  With the callback gate rapport's answers may queue
behind the acks: the `peak` column shows the most interactions fed but not yet answered.
At each level the runs alternate bare, rapport, rapport, bare (ABBA, `--rounds 2`); the
target uses each client's better run (lower callback p99).  Every interaction has a timeout
(10 s to its callback, 30 s to its answer) and the whole run a cap (180 s); exit 1 only on
errors, never for a FAIL.

    python -m bench.discord_load                          # 300 interactions per run at C = 1, 10, 50
    python -m bench.discord_load --interactions 50 --levels 1 10 --layout same
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make `bench` and `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.discord import Call, FakeDiscord
from tests.fakes.discord_limits import message_problems
from tests.fakes.discord_payloads import interaction  # as the tests build them

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5  # rapport callback p99 / bare callback p99, at each concurrency
DISCORD_DEADLINE_MS = 3000.0  # Discord drops an interaction not answered within 3 s
CLIENTS = ("bare", "rapport")
DEFERRED_EPHEMERAL = {"type": 5, "data": {"flags": 64}}
TOKEN = "discord-bench-token"  # the only bot token the fake Discord accepts
USER_BASE = 600_000_000_000_100_000
NAMES = ("Dana", "Sam", "Priya", "Leo", "Maria", "Ravi", "Chen", "Aisha", "Kofi", "Ingrid")
PLACES = ("Acme", "Northwind", "Globex", "Initech", "Hooli")
SKILLS = ("Python", "Rust", "product strategy", "UX research", "Kubernetes", "community building")
ROLES = ("staff engineer", "moderator", "design lead", "data scientist", "devrel")
PROJECTS = ("billing", "search", "mobile", "onboarding", "the modding toolkit")
SERVERS = ("the Python Discord", "r/gamedev", "the Rust community server", "Hack Club")
DRAFTS = (
    "Hi {name}, could you endorse me for {skill}? Thanks!",
    "hey <@{mention}> can u endorse me for {skill} pls :pray:",
    "@everyone please like and share my new {skill} course!!! https://example.com/c/{year}",
    "Hey {name}! Hope you're well. We worked together at {place} on {project} in {year}. "
    "Would you be open to writing me a short recommendation for the {role} role? No pressure "
    "at all, and happy to send a summary of what we shipped.",
    "{name}, I need a referral to {place} ASAP. Please send it today.",
    "Hi <@{mention}>, congrats on the new job at {place}! :tada: I just endorsed you for "
    "{skill}; if you get a moment, an endorsement for {skill2} would mean a lot.",
    "Hello {name}, we haven't met, but I loved your talk on {skill} in {server}. Could you "
    "introduce me to someone on the {place} hiring team?",
    "**Looking for a {role} referral** at {place} - anyone here work there? DM me! @here",
    "Hi {name}, thanks again for the intro last week. Happy to return the favour: I can review "
    "your {skill} deck any time.",
    "Dear {name}, I'm applying for the {role} position at {place}. As my lead on {project}, "
    "would you be willing to be a reference? I can send a one-page summary to make it easy.",
    "Hi {name}! Quick one: would you vouch for me as a {role} in {server}? Glad to do the same "
    "for you.",
    "yo <@{mention}> saw ur post in #jobs, u hiring for {skill}? i'm perfect for it, check "
    "my github https://github.com/example{year} and lmk",
    "Hi {name} - I'm {me}, we met at the {place} meetup in {year} and talked about {skill}. "
    "I'm moving into {role} work and would love 15 minutes of your advice if you have time. "
    "Totally fine if not!",
    "> {name} wrote: anyone know a good {skill} mentor?\nMe! I've mentored 12 people. "
    "Endorse me on LinkedIn and I'll mentor you for free :)",
)


def now() -> float:
    """time.monotonic() (CLOCK_MONOTONIC), the fake's clock: system-wide, so stamps from the
    fake's child process compare with ours."""
    return time.monotonic()


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _draft(rng: random.Random) -> str:
    skill, skill2 = rng.sample(SKILLS, 2)
    me, name = rng.sample(NAMES, 2)
    return rng.choice(DRAFTS).format(
        name=name, me=me, skill=skill, skill2=skill2, place=rng.choice(PLACES),
        project=rng.choice(PROJECTS), role=rng.choice(ROLES), server=rng.choice(SERVERS),
        year=rng.randint(2016, 2025), mention=USER_BASE + 50_000 + rng.randrange(1000),
    )  # fmt: skip


# -- the fake Discord REST API ----------------------------------------------------------------
#: (kind, key, stamp, ok, why): kind "callback" (key: interaction id), "followup" (key: token),
#: anything else a route name (key: "").  `why` says what was wrong when `ok` is false.
Event = tuple[str, str, float, bool, str]


def _followup_problems(body: Any) -> list[str]:
    """What a followup of rapport's lacks (embeds, no pings, ephemeral) or Discord refuses."""
    if not isinstance(body, dict):
        return ["no JSON body"]
    problems = []
    if not body.get("embeds"):
        problems.append("no embeds: " + str(body.get("content"))[:80])
    if body.get("allowed_mentions") != {"parse": []}:
        problems.append(f"allowed_mentions {body.get('allowed_mentions')}")
    if not int(body.get("flags") or 0) & 64:
        problems.append("not ephemeral")
    return problems + message_problems(body)


def event(call: Call) -> Event:
    """What one call to the fake Discord (tests/fakes/discord.py) means to the bench.  Stamps
    are the fake's, taken as the call arrived (time.monotonic(), CLOCK_MONOTONIC: system-wide,
    so a child process's stamps compare with this one's)."""
    refused = call.status >= 400
    why = (
        f"{call.status} {call.answer.get('message')}"
        if refused and isinstance(call.answer, dict)
        else ""
    )
    path, method = call.path, call.method
    if method == "POST" and path.startswith("/interactions/") and path.endswith("/callback"):
        ok = call.body == DEFERRED_EPHEMERAL and not refused
        return ("callback", path.split("/")[2], call.at, ok, why or json.dumps(call.body)[:160])
    if method == "POST" and path.startswith("/webhooks/"):
        problems = _followup_problems(call.body) + ([why] if refused else [])
        return ("followup", path.split("/")[3], call.at, not problems, "; ".join(problems))
    if refused:
        return (f"refused {method} {path[:60]}", "", call.at, False, why)
    name = "PUT commands (sync)" if path.endswith("/commands") else f"{method} {path[:60]}"
    return (name, "", call.at, True, "")


async def _serve_fake() -> None:
    """Child process: serve the fake, print its port, then one JSON event per line on stdout;
    stop when stdin closes."""
    out = sys.stdout

    def emit(call: Call) -> None:
        out.write(json.dumps(event(call)) + "\n")
        out.flush()

    fake = await FakeDiscord(tokens={TOKEN}, on_call=emit).start()
    print(f"PORT {fake.url.rsplit(':', 1)[1]}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await fake.stop()


# -- what the fake recorded, as this process sees it --------------------------------------------
@dataclass
class Recorder:
    """Callbacks and followups by interaction, other routes counted; waitable per interaction."""

    callbacks: dict[str, list[tuple[float, bool, str]]] = field(default_factory=dict)
    followups: dict[str, list[tuple[float, bool, str]]] = field(default_factory=dict)
    routes: Counter[str] = field(default_factory=Counter)
    _waiting: dict[tuple[str, str], asyncio.Future[None]] = field(default_factory=dict)

    def record(self, event: Event) -> None:
        kind, key, stamp, ok, why = event
        self.routes[kind] += 1
        book = {"callback": self.callbacks, "followup": self.followups}.get(kind)
        if book is None:
            return
        book.setdefault(key, []).append((stamp, ok, why))
        fut = self._waiting.pop((kind, key), None)
        if fut is not None and not fut.done():
            fut.set_result(None)

    async def wait(self, kind: str, key: str, deadline: float) -> bool:
        """Wait until `kind` is recorded for `key` (or `deadline`); whether it was."""
        book = self.callbacks if kind == "callback" else self.followups
        if key in book:
            return True
        fut = asyncio.get_running_loop().create_future()
        self._waiting[(kind, key)] = fut
        try:
            await asyncio.wait_for(fut, max(0.0, deadline - now()))
        except TimeoutError:
            self._waiting.pop((kind, key), None)
            return False
        return True


class LogCount(logging.Handler):
    """Warnings and errors logged by discord.py, aiohttp or rapport during the run."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count: Counter[str] = Counter()
        self.first: list[str] = []
        self.setup: list[str] = []  # logged while the clients were built and warmed up

    def start_measuring(self) -> None:
        self.setup = [f"{k} {v}" for k, v in self.count.items()]
        self.count.clear()
        self.first.clear()

    def emit(self, record: logging.LogRecord) -> None:
        self.count[record.name] += 1
        if len(self.first) < 5:
            exc = f" ({record.exc_info[1]!r})" if record.exc_info and record.exc_info[1] else ""
            self.first.append(f"{record.name}: {record.getMessage()[:140]}{exc[:160]}")


@dataclass
class Fake:
    url: str
    close: Callable[[], Awaitable[None]]
    pid: int | None = None


async def same_fake(rec: Recorder) -> Fake:
    fake = await FakeDiscord(tokens={TOKEN}, on_call=lambda call: rec.record(event(call))).start()
    return Fake(fake.url, fake.stop)


async def spawn_fake(rec: Recorder, folder: Path) -> Fake:
    log = folder / "fake.log"
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.discord_load", "--serve-fake", stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=err, cwd=ROOT,
        )  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
    except TimeoutError:
        line = b""
    if not line.startswith(b"PORT "):
        proc.kill()
        await proc.wait()
        raise RuntimeError(f"the fake Discord did not start: {log.read_text()[-2000:]}")
    stdout = proc.stdout

    async def read_events() -> None:
        while line := await stdout.readline():
            kind, key, stamp, ok, why = json.loads(line)
            rec.record((kind, key, stamp, ok, why))

    reader = asyncio.ensure_future(read_events())

    async def close() -> None:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(reader, 5)
        reader.cancel()
        if proc.returncode:
            raise RuntimeError(f"the fake exited {proc.returncode}: {log.read_text()[-2000:]}")

    return Fake(f"http://127.0.0.1:{int(line.split()[1])}", close, proc.pid)


# -- the two clients --------------------------------------------------------------------------
async def rapport_client(db: Path) -> tuple[Any, Callable[[], Awaitable[None]]]:
    from rapport.adapters.discord_bot.bot import DiscordSettings, build_client
    from rapport.bot.service.rapport import Rapport
    from rapport.bot.storage import open_store

    rapport = Rapport(await open_store(f"sqlite:///{db}"))
    client = build_client(rapport, DiscordSettings(token=TOKEN, rate=10**6, per=1.0))
    await client.login(TOKEN)  # users/@me, the application, setup_hook (tree.sync, buttons)

    async def close() -> None:
        await client.close()
        await rapport.close()

    return client, close


async def bare_client() -> tuple[Any, Callable[[], Awaitable[None]]]:
    import discord
    from discord import app_commands

    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    group = app_commands.Group(name="rapport", description="bare: acknowledge only")

    @group.command(name="check", description="defer, nothing else")
    async def check(interaction: discord.Interaction, draft: str | None = None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)

    tree.add_command(group)
    client.tree = tree  # type: ignore[attr-defined]
    await client.login(TOKEN)
    return client, client.close


# -- the load ---------------------------------------------------------------------------------
@dataclass
class Work:
    """One run's interactions, drawn before the clock: (user id, in a server?, draft)."""

    items: list[tuple[str, bool, str]]


def draw(rng: random.Random, n: int, users: int) -> Work:
    return Work(
        [
            (str(USER_BASE + rng.randrange(users)), rng.random() >= 0.2, _draft(rng))
            for _ in range(n)
        ]
    )


def payloads(work: Work) -> list[dict[str, Any]]:
    """INTERACTION_CREATE payloads (fresh ids and tokens) for `/rapport check draft:<text>`."""
    option = [{"name": "draft", "type": 3}]
    return [
        interaction("check", [{**option[0], "value": text}], uid=uid, in_guild=guild)
        for uid, guild, text in work.items
    ]


async def run_once(
    kind: str, client: Any, rec: Recorder, work: Work, level: int, args: argparse.Namespace
) -> dict[str, Any]:
    """Feed `work` to `client`, `level` in flight; latencies in ms."""
    batch = payloads(work)
    queue = iter(batch)
    sent: dict[str, float] = {}
    parse = client._connection.parse_interaction_create
    waits: list[asyncio.Task[bool]] = []
    outstanding = peak = 0
    answers = kind == "rapport"

    async def answered(token: str, t0: float) -> bool:
        nonlocal outstanding
        got = await rec.wait("followup", token, t0 + args.answer_timeout)
        outstanding -= 1
        return got

    async def worker() -> None:
        nonlocal outstanding, peak
        for raw in queue:
            t0 = now()
            sent[raw["id"]] = t0
            parse(raw)
            outstanding += 1
            peak = max(peak, outstanding)
            await rec.wait("callback", raw["id"], t0 + args.timeout)
            if not answers:
                outstanding -= 1
            elif args.gate == "answer":
                await answered(raw["token"], t0)
            else:
                waits.append(asyncio.ensure_future(answered(raw["token"], t0)))

    gc.collect()
    cpu0, start = time.process_time(), now()
    await asyncio.gather(*(worker() for _ in range(level)))
    if waits:
        await asyncio.gather(*waits)
    cpu = time.process_time() - cpu0
    if not answers:  # stray followups or late callbacks would land here: give them a moment
        await asyncio.sleep(0.05)

    cb_ms, fu_ms, problems = [], [], Counter[str]()
    cb_last = fu_last = start
    ok = 0
    for raw in batch:
        iid, token, t0 = raw["id"], raw["token"], sent[raw["id"]]
        cbs, fus = rec.callbacks.get(iid, []), rec.followups.get(token, [])
        good = len(cbs) == 1 and cbs[0][1]
        if not cbs:
            problems["no callback"] += 1
        elif len(cbs) > 1:
            problems["several callbacks"] += 1
        elif not cbs[0][1]:
            problems["callback " + cbs[0][2][:80]] += 1
        if cbs:
            cb_ms.append((cbs[0][0] - t0) * 1000)
            cb_last = max(cb_last, cbs[0][0])
        if answers:
            good = good and len(fus) == 1 and fus[0][1]
            if not fus:
                problems["no followup"] += 1
            elif len(fus) > 1:
                problems["several followups"] += 1
            elif not fus[0][1]:
                problems["followup " + fus[0][2][:100]] += 1
            if fus:
                fu_ms.append((fus[0][0] - t0) * 1000)
                fu_last = max(fu_last, fus[0][0])
        elif fus:
            problems["followup from the bare client"] += 1
        ok += good
    ack_wall = cb_last - start
    done_wall = (fu_last if answers else cb_last) - start
    done = len(fu_ms) if answers else len(cb_ms)
    return {
        "client": kind, "level": level, "interactions": len(batch), "ok": ok,
        "callbacks": len(cb_ms), "followups": len(fu_ms), "problems": dict(problems),
        "acks_per_s": len(cb_ms) / ack_wall if ack_wall > 0 else 0.0,
        "handled_per_s": done / done_wall if done_wall > 0 else 0.0,
        "wall_s": done_wall, "cpu_ms_per_interaction": cpu * 1000 / len(batch),
        "peak_unanswered": peak if answers else None,
        "cb_p50_ms": _percentile(cb_ms, 0.5), "cb_p99_ms": _percentile(cb_ms, 0.99),
        "cb_max_ms": max(cb_ms, default=0.0),
        "fu_p50_ms": _percentile(fu_ms, 0.5) if answers else None,
        "fu_p99_ms": _percentile(fu_ms, 0.99) if answers else None,
        "fu_max_ms": max(fu_ms, default=0.0) if answers else None,
        "callback_ms": [round(v, 3) for v in cb_ms], "followup_ms": [round(v, 3) for v in fu_ms],
    }  # fmt: skip


async def measure(args: argparse.Namespace, logs: LogCount) -> dict[str, Any]:
    import discord

    rec = Recorder()
    rng = random.Random(args.seed)
    runs: list[dict[str, Any]] = []
    saved_base = discord.http.Route.BASE  # process-global: restored below
    closers: list[Callable[[], Awaitable[None]]] = []
    fake: Fake | None = None
    with tempfile.TemporaryDirectory(prefix="discord-load-") as tmp:
        folder = Path(tmp)
        try:
            fake = await (spawn_fake(rec, folder) if args.layout == "child" else same_fake(rec))
            discord.http.Route.BASE = fake.url + "/api/v10"
            clients: dict[str, Any] = {}
            clients["bare"], close = await bare_client()
            closers.append(close)
            clients["rapport"], close = await rapport_client(folder / "rapport.db")
            closers.append(close)
            for kind in CLIENTS:  # first-use costs (sessions, rules, caches) are not measured
                warm = await run_once(kind, clients[kind], rec, draw(rng, args.warmup, args.users),
                                      1, args)  # fmt: skip
                if warm["ok"] != args.warmup:
                    raise RuntimeError(f"{kind} warm-up failed: {warm['problems']}")
            logs.start_measuring()  # e.g. "PyNaCl is not installed", "Guilds intent … disabled"
            for level in args.levels:
                for rnd in range(args.rounds):
                    work = draw(rng, args.interactions, args.users)  # the same drafts for both
                    for kind in CLIENTS if rnd % 2 == 0 else CLIENTS[::-1]:  # ABBA
                        r = await run_once(kind, clients[kind], rec, work, level, args)
                        r["round"] = rnd + 1
                        runs.append(r)
        finally:
            for close in reversed(closers):
                await close()
            if fake is not None:
                await fake.close()
            discord.http.Route.BASE = saved_base
    return {"runs": runs, "routes": dict(rec.routes), "log_warnings": dict(logs.count),
            "log_first": logs.first, "log_setup": logs.setup}  # fmt: skip


# -- report -----------------------------------------------------------------------------------
def _best(runs: list[dict[str, Any]], kind: str, level: int) -> dict[str, Any]:
    mine = [r for r in runs if r["client"] == kind and r["level"] == level]
    return min(mine, key=lambda r: (r["ok"] < r["interactions"], r["cb_p99_ms"]))


def _ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def report(args: argparse.Namespace, result: dict[str, Any], wall: float) -> list[tuple[str, bool, str]]:  # fmt: skip
    runs = result["runs"]
    where = (
        "fake Discord REST in a child process (python -m bench.discord_load --serve-fake), "
        "stamps streamed back on its stdout"
        if args.layout == "child"
        else "fake Discord REST in this process, on the clients' event loop"
    )
    gate = (
        "the next interaction is fed when an in-flight one's callback is recorded"
        if args.gate == "callback"
        else "the next interaction is fed when an in-flight one is answered "
        "(bare: its callback; rapport: its followup)"
    )
    print(f"Discord interaction latency, loopback: {args.interactions} `/rapport check draft:…` "
          f"interactions per run, {args.users} users, levels {', '.join(map(str, args.levels))}, "
          f"{wall:.1f} s in all")  # fmt: skip
    print("  clients: rapport (build_client, SQLite file) and bare (defer only), both in this "
          "process, fed with parse_interaction_create")  # fmt: skip
    print(f"  layout: {where}")
    print(f"  in flight: C at a time; {gate}")
    print(f"  order: per level bare, rapport, rapport, bare … ({args.rounds} rounds, ABBA); "
          "* = the client's better run (lower callback p99), used for the target")  # fmt: skip
    print("  cb = parse_interaction_create → callback (defer) recorded by the fake; "
          "fu = → followup (the answer); peak = most fed but unanswered")  # fmt: skip
    print()
    print(f"  {'C':>3}  {'client':<8}{'run':>4}{'count':>6}{'ok':>5}{'acks/s':>8}"
          f"{'done/s':>8}{'cb p50':>8}{'cb p99':>8}{'cb max':>8}{'fu p50':>8}{'fu p99':>8}"
          f"{'fu max':>8}{'peak':>6}{'CPU ms':>8}")  # fmt: skip
    for level in args.levels:
        best = {k: _best(runs, k, level) for k in CLIENTS}
        for r in runs:
            if r["level"] != level:
                continue
            mark = "*" if r is best[r["client"]] else " "
            peak = "-" if r["peak_unanswered"] is None else str(r["peak_unanswered"])
            print(f"  {level:>3}  {r['client']:<8}{r['round']:>3}{mark}{r['interactions']:>6}"
                  f"{r['ok']:>5}{r['acks_per_s']:>8.0f}{r['handled_per_s']:>8.0f}"
                  f"{r['cb_p50_ms']:>8.1f}{r['cb_p99_ms']:>8.1f}{r['cb_max_ms']:>8.1f}"
                  f"{_ms(r['fu_p50_ms']):>8}{_ms(r['fu_p99_ms']):>8}{_ms(r['fu_max_ms']):>8}"
                  f"{peak:>6}{r['cpu_ms_per_interaction']:>8.2f}"
                  + (f"   problems {r['problems']}" if r["problems"] else ""))  # fmt: skip
    print("  (ms; acks/s = callbacks / time to the last; done/s = answered interactions / time to "
          "the last answer; CPU ms = this process's CPU per interaction)")  # fmt: skip
    print()
    checks: list[tuple[str, bool, str]] = []
    ratios = []
    for level in args.levels:
        bare, mine = _best(runs, "bare", level), _best(runs, "rapport", level)
        ratio = mine["cb_p99_ms"] / bare["cb_p99_ms"] if bare["cb_p99_ms"] else float("inf")
        ratios.append(f"C={level} {ratio:.2f}×")
        checks.append((f"C={level}: rapport callback p99 ≤ {TARGET_RATIO:g}× bare callback p99",
                       ratio <= TARGET_RATIO,
                       f"{mine['cb_p99_ms']:.1f} / {bare['cb_p99_ms']:.1f} ms = {ratio:.2f}×"))  # fmt: skip
    print(f"  ratio rapport / bare callback p99 (better runs): {'   '.join(ratios)}")
    routes = result["routes"]
    print(f"  fake Discord calls: {', '.join(f'{k} {v}' for k, v in sorted(routes.items()))}")
    warned = result["log_warnings"]
    print(f"  warnings/errors logged during the runs: {sum(warned.values())}"
          + (f" ({', '.join(f'{k} {v}' for k, v in warned.items())})" if warned else "")
          + f"; while logging in and warming up: {', '.join(result['log_setup']) or 'none'}")  # fmt: skip
    for line in result["log_first"]:
        print(f"    {line}")
    slowest = max((r for r in runs if r["client"] == "rapport"), key=lambda r: r["cb_max_ms"])
    checks.append((f"rapport callback max < {DISCORD_DEADLINE_MS:g} ms (Discord's deadline)",
                   slowest["cb_max_ms"] < DISCORD_DEADLINE_MS,
                   f"{slowest['cb_max_ms']:.1f} ms (C={slowest['level']}, run {slowest['round']})"))  # fmt: skip
    for kind in CLIENTS:
        its = [r for r in runs if r["client"] == kind]
        sent = sum(r["interactions"] for r in its)
        acked = sum(r["callbacks"] for r in its)
        ok = sum(r["ok"] for r in its)
        problems: Counter[str] = Counter()
        for r in its:
            problems.update(r["problems"])
        what = ("acked with one deferred ephemeral callback and answered by one followup with "
                "embeds, allowed_mentions {\"parse\": []}, within Discord's limits"
                if kind == "rapport" else
                "acked with one deferred ephemeral callback, no followup")  # fmt: skip
        detail = f"{ok}/{sent} ok, {acked} callbacks"
        if kind == "rapport":
            detail += f", {sum(r['followups'] for r in its)} followups"
        if problems:
            detail += "; " + ", ".join(f"{k} ×{v}" for k, v in problems.most_common(4))
        checks.append((f"every {kind} interaction {what}", ok == sent and not problems, detail))
    refused = {k: v for k, v in routes.items() if k.startswith("refused")}
    checks.append(("the fake Discord refused nothing else (routes, tokens, channels, limits), "
                   "no warnings or errors logged during the runs", not refused and not warned,
                   f"{sum(refused.values())} refused" + (f" (first: {next(iter(refused))})" if refused else "")
                   + f", {sum(warned.values())} logged"))  # fmt: skip
    print()
    for name, passed, detail in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}: {detail}")
    return checks


def main(argv: list[str] | None = None) -> int:
    """Measure and print; exit 1 only on errors (missed targets just print FAIL)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--interactions", "-n", type=int, default=300,
                   help="interactions per run (default 300)")  # fmt: skip
    p.add_argument("--levels", type=int, nargs="+", default=[1, 10, 50], metavar="C",
                   help="interactions in flight (default 1 10 50)")  # fmt: skip
    p.add_argument("--rounds", type=int, default=2, help="runs per client per level (ABBA order)")
    p.add_argument("--users", type=int, default=50, help="distinct Discord users (default 50)")
    p.add_argument("--warmup", type=int, default=5, help="warm-up interactions per client")
    p.add_argument("--layout", choices=("child", "same"), default="child",
                   help="fake Discord in a child process (default) or in this process")  # fmt: skip
    p.add_argument("--gate", choices=("callback", "answer"), default="answer",
                   help="free an in-flight slot on the answer (default: an interaction is in "
                        "flight until answered) or on the callback (a burst)")  # fmt: skip
    p.add_argument("--timeout", type=float, default=10.0, help="seconds to each callback")
    p.add_argument("--answer-timeout", type=float, default=30.0,
                   help="seconds to each followup (rapport)")  # fmt: skip
    p.add_argument("--cap", type=float, default=180.0, help="seconds for the whole run")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "discord-load.json",
                   help="results file (default bench/out/discord-load.json)")  # fmt: skip
    p.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)  # child mode
    args = p.parse_args(argv)
    if args.serve_fake:
        asyncio.run(_serve_fake())
        return 0
    if not 1 <= args.interactions <= 5000 or args.warmup < 1 or args.rounds < 1:
        p.error("--interactions must be 1..5000, --warmup and --rounds at least 1")
    if any(not 1 <= c <= 500 for c in args.levels) or not 1 <= args.users <= 10_000:
        p.error("--levels must be 1..500 and --users 1..10000")
    logs = LogCount()
    logging.getLogger().addHandler(logs)
    start = time.perf_counter()
    try:
        result = asyncio.run(asyncio.wait_for(measure(args, logs), args.cap))
    except TimeoutError:
        print(f"error: the run did not finish within --cap {args.cap:g} s", file=sys.stderr)
        return 1
    except Exception as exc:  # a client that would not log in, a fake that died, …
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
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
