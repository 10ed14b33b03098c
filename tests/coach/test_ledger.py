"""The reciprocity ledger on a real SQLite file: names and mentions as people, matching a first
name and a full name either way (never guessing between two people), endorsements returned and
thanked for, names confirmed as one person, one person forgotten, and each user's ledger their
own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from rapport.bot.coach.ledger import Ledger, clean_name, person, same_person
from rapport.bot.storage import open_store
from rapport.bot.storage.base import Person, Store, UserRef

ANA = UserRef("slack", "T1", "U_ANA")
BEN = UserRef("slack", "T1", "U_BEN")
ANA_ELSEWHERE = UserRef("slack", "T2", "U_ANA")


class Clock:
    """A clock the test moves: each reading one second after the last."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await open_store(f"sqlite:///{tmp_path / 'ledger.db'}")
    yield s
    await s.close()


@pytest.fixture
def ledger(store: Store) -> Ledger:
    return Ledger(store, Clock())


# -- names -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Dana Lee", "Dana Lee"),
        ("  Dana   Lee, ", "Dana Lee"),
        ('"Dana"', "Dana"),
        ("Dana @here", "Dana"),
        ("<!channel> Sam", "Sam"),
        ("<@U123|dana>", "<@U123|dana>"),
    ],
)
def test_clean_name_keeps_a_name_and_drops_crowd_pings(typed: str, name: str) -> None:
    assert clean_name(typed) == name


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "@everyone", "<!here>", "<@&123>", "12345", "x" * 61,
     "we worked together on the launch", "\x1b[31mRed\x1b[0m"],
)  # fmt: skip
def test_clean_name_refuses_what_is_not_a_name(typed: str) -> None:
    assert clean_name(typed) is None


def test_a_mention_is_keyed_by_its_id_and_shown_by_its_label() -> None:
    assert person("<@U123|Dana Lee>") == Person("u123", "Dana Lee")
    assert person("<@!456>") == Person("456", "<@!456>")
    assert person("  @Dana   Lee ") == Person("dana lee", "Dana Lee")
    assert person("@here") == Person("", "")  # a crowd ping is nobody


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Dana", "Dana Lee", True),
        ("Dana Lee", "dana lee", True),
        ("<@U1|Dana Lee>", "Dana Lee", True),
        ("<@U1|Dana Lee>", "Dana", True),
        ("Dana Lee", "Dana Kim", False),
        ("Dan", "Dana Lee", False),
        ("Lee", "Dana Lee", False),
    ],
)
def test_same_person_matches_either_way_round(a: str, b: str, same: bool) -> None:
    assert same_person(person(a), person(b)) is same
    assert same_person(person(b), person(a)) is same


# -- relationships -------------------------------------------------------------------------------
async def test_know_records_the_users_own_words(ledger: Ledger, store: Store) -> None:
    who = await ledger.know(ANA, "Dana Lee", "we shipped Atlas at Acme", "2019")
    assert who == Person("dana lee", "Dana Lee")
    rel = await ledger.relationship(ANA, "Dana Lee")
    assert rel is not None and (rel.how, rel.since) == ("we shipped Atlas at Acme", "2019")


async def test_know_again_adds_new_words_and_keeps_old_ones(ledger: Ledger, store: Store) -> None:
    await ledger.know(ANA, "Dana", "we shipped Atlas", "2019")
    await ledger.know(ANA, "dana", "she mentored me")
    await ledger.know(ANA, "DANA", "Mentored me")  # already said: not repeated
    (rel,) = await store.relationships(ANA)
    assert rel.how == "we shipped Atlas; she mentored me" and rel.since == "2019"


async def test_a_first_name_finds_the_full_name_and_back(ledger: Ledger) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    assert (await ledger.relationship(ANA, "Dana")) is not None
    await ledger.know(ANA, "Sam", "school")
    assert (await ledger.relationship(ANA, "Sam Ortiz")) is not None
    assert await ledger.relationship(ANA, "Lee") is None
    assert await ledger.relationship(ANA, "Priya") is None


async def test_two_people_with_one_first_name_are_never_guessed(ledger: Ledger) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    await ledger.know(ANA, "Dana Kim", "school")
    assert await ledger.relationship(ANA, "Dana") is None
    rel = await ledger.relationship(ANA, "Dana Kim")
    assert rel is not None and rel.how == "school"
    # someone filed as exactly "Dana" is who "Dana" means, even then
    await ledger.know(ANA, "Dana", "the neighbour")
    rel = await ledger.relationship(ANA, "Dana")
    assert rel is not None and rel.how == "the neighbour"


