"""`rapport console` and the ledger commands as a user runs them: real processes, real pipes,
a real database file; one session is killed between two messages and picked up again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.adapters.terminal.test_cli import rapport


@pytest.fixture
def db_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["RAPPORT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.db'}"
    env["NO_COLOR"] = "1"
    return env


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


SCRIPT = "\n".join([
    "1", "Dana", "we shipped the Atlas migration together at Acme in 2022", "yes",
    "I recommended you for the PM role last week", "endorse me for product strategy",
    "done", "yes", "/ledger",
]) + "\n"  # fmt: skip


def test_a_scripted_console_session_end_to_end(db_env: dict[str, str]) -> None:
    proc = run(db_env, "console", stdin=SCRIPT)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "What would you like to do?" in out
    assert (
        "│ Hi Dana," in out and "│ Would you be willing to endorse me for product strategy?" in out
    )
    assert "Noted in your ledger." in out
    assert "Dana: we shipped the Atlas migration together at Acme in 2022" in out
    assert "Traceback" not in proc.stderr


def test_a_pasted_block_is_one_message(db_env: dict[str, str]) -> None:
    script = (
        '"""\nHi Sam,\n\nCould you refer me to Lena at Stripe? I\'m applying for the data role '
        'there.\n\nThanks,\nJo\n"""\n'
    )
    proc = run(db_env, "console", stdin=script)
    assert "work from your draft (referral request)" in proc.stdout
    assert "How do you know Sam first-hand?" in proc.stdout


def test_a_pasted_endorsement_knows_who_it_recommends_and_for_whom(
    db_env: dict[str, str],
) -> None:
    script = (
        '"""\nHi Wen,\n\nMaya Chen is great. Highly recommend her for the platform lead '
        'role!\n\nBest,\nJo\n"""\n'
    )
    proc = run(db_env, "console", stdin=script)
    assert proc.returncode == 0, proc.stderr
    assert "work from your draft (endorsement)" in proc.stdout
    assert "How do you know Maya Chen's work first-hand?" in proc.stdout
    assert "Who are you recommending?" not in proc.stdout  # the draft names her
    assert "Who is the recommendation for?" not in proc.stdout  # and greets Wen
    assert "Paste the message" not in proc.stdout


def test_killed_between_turns_and_resumed(db_env: dict[str, str]) -> None:
    first = subprocess.Popen(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", "console"], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=db_env,
    )  # fmt: skip
    assert first.stdin is not None and first.stdout is not None
    first.stdin.write("1\nDana\n")
    first.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 60
    while "How do you know Dana" not in seen and time.monotonic() < deadline:
        seen += first.stdout.readline()
    assert "How do you know Dana" in seen
    first.send_signal(signal.SIGKILL)  # no clean shutdown: the process just dies
    first.wait(timeout=30)
    second = run(db_env, "console", stdin="we worked together at Acme for two years\n")
    assert "where we left off" in second.stdout
    assert "Have you already endorsed or recommended Dana" in second.stdout


def test_ledger_commands_on_the_command_line(db_env: dict[str, str]) -> None:
    assert run(db_env, "know", "Dana Lee", "we", "worked", "together", "at", "Acme").returncode == 0
    assert "unprompted" in run(db_env, "received", "Sam", "--unsolicited").stdout
    assert "you endorsed Priya" in run(db_env, "gave", "Priya", "for", "design").stdout
    ledger = run(db_env, "ledger").stdout
    assert "Dana Lee: we worked together at Acme" in ledger
    assert "Waiting for you to return them" in ledger and "Sam" in ledger
    check = run(db_env, "check", "--json", "Hi Dana, could you endorse me for Python?")
    assert '"cold-ask"' not in check.stdout  # the ledger knows Dana
    refused = run(db_env, "forget")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert "records deleted" in run(db_env, "forget", "--yes").stdout
    assert "Your ledger is empty" in run(db_env, "ledger").stdout


