"""Benchmark worker: time ONE tool in-process on a corpus file, write latencies as JSON.

bench/run.py starts one fresh worker process per tool, each with the interpreter that
has that tool installed (rapport: /work/main/.venv, proselint: /work/main/.bench-venv),
so no tool runs with another tool's modules, caches or garbage in its heap.  Every
worker runs the same timing loop below on the same corpus file.

    python -m bench.measure --tool floor --corpus bench/out/corpus.json --out /tmp/floor.json

Exit status: 0 ok, 3 the tool cannot be imported here (reason on stderr), 1 other errors.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOOLS = ("rapport", "proselint", "floor")
EXIT_UNAVAILABLE = 3

#: A checker takes one message and returns how many findings it produced.
Checker = Callable[[str], int]


class ToolUnavailable(Exception):
    """The tool cannot be imported or set up in this interpreter."""


@dataclass(frozen=True, slots=True)
class Loaded:
    """A ready-to-call checker plus what to report about it."""

    check: Checker
    version: str
    api: str


def _dist_version(name: str) -> str:
    """Installed distribution version, or 'not installed'."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def load_rapport() -> Loaded:
    """rapport's engine: Engine.default() once, then check_sync(text) per message."""
    try:
        from rapport.bot.engine.engine import Engine
    except ImportError as err:
        raise ToolUnavailable(f"rapport.bot.engine.engine cannot be imported yet ({err})") from err
    engine = Engine.default()

    def check(text: str) -> int:
        return len(engine.check_sync(text).findings)

    return Loaded(
        check, _dist_version("rapport"), "rapport.bot.engine.engine.Engine.default().check_sync"
    )


def load_proselint() -> Loaded:
    """proselint's Python API: LintFile(...).lint(config) (>= 0.14) or tools.lint(text)."""
    try:
        import proselint.tools as tools
    except ImportError as err:
        msg = f"proselint is not installed here ({err}); run bench/setup.sh"
        raise ToolUnavailable(msg) from err
    version = _dist_version("proselint")
    if not hasattr(tools, "LintFile"):  # 0.10 - 0.13: checks load themselves
        return Loaded(lambda text: len(tools.lint(text)), version, "proselint.tools.lint")

    from proselint.checks import __register__
    from proselint.registry import CheckRegistry

    registry = CheckRegistry()
    if not registry.checks:  # the CLI does this once per process; it is a singleton
        registry.register_many(__register__)
    config = _proselint_config()

    def check(text: str) -> int:
        return len(tools.LintFile("<bench>", text).lint(config))

    return Loaded(check, version, "proselint.tools.LintFile(...).lint(config)")


def _proselint_config() -> object:
    """The configuration `proselint check` itself would use (defaults + user files)."""
    from proselint import config

    load_from = getattr(config, "load_from", None)
    return load_from() if load_from else config.DEFAULT


def load_floor() -> Loaded:
    """The naive floor: one precompiled regex alternation, finditer per message."""
    from bench import floor

    return Loaded(
        lambda text: len(floor.scan(text)), f"{len(floor.PHRASES)} phrases", "bench.floor.scan"
    )


LOADERS: dict[str, Callable[[], Loaded]] = {
    "rapport": load_rapport,
    "proselint": load_proselint,
    "floor": load_floor,
}


def time_messages(check: Checker, messages: list[str]) -> dict[str, object]:
    """Run `check` on each message; per-message perf_counter_ns latencies and the loop's wall."""
    latencies: list[int] = []
    findings = 0
    clock = time.perf_counter_ns
    gc.collect()
    wall_start = clock()
    for text in messages:
        start = clock()
        findings += check(text)
        latencies.append(clock() - start)
    wall_ns = clock() - wall_start
    return {"latencies_ns": latencies, "wall_ns": wall_ns, "findings": findings}


def measure(tool: str, corpus: dict[str, list[str]]) -> dict[str, object]:
    """Load `tool`, warm it up on the warm-up set, then time every non-warm-up corpus."""
    setup_start = time.perf_counter_ns()
    loaded = LOADERS[tool]()
    setup_ns = time.perf_counter_ns() - setup_start
    warmup = corpus.get("warmup", [])
    warm_start = time.perf_counter_ns()
    for text in warmup:
        loaded.check(text)
    warmup_ns = time.perf_counter_ns() - warm_start
    results = {
        name: time_messages(loaded.check, msgs) for name, msgs in corpus.items() if name != "warmup"
    }
    return {
        "tool": tool,
        "version": loaded.version,
        "api": loaded.api,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "executable": sys.executable,
        "setup_ns": setup_ns,
        "warmup_messages": len(warmup),
        "warmup_ns": warmup_ns,
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description="Time one tool in-process on a corpus.")
    parser.add_argument("--tool", choices=TOOLS, required=True)
    parser.add_argument("--corpus", type=Path, required=True, help="JSON: {name: [messages]}")
    parser.add_argument("--out", type=Path, required=True, help="where to write results JSON")
    args = parser.parse_args(argv)
    corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
    try:
        result = measure(args.tool, corpus)
    except ToolUnavailable as err:
        print(err, file=sys.stderr)
        return EXIT_UNAVAILABLE
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
