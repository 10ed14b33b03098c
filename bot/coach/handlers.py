"""The handlers the coaching table names, by name: each takes the coach's means, the session and
the message, and returns the `Turn` to take.  None of them moves the session: the machine does,
after checking the move against the table."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from rapport.bot.coach.answering import (
    answer_fact,
    answer_gift_details,
    answer_given,
    answer_known,
    answer_return,
    unreadable,
)
from rapport.bot.coach.answers import Answer, Meaning, choice_number, yes_or_no
from rapport.bot.coach.context import Ctx, Handler, Said
from rapport.bot.coach.endings import end, finish, write_ledger
from rapport.bot.coach.flows import MENU, flow_from_words
from rapport.bot.coach.pasted import Shape, shape_of, worth_reading
from rapport.bot.coach.prompts import ask_again, menu, reminded
from rapport.bot.coach.replies import Reply
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import DECISIONS, Position, State, Turn
from rapport.bot.coach.steps import (
    Tools,
    next_question,
    review_hint,
    revise,
    stay,
    work_from_draft,
    yes_no,
)
from rapport.bot.storage.base import UserRef
from rapport.bot.wording import say

__all__ = ["HANDLERS"]

_MENU = Position(State.MENU)
_NAMED = re.compile(
    r"(?:ask|thank|endorse|recommend|refer|introduce|decline|write (?:to|for))\s+"
    r"(?!(?:me|him|her|them|us|you|my|our|your|their|his|someone|people|everyone)\b)"
    r"([^\W\d_][\w'’-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’-]+){0,2})(?=\s+(?:for|to|about|with|on)\b|[\s,.!?]*$)"
)


# The escapes: every state of a session.


async def _cancel(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return Turn(Position(State.END), Reply(say("cancelled"), ended=True))


async def _restart(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    s.reset(started_at=ctx.clock())
    return Turn(_MENU, await reminded(ctx.tools, said.key.user, menu(say("restarted"))))


async def _help(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return stay(s, ask_again(s, s.position, say("help")))


async def _back(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    previous = s.undo()
    if previous is None:
        return stay(s, ask_again(s, s.position, say("nothing_to_undo")))
    went_back = say("went_back")
    if previous.state is State.MENU:
        return Turn(previous, menu(went_back))
    if previous.state in DECISIONS or previous.state is State.REVIEW:
        return Turn(previous, ask_again(s, previous, went_back))
    return await next_question(ctx.tools, s, said.key.user, went_back)  # asked afresh


# The menu: a first message, or the answer to "what would you like to do?".


async def _open(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    picked = await _start_flow(ctx, s, said, said.lead)
    return picked or await _welcome(ctx, s, said)


async def _welcome(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return Turn(_MENU, await reminded(ctx.tools, said.key.user, menu(said.lead)))


async def _pick(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return await _start_flow(ctx, s, said, "") or await _pick_again(ctx, s, said)


async def _pick_again(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return Turn(_MENU, menu(say("pick_flow")))


async def _start_flow(ctx: Ctx, s: CoachSession, said: Said, lead: str) -> Turn | None:
    """Start the flow the user picked by number, named in words, or pasted a draft for."""
    text, user = said.answer.text, said.key.user
    number = choice_number(text, len(MENU))
    flow = MENU[number - 1] if number else None
    if flow is None and worth_reading(text):
        pasted = await ctx.tools.read_pasted(user, text)
        shape = shape_of(text, pasted)
        if shape is Shape.DRAFT:
            kind = pasted.kind.value.replace("_", " ")
            lead = f"{lead}\n\n{say('draft_received', kind=kind)}".strip()
            return await work_from_draft(ctx.tools, s, user, text, pasted, lead)
        if shape is Shape.NOT_OUTREACH:
            return Turn(_MENU, menu(say("not_outreach")))
    flow = flow or flow_from_words(text)
    if flow is None:
        return None
    s.flow = flow
    named = _NAMED.search(text)
    if named:
        s.answers["endorsee" if flow == "endorse" else "recipient"] = named.group(1)
    return await next_question(ctx.tools, s, user, lead.strip())


# Yes/no decisions: the honest path, giving first, the ledger.


def _yes(said: Said) -> bool | None:
    """True for yes, False for no (or skip), None for neither."""
    meaning, _ = yes_or_no(said.answer)
    if meaning is Meaning.SKIP:
        meaning = Meaning.NO
    return None if meaning not in (Meaning.YES, Meaning.NO) else meaning is Meaning.YES


async def _ask_yes_or_no(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return stay(s, yes_no(say("not_understood", hint=s.question or "(yes / no)")))


async def _decide_honest(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    """No first-hand relationship: yes takes the honest flow (connect, or decline), no ends."""
    yes = _yes(said)
    if yes is None:
        return await _ask_yes_or_no(ctx, s, said)
    s.remember_turn()
    if not yes:
        return await _cancel(ctx, s, said)
    keep = {k: v for k, v in s.answers.items() if k in ("recipient", "endorsee")}
    s.flow = "decline" if s.flow in ("endorse", "decline") else "connect"
    s.answers, s.skipped = keep, []
    return await next_question(ctx.tools, s, said.key.user)


async def _decide_give_first(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    """Nothing given yet: yes sets the ask aside and drafts the recommendation to give first."""
    yes = _yes(said)
    if yes is None:
        return await _ask_yes_or_no(ctx, s, said)
    s.remember_turn()
    if not yes:
        return await next_question(ctx.tools, s, said.key.user)
    s.suspended = s.snapshot()
    name = s.answers.get("recipient", "")
    relationship = s.answers.get("relationship")
    s.flow, s.answers, s.skipped = "endorse", {"endorsee": name}, ["recipient"]
    if relationship:
        s.answers["relationship"] = relationship
    return await next_question(ctx.tools, s, said.key.user)


async def _decide_ledger(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    """The last question: note what happened in the ledger, or not; either way, the end."""
    yes = _yes(said)
    if yes is None:
        return await _ask_yes_or_no(ctx, s, said)
    s.remember_turn()
    if yes:
        await write_ledger(ctx, said.key, s)
    return await end(ctx, said.key, s, say("review.ledger_saved") if yes else "")


# The message under review, and the flow's questions (bot/coach/answering.py).


async def _finish(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return await finish(ctx, said.key, s)


async def _revise(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return await revise(ctx.tools, s, said.key.user, said.answer)


async def _review_hint(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return review_hint(s)


async def _unreadable(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
    return unreadable(s, said.answer.meaning)


def _question(take: Callable[[Tools, CoachSession, UserRef, Answer], Awaitable[Turn]]) -> Handler:
    """A question's handler (answering.py) in the table's signature."""

    async def handle(ctx: Ctx, s: CoachSession, said: Said) -> Turn:
        return await take(ctx.tools, s, said.key.user, said.answer)

    return handle


#: Every handler the table may name.
HANDLERS: dict[str, Handler] = {
    "cancel": _cancel,
    "restart": _restart,
    "help": _help,
    "back": _back,
    "open": _open,
    "welcome": _welcome,
    "pick": _pick,
    "pick_again": _pick_again,
    "answer_fact": _question(answer_fact),
    "answer_known": _question(answer_known),
    "answer_given": _question(answer_given),
    "answer_return": _question(answer_return),
    "answer_gift_details": _question(answer_gift_details),
    "unreadable": _unreadable,
    "decide_honest": _decide_honest,
    "decide_give_first": _decide_give_first,
    "decide_ledger": _decide_ledger,
    "ask_yes_or_no": _ask_yes_or_no,
    "finish": _finish,
    "revise": _revise,
    "review_hint": _review_hint,
}
