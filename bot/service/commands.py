"""Ledger, privacy and saved-message commands, the same on every surface: know, gave,
received, ledger (with `forget NAME` and `same NAME OTHER`), remember, saved, forget.

A command is a typed value (`Command`).  Surfaces with their own inputs build it field by
field (Discord's options and pickers, the terminal's arguments), so a choice such as "I asked
for it" and a note such as "unsolicited advice on my CV" are stored exactly as chosen and
typed.  Only text the user typed as a command (`/rapport received @sam unsolicited for SQL`,
the console's `/gave Dana`) is parsed, by `parse_command`; replies are the coach's wording.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from rapport.bot.coach.ledger import clean_name
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage.base import Person, UserRef
from rapport.bot.wording import VERBATIM, say

__all__ = ["COMMANDS", "Command", "ledger_command", "parse_command", "run_command", "saved_command"]

COMMANDS = ("know", "gave", "received", "ledger", "remember", "forget", "saved")
#: Words that choose whether an endorsement received was asked for, as the user may type them.
_SOLICITED = {"solicited": True, "asked": True, "unsolicited": False, "unprompted": False}
_YES = ("yes", "confirm", "y", "--yes")
_SWITCH = {"on": True, "yes": True, "true": True, "off": False, "no": False, "false": False}


@dataclass(frozen=True, slots=True)
class Command:
    """What the user asked for, as typed values: the verb, the person, their words, choices."""

    verb: str  # one of COMMANDS
    who: str = ""  # a name as typed, or a platform mention (`<@U1|Dana Lee>`)
    note: str = ""  # the user's words: how they know them, what an endorsement was for
    solicited: bool | None = None  # `received`: asked for (True), unprompted (False), unsaid
    switch: bool | None = None  # `remember on|off`; None shows the state
    confirmed: bool = False  # `forget`: the user said yes
    action: str = ""  # `ledger forget|same`, `saved delete`
    other: str = ""  # `ledger same WHO OTHER`: the second name
    item: int | None = None  # `saved delete N`
    problem: str = ""  # typed text that couldn't be read: what to say instead of acting

    @property
    def changes_state(self) -> bool:
        """Whether carrying it out changes what rapport keeps (so it is stored before it is
        acknowledged): a ledger entry, a merge or deletion, a switch, a confirmed forget."""
        if self.problem:
            return False
        return (
            self.verb in ("know", "gave", "received")
            or (self.verb == "ledger" and bool(self.action))
            or (self.verb == "remember" and self.switch is not None)
            or (self.verb == "saved" and self.action == "delete")
            or (self.verb == "forget" and self.confirmed)
        )


def ledger_command(forget: str = "", same: str = "", also: str = "") -> Command:
    """`ledger` from a form's fields: show it, forget one person, or make two names one
    person; one change at a time (both asked for: say how instead of guessing)."""
    if forget and (same or also):
        return Command("ledger", problem=say("ledger.usage"))
    if forget:
        return Command("ledger", action="forget", who=forget)
    if same or also:
        return Command("ledger", action="same", who=same, other=also)
    return Command("ledger")


def saved_command(delete: int | None = None) -> Command:
    """`saved` from a form's fields: list the saved messages, or delete number `delete`."""
    if delete is None:
        return Command("saved")
    return Command("saved", action="delete", item=delete)


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
    return first.strip().rstrip(",;:."), rest.strip()  # "gave Dana, for SQL": Dana


def _two_names(text: str) -> tuple[str, str]:
    """('Dana Lee', 'Dana') from '"Dana Lee" Dana', 'Dana Lee = Dana' or '<@U1> Dana'."""
    if "=" in text:
        left, _, right = text.partition("=")
        return left.strip().strip('"'), right.strip().strip('"')
    first, rest = _split_name(text)
    second, _ = _split_name(rest) if rest.startswith(('"', "<@")) else (rest.strip(), "")
    return first, second.strip('"')