async def test_a_mention_finds_the_name_it_shows(ledger: Ledger) -> None:
    await ledger.know(ANA, "<@U2|Dana Lee>", "we ran the Atlas launch")
    assert (await ledger.relationship(ANA, "Dana Lee")) is not None
    assert (await ledger.relationship(ANA, "<@U2>")) is not None


async def test_a_crowd_ping_or_a_blank_is_never_filed(ledger: Ledger, store: Store) -> None:
    for name in ("@here", "<!channel>", "   "):
        with pytest.raises(ValueError, match="needs a person's name"):
            await ledger.gave(ANA, name)
        with pytest.raises(ValueError):
            await ledger.know(ANA, name, "we met")
    assert await store.endorsements(ANA) == [] and await store.relationships(ANA) == []


# -- endorsements --------------------------------------------------------------------------------
async def test_an_unsolicited_endorsement_waits_until_one_is_given_back(ledger: Ledger) -> None:
    received = await ledger.received(ANA, "Sam", solicited=False, note="for SQL")
    assert received.id is not None and received.note == "for SQL"
    owed = await ledger.owed_to(ANA, "Sam")
    assert owed is not None and owed.id == received.id
    await ledger.gave(ANA, "Sam", "for Go")
    assert await ledger.owed_to(ANA, "Sam") is None
    assert await ledger.view_unreciprocated(ANA) == []
    assert await ledger.given_to(ANA, "Sam") == 1


async def test_an_asked_for_or_unknown_endorsement_is_not_owed(ledger: Ledger) -> None:
    await ledger.received(ANA, "Sam", solicited=True)
    await ledger.received(ANA, "Priya")
    assert await ledger.owed_to(ANA, "Sam") is None
    assert await ledger.owed_to(ANA, "Priya") is None
    assert await ledger.view_unreciprocated(ANA) == []


async def test_giving_to_someone_else_returns_nothing(ledger: Ledger) -> None:
    await ledger.received(ANA, "Sam", solicited=False)
    await ledger.gave(ANA, "Priya")
    assert await ledger.owed_to(ANA, "Sam") is not None
    assert await ledger.given_to(ANA, "Sam") == 0


async def test_giving_to_a_name_that_could_be_two_people_returns_neither(ledger: Ledger) -> None:
    await ledger.received(ANA, "Dana Lee", solicited=False)
    await ledger.received(ANA, "Dana Smith", solicited=False)
    await ledger.gave(ANA, "Dana")
    assert len(await ledger.view_unreciprocated(ANA)) == 2
    await ledger.gave(ANA, "Dana Lee")
    assert [e.other.display for e in await ledger.view_unreciprocated(ANA)] == ["Dana Smith"]


async def test_thanks_settles_an_owed_endorsement(ledger: Ledger) -> None:
    await ledger.received(ANA, "Sam Ortiz", solicited=False)
    await ledger.received(ANA, "Priya", solicited=False)
    assert await ledger.thanked(ANA, "Sam") == 1
    assert await ledger.owed_to(ANA, "Sam Ortiz") is None
    assert await ledger.thanked(ANA, "Sam") == 0  # nothing left to settle
    assert await ledger.owed_to(ANA, "Priya") is not None


async def test_endorsements_carry_the_clock_and_the_choice(ledger: Ledger) -> None:
    first = await ledger.gave(ANA, "Sam", solicited=True)
    second = await ledger.received(ANA, "Sam", solicited=None)
    assert first.at < second.at
    assert (first.direction, first.solicited, second.solicited) == ("given", True, None)


# -- the view ------------------------------------------------------------------------------------
async def test_the_view_sorts_entries_and_lists_what_is_waiting(ledger: Ledger) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    await ledger.gave(ANA, "Dana Lee")
    await ledger.received(ANA, "Sam", solicited=False)
    await ledger.received(ANA, "Priya", solicited=True)
    view = await ledger.view(ANA)
    assert [r.other.display for r in view.relationships] == ["Dana Lee"]
    assert [e.other.display for e in view.given] == ["Dana Lee"]
    assert [e.other.display for e in view.received] == ["Sam", "Priya"]
    assert [e.other.display for e in view.unreciprocated] == ["Sam"]


