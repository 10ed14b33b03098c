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

from rapport.bot.storage.base import Endorsement, Person, Relationship, Store, UserRef

__all__ = [
    "Ledger", "LedgerReader", "LedgerView", "Merged", "clean_name", "person", "same_person",
]  # fmt: skip

_MENTION = re.compile(r"<@!?(\w+)(?:\|([^>]*))?>")
_SPACES = re.compile(r"\s+")
_CROWD = re.compile(
    r"(?i)<!(?:here|channel|everyone|subteam)[^>]*>|<@&\d+>|(?<![\w@])@(?:here|channel|everyone)\b"
)


def clean_name(text: str) -> str | None:
    """A person's name as typed, without crowd pings; None if what's left isn't a name (empty,
    a number, a sentence, or holding control characters)."""
    name = _SPACES.sub(" ", _CROWD.sub(" ", text)).strip().strip(",;:.!?\"'")
    if not name or not any(c.isalpha() for c in name) or len(name) > 60 or len(name.split()) > 5:
        return None
    if not name.isprintable():  # an escape sequence or a control character is not a name
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

    async def people(self) -> dict[str, Person]:
        """Everyone with an entry, by the key they are filed under (the first label seen)."""
        out: dict[str, Person] = {}
        for r in await self.relationships():
            out.setdefault(r.other.key, r.other)
        for e in await self.endorsements():
            out.setdefault(e.other.key, e.other)
        return out

    async def candidates(self, name: str) -> list[Person]:
        """Everyone in the ledger a name may mean: the person an alias or exact key names, and
        everyone it matches either way round ("Dana" → "Dana", "Dana Lee", "Dana Smith")."""
        who = person(name)
        if not who.key:
            return []
        filed = (await self.aliases()).get(who.key, who.key)
        return [p for p in (await self.people()).values() if p.key == filed or same_person(p, who)]

    async def identity(self, name: str) -> list[Person] | None:
        """The entries that are the one person a name means: [] for nobody, None when it could
        be several people.  "Dana" and "Dana Lee" are one person while no other Dana is in the
        ledger; with a Dana Smith too, "Dana" means only an entry filed as exactly "Dana"."""
        found = await self.candidates(name)
        if not found:
            return []
        people = list((await self.people()).values())
        if all(same_person(a, b) for a in found for b in found) and all(
            _one_full_name(p, people) for p in found
        ):
            return found
        who = person(name)
        filed = (await self.aliases()).get(who.key, who.key)
        exact = [p for p in found if p.key == filed]
        return exact or None

    async def person_for(self, name: str) -> Person | None:
        """The one person in the ledger a name means (their first entry), or None (nobody, or
        several people fit)."""
        found = await self.identity(name)
        return found[0] if found else None

    async def filed(self, name: str) -> Person:
        """Who a new entry is filed under: the person an alias or exact key names (with their
        label as stored), else the name as typed (a guess is only ever offered, never made)."""
        who = person(name)
        filed = (await self.aliases()).get(who.key, who.key)
        return (await self.people()).get(filed) or Person(filed, who.display)

    async def keys_for(self, name: str) -> set[str]:
        """The keys of the entries that are the one person a name means (none if unsure)."""
        return {p.key for p in await self.identity(name) or ()}

    async def relationship(self, name: str) -> Relationship | None:
        """As `Ledger.relationship`."""
        keys = await self.keys_for(name)
        return next((r for r in await self.relationships() if r.other.key in keys), None)

    async def given_to(self, name: str) -> int:
        """As `Ledger.given_to`."""
        keys = await self.keys_for(name)
        return sum(
            1 for e in await self.endorsements()
            if e.direction == "given" and e.other.key in keys
        )  # fmt: skip

    async def owed_to(self, name: str) -> Endorsement | None:
        """As `Ledger.owed_to`."""
        keys = await self.keys_for(name)
        return next((e for e in await self.endorsements() if _waiting(e) and e.other.key in keys),
                    None)  # fmt: skip


def _waiting(e: Endorsement) -> bool:
    """An unsolicited endorsement received and not yet returned (or thanked for)."""
    return e.direction == "received" and e.solicited is False and not e.reciprocated


def _names(p: Person) -> set[str]:
    """What a person answers to: their key and their label, lower-cased ("u123", "dana lee")."""
    return {p.key, _SPACES.sub(" ", p.display.strip().lstrip("@")).lower()} - {""}


def _one_full_name(p: Person, people: list[Person]) -> bool:
    """A one-word label ("Dana") stands for a full name only when one full name fits it."""
    if any(" " in n for n in _names(p)):
        return True
    return sum(1 for q in people if any(" " in n for n in _names(q)) and same_person(p, q)) <= 1


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
        shown = who.display.lower()
        return tuple(n for n in self.aliases.get(who.key, ()) if n.lower() != shown)


