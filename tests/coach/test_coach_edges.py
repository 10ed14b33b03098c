"""The coach with answers as people really type them: sentences to yes/no questions, remarks
in review, plain "nope", names with pings, a switch of draft mid-flow.  Each test is a case
that once went wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from rapport.bot.coach.answers import Meaning, non_answer, read_answer, yes_or_no
from rapport.bot.coach.flows import flow_from_words
from rapport.bot.coach.replies import Reply
from rapport.bot.service.commands import parse_command, run_command
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import open_store
from rapport.bot.storage.base import SessionKey, UserRef

ANA = UserRef("console", "local", "ana")
KEY = SessionKey(ANA, "dm")
REL = "we worked together at Acme on the billing team"


@pytest.fixture
async def rapport(any_database: str) -> AsyncIterator[Rapport]:
    r = Rapport(await open_store(any_database))
    yield r
    await r.close()


async def chat(r: Rapport, *lines: str) -> list[Reply]:
    return [await r.talk(KEY, line) for line in lines]


@pytest.mark.parametrize(
    ("text", "flow"),
    [
        ("I want to endorse Riley", "endorse"),
        ("I want to recommend my colleague Sam", "endorse"),
        ("I need to write a recommendation for Jo", "endorse"),
        ("I want to introduce myself to Kai", "connect"),
        ("I want to ask Priya for a LinkedIn recommendation", "ask_endorsement"),
        ("I need Sam to endorse me", "ask_endorsement"),
        ("ask Marco to introduce me to Lena", "ask_referral"),
        ("help me thank him", "reciprocate"),
        ("I can't endorse Tom honestly", "decline"),
    ],
)
def test_the_flow_people_mean(text: str, flow: str) -> None:
    assert flow_from_words(text) == flow


@pytest.mark.parametrize(
    ("text", "meaning", "details"),
    [
        ("no, I have not endorsed her yet", Meaning.NO, ""),
        ("no thank you", Meaning.NO, ""),
        (
            "yes, I recommended her for the PM role",
            Meaning.YES,
            "I recommended her for the PM role",
        ),
        ("sure, why not", Meaning.YES, ""),
        ("👍🏽", Meaning.YES, ""),
        ("I recommended you last week", Meaning.TEXT, "I recommended you last week"),
    ],
)
def test_yes_or_no_as_typed(text: str, meaning: Meaning, details: str) -> None:
    assert yes_or_no(read_answer(text)) == (meaning, details)


async def test_a_sentence_saying_no_is_a_no(rapport: Rapport) -> None:
    replies = await chat(rapport, "1", "Dana", REL, "no, I have not endorsed her yet")
    assert "Giving first" in replies[-1].text
    replies = await chat(rapport, "no", "endorse me for Python")
    message = replies[-1].message
    assert message is not None
    assert "not endorsed" not in message
    assert "[" not in message and "glad to" not in message  # declined to give: nothing added


async def test_a_plain_nope_about_the_relationship_takes_the_honest_path(rapport: Rapport) -> None:
    replies = await chat(rapport, "1", "Kai", "nope")
    assert "can't honestly vouch for you yet" in replies[-1].text
    replies = await chat(rapport, "yes")
    assert "Where did you come across Kai" in replies[-1].text
    replies = await chat(rapport, "we have never met")
    assert "starts with why them" in replies[-1].text  # no loop back to the honest path
    replies = await chat(rapport, "I loved your talk on incident reviews at SRECon", "skip", "done")
    assert "ledger" not in replies[-1].text  # a talk seen is not a first-hand relationship
    assert replies[-1].ended


async def test_a_remark_in_review_does_not_replace_the_message(rapport: Rapport) -> None:
    replies = await chat(rapport, "2", "Marco", REL, "introduce me to Lena at Stripe", "skip")
    before = replies[-1].message
    assert before is not None
    (remark,) = await chat(rapport, "great, thanks!")
    assert "paste your whole edited version" in remark.text
    session = await rapport.coach.current(KEY)
    assert session is not None and session.message == before


async def test_a_short_answer_in_review_fills_the_prompt(rapport: Rapport) -> None:
    replies = await chat(rapport, "1", "Dana", "skip", "skip", "endorse me for Python")
    assert (
        replies[-1].message is not None and "[how you know Dana first-hand" in replies[-1].message
    )
    (filled,) = await chat(rapport, "we ran the billing retros together at Acme")
    assert filled.message is not None
    assert "We ran the billing retros together at Acme." in filled.message


async def test_a_pasted_draft_of_another_kind_switches_the_flow(rapport: Rapport) -> None:
    await chat(rapport, "3", "Riley")
    draft = (
        "Hi Riley, we worked together at Acme for two years. I would really appreciate a "
        "LinkedIn recommendation from you about the billing migration."
    )
    (reply,) = await chat(rapport, draft)
    assert "endorsement request" in reply.text
    session = await rapport.coach.current(KEY)
    assert session is not None and session.flow == "ask_endorsement"


async def test_names_are_names(rapport: Rapport) -> None:
    await chat(rapport, "1")
    (pinged,) = await chat(rapport, "<!here> Dana")
    assert "<!here>" not in pinged.text and "How do you know Dana" in pinged.text
    await chat(rapport, "restart", "1")
    (number,) = await chat(rapport, "2")
    assert "doesn't look like a name" in number.text
    await chat(rapport, "restart")
    (him,) = await chat(rapport, "help me thank him")
    assert "What did him" not in him.text


async def test_a_thank_you_without_a_return_settles_it(rapport: Rapport) -> None:
    await rapport.ledger.received(ANA, "Sam", solicited=False)
    replies = await chat(rapport, "thank Sam", "endorsing me for SQL", "it helped a lot",
                         "no, I have not seen his work up close", "done")  # fmt: skip
    assert "you've thanked Sam" in replies[-1].text
    (end,) = await chat(rapport, "yes")
    assert end.ended
    assert await rapport.ledger.owed_to(ANA, "Sam") is None


async def test_the_gift_drafted_first_is_recorded(rapport: Rapport) -> None:
    await chat(rapport, "1", "Dana", REL, "no", "yes", "she rebuilt our invoicing in six weeks")
    replies = await chat(rapport, "done", "endorse me for Python", "done")
    assert "you recommended Dana" in replies[-1].text
    await chat(rapport, "yes")
    assert await rapport.ledger.given_to(ANA, "Dana") == 1


async def test_a_relationship_from_the_ledger_is_not_offered_again(rapport: Rapport) -> None:
    await rapport.ledger.know(ANA, "Dana Lee", REL)
    replies = await chat(rapport, "1", "Dana", "yes", "I recommended you last week",
                         "endorse me for Python", "done")  # fmt: skip
    assert replies[-1].ended  # nothing new to note in the ledger
    assert len((await rapport.ledger.view(ANA)).relationships) == 1


async def test_help_and_back_repeat_a_yes_no_question(rapport: Rapport) -> None:
    await chat(rapport, "1", "Dana", REL, "no")
    (helped,) = await chat(rapport, "help")
    assert "draft the recommendation you could give Dana first" in helped.text
    resumed = await rapport.coach.resume(KEY)
    assert "draft the recommendation you could give Dana first" in resumed.text


async def test_skipping_an_optional_fact_leaves_no_bracket(rapport: Rapport) -> None:
    replies = await chat(rapport, "6", "Priya", "Tom", "skip")
    assert replies[-1].message is not None and "[" not in replies[-1].message


async def test_blast_names_are_deduplicated_and_nope_skips(rapport: Rapport) -> None:
    blast = "Hey everyone! We just launched Tidy CSV, a tool for cleaning exports: https://tidy.example.com"
    replies = await chat(rapport, "5", blast, "Ann, ann, Bob", "not really", "we met at PyCon")
    assert [who for who, _ in replies[-1].messages] == ["Ann", "Bob"]


async def test_remember_is_never_switched_on_by_accident(rapport: Rapport) -> None:
    for text in ("remember maybe", "remember of", "remember onn"):
        cmd = parse_command(text)
        assert cmd is not None
        assert "didn't understand" in await run_command(rapport, ANA, cmd)
    assert not await rapport.store.remembers(ANA)
    cmd = parse_command("remember")  # no argument: the state, unchanged
    assert cmd is not None and "don't keep your messages" in await run_command(rapport, ANA, cmd)
    assert not await rapport.store.remembers(ANA)


@pytest.mark.parametrize(
    "admission",
    [
        "honestly I don't know her, I just found her on LinkedIn",
        "we've never actually met",
        "tbh she's a complete stranger",
    ],
)
async def test_an_admission_however_phrased_takes_the_honest_path(
    rapport: Rapport, admission: str
) -> None:
    replies = await chat(rapport, "1", "Dana", admission)
    assert "can't honestly vouch for you yet" in replies[-1].text
    session = await rapport.coach.current(KEY)
    assert session is not None and "relationship" not in session.answers


async def test_a_non_answer_is_asked_again_with_an_example(rapport: Rapport) -> None:
    replies = await chat(rapport, "1", "Dana", "maybe")
    assert "doesn't give me anything" in replies[-1].text and 'like "we worked' in replies[-1].text
    replies = await chat(rapport, "he is great")
    assert "what you think of them" in replies[-1].text
    session = await rapport.coach.current(KEY)
    assert session is not None and "relationship" not in session.answers
    replies = await chat(rapport, "she's great, we worked together at Acme", "no", "no")
    assert "What exactly would you like Dana to do?" in replies[-1].text
    (asked,) = await chat(rapport, "maybe")
    assert "doesn't give me anything" in asked.text  # "maybe" is not the ask
    (message,) = await chat(rapport, "endorse me for Python")
    assert message.message is not None and "maybe" not in message.message.lower()


def test_non_answers_and_opinions_are_told_apart_from_facts() -> None:
    assert non_answer("maybe") and non_answer("I guess.") and non_answer("Hmm")
    assert not non_answer("write two lines about the Atlas launch")
    assert non_answer("he is great", about_a_person=True)
    assert not non_answer("he is great", about_a_person=False)
    assert not non_answer("she's great, we worked together at Acme", about_a_person=True)
    assert not non_answer("she was my manager at Acme", about_a_person=True)


async def test_answers_about_the_recipient_are_written_to_them(rapport: Rapport) -> None:
    replies = await chat(
        rapport,
        "1",
        "Maya Chen",
        "I was on her data platform team at Acme",
        "yes",
        "I recommended her for the SRE lead role last month",
        "write two lines about how I ran the migration",
    )
    message = replies[-1].message
    assert message is not None
    assert message.startswith("Hi Maya,\n")  # the first name, not "Maya Chen"
    assert "I was on your data platform team at Acme." in message
    assert "I recommended you for the SRE lead role last month." in message
    assert " her " not in message
