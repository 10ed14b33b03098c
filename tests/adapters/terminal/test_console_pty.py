"""`rapport console` at a real terminal: a pseudo-terminal drives the real prompt_toolkit editor
with the bytes a terminal sends (Ctrl-C is \\x03, Enter is \\r, a paste is bracketed), and answers
its cursor-position requests as a terminal would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from tests.paths import ROOT

TIMEOUT = 60  # machines are shared; a healthy run takes well under a second per step
CTRL_C, CTRL_D, ENTER, UP = "\x03", "\x04", "\r", "\x1b[A"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
EDITOR_READY = "\x1b[?2004h"  # bracketed paste switched on: the editor has the keyboard
CURSOR_QUERY = "\x1b[6n"
BYE = "Bye. Your session is saved: run `rapport console` to continue."
DRAFT = "Hi Sam,\nCould you refer me to Lena at Stripe? I'm applying for the data role there.\n"


class Terminal:
    """One `rapport console` on a pseudo-terminal of 24 rows by 120 columns."""

    def __init__(self, env: dict[str, str]) -> None:
        self.child = pexpect.spawn(
            sys.executable, ["-m", "rapport.adapters.terminal.cli", "console"], env=env, cwd=str(ROOT),
            encoding="utf-8", dimensions=(24, 120), timeout=TIMEOUT,
        )  # fmt: skip
        self.seen = ""

    def read_until(self, text: str | type[pexpect.EOF]) -> str:
        """Output up to and including `text`, answering cursor-position queries on the way."""
        start = len(self.seen)
        while self.child.expect_exact([CURSOR_QUERY, text]) == 0:
            self.seen += self.child.before
            self.child.send("\x1b[1;1R")
        self.seen += self.child.before + (self.child.after if isinstance(text, str) else "")
        return self.seen[start:]

    def prompt(self) -> str:
        """Wait until the editor reads the keyboard; returns what was shown before."""
        return self.read_until(EDITOR_READY)

    def keys(self, keys: str) -> None:
        self.child.send(keys)

    def exit_status(self) -> int | None:
        """Wait for the process to end; its exit code (None if a signal killed it)."""
        self.read_until(pexpect.EOF)
        self.child.close()
        return self.child.exitstatus


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PROMPT_TOOLKIT")},
        "RAPPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "NO_COLOR": "1",
        "TERM": "xterm",
    }


@pytest.fixture
def term(env: dict[str, str]) -> Iterator[Terminal]:
    terminal = Terminal(env)
    greeting = terminal.prompt()
    assert "What would you like to do?" in greeting and "Esc then Enter" in greeting
    yield terminal
    terminal.child.close(force=True)  # a test that failed midway leaves no process behind


def leaves_cleanly(term: Terminal) -> None:
    assert term.exit_status() == 0, term.seen
    assert BYE in term.seen and "Traceback" not in term.seen


def test_ctrl_c_with_text_cancels_the_line_and_the_console_keeps_answering(
    term: Terminal,
) -> None:
    term.keys("Thanks")  # sent, it would start the thank-you flow
    term.read_until("Thanks")
    term.keys(CTRL_C)
    shown = term.prompt()  # a fresh prompt, and no reply in between
    assert "Who endorsed" not in shown and BYE not in shown
    term.keys("1" + ENTER)
    assert "Who is it for?" in term.prompt()  # still at the first question: nothing was sent
    term.keys(CTRL_D)
    leaves_cleanly(term)


def test_two_quick_ctrl_c_cancel_the_line_then_leave(term: Terminal) -> None:
    term.keys("1")
    term.read_until("1")
    term.keys(CTRL_C + CTRL_C)  # one write: the second press lands before the next prompt
    leaves_cleanly(term)
    assert "Who is it for?" not in term.seen  # the cancelled "1" was never sent


def test_ctrl_c_right_after_enter_leaves_once_the_answer_is_shown(term: Terminal) -> None:
    term.keys("1" + ENTER + CTRL_C)
    leaves_cleanly(term)
    assert term.seen.index("Who is it for?") < term.seen.index(BYE)


@pytest.mark.parametrize("leave", [CTRL_C, CTRL_D], ids=["ctrl-c", "ctrl-d"])
def test_ctrl_c_or_ctrl_d_at_an_empty_prompt_leaves_and_the_session_is_kept(
    term: Terminal, env: dict[str, str], leave: str
) -> None:
    term.keys("1" + ENTER)
    assert "Who is it for?" in term.prompt()
    term.keys(leave)
    leaves_cleanly(term)
    again = subprocess.run(
        [sys.executable, "-m", "rapport.adapters.terminal.cli", "console"], input="Dana\n", capture_output=True,
        text=True, env=env, cwd=ROOT, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert "where we left off" in again.stdout and "How do you know Dana" in again.stdout


def test_sigint_from_outside_at_the_prompt_leaves_cleanly(term: Terminal) -> None:
    term.child.kill(signal.SIGINT)
    leaves_cleanly(term)


def one_draft_answered(term: Terminal) -> None:
    """The pasted lines went to the coach as one draft, not as separate answers."""
    reply = term.prompt()
    assert "work from your draft (referral request)" in reply
    assert "How do you know Sam first-hand?" in reply
    assert "Who endorsed" not in reply and "How do you know Thanks" not in reply
    term.keys(CTRL_D)
    leaves_cleanly(term)
    assert term.seen.count("How do you know") == 1  # one answer, one question back


def test_a_paste_without_a_final_newline_is_one_message(term: Terminal) -> None:
    term.keys(PASTE_START + DRAFT + "Thanks" + PASTE_END)
    term.read_until("Thanks")
    term.keys(ENTER)
    one_draft_answered(term)


def test_a_paste_with_a_final_newline_waits_for_enter_and_is_one_message(term: Terminal) -> None:
    term.keys(PASTE_START + (DRAFT + "Thanks,\n").replace("\n", "\r") + PASTE_END)
    term.keys("Jo")  # typed after the paste: part of the same draft, since a paste never sends
    term.read_until("Jo")
    term.keys(ENTER)
    one_draft_answered(term)
    assert "How do you know Jo" not in term.seen


def test_esc_enter_starts_a_new_line_in_the_same_answer(term: Terminal) -> None:
    typed = DRAFT.replace("\n", "\x1b" + ENTER) + "Thanks"
    term.keys(typed)
    term.read_until("Thanks")
    term.keys(ENTER)
    one_draft_answered(term)


def test_up_recalls_an_earlier_answer(term: Terminal) -> None:
    term.keys("/ledger" + ENTER)
    assert "Your ledger is empty" in term.prompt()
    term.keys(UP + ENTER)
    assert "Your ledger is empty" in term.prompt()
    term.keys(CTRL_D)
    leaves_cleanly(term)


#: One draft of each kind, as people paste them: several lines, no final newline.
PASTED_AT_THE_MENU = {
    "endorsement request": "Hey Marco,\nwould you mind endorsing me for Kubernetes on LinkedIn?\n"
    "It'd help with the platform roles I'm applying for.",
    "referral request": "Hi Ines,\nI saw Northwind is hiring a data analyst. Would you be "
    "willing to refer me?\nMy CV is attached.",
    "endorsement": "Tom is one of the most careful engineers I've worked with.\nHe rebuilt our "
    "billing pipeline and cut failed payments in half.\nI recommend him without hesitation.",
    "connection request": "Hi Aiko,\nI enjoyed your talk on accessible forms at the meetup.\n"
    "I'd love to connect here.",
    "promotion": "Hey everyone!!\nWe just launched our budgeting app on Product Hunt today.\n"
    "Please upvote and share it with your network!",
    "reciprocation": "Hi Femi,\nthank you so much for the recommendation you wrote me last "
    "week.\nI'd be glad to write one for you about the migration you led.",
}


@pytest.mark.parametrize("kind", sorted(PASTED_AT_THE_MENU))
def test_a_draft_of_any_kind_pasted_at_the_menu_starts_its_flow(term: Terminal, kind: str) -> None:
    term.keys(PASTE_START + PASTED_AT_THE_MENU[kind] + PASTE_END)
    term.keys(ENTER)
    shown = term.prompt()
    assert f"I'll work from your draft ({kind})" in shown, shown
    assert "What would you like to do?" not in shown and "Paste the message" not in shown
    term.keys(CTRL_D)
    leaves_cleanly(term)
