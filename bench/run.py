"""rapport benchmark: engine throughput/latency vs proselint and a naive regex floor, plus CLI.

    /work/main/.venv/bin/python bench/run.py              # full run (see bench/README.md)
    /work/main/.venv/bin/python bench/run.py --quick      # smaller corpus, fewer CLI repeats

Exit status: 0 when everything that could be measured was measured (missed targets
included: they print FAIL, machines are noisy); 1 on real errors (a tool crashed, a
comparison tool is missing, a CLI returned an unexpected status).  rapport itself being
absent (bot.engine.engine not importable yet, CLI not installed) is reported and is not an error.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import corpus as corpus_mod

ROOT = Path(__file__).resolve().parent.parent
MAIN_VENV = ROOT / ".venv"
BENCH_VENV = ROOT / ".bench-venv"
TOOLS = ("rapport", "proselint", "floor")
EXIT_UNAVAILABLE = 3  # bench.measure's "tool cannot be imported here"

# Targets from the issue.
TARGET_RATIO_VS_PROSELINT = 10.0
TARGET_P99_CHAT_MS = 2.0
TARGET_P99_LONG_MS = 10.0
TARGET_CLI_RSS_MB = 80.0
RSS_RUNS = 3  # extra runs per CLI under GNU time for the peak-RSS figure

FULL = {"n": 2000, "long_n": 200, "warmup": 200, "cli_repeats": 15}
QUICK = {"n": 300, "long_n": 30, "warmup": 50, "cli_repeats": 5}
CORPORA = {"chat": "chat-length (60–800 chars)", "long": "long (4,000 chars)"}


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Stats:
    """Summary of one tool on one corpus."""

    messages: int
    msgs_per_s: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    findings: int


@dataclass(slots=True)
class ToolRun:
    """Outcome of one measurement worker."""

    tool: str
    status: str  # "ok" | "unavailable" | "error"
    detail: str = ""
    version: str = ""
    api: str = ""
    setup_ms: float = 0.0
    stats: dict[str, Stats] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CliRun:
    """Repeated wall-clock timings and peak RSS of one command line."""

    name: str
    argv: list[str]
    wall_ms: list[float]
    max_rss_mb: float
    rss_method: str
    exit_codes: list[int]

    @property
    def median_ms(self) -> float:
        """Median wall time."""
        return statistics.median(self.wall_ms)

    @property
    def min_ms(self) -> float:
        """Fastest wall time."""
        return min(self.wall_ms)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One target: PASS, FAIL or SKIP (could not be measured), with the numbers."""

    target: str
    status: str
    detail: str


class BenchError(Exception):
    """A real error: the run cannot trust or produce a number."""


# --------------------------------------------------------------------------- statistics


def percentile(sorted_values: Sequence[int], q: float) -> int:
    """Nearest-rank percentile (q in 0..100) of an ascending sequence."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, -(-len(sorted_values) * q // 100))  # ceil(n*q/100), at least 1
    return sorted_values[int(rank) - 1]


def summarize(result: Mapping[str, Any]) -> Stats:
    """Stats from a worker's per-message latencies; throughput = messages / loop wall time."""
    latencies = sorted(int(x) for x in result["latencies_ns"])
    wall_ns = int(result["wall_ns"])
    n = len(latencies)
    if n == 0:
        raise BenchError("worker returned no latencies")
    return Stats(
        messages=n,
        msgs_per_s=n / (wall_ns / 1e9) if wall_ns else 0.0,
        p50_ms=percentile(latencies, 50) / 1e6,
        p99_ms=percentile(latencies, 99) / 1e6,
        mean_ms=sum(latencies) / n / 1e6,
        max_ms=latencies[-1] / 1e6,
        findings=int(result["findings"]),
    )


# --------------------------------------------------------------------------- in-process


