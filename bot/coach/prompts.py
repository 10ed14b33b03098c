"""The replies that show where a session is: the menu, and the question on the table asked
again (after `help`, `back`, or coming back to the conversation)."""

from __future__ import annotations

from rapport.bot.coach.flows import MENU
from rapport.bot.coach.replies import Choice, Reply
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import DECISIONS, Position, State
from rapport.bot.coach.steps import Tools, question_text, yes_no
from rapport.bot.storage.base import UserRef
from rapport.bot.wording import say

__all__ = ["ask_again", "menu", "reminded"]


def menu(lead: str) -> Reply:
    """The flows to pick from, numbered, with a button each."""
    items = "\n".join(f"{i}. {say(f'flows.{name}')}" for i, name in enumerate(MENU, 1))
    text = f"{lead}\n\n{say('welcome')}\n{items}\n\n{say('menu_hint')}".strip()
    choices = tuple(
        Choice(f"rapport:coach:flow:{name}", say(f"flows.{name}"), str(i))
        for i, name in enumerate(MENU, 1)
    )
    return Reply(text, choices=choices, extras={"state": State.MENU.value})


async def reminded(tools: Tools, user: UserRef, shown: Reply) -> Reply:
    """The menu, with a reminder of endorsements received unprompted and not yet returned
    (and a one-step way to start the thank-you for the first of them)."""
    waiting = await tools.ledger.view_unreciprocated(user)
    if not waiting:
        return shown
    names = list(dict.fromkeys(e.other.display for e in waiting))
    first = names[0]
    note = say("unreciprocated", names=", ".join(names), first=first)
    thank = Choice(
        f"rapport:coach:thank:{waiting[0].other.key}", f"Thank {first}", f"thank {first}"
    )
    return Reply(f"{shown.text}\n\n{note}", choices=(*shown.choices, thank), extras=shown.extras)


def ask_again(s: CoachSession, at: Position, lead: str) -> Reply:
    """Repeat the question on the table at `at` (the session's position, or the one `back`
    returns to)."""
    if at.state is State.MENU or not s.flow:
        return Reply(f"{lead}\n\n{say('menu_hint')}")
    if at.state is State.REVIEW:
        return Reply(lead, message=s.message, footer=say("review.next"))
    question = s.question or question_text(s, at)
    if at.state in DECISIONS or at.state in (State.GIVEN, State.RETURN):
        return yes_no(f"{lead}\n\n{question}")
    return Reply(f"{lead}\n\n{question}")
