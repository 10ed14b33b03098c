"""The reciprocity ledger: who you know and how, and the endorsements given and received.

It exists so people give before they ask and return unsolicited endorsements.  People are
keyed by platform id when the user mentions them (`<@U123>`, `<@!123>`) and by their name,
lower-cased, otherwise; the label is kept as typed for display (adapters neutralise mentions).
A name matches either way round ("Dana" finds "Dana Lee" and "Dana Lee" finds "Dana", when
only one person fits), and once the user confirms two names are one person (`ledger same`),
the second is an alias filed under the first.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.storage.base import Endorsement, Person, Relationship, Store, UserRef

__all__ = ["Ledger", "LedgerReader", "LedgerView", "clean_name", "person", "same_person"]

_MENTION = re.compile(r"<@!?(\w+)(?:\|([^>]*))?>")
_SPACES = re.compile(r"\s+")
_CROWD = re.compile(
    r"(?i)<!(?:here|channel|everyone|subteam)[^>]*>|<@&\d+>|(?<![\w@])@(?:here|channel|everyone)\b"
)


def clean_name(text: str) -> str | None:
    """A person's name as typed, without crowd pings; None if what's left isn't a name (empty,
    a number, or a sentence)."""
    name = _SPACES.sub(" ", _CROWD.sub(" ", text)).strip().strip(",;:.!?\"'")
    if not name or not any(c.isalpha() for c in name) or len(name) > 60 or len(name.split()) > 5:
        return None
    return name


def person(name: str) -> Person:
    """The ledger's handle for someone named or mentioned by the user (never a crowd ping)."""
    name = _CROWD.sub(" ", name)
    text = _SPACES.sub(" ", name.strip().lstrip("@")).strip()
    m = _MENTION.fullmatch(name.strip())
    if m:
        return Person(key=m.group(1).lower(), display=m.group(2) or name.strip())
    return Person(key=text.lower(), display=text)


class LedgerReader:
    """What one check or turn asks of one user's ledger, each table read at most once (a
    check asks about the same person two or three times: relationship, given, owed)."""

    def __init__(self, store: Store, user: UserRef) -> None:
        self.store = store
        self.user = user
        self._endorsements: list[Endorsement] | None = None
        self._relationships: list[Relationship] | None = None
        self._aliases: dict[str, str] | None = None

    async def endorsements(self) -> list[Endorsement]:
        if self._endorsements is None:
            self._endorsements = await self.store.endorsements(self.user)
        return self._endorsements

    async def relationships(self) -> list[Relationship]:
        if self._relationships is None:
            self._relationships = await self.store.relationships(self.user)
        return self._relationships

    async def aliases(self) -> dict[str, str]:
        """Alias key → the key the person is filed under (what the user confirmed)."""
        if self._aliases is None:
            self._aliases = {a.alias.key: a.person_key for a in await self.store.aliases(self.user)}
        return self._aliases

    async def resolve(self, name: str) -> Person:
        """The person a name or mention stands for: filed under the key the user confirmed."""
        who = person(name)
        filed = (await self.aliases()).get(who.key)
        return Person(filed, who.display) if filed else who

    async def relationship(self, name: str) -> Relationship | None:
        """As `Ledger.relationship`."""
        asked = await self.resolve(name)
        people = await self.relationships()
        exact = [r for r in people if r.other.key == asked.key]
        if exact:
            return exact[0]
        found = [r for r in people if same_person(r.other, asked)]
        return found[0] if len(found) == 1 else None

    async def given_to(self, name: str) -> int:
        """As `Ledger.given_to`."""
        asked = await self.resolve(name)
        return sum(
            1 for e in await self.endorsements()
            if e.direction == "given" and same_person(e.other, asked)
        )  # fmt: skip

    async def owed_to(self, name: str) -> Endorsement | None:
        """As `Ledger.owed_to`."""
        asked = await self.resolve(name)
        for e in await self.endorsements():
            if _waiting(e) and same_person(e.other, asked):
                return e
        return None


def _waiting(e: Endorsement) -> bool:
    """An unsolicited endorsement received and not yet returned (or thanked for)."""
    return e.direction == "received" and e.solicited is False and not e.reciprocated


def _names(p: Person) -> set[str]:
    """What a person answers to: their key and their label, lower-cased ("u123", "dana lee")."""
    return {p.key, _SPACES.sub(" ", p.display.strip().lstrip("@")).lower()} - {""}


def same_person(a: Person, b: Person) -> bool:
    """The same person, either way round: the same key or label ("<@U1|Dana Lee>" and
    "Dana Lee"), or a first name and a full name that starts with it ("Dana", "Dana Lee")."""
    names_a, names_b = _names(a), _names(b)
    if names_a & names_b:
        return True
    for x in names_a:
        for y in names_b:
            short, full = (x, y) if len(x) <= len(y) else (y, x)
            if " " not in short and " " in full and full.split(" ", 1)[0] == short:
                return True
    return False


@dataclass(frozen=True, slots=True)
class LedgerView:
    """Everything the ledger holds for one user, ready to show."""

    relationships: tuple[Relationship, ...]
    given: tuple[Endorsement, ...]
    received: tuple[Endorsement, ...]
    unreciprocated: tuple[Endorsement, ...]  # unsolicited, received, not returned yet
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # key → other names

    def also_known_as(self, who: Person) -> tuple[str, ...]:
        """The other names the user confirmed for this person ("Dana", "@dana")."""
        return self.aliases.get(who.key, ())