def test_batch_reads_the_ledger_and_history_like_a_single_check(
    db_env: dict[str, str],
) -> None:
    draft = "Hi Dana, could you endorse me for Python on LinkedIn? It would help my job search."
    assert run(db_env, "know", "Dana Lee", "we", "shipped", "Atlas", "together").returncode == 0
    assert run(db_env, "gave", "Dana", "for", "SQL").returncode == 0
    single = json.loads(run(db_env, "check", "--json", "--to", "Dana Lee", draft).stdout)
    line = json.dumps({"id": 1, "text": draft, "to": "Dana Lee"}) + "\n"
    batch = json.loads(run(db_env, "check", "--jsonl", "-", stdin=line).stdout)
    assert [f["rule"] for f in batch["findings"]] == [f["rule"] for f in single["findings"]]
    assert not {"cold-ask", "ask-before-give"} & {f["rule"] for f in batch["findings"]}
    bare = json.loads(run(db_env, "check", "--jsonl", "-", "--no-history", stdin=line).stdout)
    assert "cold-ask" in {f["rule"] for f in bare["findings"]}  # no ledger: a cold ask
    # one message to many, in one file: found further down, as one check after another would
    same = "Hi {n}, we just launched Tidy CSV. Could you share it with your network? tidy.example"
    lines = "".join(
        json.dumps({"id": n, "text": same.format(n=n), "to": n}) + "\n"
        for n in ("Ann", "Bob", "Cy", "Di", "Ed", "Flo")
    )
    results = [
        json.loads(x) for x in run(db_env, "check", "--jsonl", "-", stdin=lines).stdout.splitlines()
    ]
    assert "blast" not in {f["rule"] for f in results[0]["findings"]}
    assert "blast" in {f["rule"] for f in results[-1]["findings"]}


def test_the_terminal_stores_the_choice_and_the_note_as_typed(db_env: dict[str, str]) -> None:
    """--solicited is the choice; the words, wherever they stand, are the note, verbatim."""
    proc = run(db_env, "received", "Sam", "--solicited", "unsolicited", "advice", "on", "my", "CV")
    assert proc.returncode == 0 and "unprompted" not in proc.stdout, proc.stderr
    ledger = run(db_env, "ledger").stdout
    assert "Sam, " in ledger and ": unsolicited advice on my CV" in ledger
    assert "(unsolicited)" not in ledger and "Waiting for you" not in ledger
    assert run(db_env, "gave", "Dana", "--bogus").returncode == 2


def test_an_over_long_piped_message_is_refused_and_the_rest_are_read(
    db_env: dict[str, str],
) -> None:
    """Read in bounded pieces: a 300,000-character line and a block past the cap are each
    answered 'too long'; the session goes on with the next message."""
    script = "x" * 300_000 + "\n" + '"""\n' + ("word " * 30_000 + "\n") * 2 + '"""\n' + "1\n"
    proc = run(db_env, "console", stdin=script)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("the draft is longer than 100,000 characters") == 2
    assert "Who is it for?" in proc.stdout  # "1" after them still picks the first flow
    assert "xxxxxxxxxx" not in proc.stdout


def test_saved_messages_and_one_person_from_the_console(db_env: dict[str, str]) -> None:
    script = "\n".join([
        "/remember", "/remember on", '/know "Dana Lee" we shipped Atlas', "/gave Dana for SQL",
        '/ledger same "Dana Lee" Dana', "/ledger", "/ledger forget Dana", "/saved",
    ]) + "\n"  # fmt: skip
    out = run(db_env, "console", stdin=script).stdout
    assert "I don't keep your messages" in out and "I'll keep the messages" in out
    assert "Is this the Dana Lee already in your ledger?" in out
    assert "Dana Lee (also Dana): we shipped Atlas" in out
    assert "Deleted 2 entries about Dana Lee" in out
    assert "no finished messages yet" in out
    assert "*" not in out  # the terminal shows no chat markup


def test_a_foreign_or_corrupt_database_is_refused_untouched(
    db_env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"these are my notes, not a database" * 100)
    before = bad.read_bytes()
    env = {**db_env, "RAPPORT_DATABASE_URL": f"sqlite:///{bad}"}
    proc = run(env, "console", stdin="1\n")
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "Traceback" not in proc.stderr
    assert bad.read_bytes() == before


def test_check_uses_the_default_database_from_the_environment(db_env: dict[str, str]) -> None:
    proc = rapport("check", "Hi Dana, could you endorse me for Python?")
    assert proc.returncode == 1
