"""The console's line editor at a terminal, on prompt_toolkit: the event loop never blocks on the
keyboard, a paste arrives as one piece, and Ctrl-C is a key rather than a signal.

Keys: Enter sends the line; Esc then Enter (or Alt-Enter) starts a new line within it; a paste is
inserted whole, newlines included, and never sends itself (Enter sends it, even when the pasted
text ends in a newline); Up and Down recall earlier answers of this run, kept in memory only.
Ctrl-C with text on the line drops the line and prompts again; Ctrl-C or Ctrl-D at an empty
prompt ends the input.  A Ctrl-C pressed while the coach is answering (the terminal is not in the
editor then, so it arrives as SIGINT) ends the input once that answer is shown.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncGenerator, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from prompt_toolkit.key_binding import KeyBindings

__all__ = ["typed_messages"]


class _LineCancelled(Exception):
    """Ctrl-C with text on the line: the line is dropped, not sent."""


async def typed_messages(
    stdin: TextIO, stdout: TextIO, prompt: str, colour: bool
) -> AsyncGenerator[str, None]:
    """Each answer typed or pasted at the terminal, until Ctrl-C or Ctrl-D at an empty prompt."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.formatted_text import ANSI
    from prompt_toolkit.history import InMemoryHistory  # drafts never reach the disk
    from prompt_toolkit.input import create_input
    from prompt_toolkit.output import ColorDepth, create_output

    session: PromptSession[str] = PromptSession(
        ANSI(prompt),
        history=InMemoryHistory(),
        key_bindings=_keys(),
        prompt_continuation=lambda width, _line, _wrap: " " * width,
        input=create_input(stdin),
        output=create_output(stdout),
        color_depth=ColorDepth.DEPTH_4_BIT if colour else ColorDepth.MONOCHROME,  # as `_Out` paints
    )
    with _sigint_between_prompts() as interrupts:

        def leave_if_interrupted() -> None:  # SIGINT came just before the editor took the keys
            if interrupts.asked:
                session.app.exit(exception=EOFError, style="class:exiting")

        while not interrupts.asked:
            try:
                text = await session.prompt_async(pre_run=leave_if_interrupted)
            except _LineCancelled:
                continue
            except (EOFError, KeyboardInterrupt):  # Ctrl-D, Ctrl-C, or SIGINT from outside
                return
            if text.strip():
                yield text


def _keys() -> KeyBindings:
    """Ctrl-C drops the line or leaves; Esc-Enter adds a line (the default would send)."""
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

    keys = KeyBindings()

    @keys.add("c-c")
    def _cancel_or_leave(event: KeyPressEvent) -> None:
        if event.current_buffer.text:
            event.app.exit(exception=_LineCancelled, style="class:aborting")
        else:
            event.app.exit(exception=EOFError, style="class:exiting")

    @keys.add("escape", "enter")
    def _new_line(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    return keys


@contextmanager
def _sigint_between_prompts() -> Iterator[_Interrupts]:
    """While the coach answers, a first SIGINT asks to leave once the answer is shown.

    prompt_toolkit turns Ctrl-C into a key while it reads, and puts this handler back after.
    """
    try:
        interrupts = _Interrupts(signal.getsignal(signal.SIGINT))
        signal.signal(signal.SIGINT, interrupts)
    except ValueError:  # not the main thread: leave signals alone
        yield _Interrupts(None)
        return
    try:
        yield interrupts
    finally:
        if interrupts.previous is not None:  # None: a handler Python did not install; keep ours
            signal.signal(signal.SIGINT, interrupts.previous)


class _Interrupts:
    """The first SIGINT is noted for the prompt loop; a second one interrupts as usual (asyncio
    cancels the session and exits 130), so a stuck answer can still be abandoned."""

    def __init__(self, previous: Any) -> None:
        self.previous, self.asked = previous, False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if not self.asked:
            self.asked = True
        elif callable(self.previous):
            self.previous(signum, frame)
        elif self.previous != signal.SIG_IGN:
            raise KeyboardInterrupt
