"""What a rewrite adds to a check: time per chat-length draft, measured in one process.

For every draft, the check (`Engine.analyse`) and the rewrite step (`Rewriter.rewrite`: facts,
template rendering, the engine's self-check of the rewrite) are timed separately, so the
overhead is measured directly rather than as the difference of two noisy runs.  Templates
are compiled on the warm-up drafts, as in a long-running bot.

    python -m bench.rewrite                         # 2,000 chat drafts from bench/corpus.py
    python -m bench.rewrite --n 300 --json out.json
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus as corpus_mod

TARGET_P99_OVERHEAD_MS = 5.0


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


def measure(drafts: Sequence[str], warmup: Sequence[str]) -> dict[str, Any]:
    """Check and rewrite timings (ms) for every draft, split by what the rewrite did."""
    from rapport.bot.engine.engine import Engine
    from rapport.bot.rewriter.rewrite import Rewriter

    rewriter = Rewriter(Engine.default())
    for text in warmup:  # compile templates, fill regex caches
        report, signals = rewriter.engine.analyse(text)
        rewriter.rewrite(report, signals)
    check_ms: list[float] = []
    overhead_ms: list[float] = []
    rewritten_ms: list[float] = []
    outcomes = {"rewritten": 0, "unchanged": 0, "not outreach": 0, "advice only": 0}
    gc.collect()
    gc.disable()  # collections land on random drafts; measure the code, not the collector
    try:
        for text in drafts:
            t0 = time.perf_counter_ns()
            report, signals = rewriter.engine.analyse(text)
            t1 = time.perf_counter_ns()
            rewrite = rewriter.rewrite(report, signals)
            t2 = time.perf_counter_ns()
            check_ms.append((t1 - t0) / 1e6)
            overhead_ms.append((t2 - t1) / 1e6)
            if rewrite.unchanged:
                outcomes["unchanged"] += 1
            elif rewrite.text is None:
                outcomes["not outreach" if report.kind.value == "other" else "advice only"] += 1
            else:
                outcomes["rewritten"] += 1
                rewritten_ms.append((t2 - t1) / 1e6)
    finally:
        gc.enable()
    return {
        "check": _summary(check_ms),
        "rewrite_overhead": _summary(overhead_ms),
        "rewrite_overhead_when_rewritten": _summary(rewritten_ms),
        "outcomes": outcomes,
        "target_p99_overhead_ms": TARGET_P99_OVERHEAD_MS,
    }


def print_results(result: dict[str, Any]) -> None:
    """A small table: check vs rewrite overhead, p50/p99/max."""
    print("\nRewrite overhead on chat-length drafts (same process, same drafts)")
    print(f"  {'':<34}{'n':>6}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    rows = (
        ("check (analyse)", result["check"]),
        ("rewrite step, all drafts", result["rewrite_overhead"]),
        ("rewrite step, drafts rewritten", result["rewrite_overhead_when_rewritten"]),
    )
    for label, s in rows:
        print(
            f"  {label:<34}{s['n']:>6}{s['p50_ms']:>10.2f}{s['p99_ms']:>10.2f}{s['max_ms']:>10.2f}"
        )
    outcomes = ", ".join(f"{k} {v}" for k, v in result["outcomes"].items())
    print(f"  outcomes: {outcomes}")
    p99 = result["rewrite_overhead_when_rewritten"]["p99_ms"]
    verdict = "PASS" if p99 < TARGET_P99_OVERHEAD_MS else "FAIL"
    print(
        f"  {verdict}  rewrite adds < {TARGET_P99_OVERHEAD_MS:g} ms p99 (drafts rewritten): {p99:.2f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    """Measure and print; --json writes the numbers for bench/run.py."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=2000, help="chat-length drafts (default 2000)")
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--seed", type=int, default=corpus_mod.SEED)
    p.add_argument("--corpus", type=Path, help="a corpus.json written by bench/run.py")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args(argv)
    if args.corpus:
        data = json.loads(args.corpus.read_text(encoding="utf-8"))
        drafts, warmup = data["chat"], data.get("warmup", [])[: args.warmup]
    else:
        drafts = corpus_mod.chat_messages(args.n, args.seed)
        warmup = corpus_mod.warmup_messages(args.warmup, args.seed)
    result = measure(drafts, warmup)
    print_results(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