@dataclass(frozen=True, slots=True)
class Merged:
    """What `ledger same KEEP OTHER` did: `outcome` is "merged" (OTHER's entries moved under
    KEEP), "named" (OTHER is a new name for KEEP), "already" (one person already), "no_keep"
    (KEEP isn't one person in the ledger) or "has_names" (OTHER is a person with other names
    of their own: merging would fold several people, so nothing is done)."""

    outcome: str
    keep: Person | None = None
    moved: int = 0
    other: Person | None = None


class Ledger:
    """Ledger operations over a store; every call is scoped to one user in one workspace."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    async def know(self, user: UserRef, name: str, how: str, since: str | None = None) -> Person:
        """Record how the user knows someone (their own words); words already recorded about
        them are kept, the new ones added after them."""
        reader = self.reader(user)
        who = _named(await reader.filed(name))
        known = next((r for r in await reader.relationships() if r.other.key == who.key), None)
        how = how.strip()
        if known is not None and how.lower() not in known.how.lower():
            how = f"{known.how}; {how}"
        elif known is not None:
            how = known.how
        since = since or (known.since if known else None)
        await self.store.save_relationship(user, Relationship(who, how, since, self.clock()))
        return who

    async def gave(
        self, user: UserRef, name: str, note: str | None = None, solicited: bool | None = None
    ) -> Endorsement:
        """Record an endorsement the user gave; it also returns any unsolicited one from the
        same person (never from someone the name only might mean)."""
        reader = self.reader(user)
        who = _named(await reader.filed(name))
        keys = await reader.keys_for(name) | {who.key}
        entry = Endorsement(None, "given", who, solicited, note, self.clock())
        entry_id = await self.store.add_endorsement(user, entry)
        for received in await self.store.endorsements(user):
            if (
                received.direction == "received"
                and received.other.key in keys
                and not received.reciprocated
                and received.id is not None
            ):
                await self.store.mark_reciprocated(user, received.id)
        return Endorsement(entry_id, "given", who, solicited, note, entry.at)

    async def thanked(self, user: UserRef, name: str) -> int:
        """The user thanked someone for endorsing them unprompted (without returning one, when
        they couldn't honestly): that settles it.  Returns how many were settled."""
        keys = await self.reader(user).keys_for(name)
        settled = 0
        for e in await self.view_unreciprocated(user):
            if e.other.key in keys and e.id is not None:
                settled += await self.store.mark_reciprocated(user, e.id)
        return settled

    async def received(
        self, user: UserRef, name: str, solicited: bool | None = None, note: str | None = None
    ) -> Endorsement:
        """Record an endorsement the user received (unsolicited ones wait to be returned)."""
        who = _named(await self.reader(user).filed(name))
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

    async def matches(self, user: UserRef, name: str) -> list[Person]:
        """People already in the ledger this name may be ("Dana Lee" for "Dana"), other than
        the one it is filed under: the user is asked before they become one."""
        reader = self.reader(user)
        who = await reader.filed(name)
        people = (await reader.people()).values()
        return [p for p in people if p.key != who.key and same_person(p, who)]

    async def merge(self, user: UserRef, keep_name: str, other_name: str) -> Merged:
        """The user confirmed two names are one person.  KEEP must be one person in the ledger.
        OTHER may be a new name for them, an alias (re-pointed: only that name moves), or a
        person without other names (their entries move under KEEP).  A person with names of
        their own is never folded in by one command."""
        reader = self.reader(user)
        keep = await reader.person_for(keep_name)
        if keep is None:
            return Merged("no_keep")
        other = _named(person(other_name))
        aliases = await reader.aliases()
        people = await reader.people()
        filed = aliases.get(other.key, other.key)
        if filed == keep.key:
            return Merged("already", keep)
        if other.key in people and any(f == other.key for f in aliases.values()):
            return Merged("has_names", keep, other=people[other.key])
        moved = await self.store.merge_people(
            user, keep, people.get(other.key, other), self.clock()
        )
        return Merged("merged" if moved else "named", keep, moved, people.get(other.key))

    async def forget_person(self, user: UserRef, name: str) -> tuple[list[Person], int]:
        """Delete one person's entries and every name the user confirmed for them: the person
        a name or alias is filed under, else the only one it fits.  Returns (who it fits,
        entries deleted): nothing is deleted unless exactly one fits."""
        reader = self.reader(user)
        who = person(name)
        filed = (await reader.aliases()).get(who.key, who.key)
        exact = (await reader.people()).get(filed)
        # deleting acts on a name the ledger knows, never on a guess that two entries are one
        found = [exact] if exact else await reader.candidates(name)
        if len(found) != 1:
            return found, 0
        keys = {found[0].key}
        keys |= {a for a, filed in (await reader.aliases()).items() if filed in keys}
        return found, await self.store.forget_person(user, sorted(keys))

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


def _named(who: Person) -> Person:
    """`who`, or ValueError when there is no name left (a crowd ping, blank): the ledger never
    files anything under an empty key (commands check names first and say so)."""
    if not who.key:
        raise ValueError("a ledger entry needs a person's name")
    return who
