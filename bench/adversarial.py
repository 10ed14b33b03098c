"""Linear time on hostile drafts: a check and a rewrite cost the same per character at any length.

An adversarial probe (issue 16) found shapes of text that made a check super-linear: 20,000
characters of "PLEASE ENDORSE ME NOW " took seconds.  For each shape below, at 1k, 4k, 16k and
40k characters, this times `Engine.analyse` and the rewrite step (`Rewriter.rewrite`, whose
self-check runs the engine again on the rewrite) separately, best of a few runs, and reports
the time per character *read*: the engine reads at most `rapport.bot.engine.text.MAX_CHARS` characters, so
the 40k drafts are cut there and the table says how many characters were really read.  The
target is that per-character time at 40k is at most twice that at 1k (a 1k draft pays fixed
costs too, so a linear stage shows a ratio at or below 1).  Ratios within one run are what
count: machines are shared and noisy.

    python -m bench.adversarial                       # all shapes, best of 3
    python -m bench.adversarial --repeats 5 --json out.json
    python -m bench.adversarial --shapes repetition,markup_soup --sizes 1000,40000
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_RATIO = 2.0
SIZES = (1_000, 4_000, 16_000, 40_000)
_VOCAB = (
    "hi i would love to connect with you about the role at acme please endorse me for python "
    "and design skills today we met at pycon last year thanks so much"
).split()


def _fill(unit: str, n: int) -> str:
    """`unit` repeated to exactly `n` characters."""
    return (unit * (n // len(unit) + 1))[:n]


def _no_punctuation(n: int) -> str:
    """Ordinary words in a fixed random order, with no punctuation and no line break at all."""
    rnd = random.Random(16)
    words: list[str] = []
    length = 0
    while length <= n:
        words.append(rnd.choice(_VOCAB))
        length += len(words[-1]) + 1
    return " ".join(words)[:n]


#: name -> (what it is, draft of n characters)
SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "repetition": (
        "'PLEASE ENDORSE ME NOW ' repeated",
        lambda n: _fill("PLEASE ENDORSE ME NOW ", n),
    ),
    "no_punctuation": ("words, no punctuation or line break", _no_punctuation),
    "giant_token": ("one token, no spaces", lambda n: _fill("endorseme", n)),
    "all_capitals": (
        "capitals with commas and 'but'",
        lambda n: _fill(
            "HI DANA I NEED YOU TO ENDORSE MY PYTHON SKILLS TODAY, NOT TOMORROW BUT NOW; REPLY ASAP ",
            n,
        ),
    ),
    "markup_soup": (
        "Slack/Discord markup, fences, spoilers",
        lambda n: _fill(
            "<@U1> <#C1|x> <https://a.io|b> *_~please~_* <@123> ||endorse me|| ```code``` `x` "
            "<!here> :pray: ",
            n,
        ),
    ),
    "emoji_run": ("emoji only", lambda n: _fill("\U0001f64f\U0001f525\U0001f600\U0001f44d", n)),
    "angle_brackets": ("open brackets, never closed", lambda n: _fill("<[(<{", n)),
    "reported_speech": (
        "a reported-speech intro, over and over",
        lambda n: _fill("I saw you at PyCon. ", n),
    ),
    "short_sentences": (
        "one line of short sentences",
        lambda n: _fill("Hi. Thanks. Please endorse me. Not now? ", n),
    ),
}


def _best_ms(run: Callable[[Any], object], repeats: int, setup: Callable[[], Any]) -> float:
    """Fastest of `repeats` timed `run(setup())`, in ms: only `run` is timed, with the
    collector held off, and each run gets a fresh `setup()` (no evidence cached by the last)."""
    best = float("inf")
    for _ in range(repeats):
        arg = setup()
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter_ns()
            run(arg)
            best = min(best, (time.perf_counter_ns() - t0) / 1e6)
        finally:
            gc.enable()
    return best


def measure(shapes: Sequence[str], sizes: Sequence[int], repeats: int) -> dict[str, Any]:
    """Per shape and size: characters read, best ms and µs per character read, check and rewrite."""
    from rapport.bot.engine.engine import Engine
    from rapport.bot.engine.text import MAX_CHARS
    from rapport.bot.rewriter.rewrite import Rewriter

    rewriter = Rewriter(Engine.default())
    engine = rewriter.engine
    for name in shapes:  # warm up: templates compiled, regex caches filled, reader loaded
        report, signals = engine.analyse(SHAPES[name][1](1_000))
        rewriter.rewrite(report, signals)
    rows: dict[str, Any] = {}
    for name in shapes:
        make = SHAPES[name][1]
        points = []
        for size in sizes:
            text = make(size)
            read = len(engine.check_sync(text).text)
            check_ms = _best_ms(engine.analyse, repeats, lambda t=text: t)
            rewrite_ms = _best_ms(
                lambda checked: rewriter.rewrite(*checked),
                repeats,
                lambda t=text: engine.analyse(t),
            )
            points.append(
                {
                    "chars": len(text),
                    "read": read,
                    "check_ms": check_ms,
                    "check_us_per_char": 1e3 * check_ms / max(1, read),
                    "rewrite_ms": rewrite_ms,
                    "rewrite_us_per_char": 1e3 * rewrite_ms / max(1, read),
                }
            )
        first, last = points[0], points[-1]
        rows[name] = {
            "what": SHAPES[name][0],
            "points": points,
            "check_ratio": _ratio(last["check_us_per_char"], first["check_us_per_char"]),
            "rewrite_ratio": _ratio(last["rewrite_us_per_char"], first["rewrite_us_per_char"]),
        }
    return {
        "max_chars": MAX_CHARS,
        "repeats": repeats,
        "target_ratio": TARGET_RATIO,
        "shapes": rows,
    }


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def verdicts(result: dict[str, Any]) -> list[tuple[str, bool, float]]:
    """(shape and step, passed, ratio) for every shape's check and rewrite."""
    out = []
    for name, row in result["shapes"].items():
        for step in ("check", "rewrite"):
            value = row[f"{step}_ratio"]
            out.append((f"{name} {step}", value <= result["target_ratio"], value))
    return out