def build_corpus(n: int, long_n: int, warmup: int, seed: int) -> dict[str, list[str]]:
    """The measured corpora plus a warm-up set from another seed."""
    return {
        "warmup": corpus_mod.warmup_messages(warmup, seed),
        "chat": corpus_mod.chat_messages(n, seed),
        "long": corpus_mod.long_messages(long_n, seed),
    }


def run_worker(
    tool: str, python: Path, corpus_path: Path, out_dir: Path, timeout: float
) -> ToolRun:
    """Measure one tool in a fresh `python -m bench.measure` process and summarise it."""
    out_path = out_dir / f"worker-{tool}.json"
    out_path.unlink(missing_ok=True)
    argv = [
        str(python),
        "-m",
        "bench.measure",
        "--tool",
        tool,
        "--corpus",
        str(corpus_path),
        "--out",
        str(out_path),
    ]
    try:
        proc = subprocess.run(
            argv, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return ToolRun(tool, "error", f"worker timed out after {timeout:.0f} s")
    if proc.returncode == EXIT_UNAVAILABLE:
        return ToolRun(tool, "unavailable", proc.stderr.strip())
    if proc.returncode != 0 or not out_path.exists():
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        return ToolRun(tool, "error", f"worker exited {proc.returncode}:\n{tail}")
    try:
        data = json.loads(out_path.read_text(encoding="utf-8"))
        stats = {name: summarize(res) for name, res in data["results"].items()}
    except (ValueError, KeyError, TypeError, BenchError) as err:
        return ToolRun(tool, "error", f"unreadable worker output {out_path}: {err}")
    return ToolRun(
        tool=tool,
        status="ok",
        version=str(data["version"]),
        api=str(data["api"]),
        setup_ms=data["setup_ns"] / 1e6,
        stats=stats,
    )


def pick_python(preferred: Path) -> Path:
    """`preferred` if it exists, else the interpreter running this script."""
    return preferred if preferred.exists() else Path(sys.executable)


# --------------------------------------------------------------------------- CLI


#: Each CLI runs as installed, its bytecode cached: pip compiled proselint's at install time and
#: the warm-up run writes rapport's, unless PYTHONDONTWRITEBYTECODE (set in some dev shells)
#: makes rapport recompile its modules on every run.
_CLI_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_timed(argv: list[str], stdin_path: Path | None, timeout: float) -> tuple[float, float, int]:
    """Run `argv` once; (wall ms, ru_maxrss of that child in MB, exit code).

    Exit codes 0 and 1 are both results (1 = findings); anything else, or a Python
    traceback on stderr (a crash also exits 1), raises BenchError.

    os.wait4 gives the rusage of exactly this child (RUSAGE_CHILDREN would be the max
    over every child reaped so far).  Linux carries the forking process's RSS into the
    child's ru_maxrss, so this RSS is only an upper bound; `gnu_time_rss` is exact.
    A timer kills a child that runs past `timeout`, so this always ends.
    """
    with tempfile.TemporaryFile() as err, open(stdin_path or os.devnull, "rb") as stdin:
        start = time.perf_counter_ns()
        proc = subprocess.Popen(
            argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=err, env=_CLI_ENV
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall_ms = (time.perf_counter_ns() - start) / 1e6
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped: tell Popen
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode not in (0, 1) or "Traceback (most recent call last)" in stderr:
            tail = stderr.strip()[-1500:]
            raise BenchError(f"`{' '.join(argv)}` exited {proc.returncode}:\n{tail}")
    return wall_ms, maxrss_mb(usage.ru_maxrss), proc.returncode


def maxrss_mb(ru_maxrss: int) -> float:
    """ru_maxrss (KiB on Linux, bytes on macOS) in MB (10**6 bytes)."""
    return ru_maxrss * (1 if sys.platform == "darwin" else 1024) / 1e6


def find_gnu_time(candidate: Path) -> Path | None:
    """`candidate` if it is GNU time (supports -v and reports maximum RSS), else None."""
    if not candidate.exists():
        return None
    try:
        proc = subprocess.run(
            [str(candidate), "-v", "true"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return candidate if "Maximum resident set size" in proc.stderr else None


def gnu_time_rss(time_exe: Path, argv: list[str], stdin_path: Path | None, timeout: float) -> float:
    """Peak RSS in MB of one run of `argv` as measured by `time -v` (a ~2 MB parent)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "time.txt"
        run_timed([str(time_exe), "-v", "-o", str(report), *argv], stdin_path, timeout)
        found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
    if not found:
        raise BenchError(f"could not read peak RSS from {time_exe} -v")
    return int(found.group(1)) * 1024 / 1e6


def proselint_cli(exe: Path, message_file: Path) -> list[str]:
    """`proselint check FILE` (0.16+), or `proselint FILE` for versions without subcommands."""
    proc = subprocess.run(
        [str(exe), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    has_check = re.search(r"^\s+check\s", proc.stdout, re.MULTILINE) is not None
    return [str(exe), "check", str(message_file)] if has_check else [str(exe), str(message_file)]


def pick_cli_message(messages: Sequence[str], length: int = 400) -> str:
    """The chat message whose length is closest to `length` (first one on ties)."""
    return min(messages, key=lambda m: abs(len(m) - length))


def bench_cli(
    commands: dict[str, tuple[list[str], Path | None]],
    repeats: int,
    time_exe: Path | None,
    timeout: float,
) -> dict[str, CliRun]:
    """Wall time: one discarded warm-up each, then `repeats` interleaved rounds.

    Peak RSS: the max of RSS_RUNS extra runs under GNU `time -v` when available, else
    the wait4 upper bound from the timed runs.
    """
    samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name in commands}
    for argv, stdin_path in commands.values():
        run_timed(argv, stdin_path, timeout)
    for _ in range(repeats):
        for name, (argv, stdin_path) in commands.items():
            samples[name].append(run_timed(argv, stdin_path, timeout))
    runs: dict[str, CliRun] = {}
    for name, got in samples.items():
        argv, stdin_path = commands[name]
        if time_exe is not None:
            rss = max(gnu_time_rss(time_exe, argv, stdin_path, timeout) for _ in range(RSS_RUNS))
            method = f"{time_exe} -v, max of {RSS_RUNS} runs"
        else:
            rss = max(s[1] for s in got)
            method = (
                f"wait4 ru_maxrss, upper bound (the harness's own "
                f"{maxrss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss):.0f} MB "
                "can show through)"
            )
        runs[name] = CliRun(
            name=name,
            argv=argv + (["<", str(stdin_path)] if stdin_path else []),
            wall_ms=[s[0] for s in got],
            max_rss_mb=rss,
            rss_method=method,
            exit_codes=sorted({s[2] for s in got}),
        )
    return runs


# --------------------------------------------------------------------------- verdicts


def ratio(a: float, b: float) -> float | None:
    """a / b, or None when b is zero."""
    return a / b if b else None


def judge(runs: dict[str, ToolRun], cli: dict[str, CliRun]) -> list[Verdict]:
    """PASS/FAIL/SKIP for each target in the issue."""
    measured = {t: r.stats for t, r in runs.items() if r.status == "ok"}
    rapport, proselint = measured.get("rapport", {}), measured.get("proselint", {})
    out: list[Verdict] = []
    for corpus, limit in (("chat", TARGET_P99_CHAT_MS), ("long", TARGET_P99_LONG_MS)):
        name = f"throughput {corpus} ≥ {TARGET_RATIO_VS_PROSELINT:g}× proselint"
        if corpus in rapport and corpus in proselint:
            r = ratio(rapport[corpus].msgs_per_s, proselint[corpus].msgs_per_s)
            ok = r is not None and r >= TARGET_RATIO_VS_PROSELINT
            out.append(Verdict(name, "PASS" if ok else "FAIL", f"{r or 0:.1f}×"))
        else:
            missing = [
                t for t, s in (("rapport", rapport), ("proselint", proselint)) if corpus not in s
            ]
            out.append(Verdict(name, "SKIP", f"{' and '.join(missing)} not measured"))
        name = f"p99 {corpus} < {limit:g} ms"
        if corpus in rapport:
            p99 = rapport[corpus].p99_ms
            out.append(Verdict(name, "PASS" if p99 < limit else "FAIL", f"{p99:.3f} ms"))
        else:
            out.append(Verdict(name, "SKIP", "rapport not measured"))
    r_cli, p_cli = cli.get("rapport"), cli.get("proselint")
    name = "CLI median faster than `proselint check`"
    if r_cli and p_cli:
        ok = r_cli.median_ms < p_cli.median_ms
        detail = f"{r_cli.median_ms:.1f} ms vs {p_cli.median_ms:.1f} ms"
        out.append(Verdict(name, "PASS" if ok else "FAIL", detail))
    else:
        out.append(Verdict(name, "SKIP", "CLI not measured"))
    name = f"CLI peak RSS < {TARGET_CLI_RSS_MB:g} MB"
    if r_cli:
        ok = r_cli.max_rss_mb < TARGET_CLI_RSS_MB
        out.append(Verdict(name, "PASS" if ok else "FAIL", f"{r_cli.max_rss_mb:.1f} MB"))
    else:
        out.append(Verdict(name, "SKIP", "rapport CLI not measured"))
    return out


# --------------------------------------------------------------------------- printing


def print_header(corpora: dict[str, list[str]], args: argparse.Namespace) -> None:
    """Machine and corpus facts, so a pasted run explains itself."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"rapport bench — {os.cpu_count()} CPUs, load average {load}, seed {args.seed}")
    for name, msgs in corpora.items():
        print(f"  {name:6} {corpus_mod.describe(msgs)}; digest {corpus_mod.digest(msgs)}")


def print_tools(runs: dict[str, ToolRun]) -> None:
    """One line per tool: version, API used, setup time or why it was not measured."""
    print("\nTools (each timed in its own fresh process, same corpus, same loop):")
    for run in runs.values():
        if run.status == "ok":
            print(
                f"  {run.tool:9} {run.version}  via {run.api}  (import+setup {run.setup_ms:.0f} ms)"
            )
        else:
            label = "NOT MEASURED" if run.status == "unavailable" else "ERROR"
            print(f"  {run.tool:9} {label}: {run.detail}")


def print_corpus_table(corpus: str, runs: dict[str, ToolRun]) -> None:
    """Throughput and latency of every measured tool on one corpus, then the ratios."""
    rows = {t: r.stats[corpus] for t, r in runs.items() if r.status == "ok" and corpus in r.stats}
    if not rows:
        return
    n = next(iter(rows.values())).messages
    print(f"\n== {CORPORA.get(corpus, corpus)}: {n} messages")
    print(
        f"  {'tool':9} {'msgs/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'mean ms':>9} "
        f"{'max ms':>9} {'findings':>9}"
    )
    for tool, s in rows.items():
        print(
            f"  {tool:9} {s.msgs_per_s:10,.0f} {s.p50_ms:9.3f} {s.p99_ms:9.3f} "
            f"{s.mean_ms:9.3f} {s.max_ms:9.3f} {s.findings:9,}"
        )
    pairs = (("rapport", "proselint"), ("rapport", "floor"), ("floor", "proselint"))
    parts = [
        f"{a}/{b} {rows[a].msgs_per_s / rows[b].msgs_per_s:.2f}×"
        for a, b in pairs
        if a in rows and b in rows and rows[b].msgs_per_s
    ]
    if parts:
        print("  throughput ratios: " + "; ".join(parts))


def print_cli(cli: dict[str, CliRun], message: str) -> None:
    """Wall time and peak RSS per CLI."""
    if not cli:
        return
    repeats = len(next(iter(cli.values())).wall_ms)
    print(
        f"\n== CLI on one {len(message)}-char message ({repeats} runs each, interleaved, "
        "after one warm-up)"
    )
    print(f"  {'command':10} {'median ms':>10} {'min ms':>9} {'peak RSS MB':>12}  exit  argv")
    for run in cli.values():
        print(
            f"  {run.name:10} {run.median_ms:10.1f} {run.min_ms:9.1f} {run.max_rss_mb:12.1f}"
            f"  {','.join(map(str, run.exit_codes)):4}  {' '.join(run.argv)}"
        )
    print(f"  peak RSS via {next(iter(cli.values())).rss_method}")
    if "rapport" in cli and "proselint" in cli:
        r = cli["proselint"].median_ms / cli["rapport"].median_ms
        print(f"  rapport CLI is {r:.2f}× the speed of proselint's (median wall time)")


def print_verdicts(verdicts: list[Verdict]) -> None:
    """The PASS/FAIL/SKIP block."""
    print("\n== Targets")
    for v in verdicts:
        print(f"  {v.status:4}  {v.target:40} {v.detail}")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options; size options left unset take the --quick or full defaults."""
    p = argparse.ArgumentParser(description="Benchmark rapport against proselint and a floor.")
    p.add_argument("--n", type=int, help=f"chat-length messages (default {FULL['n']})")
    p.add_argument("--long-n", type=int, help=f"4,000-char messages (default {FULL['long_n']})")
    p.add_argument("--warmup", type=int, help=f"warm-up messages (default {FULL['warmup']})")
    p.add_argument(
        "--cli-repeats", type=int, help=f"timed runs per CLI (default {FULL['cli_repeats']})"
    )
    p.add_argument("--quick", action="store_true", help=f"smaller defaults: {QUICK}")
    p.add_argument("--seed", type=int, default=corpus_mod.SEED)
    p.add_argument("--tools", default=",".join(TOOLS), help="comma-separated subset of tools")
    p.add_argument("--no-cli", action="store_true", help="skip the CLI wall-time/RSS part")
    p.add_argument("--no-rewrite", action="store_true", help="skip the rewrite-overhead part")
    p.add_argument(
        "--no-adversarial",
        action="store_true",
        help="skip the linear-time part (adversarial drafts)",
    )
    p.add_argument(
        "--python",
        type=Path,
        default=MAIN_VENV / "bin" / "python",
        help="interpreter for rapport and the floor (default: the main .venv)",
    )
    p.add_argument(
        "--bench-python",
        type=Path,
        default=BENCH_VENV / "bin" / "python",
        help="interpreter with proselint (default: .bench-venv)",
    )
    p.add_argument("--rapport-cli", type=Path, default=MAIN_VENV / "bin" / "rapport")
    p.add_argument("--proselint-cli", type=Path, default=BENCH_VENV / "bin" / "proselint")
    p.add_argument(
        "--time",
        type=Path,
        default=Path("/usr/bin/time"),
        help="GNU time, used for the CLI's peak RSS",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=ROOT / "bench" / "out",
        help="corpus, worker output and results.json go here",
    )
    p.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds before a worker or CLI run is killed"
    )
    args = p.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    unknown = sorted(set(args.tools) - set(TOOLS))
    if unknown:
        p.error(f"unknown tools {unknown}; choose from {list(TOOLS)}")
    if min(args.n, args.long_n, args.cli_repeats) < 1 or args.warmup < 0:
        p.error("--n, --long-n and --cli-repeats must be >= 1, --warmup >= 0")
    return args


def measure_tools(args: argparse.Namespace, corpus_path: Path) -> dict[str, ToolRun]:
    """Run every selected tool's worker in turn, printing progress to stderr."""
    pythons = {"rapport": args.python, "floor": args.python, "proselint": args.bench_python}
    runs: dict[str, ToolRun] = {}
    for tool in args.tools:
        python = pick_python(pythons[tool])
        print(f"… measuring {tool} with {python}", file=sys.stderr, flush=True)
        runs[tool] = run_worker(tool, python, corpus_path, args.out, args.timeout)
    return runs


def measure_cli(args: argparse.Namespace, message: str) -> tuple[dict[str, CliRun], list[str]]:
    """Time `rapport check < FILE` and `proselint check FILE`; notes on what was skipped."""
    notes: list[str] = []
    message_file = args.out / "cli_message.txt"
    message_file.write_text(message, encoding="utf-8")
    commands: dict[str, tuple[list[str], Path | None]] = {}
    if "rapport" in args.tools:
        if args.rapport_cli.exists():
            # like for like with proselint (no history), and the default, which also reads the
            # ledger and keeps the check's scores and fingerprint in a (throwaway) database
            os.environ["RAPPORT_DATABASE_URL"] = (
                f"sqlite:///{args.out.resolve() / 'cli-history.db'}"
            )
            commands["rapport"] = ([str(args.rapport_cli), "check", "--no-history"], message_file)
            commands["rapport+db"] = ([str(args.rapport_cli), "check"], message_file)
        else:
            notes.append(
                f"rapport CLI not found at {args.rapport_cli} "
                "(pip install -e /work/main into the main .venv)"
            )
    if "proselint" in args.tools:
        if args.proselint_cli.exists():
            commands["proselint"] = (proselint_cli(args.proselint_cli, message_file), None)
        else:
            raise BenchError(f"proselint CLI not found at {args.proselint_cli}; run bench/setup.sh")
    if not commands:
        return {}, notes
    print("… timing CLIs", file=sys.stderr, flush=True)
    time_exe = find_gnu_time(args.time)
    if time_exe is None:
        notes.append(
            f"GNU time not found at {args.time} (apt-get install time): peak RSS "
            "falls back to wait4's ru_maxrss, an upper bound"
        )
    return bench_cli(commands, args.cli_repeats, time_exe, args.timeout), notes


def measure_rewrite(args: argparse.Namespace, corpus_path: Path, errors: list[str]) -> Verdict:
    """Rewrite overhead per chat draft, in a fresh rapport process (`bench/rewrite.py`)."""
    from bench.rewrite import TARGET_P99_OVERHEAD_MS

    name = f"rewrite adds < {TARGET_P99_OVERHEAD_MS:g} ms p99 (chat drafts rewritten)"
    out_path = args.out / "rewrite.json"
    argv = [str(pick_python(args.python)), "-m", "bench.rewrite", "--corpus", str(corpus_path),
            "--json", str(out_path)]  # fmt: skip
    print("… measuring rewrite overhead", file=sys.stderr, flush=True)
    try:
        proc = subprocess.run(
            argv, cwd=ROOT, capture_output=True, text=True, timeout=args.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        errors.append("rewrite: timed out")
        return Verdict(name, "SKIP", "timed out")
    if proc.returncode != 0 or not out_path.exists():
        errors.append(f"rewrite: {headline(proc.stderr or 'no output')}")
        return Verdict(name, "SKIP", "rewrite worker failed")
    print(proc.stdout.rstrip())
    p99 = json.loads(out_path.read_text(encoding="utf-8"))["rewrite_overhead_when_rewritten"][
        "p99_ms"
    ]
    return Verdict(name, "PASS" if p99 < TARGET_P99_OVERHEAD_MS else "FAIL", f"{p99:.2f} ms")


def measure_adversarial(args: argparse.Namespace, errors: list[str]) -> list[Verdict]:
    """Per-character time at 40k vs 1k on hostile drafts, in a fresh process
    (`bench/adversarial.py`); one verdict for the worst ratio of all shapes."""
    from bench.adversarial import TARGET_RATIO, verdicts

    name = f"hostile drafts: µs/char at 40k ≤ {TARGET_RATIO:g}× at 1k (check and rewrite)"
    out_path = args.out / "adversarial.json"
    argv = [str(pick_python(args.python)), "-m", "bench.adversarial", "--json", str(out_path)]
    if args.quick:
        argv += ["--repeats", "1"]
    print("… measuring linear time on adversarial drafts", file=sys.stderr, flush=True)
    try:
        proc = subprocess.run(
            argv, cwd=ROOT, capture_output=True, text=True, timeout=args.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        errors.append("adversarial: timed out")
        return [Verdict(name, "SKIP", "timed out")]
    if proc.returncode != 0 or not out_path.exists():
        errors.append(f"adversarial: {headline(proc.stderr or 'no output')}")
        return [Verdict(name, "SKIP", "adversarial worker failed")]
    print(proc.stdout.rstrip())
    results = verdicts(json.loads(out_path.read_text(encoding="utf-8")))
    worst = max(results, key=lambda r: r[2])
    status = "PASS" if all(passed for _, passed, _ in results) else "FAIL"
    return [Verdict(name, status, f"worst {worst[0]} {worst[2]:.2f}")]


def write_results(
    path: Path,
    runs: dict[str, ToolRun],
    cli: dict[str, CliRun],
    verdicts: list[Verdict],
    args: argparse.Namespace,
) -> None:
    """Everything printed, as JSON, for comparing runs later."""
    doc = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "tools": {t: asdict(r) for t, r in runs.items()},
        "cli": {
            n: asdict(c) | {"median_ms": c.median_ms, "min_ms": c.min_ms} for n, c in cli.items()
        },
        "targets": [asdict(v) for v in verdicts],
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")


def headline(text: str) -> str:
    """First and last line of a multi-line error, for the closing summary."""
    lines = [line for line in text.strip().splitlines() if line.strip()] or ["?"]
    return lines[0] if len(lines) == 1 else f"{lines[0]} … {lines[-1].strip()}"


def main(argv: list[str] | None = None) -> int:
    """Run the whole benchmark; see the module docstring for the exit status."""
    args = parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):  # keep stdout and stderr progress in order
        sys.stdout.reconfigure(line_buffering=True)
    args.out.mkdir(parents=True, exist_ok=True)
    corpora = build_corpus(args.n, args.long_n, args.warmup, args.seed)
    corpus_path = args.out / "corpus.json"
    corpus_path.write_text(json.dumps(corpora, ensure_ascii=False), encoding="utf-8")
    print_header(corpora, args)

    errors: list[str] = []
    runs = measure_tools(args, corpus_path)
    print_tools(runs)
    for corpus in CORPORA:
        print_corpus_table(corpus, runs)
    for run in runs.values():
        if run.status == "error" or (run.status == "unavailable" and run.tool != "rapport"):
            errors.append(f"{run.tool}: {headline(run.detail)}")

    cli: dict[str, CliRun] = {}
    message = pick_cli_message(corpora["chat"])
    if not args.no_cli:
        try:
            cli, notes = measure_cli(args, message)
            for note in notes:
                print(f"\nCLI: {note}")
        except (BenchError, OSError, subprocess.SubprocessError) as err:
            errors.append(f"CLI: {headline(str(err))}")
            print(f"\nCLI ERROR: {err}")
    print_cli(cli, message)

    verdicts = judge(runs, cli)
    if not args.no_rewrite and runs.get("rapport") and runs["rapport"].status == "ok":
        verdicts.append(measure_rewrite(args, corpus_path, errors))
    if not args.no_adversarial and runs.get("rapport") and runs["rapport"].status == "ok":
        verdicts.extend(measure_adversarial(args, errors))
    print_verdicts(verdicts)
    rapport = runs.get("rapport")
    if rapport is not None and rapport.status == "unavailable":
        print(f"\nNOTE: rapport's engine was NOT measured: {rapport.detail}")
    results_path = args.out / "results.json"
    write_results(results_path, runs, cli, verdicts, args)
    print(f"\nresults: {results_path}")
    if errors:
        print("\nERRORS (exit 1):\n  " + "\n  ".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