async def test_the_view_shows_other_names_but_not_the_shown_one(ledger: Ledger) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    await ledger.merge(ANA, "Dana Lee", "Dana")
    await ledger.merge(ANA, "Dana Lee", "DL")
    view = await ledger.view(ANA)
    dana = view.relationships[0].other
    assert view.also_known_as(dana) == ("Dana", "DL")
    assert view.also_known_as(Person("sam", "Sam")) == ()


# -- possible matches and merges -------------------------------------------------------------------
async def test_matches_offers_the_people_a_name_may_be(ledger: Ledger) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    await ledger.gave(ANA, "Dana")
    assert [p.display for p in await ledger.matches(ANA, "Dana")] == ["Dana Lee"]
    assert await ledger.matches(ANA, "Priya") == []


async def test_merge_files_the_other_name_under_the_kept_one(ledger: Ledger, store: Store) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    await ledger.gave(ANA, "Dana")
    done = await ledger.merge(ANA, "Dana Lee", "Dana")
    assert (done.outcome, done.moved) == ("merged", 1)
    assert done.keep is not None and done.keep.display == "Dana Lee"
    assert {e.other.key for e in await store.endorsements(ANA)} == {"dana lee"}
    # the name is now an alias: a new entry under it is filed under the person
    await ledger.gave(ANA, "Dana")
    assert {e.other.key for e in await store.endorsements(ANA)} == {"dana lee"}
    assert await ledger.matches(ANA, "Dana") == []


async def test_merge_outcomes_when_nothing_moves(ledger: Ledger) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    assert (await ledger.merge(ANA, "Dana Lee", "D. Lee")).outcome == "named"
    assert (await ledger.merge(ANA, "Dana Lee", "D. Lee")).outcome == "already"
    assert (await ledger.merge(ANA, "Nobody Here", "Dana")).outcome == "no_keep"
    await ledger.know(ANA, "Sam Ortiz", "school")
    # Dana Lee has a name of their own: never folded into Sam by one command
    done = await ledger.merge(ANA, "Sam Ortiz", "Dana Lee")
    assert done.outcome == "has_names" and done.other is not None
    assert done.other.display == "Dana Lee"


# -- forgetting one person -------------------------------------------------------------------------
async def test_forget_person_deletes_their_entries_and_names(ledger: Ledger, store: Store) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    await ledger.gave(ANA, "Dana")
    await ledger.merge(ANA, "Dana Lee", "Dana")
    await ledger.received(ANA, "Sam", solicited=False)
    found, deleted = await ledger.forget_person(ANA, "Dana")
    assert [p.display for p in found] == ["Dana Lee"] and deleted == 2
    assert await store.aliases(ANA) == []
    assert [e.other.display for e in await store.endorsements(ANA)] == ["Sam"]


async def test_forget_person_deletes_nothing_on_a_guess(ledger: Ledger, store: Store) -> None:
    await ledger.received(ANA, "Dana Lee", solicited=False)
    await ledger.received(ANA, "Dana Smith", solicited=False)
    found, deleted = await ledger.forget_person(ANA, "Dana")
    assert len(found) == 2 and deleted == 0
    assert await ledger.forget_person(ANA, "Zed") == ([], 0)
    assert len(await store.endorsements(ANA)) == 2


# -- isolation -----------------------------------------------------------------------------------
async def test_each_user_in_each_workspace_has_their_own_ledger(ledger: Ledger) -> None:
    await ledger.know(ANA, "Dana Lee", "Acme")
    await ledger.received(ANA, "Sam", solicited=False)
    for other in (BEN, ANA_ELSEWHERE):
        assert await ledger.relationship(other, "Dana Lee") is None
        assert await ledger.owed_to(other, "Sam") is None
        found, deleted = await ledger.forget_person(other, "Dana Lee")
        assert (found, deleted) == ([], 0)
    assert await ledger.relationship(ANA, "Dana Lee") is not None


async def test_a_reader_sees_one_state_for_one_turn(ledger: Ledger, store: Store) -> None:
    await ledger.received(ANA, "Sam", solicited=False)
    reader = ledger.reader(ANA)
    assert await reader.owed_to("Sam") is not None
    await ledger.gave(ANA, "Sam")  # written after the reader read
    assert await reader.owed_to("Sam") is not None  # one turn sees one state
    assert await ledger.reader(ANA).owed_to("Sam") is None