def parse_command(text: str) -> Command | None:
    """The command in typed text ("/gave Dana", "ledger"), or None if it isn't one."""
    words = text.strip().lstrip("/").split(None, 1)
    if not words or words[0].lower() not in COMMANDS:
        return None
    verb, rest = words[0].lower(), (words[1] if len(words) > 1 else "").strip()
    if verb in ("know", "gave", "received"):
        who, note = _split_name(rest)
        solicited = None
        if verb == "received":  # a choice word right after the name: "received Sam unsolicited…"
            first, _, after = note.partition(" ")
            if first.lower().strip(",;:") in _SOLICITED:
                solicited, note = _SOLICITED[first.lower().strip(",;:")], after.strip()
        return Command(verb, who=who, note=note, solicited=solicited)
    head, _, tail = rest.partition(" ")
    if verb == "ledger" and head.lower() in ("forget", "delete", "remove"):
        return Command(verb, action="forget", who=tail.strip().strip('"'))
    if verb == "ledger" and head.lower() in ("same", "merge"):
        who, other = _two_names(tail)
        return Command(verb, action="same", who=who, other=other)
    if verb == "ledger" and rest:
        return Command(verb, problem=say("ledger.usage"))
    if verb == "remember":
        if not rest:
            return Command(verb)
        if rest.lower() not in _SWITCH:  # keeping text is never switched on by accident
            return Command(verb, problem=say("ledger.usage"))
        return Command(verb, switch=_SWITCH[rest.lower()])
    if verb == "saved":
        if not rest:
            return Command(verb)
        number = re.fullmatch(r"#?([0-9]{1,9})", tail.strip())
        if head.lower() in ("delete", "forget", "remove") and number:
            return Command(verb, action="delete", item=int(number.group(1)))
        return Command(verb, problem=say("ledger.saved_usage"))
    if verb == "forget":
        return Command(verb, confirmed=rest.lower() in _YES)
    return Command(verb)


async def run_command(rapport: Rapport, user: UserRef, cmd: Command) -> str:
    """Carry out a command and say what happened."""
    if cmd.problem:
        return cmd.problem
    if cmd.verb in ("know", "gave", "received"):
        return await _record(rapport, user, cmd)
    if cmd.verb == "ledger" and cmd.action:
        return await _person(rapport, user, cmd)
    if cmd.verb == "remember":
        if cmd.switch is None:
            on = await rapport.store.remembers(user)
            return say("ledger.remember_state", on=on)
        await rapport.store.set_remember(user, cmd.switch)
        return say("ledger.remember_on" if cmd.switch else "ledger.remember_off")
    if cmd.verb == "saved":
        return await _saved(rapport, user, cmd)
    if cmd.verb == "forget":
        if not cmd.confirmed:
            return say("ledger.forget_confirm")
        return say("ledger.forgotten", count=await rapport.forget(user))
    return await ledger_text(rapport, user)


def _name_problem(*names: str) -> str:
    """The coach's usage line when a name is blank, a crowd ping or a sentence, else ""."""
    return "" if all(clean_name(n) for n in names) else say("ledger.usage")