def print_results(result: dict[str, Any]) -> None:
    """One table per run: ms and µs per character read, per shape and size, and the ratios."""
    print(
        f"\nAdversarial drafts: best of {result['repeats']} runs; the engine reads at most "
        f"{result['max_chars']:,} characters (longer drafts are cut, 'read' says how many)"
    )
    print(
        f"  {'shape':<16}{'chars':>8}{'read':>8}{'check ms':>11}{'µs/char':>9}"
        f"{'rewrite ms':>12}{'µs/char':>9}"
    )
    for name, row in result["shapes"].items():
        for p in row["points"]:
            print(
                f"  {name:<16}{p['chars']:>8,}{p['read']:>8,}{p['check_ms']:>11.1f}"
                f"{p['check_us_per_char']:>9.2f}{p['rewrite_ms']:>12.1f}"
                f"{p['rewrite_us_per_char']:>9.2f}"
            )
    sizes = [p["chars"] for p in next(iter(result["shapes"].values()))["points"]]
    print(
        f"\n  µs per character read at {sizes[-1]:,} ÷ at {sizes[0]:,} "
        f"(target ≤ {result['target_ratio']:g}):"
    )
    for label, passed, value in verdicts(result):
        print(f"  {'PASS' if passed else 'FAIL'}  {label:<26}{value:>6.2f}")


def main(argv: list[str] | None = None) -> int:
    """Measure and print; --json writes the numbers (bench/run.py reads them)."""
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated subset of shapes")
    p.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="comma-separated draft lengths"
    )
    p.add_argument("--repeats", type=int, default=3, help="timed runs per point (best is kept)")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        p.error(f"unknown shape(s) {', '.join(unknown)}; known: {', '.join(SHAPES)}")
    sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    if len(sizes) < 2 or sizes[0] < 1 or args.repeats < 1:
        p.error("--sizes needs two or more lengths >= 1, --repeats >= 1")
    result = measure(shapes, sizes, args.repeats)
    print_results(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
