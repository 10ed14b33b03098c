"""Something broke in the core while answering someone: the details go to the log and the
metrics, the user gets the core's kind "please try again" (never a stack trace, never
silence).  Every Slack and Discord handler reports failures through here."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from rapport.bot.metrics import metrics
from rapport.bot.wording import say

__all__ = ["Tell", "tell_try_again", "told_on_failure", "try_again"]

Tell = Callable[[str], Awaitable[object]]


def try_again(log: logging.Logger, what: str, exc: BaseException) -> str:
    """Log `what` failed (with its traceback) and count it; the words that ask the user to
    try again."""
    metrics().failed(exc)
    log.error(what, exc_info=exc)
    return say("chat.try_again")


async def tell_try_again(
    tell: Tell | None, log: logging.Logger, what: str, exc: BaseException
) -> None:
    """Log and count the failure, then `tell` the user to try again (None: nobody can be
    told).  A failure to tell them is logged too, never raised."""
    words = try_again(log, what, exc)
    if tell is None:
        return
    try:
        await tell(words)
    except Exception:  # the user can't be told; the log has it
        log.exception("couldn't report the failure")


@contextlib.asynccontextmanager
async def told_on_failure(tell: Tell | None, log: logging.Logger, what: str) -> AsyncIterator[None]:
    """Run the block; if it fails, `tell_try_again` (the failure ends there)."""
    try:
        yield
    except Exception as exc:
        await tell_try_again(tell, log, what, exc)
