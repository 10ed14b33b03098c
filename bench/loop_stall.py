"""Event-loop stalls under adversarial drafts: the real Slack app, checks in worker processes.

One process runs rapport's real slack-bolt app (`rapport.adapters.slack.app.build_app`, a real SQLite
file, the check workers of `rapport.bot.service.workers`) over HTTP on 127.0.0.1, a fake Slack
(`tests/fakes/slack.py`) and the load.  A loop-lag monitor sleeps 5 ms at a time and records
how late it wakes: that lateness is how long anything on the loop (an ack, another user's answer)
would have waited.  While it runs, adversarial users send `/rapport check` and `/rapport
rewrite` of 20–40k-character drafts ("PLEASE ENDORSE ME NOW " repeated, no punctuation, one
giant token, markup soup, emoji) and paste them into coaching DMs, all at once, and ordinary
users keep sending ordinary checks, whose ack and answer times are reported too.

Prints the loop stall's max and p99 with PASS/FAIL against 50 ms.  `--in-process` runs the
checks on the loop instead (rapport before the workers), for comparison.  Bounded: every
request has a timeout and the run a cap; exit 1 only on errors, never for a FAIL.

    python -m bench.loop_stall                     # 2 rounds of the 5 drafts × 3 ways
    python -m bench.loop_stall --rounds 1 --in-process
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_STALL_MS = 50.0
SECRET = "bench-signing-secret"
TICK = 0.005
ORDINARY = "Hi Dana, could you endorse me for Python on LinkedIn? We shipped Atlas together."


def adversarial(size: int) -> dict[str, str]:
    """The drafts that made checks slow: each `size` characters."""
    shapes = {
        "shouting": "PLEASE ENDORSE ME NOW ",
        "one token": "x",
        "no punctuation": "hi dana could you please endorse me for python and share my page "
        "with everyone you know because i really need this job now ",
        "markup soup": "<@U123|dana> **endorse** <!here> <https://x.io|me> :tada: `now` > pls\n",
        "emoji": "🙏🔥👍 endorse me 🚀💯 ",
    }
    return {name: (unit * (size // len(unit) + 1))[:size] for name, unit in shapes.items()}


class LoopLag:
    """Sleeps `TICK` at a time and records how late each wake-up was (seconds)."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(TICK)
            self.lags.append(max(0.0, loop.time() - before - TICK))

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._watch())

    async def stop(self) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def _outcome(body: dict[str, Any]) -> str:
    text = json.dumps(body)
    if "too long or unusual" in text:
        return "too long (budget)"
    if "busy with other people" in text:
        return "busy"
    if "went wrong" in text:
        return "error"
    return "answered"