async def _record(rapport: Rapport, user: UserRef, cmd: Command) -> str:
    """know, gave, received: write the entry, then ask about a person it may already be."""
    ledger = rapport.ledger
    if _name_problem(cmd.who) or (cmd.verb == "know" and not cmd.note.strip()):
        return say("ledger.usage")
    note = cmd.note.strip() or None
    if cmd.verb == "know":
        assert note is not None
        since = re.search(r"(?i)\bsince\s+(\w[\w ]{0,20})$", note)
        who = await ledger.know(user, cmd.who, note, since.group(1) if since else None)
        reply = say("ledger.saved_know", name=who.display, how=note)
    elif cmd.verb == "gave":
        owed = await ledger.owed_to(user, cmd.who)
        entry = await ledger.gave(user, cmd.who, note)
        who = entry.other
        returned = owed is not None and owed.other.key == who.key
        reply = say("ledger.saved_gave", name=who.display, returned=returned)
    else:
        entry = await ledger.received(user, cmd.who, cmd.solicited, note)
        who = entry.other
        reply = say("ledger.saved_received", name=who.display, solicited=cmd.solicited)
    maybe = await ledger.matches(user, cmd.who)
    if maybe:  # the fuller name is the one to keep: "Dana Lee", with "Dana" as another name
        if len(maybe) == 1:
            keep, other = sorted((maybe[0].display, who.display), key=lambda n: -len(n.split()))
        else:  # several fit: the example names the first; the user picks
            keep, other = maybe[0].display, who.display
        reply += " " + say(
            "ledger.same_hint",
            others=[p.display for p in maybe],
            keep=_quoted(keep),
            other=_quoted(other),
        )
    return reply


async def _person(rapport: Rapport, user: UserRef, cmd: Command) -> str:
    """`ledger forget NAME` and `ledger same NAME OTHER`."""
    if cmd.action == "forget":
        if _name_problem(cmd.who):
            return say("ledger.usage")
        found, count = await rapport.ledger.forget_person(user, cmd.who)
        if len(found) != 1:
            return say("ledger.person_unknown", name=cmd.who, several=[p.display for p in found])
        return say("ledger.person_forgotten", name=found[0].display, count=count)
    if _name_problem(cmd.who, cmd.other):
        return say("ledger.usage")
    done = await rapport.ledger.merge(user, cmd.who, cmd.other)
    if done.outcome == "no_keep" or done.keep is None:
        return say("ledger.same_no_keep", name=cmd.who)
    if done.outcome == "already":
        return say("ledger.same_already", name=done.keep.display, other=cmd.other)
    if done.outcome == "has_names":
        other = done.other.display if done.other else cmd.other
        return say("ledger.same_has_names", name=done.keep.display, other=other)
    return say("ledger.merged", name=done.keep.display, alias=cmd.other, count=done.moved)


async def _saved(rapport: Rapport, user: UserRef, cmd: Command) -> str:
    """`saved`: the kept messages, newest first, numbered 1… from the oldest (per user, so a
    number says nothing about anyone else's); `saved delete N`: one of them goes.  Each text is
    shown as kept, behind a bar, so no surface reads markup into it."""
    store = rapport.store
    messages = await store.saved_messages(user)
    if cmd.action == "delete" and cmd.item is not None:
        number = cmd.item
        if 1 <= number <= len(messages) and await store.delete_saved_message(
            user, messages[number - 1].id
        ):
            return say("ledger.saved_deleted", number=number)
        return say("ledger.saved_missing", number=number)
    if not messages:
        return say("ledger.saved_none", on=await store.remembers(user))
    lines = [say("ledger.saved_heading", count=len(messages))]
    for number, m in reversed(list(enumerate(messages, start=1))):
        lines += ["", say("ledger.saved_item", number=number, date=_date(m.at))]
        lines += [VERBATIM + line for line in m.text.split("\n")]
    lines += ["", say("ledger.saved_footer", number=len(messages))]
    return "\n".join(lines)


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name and not name.startswith("<@") else name


async def ledger_text(rapport: Rapport, user: UserRef) -> str:
    """The user's ledger as text, with the endorsements waiting to be returned."""
    view = await rapport.ledger.view(user)
    if not (view.relationships or view.given or view.received):
        return say("ledger.empty")

    def label(who: Person) -> str:
        return say("ledger.person", name=who.display, also=view.also_known_as(who))

    lines = [say("ledger.heading")]
    if view.relationships:
        lines += ["", say("ledger.relationships")]
        lines += [
            "  • "
            + say(
                "ledger.relationship",
                name=label(r.other),
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
                    name=label(e.other),
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
