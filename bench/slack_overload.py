"""Slack under overload: commands offered faster than one process can check them.

rapport's Slack app (`rapport.adapters.slack.app.build_app`, a real SQLite file) runs in a child
process; this process offers exactly `--requests` signed slash commands at a fixed rate
(`--rate` per second, open loop: a slow answer doesn't slow the offer), one in `--gave-every`
a `gave` (kept in the job queue before its ack), the rest `check <draft>`.  It prints ack
latency, ack-to-answer latency (the ack to the response_url post arriving), how many were
answered "busy" in the ack, the child's RSS (sampled every 0.2 s), and what the fake Slack
(tests/fakes/slack.py) refused as Slack would.  Every request has a 10 s timeout and the run a
cap; nothing here is a pass/fail gate.

    python -m bench.slack_overload                      # 2,000 commands at 300/s
    python -m bench.slack_overload --requests 500 --rate 200
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

if __package__ in (None, ""):  # run as a file: make `bench` and `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.slack_load import (
    CHANNEL,
    TEAM,
    Arrivals,
    _draft,
    _percentile,
    _signed,
    fake_slack,
    spawn_app,
)


def _rss_mb(pid: int | None) -> float:
    """A child's resident set size in MB (Linux), 0 when it can't be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    import aiohttp

    seen = Arrivals()
    fake = await fake_slack(seen.see).start()
    folder = Path(tempfile.mkdtemp(prefix="rapport-overload-"))
    app = await spawn_app("rapport", fake.url + "/api/", str(folder / "bench.db"), folder)
    rng = random.Random(args.seed)
    acked: dict[int, float] = {}  # hook number -> ack arrival
    ack_ms: list[float] = []
    busy = errors = gave = 0
    rss: list[float] = [_rss_mb(app.pid)]
    done = asyncio.Event()

    async def sample() -> None:
        while not done.is_set():
            rss.append(_rss_mb(app.pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), 0.2)

    async def one(session: aiohttp.ClientSession, n: int) -> None:
        nonlocal busy, errors, gave
        is_gave = n % args.gave_every == 0
        gave += is_gave
        text = f"gave <@U{2000 + n}> SQL {n}" if is_gave else "check " + _draft(rng)
        body = urlencode({
            "command": "/rapport", "text": text, "user_id": f"U{n % 50}", "team_id": TEAM,
            "channel_id": CHANNEL, "response_url": f"{fake.url}/hooks/{n}", "trigger_id": f"{n}.o",
        }).encode()  # fmt: skip
        started = time.perf_counter()
        try:
            async with session.post(app.url, data=body, headers=_signed(body)) as resp:
                answer = await resp.text()
                if resp.status != 200:
                    errors += 1
                    return
        except (aiohttp.ClientError, TimeoutError):
            errors += 1
            return
        now = time.perf_counter()
        ack_ms.append((now - started) * 1000)
        if "busy right now" in answer:
            busy += 1
        else:
            acked[n] = time.monotonic()  # the fake stamps follow-ups with this clock

    timeout = aiohttp.ClientTimeout(total=10)
    connector = aiohttp.TCPConnector(limit=0)
    sampler = asyncio.ensure_future(sample())
    wall = time.perf_counter()
    try:
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            # warm up (auth.test, the engine's first check), then the measured offer
            await one(session, 10**6)
            acked.clear()
            ack_ms.clear()
            busy = errors = gave = 0
            tasks = []
            for n in range(args.requests):
                tasks.append(asyncio.ensure_future(one(session, n)))
                await asyncio.sleep(max(0.0, wall + (n + 1) / args.rate - time.perf_counter()))
            await asyncio.wait_for(asyncio.gather(*tasks), args.cap)
            answered = await seen.wait_hooks(list(acked), min(args.cap, 60.0))
    finally:
        done.set()
        await sampler
        await app.close()
        await fake.stop()
    waits = [(seen.hooks[n] - t) * 1000 for n, t in acked.items() if n in seen.hooks]
    return {
        "offered": args.requests, "rate": args.rate, "gave": gave, "acked": len(acked),
        "busy": busy, "errors": errors, "answered": answered,
        "ack_p50": _percentile(ack_ms, 0.5), "ack_p99": _percentile(ack_ms, 0.99),
        "answer_p50": _percentile(waits, 0.5), "answer_p99": _percentile(waits, 0.99),
        "answer_max": max(waits, default=0.0), "rss_start": rss[0], "rss_peak": max(rss),
        "rss_end": rss[-1], "seconds": time.perf_counter() - wall, "refused": seen.refused,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Offer the load, print the figures."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--requests", type=int, default=2000, help="commands offered (default 2000)")
    p.add_argument("--rate", type=float, default=300.0, help="commands per second (default 300)")
    p.add_argument("--gave-every", type=int, default=10, help="one in N is a gave (default 10)")
    p.add_argument("--cap", type=float, default=120.0, help="seconds for the offer (default 120)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    if not 1 <= args.requests <= 20_000 or args.rate <= 0:
        p.error("--requests must be 1..20000 and --rate positive")
    r = asyncio.run(run(args))
    print(
        f"offered {r['offered']} at {r['rate']:.0f}/s ({r['gave']} gave) in {r['seconds']:.1f} s: "
        f"{r['acked']} acked and kept, {r['busy']} answered busy, {r['errors']} errors; "
        f"{r['answered']} of {r['acked']} answered\n"
        f"ack ms p50 {r['ack_p50']:.0f} p99 {r['ack_p99']:.0f}; "
        f"ack-to-answer ms p50 {r['answer_p50']:.0f} p99 {r['answer_p99']:.0f} "
        f"max {r['answer_max']:.0f}\n"
        f"RSS MB start {r['rss_start']:.0f} peak {r['rss_peak']:.0f} end {r['rss_end']:.0f}\n"
        f"refused by the fake Slack (as Slack would): {len(r['refused'])}"
        + (f", first: {r['refused'][0]}" if r["refused"] else "")
    )
    return 1 if r["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
