"""Ledger, people and saved-message commands on a real store (SQLite, then PostgreSQL): typed
commands carried out as given, names matched both ways, aliases confirmed by the user, one
person forgotten, saved messages listed newest first and deleted one at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from rapport.adapters.terminal.render import VERBATIM
from rapport.bot.service.commands import Command, parse_command, run_command
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import open_store
from rapport.bot.storage.base import UserRef

ANA = UserRef("slack", "T1", "U_ANA")
BEN = UserRef("slack", "T1", "U_BEN")
ASK = "Hi {name}, could you endorse me for Python on LinkedIn? It would help my job search."


@pytest.fixture
async def rapport(any_database: str) -> AsyncIterator[Rapport]:
    r = Rapport(await open_store(any_database))
    yield r
    await r.close()


async def run(rapport: Rapport, text: str, user: UserRef = ANA) -> str:
    command = parse_command(text)
    assert command is not None, text
    return await run_command(rapport, user, command)


def rules(report: object) -> set[str]:
    return {f.rule for f in report.findings}  # type: ignore[attr-defined]


# -- parsing typed text -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("received Sam unsolicited for SQL", Command("received", "Sam", "for SQL", False)),
        ("received Sam asked", Command("received", "Sam", "", True)),
        # only a choice word right after the name is the choice; the rest is the note as typed
        (
            'received "Sam Ortiz" advice on my CV, unsolicited',
            Command("received", "Sam Ortiz", "advice on my CV, unsolicited"),
        ),
        ("gave <@U2|Dana> for SQL", Command("gave", "<@U2|Dana>", "for SQL")),
        ("know Dana Lee: we ran Atlas", Command("know", "Dana Lee", "we ran Atlas")),
        ("remember", Command("remember")),
        ("remember off", Command("remember", switch=False)),
        ("saved", Command("saved")),
        ("saved delete #12", Command("saved", action="delete", item=12)),
        ('ledger same "Dana Lee" Dana', Command("ledger", "Dana Lee", action="same", other="Dana")),
        ("ledger same Dana Lee = Dana", Command("ledger", "Dana Lee", action="same", other="Dana")),
        ("ledger forget Dana Lee", Command("ledger", "Dana Lee", action="forget")),
        ("forget yes", Command("forget", confirmed=True)),
    ],
)
def test_typed_text_becomes_a_command(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


def test_text_that_is_not_a_command() -> None:
    assert parse_command("hello there") is None
    saved = parse_command("saved delete all")
    assert saved is not None and "saved delete NUMBER" in saved.problem


# -- typed commands are stored as given ---------------------------------------------------------
async def test_a_typed_choice_and_note_are_stored_exactly(rapport: Rapport) -> None:
    command = Command("received", "Sam", "unsolicited advice on my CV", solicited=True)
    await run_command(rapport, ANA, command)
    (entry,) = await rapport.store.endorsements(ANA)
    assert entry.solicited is True and entry.note == "unsolicited advice on my CV"
    assert (await rapport.ledger.view(ANA)).unreciprocated == ()


async def test_an_empty_name_is_not_recorded(rapport: Rapport) -> None:
    assert "didn't understand" in await run_command(rapport, ANA, Command("gave", "  "))
    assert "didn't understand" in await run_command(rapport, ANA, Command("know", "Dana", " "))
    assert await rapport.store.endorsements(ANA) == []


# -- people, matched both ways ------------------------------------------------------------------
async def test_a_first_name_and_a_full_name_match_either_way(rapport: Rapport) -> None:
    await run(rapport, "gave Dana for SQL")
    await run(rapport, 'know "Dana Lee" we shipped the Atlas migration together')
    for name in ("Dana", "Dana Lee"):
        report = await rapport.check(ANA, ASK.format(name=name), name)
        assert not rules(report) & {"ask-before-give", "cold-ask"}, name


async def test_a_mention_matches_the_name_it_shows(rapport: Rapport) -> None:
    await run(rapport, "gave <@U2|Dana Lee>")
    await run(rapport, "know <@U2|Dana Lee> we ran the Atlas launch")
    report = await rapport.check(ANA, ASK.format(name="Dana"), "Dana Lee")
    assert not rules(report) & {"ask-before-give", "cold-ask"}


async def test_two_people_with_one_first_name_are_not_guessed(rapport: Rapport) -> None:
    await run(rapport, 'know "Dana Lee" Acme')
    await run(rapport, 'know "Dana Kim" school')
    assert await rapport.ledger.relationship(ANA, "Dana") is None
    assert (await rapport.ledger.relationship(ANA, "Dana Kim")).how == "school"  # type: ignore[union-attr]


async def test_a_possible_match_is_asked_about_then_merged(rapport: Rapport) -> None:
    await run(rapport, 'know "Dana Lee" we shipped Atlas at Acme')
    reply = await run(rapport, "gave Dana for SQL")
    assert "Is this the Dana Lee already in your ledger?" in reply
    assert 'ledger same "Dana Lee" Dana' in reply
    reply = await run(rapport, 'ledger same "Dana Lee" Dana')
    assert reply == "Noted: Dana is Dana Lee. 1 entry now filed under Dana Lee."
    (given,) = await rapport.store.endorsements(ANA)
    assert given.other.key == "dana lee"
    # from now on "Dana" is filed under Dana Lee, and no longer asked about
    reply = await run(rapport, "gave Dana for Python")
    assert "Is this" not in reply
    assert {e.other.key for e in await rapport.store.endorsements(ANA)} == {"dana lee"}
    ledger = await run(rapport, "ledger")
    assert "Dana Lee (also Dana): we shipped Atlas at Acme" in ledger


async def test_ledger_forget_removes_one_person_only(rapport: Rapport) -> None:
    await run(rapport, 'know "Dana Lee" Acme')
    await run(rapport, "gave Dana")
    await run(rapport, 'ledger same "Dana Lee" Dana')
    await run(rapport, "received Sam unsolicited")
    await run(rapport, "gave Dana", user=BEN)
    reply = await run(rapport, "ledger forget Dana")
    assert reply == "Deleted 2 entries about Dana Lee from your ledger."
    assert [e.other.display for e in await rapport.store.endorsements(ANA)] == ["Sam"]
    assert await rapport.store.relationships(ANA) == []
    assert len(await rapport.store.endorsements(BEN)) == 1  # someone else's ledger: untouched
    assert "no one called Zed" in await run(rapport, "ledger forget Zed")


# -- remember and saved messages ----------------------------------------------------------------
async def test_saved_messages_newest_first_and_deleted_one_by_one(rapport: Rapport) -> None:
    assert "don't keep your messages" in await run(rapport, "remember")
    assert "Say *remember on*" in await run(rapport, "saved")
    await run(rapport, "remember on")
    assert "I keep the messages" in await run(rapport, "remember")
    await rapport.store.save_message(BEN, "Ben's own, kept first", 0.5)
    await rapport.store.save_message(ANA, "Hi Dana, thank you for the *Atlas* intro.", 1.0)
    second = await rapport.store.save_message(ANA, "Hi Sam, could you refer me?", 2.0)
    listed = await run(rapport, "saved")
    # numbered per user from the oldest (#1), shown newest first, each text as kept
    assert listed.index("*#2*") < listed.index("*#1*")
    assert VERBATIM + "Hi Dana, thank you for the *Atlas* intro." in listed
    assert "Ben's own" not in listed and "saved delete 2" in listed
    assert "Deleted saved message #1" in await run(rapport, "saved delete 1")
    assert [m.id for m in await rapport.store.saved_messages(ANA)] == [second]
    assert "no saved message #2" in await run(rapport, "saved delete 2")
    assert len(await rapport.store.saved_messages(BEN)) == 1  # one's numbers never reach another's
    for odd in ("saved delete ²", "saved delete 99999999999999999999999", "saved delete -1"):
        reply = await run(rapport, odd)
        assert "saved delete NUMBER" in reply, odd


# -- review findings: merges that can't fold people, ambiguity, names that aren't names ----------
async def test_a_merge_needs_the_kept_person_and_never_folds_two_people(rapport: Rapport) -> None:
    await run(rapport, 'know "Dana Lee" we shipped Atlas')
    await run(rapport, 'know "Sam Ortiz" we were at school')
    assert await run(rapport, 'ledger same "Dana Lee" Dana') == "Noted: Dana is Dana Lee."
    # "Dana" was a name for Dana Lee: re-pointing it moves the name only, never Dana Lee
    assert await run(rapport, 'ledger same "Sam Ortiz" Dana') == "Noted: Dana is Sam Ortiz."
    people = {r.other.display: r.how for r in await rapport.store.relationships(ANA)}
    assert people == {"Dana Lee": "we shipped Atlas", "Sam Ortiz": "we were at school"}
    # a typo in the name to keep changes nothing
    assert "nothing changed" in await run(rapport, "ledger same Dnaa Dana")
    assert "already Sam Ortiz" in await run(rapport, 'ledger same "Sam Ortiz" Dana')
    # a person with names of their own is not folded into another by one command
    await run(rapport, 'ledger same "Dana Lee" "D. Lee"')
    assert "other names of their own" in await run(rapport, 'ledger same "Sam Ortiz" "Dana Lee"')
    assert len(await rapport.store.relationships(ANA)) == 2


async def test_an_ambiguous_name_is_never_acted_on(rapport: Rapport) -> None:
    await run(rapport, 'received "Dana Lee" unsolicited')
    await run(rapport, 'received "Dana Smith" unsolicited')
    assert "could be Dana Lee or Dana Smith" in await run(rapport, "ledger forget Dana")
    reply = await run(rapport, "gave Dana for SQL")
    assert "That returns" not in reply and "Dana Lee or Dana Smith" in reply
    assert all(not e.reciprocated for e in await rapport.store.endorsements(ANA))
    report = await rapport.check(ANA, ASK.format(name="Dana"), "Dana")
    assert "unreciprocated" not in rules(report)  # which Dana? the ledger can't say
    await run(rapport, 'gave "Dana Lee" for Go')
    lee = [e for e in await rapport.store.endorsements(ANA) if e.other.key == "dana lee"]
    assert lee[0].reciprocated  # the one named exactly is returned


async def test_know_again_keeps_what_was_recorded(rapport: Rapport) -> None:
    await run(rapport, 'know "Dana Lee" we shipped Atlas')
    await run(rapport, 'ledger same "Dana Lee" Dana')
    await run(rapport, "know Dana she mentored me")
    (rel,) = await rapport.store.relationships(ANA)
    assert rel.other.display == "Dana Lee" and rel.how == "we shipped Atlas; she mentored me"
    assert "Dana Lee (also Dana): we shipped Atlas; she mentored me" in await run(rapport, "ledger")


@pytest.mark.parametrize(
    "text",
    ["gave @channel", "know <!here> we met", 'ledger same "Dana Lee" @here',
     "ledger forget @everyone", 'gave ""', "know \x1b[31mRed\x1b[0m we met"],
)  # fmt: skip
async def test_crowd_pings_and_blanks_are_not_names(rapport: Rapport, text: str) -> None:
    await run(rapport, 'know "Dana Lee" we shipped Atlas')
    assert "didn't understand" in await run(rapport, text)
    assert len(await rapport.store.relationships(ANA)) == 1
    assert await rapport.store.endorsements(ANA) == [] and await rapport.store.aliases(ANA) == []


async def test_forgetting_a_person_removes_their_names_too(rapport: Rapport) -> None:
    await run(rapport, 'know "Priya Rao" we ran the meetup')
    await run(rapport, 'ledger same "Priya Rao" Priya')
    assert "Deleted 1 entry about Priya Rao" in await run(rapport, "ledger forget Priya")
    assert await rapport.store.aliases(ANA) == []
    assert "nothing changed" in await run(rapport, "ledger same Priya P")  # nobody to keep
    assert await rapport.store.aliases(ANA) == []


# -- unit: parsing edge cases, what changes state, each reply --------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # punctuation after a one-word name is the sentence's, not the name's
        ("gave Dana, for SQL", Command("gave", "Dana", "for SQL")),
        ("received Sam, unsolicited, for SQL", Command("received", "Sam", "for SQL", False)),
        ("gave Dana.", Command("gave", "Dana")),
        ("/GAVE Dana", Command("gave", "Dana")),
        ("received <@U1|Sam>: asked for SQL", Command("received", "<@U1|Sam>", "for SQL", True)),
        ("know Dana Lee since 2019: we met", Command("know", "Dana Lee since 2019", "we met")),
        ("ledger delete", Command("ledger", action="forget")),
        ("ledger merge <@U1|Dana> Dana", Command("ledger", "<@U1|Dana>", action="same", other="Dana")),
        ("remember YES", Command("remember", switch=True)),
        ("forget Y", Command("forget", confirmed=True)),
        ("forget please", Command("forget")),
        ("saved remove 3", Command("saved", action="delete", item=3)),
    ],
)  # fmt: skip
def test_typed_text_edge_cases(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize("text", ["ledger show", "remember maybe", "saved all", "saved delete"])
def test_unreadable_commands_carry_their_problem(text: str) -> None:
    command = parse_command(text)
    assert command is not None and command.problem and not command.changes_state


@pytest.mark.parametrize("text", ["", "   ", "/", "check Hi", "gavel Dana"])
def test_other_text_is_no_command(text: str) -> None:
    assert parse_command(text) is None


@pytest.mark.parametrize(
    ("command", "changes"),
    [
        (Command("know", "Dana", "we met"), True),
        (Command("gave", "Dana"), True),
        (Command("received", "Sam"), True),
        (Command("ledger"), False),
        (Command("ledger", "Dana", action="forget"), True),
        (Command("remember"), False),
        (Command("remember", switch=False), True),
        (Command("saved"), False),
        (Command("saved", action="delete", item=1), True),
        (Command("forget"), False),
        (Command("forget", confirmed=True), True),
        (Command("gave", "Dana", problem="no"), False),
    ],
)
def test_which_commands_change_what_rapport_keeps(command: Command, changes: bool) -> None:
    assert command.changes_state is changes


async def test_a_name_typed_with_a_comma_is_the_same_person(rapport: Rapport) -> None:
    assert await run(rapport, "gave Dana, for SQL") == "Noted: you endorsed Dana."
    assert await rapport.ledger.given_to(ANA, "Dana") == 1
    report = await rapport.check(ANA, ASK.format(name="Dana"), "Dana")
    assert "ask-before-give" not in rules(report)


async def test_each_ledger_reply_says_what_was_recorded(rapport: Rapport) -> None:
    assert await run(rapport, "know Dana: we shipped Atlas since 2019") == (
        "Noted: you know Dana (we shipped Atlas since 2019)."
    )
    (rel,) = await rapport.store.relationships(ANA)
    assert rel.since == "2019"
    assert await run(rapport, "received Sam unsolicited for SQL") == (
        "Noted: Sam endorsed you, unprompted; return it when you can."
    )
    assert await run(rapport, "received Priya asked") == "Noted: Priya endorsed you."
    assert await run(rapport, "gave Sam") == (
        "Noted: you endorsed Sam. That returns Sam's endorsement of you."
    )
    assert await run(rapport, "gave Sam") == "Noted: you endorsed Sam."  # nothing left to return


async def test_the_ledger_lists_people_endorsements_and_who_is_waiting(rapport: Rapport) -> None:
    assert (await run(rapport, "ledger")).startswith("Your ledger is empty.")
    await run(rapport, "know Dana: we shipped Atlas since 2019")
    await run(rapport, "received Sam unsolicited for SQL")
    await run(rapport, "received Priya asked")
    await run(rapport, "gave Dana")
    text = await run(rapport, "ledger")
    lines = text.splitlines()
    assert lines[0] == "Your ledger"
    # "since 2019" is already in their words: not said twice
    assert "  • Dana: we shipped Atlas since 2019" in lines
    assert any(line.startswith("  • Sam, ") and line.endswith(": for SQL (unsolicited)")
               for line in lines)  # fmt: skip
    assert lines[-1].startswith(
        "Waiting for you to return them (they endorsed you unprompted): Sam."
    )
    assert "Priya" not in lines[-1]


async def test_forget_needs_a_yes(rapport: Rapport) -> None:
    await run(rapport, "gave Dana")
    assert (await run(rapport, "forget")).endswith("Send *forget yes* to go ahead.")
    assert len(await rapport.store.endorsements(ANA)) == 1
    assert (await run(rapport, "forget yes")).startswith("Done: ")
    assert await rapport.store.endorsements(ANA) == []


async def test_remember_off_deletes_what_was_kept(rapport: Rapport) -> None:
    await run(rapport, "remember on")
    await rapport.store.save_message(ANA, "Hi Dana, thanks for the intro.", 1.0)
    assert (await run(rapport, "remember off")).startswith("I won't keep your messages")
    assert await rapport.store.saved_messages(ANA) == []
    assert (await run(rapport, "saved")).startswith("No saved messages.")


async def test_a_merge_or_forget_without_a_name_is_usage(rapport: Rapport) -> None:
    await run(rapport, 'know "Dana Lee" Acme')
    for text in ("ledger forget", "ledger same", 'ledger same "Dana Lee"'):
        assert (await run(rapport, text)).startswith("I didn't understand that command."), text
    assert len(await rapport.store.relationships(ANA)) == 1
