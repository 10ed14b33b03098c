"""CLI start-up of this tree against another checkout of rapport, interleaved in one run.

    python -m bench.startup --baseline /tmp/rapport-main      # 21 rounds
    python -m bench.startup --baseline DIR --rounds 31 --json out.json

Start-up is most of what a one-shot `rapport check` costs, and this machine's load moves from
minute to minute, so two trees are only compared within one run: each round runs `rapport check
--no-history < MESSAGE` once per tree, in turn (the same message `bench/run.py` times, the chat
draft closest to 400 characters).  Each tree is put first on PYTHONPATH, with its bytecode
cached as an installed package has it, and gets its own cache folder (RAPPORT_CACHE_DIR),
warmed by one discarded run.  Wall and CPU time (user + system, from wait4) are both reported:
CPU time moves less with the machine's load.  `--cold` adds a row per tree whose cache folder is emptied before
every run (the first check after installing or upgrading).  The median ratio is what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus as corpus_mod
from bench.run import FULL, MAIN_VENV, ROOT, BenchError, pick_cli_message

#: (wall ms, CPU ms) of one run
Sample = tuple[float, float]

__all__ = ["main"]


def _entry_point(tree: Path) -> str:
    """The module of the tree's own `rapport` script (`[project.scripts]` in its pyproject):
    older checkouts import `adapters.…`, newer ones `rapport.adapters.…`."""
    import tomllib

    try:
        scripts = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))
        target = str(scripts["project"]["scripts"]["rapport"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "rapport.adapters.terminal.cli"
    return target.split(":")[0]


def _command(rapport: Path, tree: Path, cache: Path) -> list[str]:
    """`rapport check --no-history`, with `tree` first on the import path and its own cache.

    Runs what the installed `rapport` script runs (the same two lines), but with the tree's own
    entry point, so a checkout from before a package rename is timed as it was installed."""
    launcher = (
        "import re, sys\n"
        f"from {_entry_point(tree)} import main\n"
        "sys.argv[0] = 'rapport'\n"
        "sys.exit(main())"
    )
    python = rapport.parent / "python" if (rapport.parent / "python").exists() else sys.executable
    return [
        "/usr/bin/env",
        "-u",
        "PYTHONDONTWRITEBYTECODE",
        f"PYTHONPATH={tree}",
        f"RAPPORT_CACHE_DIR={cache}",
        str(python),
        "-P",  # like the script, never the working folder first on the path (3.11+)
        "-c",
        launcher,
        "check",
        "--no-history",
    ]


def run_once(argv: list[str], stdin_path: Path, timeout: float) -> Sample:
    """Run `argv` once; wall time and the CPU time (user + system) of exactly that child.

    CPU time moves far less than wall time when other work shares the machine."""
    with open(stdin_path, "rb") as stdin:
        start = time.perf_counter_ns()
        proc = subprocess.Popen(
            argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall_ms = (time.perf_counter_ns() - start) / 1e6
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if proc.returncode not in (0, 1) or "Traceback (most recent call last)" in stderr:
            raise BenchError(f"`{' '.join(argv)}` exited {proc.returncode}:\n{stderr[-1500:]}")
    return wall_ms, (usage.ru_utime + usage.ru_stime) * 1000


def measure(
    trees: dict[str, Path], rapport: Path, rounds: int, cold: bool, timeout: float
) -> dict[str, list[Sample]]:
    """(wall, CPU) ms per run, per row ("<tree>" warm, "<tree> cold"), rounds interleaved."""
    work = Path(tempfile.mkdtemp(prefix="rapport-startup-"))
    try:
        message = work / "message.txt"
        chat = corpus_mod.chat_messages(FULL["n"], corpus_mod.SEED)
        message.write_text(pick_cli_message(chat), encoding="utf-8")
        rows: dict[str, tuple[list[str], Path | None]] = {}
        for name, tree in trees.items():
            rows[name] = (_command(rapport, tree, work / f"cache-{name}"), None)
            if cold:
                rows[f"{name} cold"] = (_command(rapport, tree, work / f"cold-{name}"), None)
        for argv, _ in rows.values():  # bytecode written, warm caches filled
            run_once(argv, message, timeout)
        times: dict[str, list[Sample]] = {name: [] for name in rows}
        for _ in range(rounds):
            for name, (argv, _) in rows.items():
                if name.endswith(" cold"):
                    shutil.rmtree(work / f"cold-{name.removesuffix(' cold')}", ignore_errors=True)
                times[name].append(run_once(argv, message, timeout))
        return times
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--baseline", type=Path, help="another rapport checkout to compare with")
    p.add_argument("--rounds", type=int, default=21)
    p.add_argument("--cold", action="store_true", help="also time runs with an empty cache")
    p.add_argument(
        "--rapport-cli",
        type=Path,
        default=MAIN_VENV / "bin" / "rapport",
        help="the installed `rapport` script (default: the .venv's, else next to this python)",
    )
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--json", type=Path, help="write every wall time here")
    args = p.parse_args(argv)
    rapport = args.rapport_cli
    if not rapport.exists():
        rapport = Path(sys.executable).parent / "rapport"
    trees = {"this tree": ROOT}
    if args.baseline is not None:
        trees["baseline"] = args.baseline.resolve()
    times = measure(trees, rapport, args.rounds, args.cold, args.timeout)
    wall = {name: statistics.median(s[0] for s in got) for name, got in times.items()}
    cpu = {name: statistics.median(s[1] for s in got) for name, got in times.items()}
    print(f"`rapport check --no-history`, {args.rounds} interleaved rounds (ms)")
    print(f"{'':<18}{'wall median':>12}{'min':>8}{'max':>8}{'CPU median':>12}")
    for name, got in times.items():
        walls = [s[0] for s in got]
        print(
            f"{name:<18}{wall[name]:>12.1f}{min(walls):>8.1f}{max(walls):>8.1f}{cpu[name]:>12.1f}"
        )
    if "baseline" in wall:
        for suffix in ("", " cold"):
            if f"baseline{suffix}" in wall:
                this, base = f"this tree{suffix}", f"baseline{suffix}"
                print(
                    f"this tree / baseline{suffix}: wall {wall[this] / wall[base]:.3f}×, "
                    f"CPU {cpu[this] / cpu[base]:.3f}× (medians)"
                )
    if args.json is not None:
        doc = {"rounds": args.rounds, "wall_ms": {n: [s[0] for s in g] for n, g in times.items()},
               "cpu_ms": {n: [s[1] for s in g] for n, g in times.items()}}  # fmt: skip
        args.json.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