async def run(args: argparse.Namespace) -> int:
    import aiohttp
    from aiohttp import web

    from rapport.adapters.slack.app import SlackSettings, adapter_of, build_app
    from rapport.adapters.slack.server import web_app
    from rapport.bot.service.rapport import Rapport
    from rapport.bot.service.workers import WorkerPool
    from rapport.bot.storage import open_store
    from tests.fakes.slack import FakeSlack
    from tests.fakes.slack_sender import SlackSender

    folder = Path(tempfile.mkdtemp(prefix="rapport-stall-"))
    fake = await FakeSlack(tokens={"xoxb-bench"}).start()
    workers = None
    if not args.in_process:
        from rapport.bot.config import Config

        workers = WorkerPool(Config(), size=args.workers, budget=args.budget, queue=args.queue)
        if not await workers.wait_ready():
            print("the check workers did not start", file=sys.stderr)
            return 1
    rapport = Rapport(await open_store(f"sqlite:///{folder / 'stall.db'}"), workers=workers)
    app = build_app(rapport, SlackSettings("xoxb-bench", SECRET, api_url=fake.url + "/api"))
    runner = web.AppRunner(web_app(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    lag = LoopLag()
    acks: list[float] = []
    hook_of: dict[str, tuple[str, float]] = {}  # hook id → (who, when sent)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            send = SlackSender(url, SECRET, fake, session)
            await send.slash("help", user="UWARM")  # Bolt's auth.test, before measuring
            await fake.wait_for("hook", 1)
            await send.dm("hi", user="UWARM")  # the coach's modules, loaded on first use
            await fake.wait_for("chat.postMessage", 1)
            drafts = adversarial(args.size)
            lag.start()
            started = time.perf_counter()

            async def slash(who: str, user: str, text: str) -> None:
                hook = f"h{fake.hooks_issued + 1}"
                hook_of[hook] = (who, time.monotonic())  # the fake stamps arrivals with it
                status, _, seconds = await send.slash(text, user=user)
                if status != 200:
                    raise RuntimeError(f"{who}: HTTP {status}")
                if who == "ordinary":
                    acks.append(seconds)

            async def ordinary() -> None:
                for i in range(args.ordinary):
                    await slash("ordinary", f"UO{i % 5}", f"check {ORDINARY}")
                    await asyncio.sleep(0.1)

            async def attacker(n: int, name: str, draft: str) -> None:
                await slash(f"{name}: check", f"UA{n}", f"check {draft}")
                await slash(f"{name}: rewrite", f"UB{n}", f"rewrite {draft}")
                await send.dm(draft[:20_000], user=f"UC{n}")  # the coach takes up to 20,000

            jobs = [ordinary()]
            for r in range(args.rounds):
                jobs += [
                    attacker(r * 10 + i, name, d) for i, (name, d) in enumerate(drafts.items())
                ]
            await asyncio.wait_for(asyncio.gather(*jobs), args.cap)
            expected = 1 + len(hook_of)  # the warm-up's hook plus one per slash command
            dms = 1 + args.rounds * len(drafts)
            with contextlib.suppress(TimeoutError):
                await fake.wait_for("hook", expected, timeout=args.cap)
                await fake.wait_for("chat.postMessage", dms, timeout=args.cap)
            elapsed = time.perf_counter() - started
            await lag.stop()
    finally:
        await runner.cleanup()
        await adapter_of(app).close()
        await rapport.close()
        await fake.stop()
    answers: list[float] = []
    outcomes: Counter[str] = Counter()
    for call in fake.calls:
        hook = call.method.removeprefix("hook:")
        if not call.method.startswith("hook:") or hook not in hook_of:
            continue
        who, sent = hook_of[hook]
        if who == "ordinary":
            answers.append(call.at - sent)
        outcomes[f"{who.split(':')[-1].strip()}: {_outcome(call.body)}"] += 1
    dm_outcomes = Counter(
        _outcome(b) for b in fake.of("chat.postMessage") if b.get("channel") != "DWARM"
    )
    refused = [f"{method}: {', '.join(why)}" for method, why in fake.rejected]
    _report(args, lag.lags, (acks, answers), outcomes, dm_outcomes, elapsed, len(hook_of), refused)
    return 0


def _report(args: argparse.Namespace, lags: list[float], ordinary: tuple[list[float], list[float]],
            outcomes: Counter[str], dms: Counter[str], elapsed: float, sent: int,
            refused: list[str]) -> None:  # fmt: skip
    worst, p99 = max(lags, default=0.0) * 1000, _percentile(lags, 0.99) * 1000
    where = "in-process (on the loop)" if args.in_process else (
        f"{args.workers} worker processes, {args.budget:g} s budget, queue {args.queue}"
    )  # fmt: skip
    print(f"loop stall under adversarial drafts ({args.size:,} chars; {where})")
    print(f"  {sent} slash commands + {sum(dms.values())} DM turns in {elapsed:.1f} s; "
          f"{len(lags)} loop samples")  # fmt: skip
    print(f"  loop stall: max {worst:.1f} ms, p99 {p99:.1f} ms, p50 "
          f"{_percentile(lags, 0.5) * 1000:.1f} ms")  # fmt: skip
    acks, answers = ordinary
    for what, times in (("acks", acks), ("answers (response_url post)", answers)):
        if times:
            print(f"  ordinary users' {what}: p50 {_percentile(times, 0.5) * 1000:.0f} ms, "
                  f"p99 {_percentile(times, 0.99) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
                  f"({len(times)})")  # fmt: skip
    for what, n in sorted(outcomes.items()):
        print(f"  /rapport {what}: {n}")
    for what, n in sorted(dms.items()):
        print(f"  coach DM: {what}: {n}")
    print(f"  refused by the fake Slack (as Slack would): {len(refused)}"
          + (f", first: {refused[0][:150]}" if refused else ""))  # fmt: skip
    verdict = "PASS" if worst <= TARGET_STALL_MS else "FAIL"
    print(f"{verdict}: max loop stall {worst:.1f} ms (target ≤ {TARGET_STALL_MS:.0f} ms)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2, help="times each attacker comes")
    parser.add_argument("--size", type=int, default=30_000, help="characters per draft")
    parser.add_argument("--ordinary", type=int, default=40, help="ordinary checks, 0.1 s apart")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=5.0, help="seconds per check")
    parser.add_argument("--queue", type=int, default=16)
    parser.add_argument("--in-process", action="store_true", help="checks on the loop (before)")
    parser.add_argument("--request-timeout", type=float, default=60.0)
    parser.add_argument("--cap", type=float, default=300.0, help="seconds for the whole run")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run(args))
    except Exception as exc:
        print(f"loop_stall: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
