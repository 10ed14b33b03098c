"""What every handler of the coaching table is given: the tools of the whole coach (`Ctx`) and
this one message (`Said`), so that all handlers share one signature and the table can name
them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rapport.bot.coach.answers import Answer
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import Turn
from rapport.bot.coach.steps import Tools
from rapport.bot.storage.base import SessionKey

__all__ = ["Ctx", "FinishHook", "Handler", "Said"]

#: Called when a session ends with a message: record its scores, keep it if the user opted in.
FinishHook = Callable[[SessionKey, CoachSession], Awaitable[str]]


@dataclass(frozen=True, slots=True)
class Ctx:
    """The coach's means: the steps' tools, the hook a finished session goes to, the clock."""

    tools: Tools
    on_finish: FinishHook
    clock: Callable[[], float]


@dataclass(frozen=True, slots=True)
class Said:
    """One message: where it came from, the words as typed, what they mean, and any note the
    load left to lead the reply with (an expired or restarted session)."""

    key: SessionKey
    text: str
    answer: Answer
    lead: str = ""


#: A handler named in the table: (coach, session, message) → the turn to take.
Handler = Callable[[Ctx, CoachSession, Said], Awaitable[Turn]]
