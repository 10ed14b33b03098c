"""Many people coached at once: simulated users run a full session concurrently on one process.

Each simulated user asks for an endorsement in eight turns (pick the flow, name, how they know
them, gave first?, what they gave, the ask, done, save to ledger), pausing to "type" between
turns like a person does (2–8 s: answers are sentences), the 1,000 of them starting over the
first 10 s.  Every turn goes through the real service and a real SQLite file.  Prints
turns/second, turn latency (p50/p99/max, storage included) and peak memory.  A burst run with
no pauses (`--think 0 0`) shows the ceiling: how many turns a second one process can take.

    python -m bench.coach                           # 1,000 users, about a minute
    python -m bench.coach --users 300 --think 0 0   # the ceiling
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_P99_MS = 20.0
TARGET_RSS_MB = 150.0
NAMES = ("Dana", "Sam", "Priya", "Leo", "Maria", "Ravi", "Chen", "Aisha", "Kofi", "Ingrid")
PLACES = ("Acme", "Northwind", "Globex", "Initech", "Hooli")
SKILLS = ("Python", "SQL", "product strategy", "UX research", "Kubernetes")


def _script(rng: random.Random) -> list[str]:
    name = rng.choice(NAMES)
    return [
        "1",
        name,
        f"we shipped the {rng.choice(('billing', 'search', 'mobile'))} migration together at "
        f"{rng.choice(PLACES)} in {rng.randint(2016, 2024)}",
        "yes",
        f"I recommended you for the {rng.choice(('PM', 'design lead', 'staff'))} role last week",
        f"endorse me for {rng.choice(SKILLS)}",
        "done",
        "yes",
    ]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def _user(rapport: object, index: int, think: tuple[float, float], ramp: float,
                latencies: list[float], failures: list[str], seed: int) -> None:  # fmt: skip
    from rapport.bot.storage.base import SessionKey, UserRef

    rng = random.Random(seed + index)
    key = SessionKey(UserRef("bench", f"W{index % 20}", f"U{index}"), "dm")
    await asyncio.sleep(rng.uniform(0, ramp))  # people don't all start at once
    for line in _script(rng):
        t0 = time.perf_counter()
        reply = await rapport.talk(key, line)  # type: ignore[attr-defined]
        latencies.append((time.perf_counter() - t0) * 1000)
        if "couldn't save" in reply.text:
            failures.append(reply.text)
        if think[1] > 0:
            await asyncio.sleep(rng.uniform(*think))
    if not reply.ended:
        failures.append(f"user {index} did not finish: {reply.text[:80]}")


async def run(users: int, think: tuple[float, float], ramp: float, seed: int) -> dict[str, float]:
    """Run the simulation on a fresh database; returns the numbers."""
    from rapport.bot.service.rapport import Rapport
    from rapport.bot.storage import open_store
    from rapport.bot.storage.base import SessionKey, UserRef

    with tempfile.TemporaryDirectory() as folder:
        rapport = Rapport(await open_store(f"sqlite:///{folder}/bench.db"))
        warm = SessionKey(UserRef("bench", "w", "warm"), "dm")
        for line in _script(random.Random(0)):  # compile templates, fill caches
            await rapport.talk(warm, line)
        latencies: list[float] = []
        failures: list[str] = []
        gc.collect()
        start = time.perf_counter()
        await asyncio.gather(
            *(_user(rapport, i, think, ramp, latencies, failures, seed) for i in range(users))
        )
        wall = time.perf_counter() - start
        await rapport.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "users": users,
        "turns": len(latencies),
        "wall_s": wall,
        "turns_per_s": len(latencies) / wall if wall else 0.0,
        "p50_ms": _percentile(latencies, 0.50),
        "p99_ms": _percentile(latencies, 0.99),
        "max_ms": max(latencies, default=0.0),
        "peak_rss_mb": rss_mb,
        "failures": len(failures),
    }


def main(argv: list[str] | None = None) -> int:
    """Run and print; exit 1 only if sessions failed (missed targets just print FAIL)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--think", type=float, nargs=2, default=(2.0, 8.0), metavar=("MIN", "MAX"),
                   help="seconds between a user's turns (0 0 for a burst)")  # fmt: skip
    p.add_argument("--ramp", type=float, default=10.0, help="seconds over which users start")
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args(argv)
    if args.users < 1 or args.users > 20_000:
        p.error("--users must be 1..20000")
    ramp = args.ramp if args.think[1] > 0 else 0.0
    r = asyncio.run(run(args.users, (args.think[0], args.think[1]), ramp, args.seed))
    print(f"{int(r['users'])} users, {int(r['turns'])} turns in {r['wall_s']:.1f} s "
          f"(think time {args.think[0]:g}–{args.think[1]:g} s)")  # fmt: skip
    print(f"  turns/s {r['turns_per_s']:.0f}   turn latency p50 {r['p50_ms']:.2f} ms   "
          f"p99 {r['p99_ms']:.2f} ms   max {r['max_ms']:.1f} ms")  # fmt: skip
    print(f"  peak memory {r['peak_rss_mb']:.0f} MB   failed sessions {int(r['failures'])}")
    for name, ok, detail in (
        (f"p99 turn latency < {TARGET_P99_MS:g} ms", r["p99_ms"] < TARGET_P99_MS, f"{r['p99_ms']:.2f} ms"),
        (f"peak memory < {TARGET_RSS_MB:g} MB", r["peak_rss_mb"] < TARGET_RSS_MB, f"{r['peak_rss_mb']:.0f} MB"),
    ):  # fmt: skip
        print(f"  {'PASS' if ok else 'FAIL'}  {name}: {detail}")
    return 1 if r["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
