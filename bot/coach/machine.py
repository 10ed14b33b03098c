"""The coaching session as a state machine: load, handle one message, save — every turn.

A turn reads the answer, looks (state, kind of answer) up in the table (bot/coach/table.py),
runs the handler it names, and moves the session to the position the handler returns — in
`_enter`, the one place a session's position is written.  `cancel`, `restart`, `back` and
`help` work in every state.  A session is saved after every turn (a failed save leaves the
previous state untouched and says so), survives a restart of the process, and expires after
`idle_hours` without a message.  Turns of the same session are serialised; different
channels are independent sessions.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from weakref import WeakValueDictionary

from rapport.bot.coach.answers import MAX_DRAFT, read_answer
from rapport.bot.coach.context import Ctx, FinishHook, Said
from rapport.bot.coach.flows import FLOWS
from rapport.bot.coach.handlers import HANDLERS
from rapport.bot.coach.prompts import ask_again, menu, reminded
from rapport.bot.coach.replies import Reply
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import Position, State, Turn
from rapport.bot.coach.steps import Tools
from rapport.bot.coach.table import Transition, transition
from rapport.bot.metrics import metrics
from rapport.bot.storage.base import SessionKey, Store, StoreError
from rapport.bot.wording import say

log = logging.getLogger("rapport.coach")

__all__ = ["Coach", "FinishHook", "IllegalMove"]


class IllegalMove(RuntimeError):
    """A handler tried to move the session somewhere its row of the table doesn't allow."""


def _duration(seconds: float) -> str:
    """24 hours, 90 minutes: how long a quiet session is kept, in words."""
    if seconds >= 7200:
        return f"{round(seconds / 3600)} hours"
    return f"{max(1, round(seconds / 60))} minutes"


class Coach:
    """Runs coaching sessions over a store; one instance serves every user and channel."""

    def __init__(
        self,
        store: Store,
        tools: Tools,
        on_finish: FinishHook,
        idle_hours: float = 24.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.tools = tools
        self.on_finish = on_finish
        self.idle_seconds = idle_hours * 3600
        self.clock = clock
        self._ctx = Ctx(tools, on_finish, clock)
        self._locks: WeakValueDictionary[SessionKey, asyncio.Lock] = WeakValueDictionary()

    async def handle(self, key: SessionKey, text: str) -> Reply:
        """One message from the user in this channel; returns what the coach says."""
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        started = time.perf_counter()
        async with lock, self.store.session_lock(key):  # this process, then every process
            before, lead = await self._load(key)
            session, reply = await self._turn(key, before, text, lead)
            reply = await self._save(key, session, reply)
        new = before is None and not reply.ended
        metrics().turn(key.user.platform, time.perf_counter() - started, new, reply.ended)
        return reply

    async def resume(self, key: SessionKey) -> Reply:
        """What to say when the user opens the conversation: where they left off, or the menu."""
        session, lead = await self._load(key)
        if session is None or session.state is State.MENU:
            return await reminded(self.tools, key.user, menu(lead))
        if session.state is State.REVIEW and session.message:
            return Reply(say("welcome_back"), message=session.message, footer=say("review.next"))
        return ask_again(session, session.position, say("welcome_back"))

    async def current(self, key: SessionKey) -> CoachSession | None:
        """The open session in this channel, if any (for adapters' "resume" buttons)."""
        session, _ = await self._load(key)
        return session

    async def _load(self, key: SessionKey) -> tuple[CoachSession | None, str]:
        stored = await self.store.load_session(key)
        if stored is None:
            return None, ""
        session = CoachSession.from_json(stored.state)
        if session is None:  # saved by an older rapport: start again rather than guess
            await self.store.delete_session(key)
            return None, say("restarted")
        if self.clock() - stored.updated_at > self.idle_seconds:
            await self.store.delete_session(key)
            title = say(f"flows.{session.flow}") if session.flow else "your session"
            return None, say("expired", flow_title=title, idle=_duration(self.idle_seconds))
        return session, ""

    async def _save(self, key: SessionKey, session: CoachSession, reply: Reply) -> Reply:
        try:
            if reply.ended:
                await self.store.delete_session(key)
            else:
                await self.store.save_session(key, session.to_json(), self.clock())
        except StoreError as exc:  # the reason goes to the log (masked), never to the person
            metrics().failed(exc)
            log.warning("couldn't save a coaching step: %s", exc)
            return Reply(say("save_failed"))
        return reply

    async def _turn(
        self, key: SessionKey, session: CoachSession | None, text: str, lead: str
    ) -> tuple[CoachSession, Reply]:
        """Look the answer up in the table, run its handler, and move the session."""
        if session is None:  # a first message: a session at START, saved only if it moves on
            session = CoachSession(Position(State.START), started_at=self.clock())
        said = Said(key, text, read_answer(text, MAX_DRAFT), lead)
        step = transition(session.state, said.answer.meaning)
        turn = await HANDLERS[step.handler](self._ctx, session, said)
        _enter(session, step, turn)
        return session, turn.reply

    @staticmethod
    def flows() -> dict[str, str]:
        """Flow name → its title, for menus and help."""
        return {name: say(f"flows.{name}") for name in FLOWS}


def _enter(session: CoachSession, step: Transition, turn: Turn) -> None:
    """Move the session to the position the handler chose: the one writer of a session's
    position, and the check that the table told the truth about where a handler may lead."""
    if turn.position.state not in step.targets or turn.reply.ended != (
        turn.position.state is State.END
    ):
        raise IllegalMove(
            f"{step.handler} moved a session from {session.state} to {turn.position.state}, "
            f"which the table doesn't allow (it allows {sorted(step.targets)})"
        )
    session.position = turn.position
