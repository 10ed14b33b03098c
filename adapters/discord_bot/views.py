"""What rapport sends on Discord besides embeds: buttons for an answer, a coach turn's choices,
the long-draft modal, and messages split in parts.

Views are sent stopped (`sent_once`): their buttons go out, but discord.py keeps no copy;
clicks reach `CommandButton` (a dynamic item in `rapport.bot.py`), whatever message they come from.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from rapport.adapters.discord_bot.embeds import LIMITS, custom_id, cut, parts
from rapport.bot.coach.replies import Reply
from rapport.bot.service.chat import Answer
from rapport.bot.wording import say

__all__ = [
    "MODAL_ID",
    "ChoiceView",
    "RapportView",
    "draft_modal",
    "send_parts",
    "sent_once",
    "submitted_draft",
]

MODAL_ID = "rapport:modal"
MODAL_INPUT = "rapport:draft"
MODAL_LIMIT = 4000
#: The custom id of a coach choice's button: the choice's value follows it.
CHOICE_PREFIX = "rapport:say:"


async def send_parts(
    send: Callable[..., Awaitable[Any]], content: str, last: dict[str, Any]
) -> None:
    """Content longer than one message goes out as several, split at line breaks; the embeds
    and buttons (`last`) ride on the final one."""
    pieces = parts(content) or [""]
    for n, piece in enumerate(pieces):
        extra = last if n == len(pieces) - 1 else {}
        await send(content=piece or None, **extra)


def sent_once(view: discord.ui.View) -> discord.ui.View:
    """Stop a view before it is sent: its buttons still go out, but discord.py won't keep it in
    its view store (one entry per message, forever, for a view without a timeout).  Clicks
    reach `CommandButton`, the dynamic item, whatever message they come from."""
    view.stop()
    return view


class RapportView(discord.ui.View):
    """Buttons for an answer (a view is only a container; the buttons are dynamic items)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(timeout=None)
        for action in answer.actions[:25]:
            style = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger}
            self.add_item(
                discord.ui.Button(
                    label=cut(action.label, LIMITS["label"]),
                    custom_id=custom_id(action),
                    style=style.get(action.style, discord.ButtonStyle.secondary),
                )
            )


class ChoiceView(discord.ui.View):
    """A coach turn's choices, each sending its value back as the user's answer."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(timeout=None)
        for choice in reply.choices[:25]:
            cid = CHOICE_PREFIX + choice.value
            if len(cid) > LIMITS["custom_id"]:
                continue
            self.add_item(
                discord.ui.Button(label=cut(choice.label, LIMITS["label"]), custom_id=cid)
            )


def draft_modal() -> discord.ui.Modal:
    """The long-draft box (up to 4,000 characters).  It is sent stopped, so discord.py keeps
    no copy keyed by its custom id (one shared id would hand one person's submission to
    another's modal, and a restart would drop it): `on_interaction` reads every submission
    from the payload instead."""
    modal = discord.ui.Modal(title=cut(say("chat.modal.title"), 45), custom_id=MODAL_ID)
    modal.add_item(
        discord.ui.TextInput(
            label=cut(say("chat.modal.draft"), 45),
            custom_id=MODAL_INPUT,
            style=discord.TextStyle.paragraph,
            placeholder=cut(say("chat.modal.draft_placeholder"), 100),
            max_length=MODAL_LIMIT,
            required=True,
        )
    )
    modal.stop()
    return modal


def submitted_draft(data: Any) -> str | None:
    """The draft in a modal submission's payload (its text input may sit in a row or a label)."""
    if isinstance(data, dict):
        if data.get("custom_id") == MODAL_INPUT and isinstance(data.get("value"), str):
            return str(data["value"])
        children = [data.get("component"), *(data.get("components") or [])]
        data = [c for c in children if c]
    if isinstance(data, list):
        for item in data:
            found = submitted_draft(item)
            if found is not None:
                return found
    return None
