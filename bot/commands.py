"""Ledger and privacy commands, the same on every surface: know, gave, received, ledger,
remember on|off, forget.  Parsing is forgiving ("know Dana: we worked at Acme",
`gave "Dana Lee" for SQL`, `received <@U1> unsolicited`); replies are the coach's wording."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bot.coach.wording import say
from bot.service import Rapport
from bot.storage.base import UserRef

__all__ = ["COMMANDS", "Command", "parse_command", "run_command"]

COMMANDS = ("know", "gave", "received", "ledger", "remember", "forget")


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command: its name, the person it names, and the rest of the words."""

    name: str
    who: str = ""
    rest: str = ""


def _split_name(text: str) -> tuple[str, str]:
    """("Dana Lee", "we worked…") from 'Dana Lee: we worked…', '"Dana Lee" we…', '<@U1> we…'."""
    text = text.strip()
    quoted = re.match(r'"([^"]+)"\s*:?\s*(.*)', text, re.S)
    if quoted:
        return quoted.group(1).strip(), quoted.group(2).strip()
    mention = re.match(r"(<@[^>]+>)\s*:?\s*(.*)", text, re.S)
    if mention:
        return mention.group(1), mention.group(2).strip()
    head, sep, tail = text.partition(":")
    if sep and 1 <= len(head.split()) <= 4:
        return head.strip(), tail.strip()
    first, _, rest = text.partition(" ")
    return first.strip(), rest.strip()


def parse_command(text: str) -> Command | None:
    """The command in a message ("/gave Dana", "ledger"), or None if it isn't one."""
    words = text.strip().lstrip("/").split(None, 1)
    if not words or words[0].lower() not in COMMANDS:
        return None
    name, rest = words[0].lower(), words[1] if len(words) > 1 else ""
    if name in ("know", "gave", "received"):
        who, rest = _split_name(rest)
        return Command(name, who, rest)
    return Command(name, "", rest.strip())


async def run_command(rapport: Rapport, user: UserRef, cmd: Command) -> str:
    """Carry out a command and say what happened."""
    ledger = rapport.ledger
    if cmd.name in ("know", "gave", "received") and not cmd.who:
        return say("ledger.usage")
    if cmd.name == "know":
        if not cmd.rest:
            return say("ledger.usage")
        since = re.search(r"(?i)\bsince\s+(\w[\w ]{0,20})$", cmd.rest)
        who = await ledger.know(user, cmd.who, cmd.rest, since.group(1) if since else None)
        return say("ledger.saved_know", name=who.display, how=cmd.rest)
    if cmd.name == "gave":
        owed = await ledger.owed_to(user, cmd.who)
        entry = await ledger.gave(user, cmd.who, cmd.rest or None)
        return say("ledger.saved_gave", name=entry.other.display, returned=owed is not None)
    if cmd.name == "received":
        flags = cmd.rest.lower()
        solicited = (
            False
            if "unsolicited" in flags or "unprompted" in flags
            else (True if "solicited" in flags or "asked" in flags else None)
        )
        note = re.sub(r"(?i)\b(?:un)?solicited\b|\bunprompted\b", "", cmd.rest).strip() or None
        entry = await ledger.received(user, cmd.who, solicited, note)
        return say("ledger.saved_received", name=entry.other.display, solicited=solicited)
    if cmd.name == "remember":
        choice = cmd.rest.strip().lower()
        if choice not in ("on", "off", "yes", "no", "true", "false"):
            return say("ledger.usage")  # keeping text is never switched on by accident
        on = choice in ("on", "yes", "true")
        await rapport.store.set_remember(user, on)
        return say("ledger.remember_on" if on else "ledger.remember_off")
    if cmd.name == "forget":
        if cmd.rest.lower() not in ("yes", "confirm", "y", "--yes"):
            return say("ledger.forget_confirm")
        return say("ledger.forgotten", count=await rapport.forget(user))
    return await ledger_text(rapport, user)


async def ledger_text(rapport: Rapport, user: UserRef) -> str:
    """The user's ledger as text, with the endorsements waiting to be returned."""
    view = await rapport.ledger.view(user)
    if not (view.relationships or view.given or view.received):
        return say("ledger.empty")
    lines = [say("ledger.heading")]
    if view.relationships:
        lines += ["", say("ledger.relationships")]
        lines += [
            "  • "
            + say(
                "ledger.relationship",
                name=r.other.display,
                how=r.how,
                since=None if r.since and r.since in r.how else r.since,
            )
            for r in view.relationships
        ]
    for title, entries in (("ledger.given", view.given), ("ledger.received", view.received)):
        if entries:
            lines += ["", say(title)]
            lines += [
                "  • "
                + say(
                    "ledger.endorsement",
                    name=e.other.display,
                    date=_date(e.at),
                    note=e.note,
                    solicited=e.solicited,
                    returned=e.reciprocated,
                )
                for e in entries
            ]
    if view.unreciprocated:
        names = ", ".join(dict.fromkeys(e.other.display for e in view.unreciprocated))
        lines += [
            "",
            say("ledger.waiting", names=names, first=view.unreciprocated[0].other.display),
        ]
    return "\n".join(lines)


def _date(at: float) -> str:
    return time.strftime("%d %b %Y", time.localtime(at))
