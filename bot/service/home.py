"""A chat platform's home page (Slack's App Home): what rapport is, the user's ledger, the
endorsements they might return, and, for admins, the workspace's settings.

The words and the buttons' commands are the core's; the platform only lays them out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rapport.bot.service.chat import Action
from rapport.bot.service.commands import ledger_text
from rapport.bot.service.rapport import Rapport
from rapport.bot.service.verbs import ButtonId, Verb, thank_button
from rapport.bot.service.workspace import summary
from rapport.bot.storage.base import UserRef
from rapport.bot.wording import say

__all__ = ["home_page"]

#: Reminder buttons on the page, at most (one per person to thank).
MAX_REMINDERS = 5


async def home_page(
    rapport: Rapport, user: UserRef, cmd: str, is_admin: Callable[[], Awaitable[bool]]
) -> tuple[list[str], tuple[Action, ...]]:
    """The page's sections (intro, ledger, reminders, settings) and its buttons."""
    sections = [say("chat.home_intro", cmd=cmd), await ledger_text(rapport, user)]
    view = await rapport.ledger.view(user)
    actions = [Action(ButtonId.COACH, say("chat.buttons.coach"), Verb.COACH, "primary")]
    if view.unreciprocated:
        people = list(dict.fromkeys(e.other.display for e in view.unreciprocated))
        sections.append(say("chat.home_reminders", names=", ".join(people), first=people[0]))
        actions += [
            Action(thank_button(n), say("chat.buttons.thank", name=name), f"{Verb.THANK} {name}")
            for n, name in enumerate(people[:MAX_REMINDERS])
        ]
    if await is_admin():
        config = await rapport.workspaces.load(user.platform, user.workspace)
        sections.append(say("chat.home_admin", summary=summary(config), cmd=cmd))
    return sections, tuple(actions)
