"""Near-duplicate lookups in the SQLite store: latency with 100,000 stored fingerprints.

Two layouts of the same number of fingerprints, each in a fresh temporary database filled
through the public `add_fingerprint` (which also gives the insert rate):

- spread:   1,000 users with 100 fingerprints each (a busy workspace);
- one user: every fingerprint belongs to one user (the worst case for a per-user lookup).

Then `similar_fingerprints(user, h, since=0, NEAR)` is timed for 2,000 lookups of users that
have fingerprints: half are near-duplicates of a stored one (0-3 bits flipped), half random
hashes.  Stored hashes are uniformly random 64-bit values.  A few lookups wider than the bands
(max_distance 4, a scan of the user's rows) show what the band indexes save.  Prints numbers;
asserts nothing about time (machines are noisy).  About a minute on the 2-core dev machine,
most of it filling the two databases one `add_fingerprint` at a time.

    python -m bench.storage                        # 100,000 fingerprints, 2,000 lookups
    python -m bench.storage --n 20000 --lookups 500 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make `bot` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapport.bot.engine.fingerprint import NEAR
from rapport.bot.storage import UserRef, open_store

TARGET_P99_MS = 1.0
SEED = 20_240_611
SCAN_LOOKUPS = 20


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _summary(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": _percentile(values, 0.50),
        "p99_ms": _percentile(values, 0.99),
        "max_ms": max(values, default=0.0),
        "mean_ms": sum(values) / len(values) if values else 0.0,
    }


def _flip(rng: random.Random, h: int, bits: int) -> int:
    for bit in rng.sample(range(64), bits):
        h ^= 1 << bit
    return h


async def measure_layout(n: int, users: int, lookups: int, seed: int) -> dict[str, Any]:
    """Fill a fresh database with `n` fingerprints over `users` users, then time lookups."""
    rng = random.Random(seed)
    refs = [UserRef("slack", "T-bench", f"U{i:05d}") for i in range(users)]
    stored: list[tuple[UserRef, int]] = [(refs[i % users], rng.getrandbits(64)) for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as folder:
        store = await open_store(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            t0 = time.perf_counter()
            for i, (user, h) in enumerate(stored):
                await store.add_fingerprint(user, h, f"r{i % 97}", float(i))
            insert_s = time.perf_counter() - t0
            db_bytes = sum(p.stat().st_size for p in Path(folder).iterdir())

            probes: list[tuple[str, UserRef, int, int | None]] = []
            for i in range(lookups + 200):
                user, h = rng.choice(stored)
                if i % 2 == 0:
                    probes.append(("near", user, _flip(rng, h, rng.randint(0, NEAR)), h))
                else:
                    probes.append(("random", user, rng.getrandbits(64), None))
            warmup, probes = probes[:200], probes[200:]
            for _, user, h, _ in warmup:
                await store.similar_fingerprints(user, h, 0.0, NEAR)

            times: dict[str, list[float]] = {"near": [], "random": []}
            found = hits = 0
            gc.collect()
            gc.disable()  # collections land on random lookups; measure the store, not the collector
            try:
                for kind, user, h, source in probes:
                    t1 = time.perf_counter_ns()
                    result = await store.similar_fingerprints(user, h, 0.0, NEAR)
                    times[kind].append((time.perf_counter_ns() - t1) / 1e6)
                    hits += len(result)
                    if source is not None and any(r.simhash == source for r in result):
                        found += 1
                scan_ms = []
                for _, user, h, _ in probes[:SCAN_LOOKUPS]:
                    t1 = time.perf_counter_ns()
                    await store.similar_fingerprints(user, h, 0.0, NEAR + 1)
                    scan_ms.append((time.perf_counter_ns() - t1) / 1e6)
            finally:
                gc.enable()
        finally:
            await store.close()
    return {
        "fingerprints": n,
        "users": users,
        "insert_per_s": n / insert_s,
        "insert_s": insert_s,
        "db_mb": db_bytes / 1e6,
        "lookup": _summary(times["near"] + times["random"]),
        "lookup_near": _summary(times["near"]),
        "lookup_random": _summary(times["random"]),
        "near_found": found,
        "near_total": len(times["near"]),
        "hits": hits,
        "scan_max_distance_4": _summary(scan_ms),
    }


def print_results(results: dict[str, dict[str, Any]]) -> None:
    """One block per layout: insert rate, then p50/p99/max of the lookups."""
    print(f"\nNear-duplicate lookups (max_distance {NEAR}, since=0: every row in the window)")
    for label, r in results.items():
        print(
            f"\n  {label}: {r['fingerprints']:,} fingerprints over {r['users']:,} user(s), "
            f"{r['db_mb']:.1f} MB; add_fingerprint {r['insert_per_s']:,.0f}/s "
            f"({r['insert_s']:.1f} s)"
        )
        print(f"  {'':<28}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
        rows = (
            ("lookups, all", r["lookup"]),
            ("  near-duplicates", r["lookup_near"]),
            ("  random", r["lookup_random"]),
            (f"scan, max_distance {NEAR + 1}", r["scan_max_distance_4"]),
        )
        for name, s in rows:
            print(
                f"  {name:<28}{s['n']:>6}{s['p50_ms']:>10.3f}{s['p99_ms']:>10.3f}{s['max_ms']:>10.3f}"
            )
        print(f"  near-duplicates found: {r['near_found']}/{r['near_total']}; hits {r['hits']}")
        p99 = r["lookup"]["p99_ms"]
        verdict = "PASS" if p99 < TARGET_P99_MS else "FAIL"
        print(f"  {verdict}  lookup p99 < {TARGET_P99_MS:g} ms: {p99:.3f} ms")


def main(argv: list[str] | None = None) -> int:
    """Measure both layouts and print; --json writes the numbers too."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=100_000, help="fingerprints per layout")
    p.add_argument("--users", type=int, default=1_000, help="users in the spread layout")
    p.add_argument("--lookups", type=int, default=2_000)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args(argv)
    results = {}
    for label, users in (("spread", args.users), ("one user", 1)):
        results[label] = asyncio.run(measure_layout(args.n, users, args.lookups, args.seed))
    print_results(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