class Ledger:
    """Ledger operations over a store; every call is scoped to one user in one workspace."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    async def know(self, user: UserRef, name: str, how: str, since: str | None = None) -> Person:
        """Record how the user knows someone (their own words)."""
        who = await self.reader(user).resolve(name)
        await self.store.save_relationship(
            user, Relationship(who, how.strip(), since, self.clock())
        )
        return who

    async def gave(
        self, user: UserRef, name: str, note: str | None = None, solicited: bool | None = None
    ) -> Endorsement:
        """Record an endorsement the user gave; it also returns any unsolicited one from them."""
        who = await self.reader(user).resolve(name)
        entry = Endorsement(None, "given", who, solicited, note, self.clock())
        entry_id = await self.store.add_endorsement(user, entry)
        for received in await self.store.endorsements(user):
            if (
                received.direction == "received"
                and same_person(received.other, who)
                and not received.reciprocated
                and received.id is not None
            ):
                await self.store.mark_reciprocated(user, received.id)
        return Endorsement(entry_id, "given", who, solicited, note, entry.at)

    async def thanked(self, user: UserRef, name: str) -> int:
        """The user thanked someone for endorsing them unprompted (without returning one, when
        they couldn't honestly): that settles it.  Returns how many were settled."""
        who = await self.reader(user).resolve(name)
        settled = 0
        for e in await self.view_unreciprocated(user):
            if same_person(e.other, who) and e.id is not None:
                settled += await self.store.mark_reciprocated(user, e.id)
        return settled

    async def received(
        self, user: UserRef, name: str, solicited: bool | None = None, note: str | None = None
    ) -> Endorsement:
        """Record an endorsement the user received (unsolicited ones wait to be returned)."""
        who = await self.reader(user).resolve(name)
        entry = Endorsement(None, "received", who, solicited, note, self.clock())
        entry_id = await self.store.add_endorsement(user, entry)
        return Endorsement(entry_id, "received", who, solicited, note, entry.at)

    def reader(self, user: UserRef) -> LedgerReader:
        """One user's ledger for one check or turn: each table read at most once."""
        return LedgerReader(self.store, user)

    async def relationship(self, user: UserRef, name: str) -> Relationship | None:
        """How the user knows this person, if the ledger says ("Dana" finds "Dana Lee" when
        there is only one Dana, and "Dana Lee" finds "Dana")."""
        return await self.reader(user).relationship(name)

    async def given_to(self, user: UserRef, name: str) -> int:
        """How many endorsements the user has given this person."""
        return await self.reader(user).given_to(name)

    async def owed_to(self, user: UserRef, name: str) -> Endorsement | None:
        """An unsolicited endorsement from this person that the user hasn't returned."""
        return await self.reader(user).owed_to(name)

    async def people(self, user: UserRef) -> list[Person]:
        """Everyone in the user's ledger, once each under the key they are filed under."""
        out: dict[str, Person] = {}
        for r in await self.store.relationships(user):
            out.setdefault(r.other.key, r.other)
        for e in await self.store.endorsements(user):
            out.setdefault(e.other.key, e.other)
        return list(out.values())

    async def matches(self, user: UserRef, name: str) -> list[Person]:
        """People already in the ledger this name may be ("Dana Lee" for "Dana"), other than
        the one it is filed under: the user is asked before they become one."""
        who = await self.reader(user).resolve(name)
        return [p for p in await self.people(user) if p.key != who.key and same_person(p, who)]

    async def merge(self, user: UserRef, keep_name: str, alias_name: str) -> tuple[Person, int]:
        """The user confirmed two names are one person: entries under the second are filed
        under the first, and the second name finds them from now on.  Returns (person, rows)."""
        reader = self.reader(user)
        keep = await reader.resolve(keep_name)
        alias = await reader.resolve(alias_name)
        if keep.key == alias.key:
            return keep, 0
        people = {p.key: p for p in await self.people(user)}
        keep, alias = people.get(keep.key, keep), people.get(alias.key, alias)
        moved = await self.store.merge_people(user, keep, alias, self.clock())
        return keep, moved

    async def forget_person(self, user: UserRef, name: str) -> tuple[Person | None, int]:
        """Delete one person's entries (under every name the user confirmed for them); a name
        that fits several people deletes nothing and returns (None, 0)."""
        reader = self.reader(user)
        asked = await reader.resolve(name)
        people = await self.people(user)
        found = [p for p in people if p.key == asked.key] or [
            p for p in people if same_person(p, asked)
        ]
        if len(found) != 1:
            return None, 0
        key = found[0].key
        keys = [key, *(a for a, filed in (await reader.aliases()).items() if filed == key)]
        return found[0], await self.store.forget_person(user, keys)

    async def view_unreciprocated(self, user: UserRef) -> list[Endorsement]:
        """Unsolicited endorsements received and not returned, oldest first."""
        return [
            e for e in await self.store.endorsements(user)
            if _waiting(e)
        ]  # fmt: skip

    async def view(self, user: UserRef) -> LedgerView:
        """The whole ledger of one user."""
        endorsements = await self.store.endorsements(user)
        aliases: dict[str, list[str]] = {}
        for a in await self.store.aliases(user):
            aliases.setdefault(a.person_key, []).append(a.alias.display)
        return LedgerView(
            relationships=tuple(await self.store.relationships(user)),
            given=tuple(e for e in endorsements if e.direction == "given"),
            received=tuple(e for e in endorsements if e.direction == "received"),
            unreciprocated=tuple(
                e for e in endorsements
                if _waiting(e)
            ),
            aliases={k: tuple(v) for k, v in aliases.items()},
        )  # fmt: skip
