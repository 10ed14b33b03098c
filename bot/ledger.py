"""The reciprocity ledger: who you know and how, and the endorsements given and received.

It exists so people give before they ask and return unsolicited endorsements.  People are
keyed by platform id when the user mentions them (`<@U123>`, `<@!123>`) and by their name,
lower-cased, otherwise; the label is kept as typed for display (adapters neutralise mentions).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.storage.base import Endorsement, Person, Relationship, Store, UserRef

__all__ = ["Ledger", "LedgerReader", "LedgerView", "clean_name", "person"]

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
        self._exact: dict[str, Relationship | None] = {}

    async def endorsements(self) -> list[Endorsement]:
        if self._endorsements is None:
            self._endorsements = await self.store.endorsements(self.user)
        return self._endorsements

    async def relationship(self, name: str) -> Relationship | None:
        """As `Ledger.relationship`."""
        key = person(name).key
        if key not in self._exact:
            self._exact[key] = await self.store.relationship(self.user, key)
        exact = self._exact[key]
        if exact is not None or " " in key:
            return exact
        if self._relationships is None:
            self._relationships = await self.store.relationships(self.user)
        found = [r for r in self._relationships if _same(r.other.key, key)]
        return found[0] if len(found) == 1 else None

    async def given_to(self, name: str) -> int:
        """As `Ledger.given_to`."""
        key = person(name).key
        return sum(
            1 for e in await self.endorsements()
            if e.direction == "given" and _same(e.other.key, key)
        )  # fmt: skip

    async def owed_to(self, name: str) -> Endorsement | None:
        """As `Ledger.owed_to`."""
        key = person(name).key
        for e in await self.endorsements():
            if _waiting(e) and _same(e.other.key, key):
                return e
        return None


def _waiting(e: Endorsement) -> bool:
    """An unsolicited endorsement received and not yet returned (or thanked for)."""
    return e.direction == "received" and e.solicited is False and not e.reciprocated


def _same(stored: str, asked: str) -> bool:
    """The same person: the same key, or a first name that matches a stored full name."""
    return stored == asked or (" " not in asked and stored.split(" ", 1)[0] == asked)


@dataclass(frozen=True, slots=True)
class LedgerView:
    """Everything the ledger holds for one user, ready to show."""

    relationships: tuple[Relationship, ...]
    given: tuple[Endorsement, ...]
    received: tuple[Endorsement, ...]
    unreciprocated: tuple[Endorsement, ...]  # unsolicited, received, not returned yet


class Ledger:
    """Ledger operations over a store; every call is scoped to one user in one workspace."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    async def know(self, user: UserRef, name: str, how: str, since: str | None = None) -> Person:
        """Record how the user knows someone (their own words)."""
        who = person(name)
        await self.store.save_relationship(
            user, Relationship(who, how.strip(), since, self.clock())
        )
        return who

    async def gave(
        self, user: UserRef, name: str, note: str | None = None, solicited: bool | None = None
    ) -> Endorsement:
        """Record an endorsement the user gave; it also returns any unsolicited one from them."""
        who = person(name)
        entry = Endorsement(None, "given", who, solicited, note, self.clock())
        entry_id = await self.store.add_endorsement(user, entry)
        for received in await self.store.endorsements(user):
            if (
                received.direction == "received"
                and _same(received.other.key, who.key)
                and not received.reciprocated
                and received.id is not None
            ):
                await self.store.mark_reciprocated(user, received.id)
        return Endorsement(entry_id, "given", who, solicited, note, entry.at)

    async def thanked(self, user: UserRef, name: str) -> int:
        """The user thanked someone for endorsing them unprompted (without returning one, when
        they couldn't honestly): that settles it.  Returns how many were settled."""
        settled = 0
        for e in await self.view_unreciprocated(user):
            if _same(e.other.key, person(name).key) and e.id is not None:
                settled += await self.store.mark_reciprocated(user, e.id)
        return settled

    async def received(
        self, user: UserRef, name: str, solicited: bool | None = None, note: str | None = None
    ) -> Endorsement:
        """Record an endorsement the user received (unsolicited ones wait to be returned)."""
        who = person(name)
        entry = Endorsement(None, "received", who, solicited, note, self.clock())
        entry_id = await self.store.add_endorsement(user, entry)
        return Endorsement(entry_id, "received", who, solicited, note, entry.at)

    def reader(self, user: UserRef) -> LedgerReader:
        """One user's ledger for one check or turn: each table read at most once."""
        return LedgerReader(self.store, user)

    async def relationship(self, user: UserRef, name: str) -> Relationship | None:
        """How the user knows this person, if the ledger says ("Dana" finds "Dana Lee" when
        there is only one Dana)."""
        return await self.reader(user).relationship(name)

    async def given_to(self, user: UserRef, name: str) -> int:
        """How many endorsements the user has given this person."""
        return await self.reader(user).given_to(name)

    async def owed_to(self, user: UserRef, name: str) -> Endorsement | None:
        """An unsolicited endorsement from this person that the user hasn't returned."""
        return await self.reader(user).owed_to(name)

    async def view_unreciprocated(self, user: UserRef) -> list[Endorsement]:
        """Unsolicited endorsements received and not returned, oldest first."""
        return [
            e for e in await self.store.endorsements(user)
            if _waiting(e)
        ]  # fmt: skip

    async def view(self, user: UserRef) -> LedgerView:
        """The whole ledger of one user."""
        endorsements = await self.store.endorsements(user)
        return LedgerView(
            relationships=tuple(await self.store.relationships(user)),
            given=tuple(e for e in endorsements if e.direction == "given"),
            received=tuple(e for e in endorsements if e.direction == "received"),
            unreciprocated=tuple(
                e for e in endorsements
                if _waiting(e)
            ),
        )  # fmt: skip
