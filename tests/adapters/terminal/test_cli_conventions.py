"""The CLI's conventions (issue 15): every command documented, bad arguments exit 2 with one
friendly line, `why`, `-f FILE`, shell completion, and terminal output free of chat markup."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from rapport.adapters.terminal.cli import build_parser, main
from rapport.adapters.terminal.render import render_report, terminal_words
from rapport.bot.engine.engine import Engine
from rapport.bot.engine.rules import load_rules, principles
from rapport.bot.models import RULE_IDS, Finding, Severity
from rapport.bot.service.chat import why as chat_why
from tests.adapters.terminal.test_cli import rapport


def _flat(text: str) -> str:
    """Text with its wrapping undone, to look for a sentence the terminal wrapped."""
    return " ".join(text.split())


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


@pytest.fixture
def db_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a `rapport` process with a database of its own."""
    env = dict(os.environ)
    env["RAPPORT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'ledger.db'}"
    env["NO_COLOR"] = "1"
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


# -- every command documented -------------------------------------------------------------------


def test_every_subcommand_and_argument_is_documented() -> None:
    sub = _subcommands(build_parser())
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, cmd in sub.choices.items():
        assert helps.get(name), f"`rapport {name}` has no one-line help"
        assert cmd.description, f"`rapport {name}` has no description"
        for action in cmd._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"`rapport {name}` argument {action.dest} has no help"


def test_check_help_ends_with_the_exit_codes() -> None:
    proc = rapport("check", "--help")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    tail = out[out.index("exit codes:") :]
    assert re.search(r"^  0  no error findings", tail, re.M)  # kept as written, not rewrapped
    assert re.search(r"^  1  at least one error finding", tail, re.M)
    assert re.search(r"^  2  bad usage or input", tail, re.M)
    assert "with --jsonl: 2 when any line could not be read" in tail
    assert "-f FILE, --file FILE" in out


# -- bad arguments: exit 2, one friendly line ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gave", ""), 'NAME is empty: say who, e.g. rapport gave "Dana Lee"'),
        (("gave", "   "), "NAME is empty"),
        (("received", "", "--unsolicited"), "NAME is empty"),
        (("know", "", "we", "met"), "NAME is empty"),
        (("know", "Dana", ""), "say how you know Dana"),
        (("know", "Dana", "  ", " "), "say how you know Dana"),
        (("gave", "12345"), "'12345' isn't a name"),
        (("received", "@here"), "'@here' isn't a name"),
        (("check", "--to", "", "Could you endorse me?"), "--to needs the recipient's name"),
        (("check", "--jsonl", ""), "--jsonl needs a file name"),
        (("check", "-f", ""), "-f needs a file name"),
        (("check", "-f", "/no/such/draft.txt"), "no such file: /no/such/draft.txt"),
        (("check", "-f", "draft.txt", "more words"), "give either TEXT or -f FILE, not both"),
    ],
)
def test_bad_arguments_exit_2_with_one_friendly_line(
    args: tuple[str, ...], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(list(args)) == 2
    out, err = capsys.readouterr()
    assert err.startswith("rapport: ") and err.count("\n") == 1 and message in err
    assert "didn't understand" not in out + err


# -- rapport why --------------------------------------------------------------------------------


def test_why_explains_a_rule_with_its_principles_and_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["why", "cold-ask"]) == 0
    out = capsys.readouterr().out
    rule = next(r for r in load_rules() if r.id == "cold-ask")
    flat = _flat(out)
    assert rule.title in out and _flat(rule.general_message) in flat
    assert f"Fix: {_flat(rule.general_fix)}" in flat
    for n in rule.principles:  # one principle per line, never joined with "; "
        title, text = principles()[n]
        assert re.search(rf"^\s+(Why: )?{n}\. {re.escape(title)}: ", out, re.M)
        assert _flat(text) in flat
    assert "Flags, for example" in out and "Leaves alone" in out
    assert rule.failing[0].text in flat and f'flags "{rule.failing[0].flag}"' in out
    assert rule.passing[0].text[:60] in flat
    assert "*" not in out


def test_why_all_shows_every_example_and_what_it_assumes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["why", "unreciprocated", "--all"]) == 0
    out = capsys.readouterr().out
    rule = next(r for r in load_rules() if r.id == "unreciprocated")
    assert out.count("✖") == len(rule.failing) and out.count("✓") == len(rule.passing)
    assert "flags (whole message)" in out and "endorsed you unprompted" in out
    assert "more with --all" not in out


def test_why_an_unknown_rule_exits_2_with_the_rule_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["why", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert "no rule called 'nonsense'" in err and err.count("\n") == 1
    assert all(rule in err for rule in RULE_IDS)
    assert main(["why", "cold-ask", "cold-aks"]) == 2
    captured = capsys.readouterr()
    assert "did you mean cold-ask?" in captured.err and captured.out == ""


def test_why_in_a_real_process() -> None:
    proc = rapport("why", "blast", "Pressure")
    assert proc.returncode == 0
    assert b"blast  " in proc.stdout and b"pressure  " in proc.stdout
    nonsense = rapport("why", "nonsense")
    assert nonsense.returncode == 2 and b"cold-ask" in nonsense.stderr


def test_chat_why_keeps_its_own_markup() -> None:
    text = chat_why("cold-ask").text  # Slack and Discord render *bold* themselves
    assert text.startswith("*Why these rules?*") and "*Cold ask*" in text and "*Fix:*" in text


# -- drafts from files --------------------------------------------------------------------------


def test_a_file_name_given_as_text_gets_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "draft.txt").write_text("Hi all, endorse me!", encoding="utf-8")
    assert main(["check", "draft.txt"]) == 2
    assert capsys.readouterr().err == (
        "rapport: `draft.txt` is a file: to check its contents, run "
        "`rapport check -f draft.txt` (or `rapport check < draft.txt`)\n"
    )
    assert main(["rewrite", "draft.txt"]) == 2
    assert "run `rapport rewrite -f draft.txt`" in capsys.readouterr().err


