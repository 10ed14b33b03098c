"""The CLI's memory on endless and very large input: peak RSS and wall time per case.

Runs the real `rapport` CLI (`python -m rapport.adapters.terminal.cli`) as a subprocess on /dev/zero, `yes`, a 50 MB
text file, a --jsonl file holding a 50 MB line and deeply nested lines, and for scale a short
draft and the longest draft rapport reads (checked with history), and prints each
case's exit code, peak RSS (from `os.wait4`, the child's own `ru_maxrss`) and wall time, with
PASS/FAIL against the target: under 100 MB, and finished within the time bound (except the one
case whose input never ends, which must stay under the target until it is stopped).  Every
case is bounded: it is killed after `--timeout` seconds, and the files it reads are written to a
temporary folder (about 100 MB) and deleted afterwards.  Exit status 1 when any case fails.

    python -m bench.cli_memory                  # every case, 20 s bound each
    python -m bench.cli_memory --size-mb 10 --timeout 10
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 100.0


@dataclass(frozen=True)
class Case:
    """One run of the CLI: its arguments, where stdin comes from, and whether it should end."""

    name: str
    args: tuple[str, ...]
    stdin: str | None = None  # a file path, "yes" for the `yes` command, or None
    endless: bool = False  # the input never ends: the case is stopped at the time bound


@dataclass(frozen=True)
class Result:
    case: Case
    exit: str
    peak_mb: float
    seconds: float

    @property
    def passed(self) -> bool:
        """Under the target, and ended by itself unless its input is endless."""
        ended = self.exit != "killed" or self.case.endless
        return self.peak_mb < TARGET_MB and ended


def _files(folder: Path, size_mb: int) -> dict[str, Path]:
    """A large text draft and a --jsonl file with one huge line and one deeply nested line,
    written in 1 MB pieces."""
    big = folder / "big.txt"
    piece = b"Could you endorse me for Python? I need it by Friday. " * 19_000  # ~1 MB
    with big.open("wb") as out:
        for _ in range(size_mb):
            out.write(piece)
    at_cap = folder / "at-cap.txt"  # the longest draft rapport reads: 100,000 characters
    at_cap.write_bytes((piece * 2)[:100_000])
    jsonl = folder / "big.jsonl"
    with jsonl.open("wb") as out:
        out.write(b'{"id": "first", "text": "Thanks again for lunch, Sam!"}\n')
        out.write(b'{"id": "huge", "text": "')
        for _ in range(size_mb):
            out.write(piece)
        out.write(b'"}\n')
        out.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")
        out.write(b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"\n")
        out.write(b'{"id": "last", "text": "Could you write me a recommendation?"}\n')
    return {"big.txt": big, "big.jsonl": jsonl, "at-cap.txt": at_cap}


def cases(files: dict[str, Path], size_mb: int) -> list[Case]:
    """Every case, endless ones and the large files."""
    big, jsonl = str(files["big.txt"]), str(files["big.jsonl"])
    mb = f"{size_mb} MB"
    return [
        Case("check 'a short draft' (for scale)", ("check", "--no-history", "Thanks, Sam!")),
        Case("check -f at-cap.txt (100,000 characters: read)", ("check", "-f", str(files["at-cap.txt"]))),
        Case("check - < /dev/zero", ("check", "-"), stdin="/dev/zero"),
        Case("check -f /dev/zero", ("check", "-f", "/dev/zero")),
        Case("yes | check", ("check",), stdin="yes"),
        Case("yes | rewrite", ("rewrite",), stdin="yes"),
        Case(f"check -f big.txt ({mb})", ("check", "-f", big)),
        Case(f"check < big.txt ({mb})", ("check",), stdin=big),
        Case(f"check --jsonl big.jsonl ({mb} line) --no-history", ("check", "--jsonl", jsonl, "--no-history")),
        Case(f"check --jsonl big.jsonl ({mb} line)", ("check", "--jsonl", jsonl)),
        Case("check --jsonl - < /dev/zero (one endless line)", ("check", "--jsonl", "-"),
             stdin="/dev/zero", endless=True),
    ]  # fmt: skip


def _stdin(case: Case) -> tuple[IO[bytes] | int, Callable[[], None]]:
    """The case's stdin, and what to do once the CLI has ended."""
    if case.stdin is None:
        return subprocess.DEVNULL, lambda: None
    if case.stdin == "yes":
        yes = subprocess.Popen(["yes"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert yes.stdout is not None

        def stop() -> None:
            yes.kill()
            yes.wait(timeout=10)

        return yes.stdout, stop
    handle = open(case.stdin, "rb")  # noqa: SIM115 - closed by the returned callback
    return handle, handle.close


def run(case: Case, command: list[str], env: dict[str, str], timeout: float) -> Result:
    """Run one case, killed at `timeout`; peak RSS is the child's own, from wait4."""
    stdin, done = _stdin(case)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*command, *case.args],
        stdin=stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    if hasattr(stdin, "close") and case.stdin == "yes":
        stdin.close()  # only the CLI holds the pipe now
    killed = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout:
            proc.send_signal(signal.SIGKILL)
            killed = True
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen quiet
    done()
    exit_code = "killed" if killed else str(proc.returncode)
    return Result(case, exit_code, usage.ru_maxrss / 1024, seconds)  # ru_maxrss is in KiB


def table(results: list[Result], timeout: float) -> str:
    """The results as a Markdown table."""
    lines = [
        f"| case | exit | peak RSS | wall | < {TARGET_MB:.0f} MB |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        wall = f"{r.seconds:.2f} s" + (f" (stopped at {timeout:g} s)" if r.exit == "killed" else "")
        verdict = "PASS" if r.passed else "FAIL"
        name = r.case.name.replace("|", "\\|")
        lines.append(f"| {name} | {r.exit} | {r.peak_mb:.1f} MB | {wall} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write the input files, run every case, print the table; 1 when any case fails."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=50, help="size of the large inputs")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per case at most")
    parser.add_argument("--python", default=sys.executable, help="the interpreter for the CLI")
    args = parser.parse_args(argv)
    if not 1 <= args.size_mb <= 500:
        parser.error("--size-mb must be between 1 and 500")
    command = [args.python, "-m", "rapport.adapters.terminal.cli"]
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="rapport-cli-memory-") as tmp:
        folder = Path(tmp)
        env: dict[str, Any] = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "RAPPORT_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "NO_COLOR": "1",
        }
        files = _files(folder, args.size_mb)
        for case in cases(files, args.size_mb):
            result = run(case, command, env, args.timeout)
            results.append(result)
            print(f"{case.name}: exit {result.exit}, {result.peak_mb:.1f} MB, "
                  f"{result.seconds:.2f} s", file=sys.stderr, flush=True)  # fmt: skip
    print(table(results, args.timeout))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
