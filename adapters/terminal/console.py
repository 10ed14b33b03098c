"""`rapport console`: the coaching session in a terminal, on the embedded SQLite store.

It runs the very same core as the Slack and Discord bots, and only reads lines and shows replies.
At a terminal (stdin and stdout both TTYs) it reads with a line editor (adapters/terminal/console_prompt.py):
Enter sends; Esc then Enter starts a new line; a paste is inserted whole, newlines and all, and
waits for Enter (even when it ends in a newline), so a pasted draft is always one message; Up and
Down recall this run's earlier answers (in memory only: drafts never reach the disk); Ctrl-C
clears a line with text on it; Ctrl-C or Ctrl-D at an empty prompt leaves.  With piped input
each line is one message, and a block between two lines of `\"\"\"` is one message, so a
session can be scripted.  `/ledger` (`/ledger same …`, `/ledger forget NAME`), `/know …`,
`/gave …`, `/received …`, `/remember [on|off]`, `/saved` and `/forget` work at any point;
`/quit` (or end of input) leaves, keeping the session.
"""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncGenerator, Iterable, Iterator
from contextlib import aclosing
from typing import TextIO

from rapport.adapters.terminal.inputs import MAX_DRAFT_CHARS, too_long
from rapport.adapters.terminal.render import safe, terminal_words, use_colour
from rapport.bot.coach.replies import Reply
from rapport.bot.service.commands import parse_command, run_command
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage.base import SessionKey, UserRef

__all__ = ["run_console"]

_PIECE = MAX_DRAFT_CHARS + 1  # one read of a piped line: a message never needs more
_LEAVE = frozenset({"/quit", "/exit", ":q", "/q", "quit", "exit"})  # leave; the session waits
_BLOCK = '"""'
_KEYS_HINT = (
    "Enter sends · Esc then Enter starts a new line · Ctrl-C clears the line · Ctrl-D leaves"
)


class _Out:
    def __init__(self, stream: TextIO, colour: bool) -> None:
        self.stream, self.colour = stream, colour

    def paint(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour else text

    def show(self, reply: Reply) -> None:
        lines = [terminal_words(reply.text, self.colour)]
        if reply.message:
            lines.append(self._box(reply.message))
        for who, text in reply.messages:
            lines.append(self.paint(f"For {safe(who)}:", "2"))
            lines.append(self._box(text))
        if reply.trust is not None:
            lines.append(self.paint(f"Trust {reply.trust.quotient:.2f} on a 0–30 scale", "2"))
        for f in reply.findings:
            mark = {"error": "31", "warning": "33"}.get(f.severity.value, "36")
            lines.append(f"  {self.paint(f.severity.value, mark)} {f.rule}: {safe(f.message)}")
        if reply.footer:
            lines.append(terminal_words(reply.footer, self.colour))
        self.stream.write("\n".join(line for line in lines if line) + "\n\n")
        self.stream.flush()

    def _box(self, text: str) -> str:
        body = re.sub(r"\[[^\]\n]+\]", lambda m: self.paint(m.group(0), "33;1"), safe(text))
        return "\n".join("  │ " + line if line else "  │" for line in body.split("\n"))


def _piped_messages(stream: TextIO) -> Iterator[str | None]:
    """Messages from a script: one per line, or a block between two lines of three quotes.

    Lines are read in bounded pieces, so endless input (/dev/zero, `yes`) keeps memory flat: a
    message longer than MAX_DRAFT_CHARS is skipped as it streams past and yields None (the
    console says it is too long); the messages after it are read as usual."""
    block: list[str] | None = None
    size = 0
    overflow = False
    while raw := stream.readline(_PIECE):
        if not raw.endswith("\n") and len(raw) == _PIECE:  # a line longer than any message
            if block is None:
                yield None  # said at once, even if the line never ends (/dev/zero)
            else:
                overflow = True
            while (more := stream.readline(_PIECE)) and not more.endswith("\n"):
                pass
            continue
        line = raw.rstrip("\n")
        if line.strip() == _BLOCK:
            if block is None:
                block, size, overflow = [], 0, False
            else:
                yield None if overflow else "\n".join(block)
                block = None
            continue
        if block is not None:
            size += len(line) + 1
            overflow = overflow or size > MAX_DRAFT_CHARS
            if not overflow:
                block.append(line)
        elif line.strip():
            yield line
    if block is not None and (block or overflow):
        yield None if overflow else "\n".join(block)


def _messages(stdin: TextIO, out: _Out, interactive: bool) -> AsyncGenerator[str | None, None]:
    """What the user says: typed at a terminal (with a hint on the keys), or piped by a script."""
    if not interactive:
        return _each(_piped_messages(stdin))
    from rapport.adapters.terminal.console_prompt import (
        typed_messages,  # prompt_toolkit only for a person typing
    )

    out.stream.write(out.paint(_KEYS_HINT, "2") + "\n\n")
    return typed_messages(stdin, out.stream, out.paint("you › ", "36"), out.colour)


async def _each(messages: Iterable[str | None]) -> AsyncGenerator[str | None, None]:
    """A script's messages, served the way typed ones are."""
    for message in messages:
        yield message


async def run_console(
    rapport: Rapport,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    user: UserRef | None = None,
    colour: str = "auto",
) -> int:
    """Talk to the coach until the input ends or the user leaves; the session is kept."""
    from rapport.adapters.terminal.cli_store import console_user

    user = user or console_user()
    key = SessionKey(user, "console")
    interactive = stdin.isatty() and stdout.isatty()
    out = _Out(stdout, use_colour(stdout, colour))
    greeting = await rapport.coach.resume(key)
    out.show(greeting)
    messages = _messages(stdin, out, interactive)
    async with aclosing(messages):
        async for message in messages:
            if message is None or len(message) > MAX_DRAFT_CHARS:
                out.show(Reply(str(too_long())))
                continue
            text = message.strip()
            if text.lower() in _LEAVE:
                break
            command = parse_command(text) if text.startswith("/") else None
            if command is not None:
                out.show(Reply(await run_command(rapport, user, command)))
                continue
            if not interactive:
                stdout.write(f"you › {safe(text)}\n")
            out.show(await rapport.talk(key, text))
    if interactive:
        stdout.write(
            out.paint("Bye. Your session is saved: run `rapport console` to continue.\n", "2")
        )
    return 0