@pytest.mark.parametrize("draft", ["Could you endorse me? " * 300, "a/" * 3000, "x" * 300])
def test_a_long_draft_is_never_mistaken_for_a_file_name(draft: str) -> None:
    proc = rapport("check", "--no-history", draft)  # the OS refuses such paths: no crash
    assert proc.returncode in (0, 1) and b"internal error" not in proc.stderr, proc.stderr


def test_check_and_rewrite_read_a_file_with_f(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_bytes("\ufeffHi all! Please endorse me for Python ASAP.\n".encode())
    assert main(["check", "--no-history", "-f", str(draft)]) == 1
    assert "blast" in capsys.readouterr().out
    assert main(["check", "--no-history", "--file", str(draft), "--json"]) == 1
    assert '"blast"' in capsys.readouterr().out
    assert main(["rewrite", "-f", str(draft)]) == 0
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe not utf-8", "not valid UTF-8"), (b"  \n ", "nothing to check")],
)
def test_a_file_that_is_not_a_draft_exits_2(
    tmp_path: Path, content: bytes, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_bytes(content)
    assert main(["check", "-f", str(draft)]) == 2
    assert message in capsys.readouterr().err


def test_a_folder_is_not_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--jsonl", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"rapport: {tmp_path} is a folder: give a .jsonl file, or - for stdin\n"
    )
    assert main(["check", "-f", str(tmp_path)]) == 2
    assert f"{tmp_path} is a folder" in capsys.readouterr().err


# -- shell completion ---------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(shell: str, tmp_path: Path) -> None:
    proc = rapport("completion", shell)
    assert proc.returncode == 0, proc.stderr
    script = proc.stdout.decode()
    assert len(script) > 1000
    for word in ("check", "rewrite", "why", "ledger", "completion", "--jsonl"):
        assert word in script, f"{shell} script doesn't mention {word}"
    assert "cold-ask" in script  # `rapport why <TAB>` offers the rule ids
    if shutil.which(shell):  # the script at least parses in that shell
        path = tmp_path / f"rapport.{shell}"
        path.write_text(script, encoding="utf-8")
        flag = "--no-execute" if shell == "fish" else "-n"
        assert subprocess.run([shell, flag, str(path)], check=False).returncode == 0


def test_completion_needs_a_known_shell() -> None:
    proc = rapport("completion", "tcsh-or-whatever")
    assert proc.returncode == 2 and b"invalid choice" in proc.stderr


# -- terminal rendering -------------------------------------------------------------------------


def test_a_finding_about_the_whole_message_says_so(db_env: dict[str, str]) -> None:
    assert run(db_env, "received", "Sam", "--unsolicited").returncode == 0
    proc = run(db_env, "check", "--to", "Sam", "Hi Sam, could you introduce me to your CTO?")
    assert "unreciprocated  (whole message)" in proc.stdout
    assert '""' not in proc.stdout


def test_a_span_with_nothing_quotable_is_the_whole_message(engine: Engine) -> None:
    report = engine.check_sync("Hi all! Please endorse me for Python ASAP.")
    blank = Finding("blast", Severity.ERROR, 7, 8, "Greeting a crowd…", "Write to one person.")
    out = render_report(replace(report, findings=(blank,)))
    assert "blast  (whole message)" in out and '""' not in out


def test_principles_are_listed_one_per_line() -> None:
    proc = rapport(
        "check", "--no-history",
        "Could you write me a recommendation for the Senior PM role? It would really help my "
        "application.",
    )  # fmt: skip
    out = proc.stdout.decode()
    assert "cold-ask" in out and ".; " not in out
    assert re.search(r"^    Why: 1\. First-hand only: ", out, re.M)
    assert re.search(r"^         8\. Connect with people you actually know: ", out, re.M)


def test_ledger_replies_carry_no_chat_markup(db_env: dict[str, str]) -> None:
    outputs = [
        run(db_env, "ledger"),  # empty: "*know Dana: …*, *gave Dana*…"
        run(db_env, "gave", "Dana"),
        run(db_env, "remember", "on"),  # "until you say *remember off* or *forget*"
        run(db_env, "remember", "off"),
        run(db_env, "received", "Sam", "--unsolicited"),
        run(db_env, "know", "Dana Lee", "we", "shipped", "Atlas"),
        run(db_env, "ledger"),  # "Say *thank Sam* to the coach"
    ]
    for proc in outputs:
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() and "*" not in proc.stdout, proc.stdout
    assert "until you say remember off or forget" in outputs[2].stdout
    assert "Say thank Sam to the coach" in outputs[-1].stdout


def test_terminal_words_bold_only_with_colour() -> None:
    said = "Say *thank Sam* to the coach; 5*3*2 stays."
    assert terminal_words(said) == "Say thank Sam to the coach; 5*3*2 stays."
    assert terminal_words(said, colour=True) == (
        "Say \x1b[1mthank Sam\x1b[0m to the coach; 5*3*2 stays."
    )
    assert terminal_words("*know Dana*\x1b[2J") == "know Dana␛[2J"  # shown, not sent
