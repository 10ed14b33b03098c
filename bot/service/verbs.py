"""The words of `/rapport …` and the ids of rapport's buttons, owned by the core.

Surfaces ask for them here (an adapter writes `Verb.CHECK`, never the string), so a command or
a button is named in one place, and the chat adapters can be checked to name none themselves.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "BUTTON_IDS",
    "CARRIED_VERBS",
    "SUBCOMMANDS",
    "ButtonId",
    "Verb",
    "carries_draft",
    "draft_button_command",
    "draft_command",
    "names_people",
    "thank_button",
]


class Verb(StrEnum):
    """A subcommand of `/rapport` (also the verb of a typed `Command`)."""

    CHECK = "check"
    REWRITE = "rewrite"
    COACH = "coach"
    GAVE = "gave"
    RECEIVED = "received"
    KNOW = "know"
    LEDGER = "ledger"
    FORGET = "forget"
    HELP = "help"
    CONFIG = "config"
    WHY = "why"
    REMEMBER = "remember"
    THANK = "thank"
    SAVED = "saved"


SUBCOMMANDS: tuple[str, ...] = tuple(verb.value for verb in Verb)

#: Subcommands that name people, who are keyed by their platform id (`<@U1|Dana>`): their
#: mentions reach the core as ids, where a draft's read as the person's name.
_PEOPLE_VERBS = (Verb.GAVE, Verb.RECEIVED, Verb.KNOW, Verb.THANK)

#: Subcommands whose button runs `<verb> <draft>`: where a button can't carry its draft (too
#: long), the platform carries it beside the button (Slack's modal) and names just the verb.
CARRIED_VERBS = (Verb.REWRITE, Verb.COACH, Verb.CHECK)


class ButtonId(StrEnum):
    """Stable, namespaced ids of the buttons the core puts on its answers: a click on a message
    from before a restart still names what it was."""

    REWRITE = "rapport:rewrite"
    COACH = "rapport:coach-dm"
    WHY = "rapport:why"
    FORGET_YES = "rapport:forget:yes"
    FORGET_NO = "rapport:forget:no"
    THANK = "rapport:thank"  # App Home's reminders: `rapport:thank:<n>`


#: Every button id above (a reminder's with its number): what a platform routes to the core.
BUTTON_IDS = re.compile(
    "^(?:"
    + "|".join(re.escape(b) for b in ButtonId if b is not ButtonId.THANK)
    + "|"
    + re.escape(ButtonId.THANK)
    + "(?::.*)?)$"
)


def names_people(text: str) -> bool:
    """Whether `/rapport <text>` names people (so its mentions must stay ids)."""
    word = text.strip().split(None, 1)[0].lower() if text.strip() else ""
    return word in _PEOPLE_VERBS


def thank_button(n: int) -> str:
    """The id of the `n`th "thank them" reminder button."""
    return f"{ButtonId.THANK}:{n}"


def carries_draft(verb: str) -> bool:
    """Whether a button's command for this verb is `<verb> <draft>` (see CARRIED_VERBS)."""
    return verb in CARRIED_VERBS


def draft_command(verb: str, draft: str, recipient: str | None = None) -> str:
    """The chat command a button runs on a draft; a rewrite keeps who the draft is for."""
    if recipient and verb == Verb.REWRITE:
        return f"{verb} --to {recipient} {draft}"
    return f"{verb} {draft}"


def draft_button_command(button: str, draft: str, recipient: str | None = None) -> str | None:
    """The command a checked draft's button runs when the draft is read back from the message
    it sits on (its own command was too long to carry); None for any other button."""
    if button == ButtonId.REWRITE:
        return draft_command(Verb.REWRITE, draft, recipient)
    if button == ButtonId.COACH:
        return draft_command(Verb.COACH, draft)
    if button == ButtonId.WHY:  # too many rules for the button: read from the check again
        return f"{Verb.WHY} --draft {draft}"
    return None
