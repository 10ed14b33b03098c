"""A draft pasted at the coach's menu, through the real service and a real SQLite file: every
kind of outreach starts its flow with the draft, its recipient and its endorsee known, however
short or differently written the draft is; menu answers, short replies and messages that
aren't outreach keep their meaning."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from rapport.bot.coach.flows import FLOW_FOR_KIND, MENU
from rapport.bot.coach.pasted import speaks_to_coach
from rapport.bot.coach.replies import Reply
from rapport.bot.coach.session import CoachSession
from rapport.bot.models import Kind
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import open_store
from rapport.bot.storage.base import SessionKey, UserRef
from rapport.bot.wording import say

KEY = SessionKey(UserRef("console", "local", "ana"), "dm")
ASK_DRAFT = say("questions.draft")  # "Paste the message you were going to send to everyone."
ASK_NAME = ("questions.recipient", "questions.recipient_endorse", "questions.recipient_thanks")


@pytest.fixture
async def rapport(tmp_path: Path) -> AsyncIterator[Rapport]:
    r = Rapport(await open_store(f"sqlite:///{tmp_path / 'rapport.db'}"))
    yield r
    await r.close()


async def paste(r: Rapport, text: str) -> tuple[Reply, CoachSession]:
    reply = await r.talk(KEY, text)
    session = await r.coach.current(KEY)
    assert session is not None, reply.text
    return reply, session


def _asks_for(reply: Reply, field: str) -> bool:
    """True when the reply's question is the one for this fact (by key and by its words)."""
    if reply.extras.get("question") == field:
        return True
    if field == "draft":
        return ASK_DRAFT in reply.text
    if field == "endorsee":
        return say("questions.endorsee") in reply.text
    return any(say(key, endorsee="x").split("?")[0] in reply.text for key in ASK_NAME)


# (draft, kind, recipient the draft names, endorsee it names): one-liners and letters,
# greeting by name, by crowd, or not at all; signed, linked, or bare.
DRAFTS = [
    ("Could you write me a LinkedIn recommendation?", Kind.ENDORSEMENT_REQUEST, None, None),
    ("Hey Dana, quick one: would you endorse me for Kubernetes?",
     Kind.ENDORSEMENT_REQUEST, "Dana", None),
    ("Would you mind introducing me to Lena at Stripe?", Kind.REFERRAL_REQUEST, None, None),
    ("Hi Marco — could you refer me for the data role on your team?",
     Kind.REFERRAL_REQUEST, "Marco", None),
    ("John is great. Highly recommend!", Kind.ENDORSEMENT, None, "John"),
    ("Sara is the best designer I've worked with, hire her!", Kind.ENDORSEMENT, None, "Sara"),
    ("Dear Ms. Lee, I am writing to recommend Omar Haddad for the analyst position.",
     Kind.ENDORSEMENT, "Ms. Lee", "Omar Haddad"),
    ("Would you be open to connecting? I loved your talk at PyCon.",
     Kind.CONNECTION_REQUEST, None, None),
    ("Hi Lena, I saw your talk on incident reviews at SRECon and would love to connect.",
     Kind.CONNECTION_REQUEST, "Lena", None),
    ("Hey everyone!! Please like my page…", Kind.PROMOTION, None, None),
    ("Check out our new app at https://example.com and share it with your friends",
     Kind.PROMOTION, None, None),
    ("Good morning all! Our charity run is this Saturday, sign up at https://run.example.org",
     Kind.PROMOTION, None, None),
    ("Thank you for endorsing me, it made my week", Kind.RECIPROCATION, None, None),
    ("Priya, thank you for the lovely recommendation on my profile. It meant a lot!",
     Kind.RECIPROCATION, "Priya", None),
]  # fmt: skip


@pytest.mark.parametrize(("draft", "kind", "recipient", "endorsee"), DRAFTS)
async def test_a_pasted_draft_starts_its_kinds_flow_knowing_what_it_says(
    rapport: Rapport, draft: str, kind: Kind, recipient: str | None, endorsee: str | None
) -> None:
    reply, session = await paste(rapport, draft)
    assert session.flow == FLOW_FOR_KIND[kind]
    assert session.draft == draft
    assert say("draft_received", kind=kind.value.replace("_", " ")) in reply.text
    assert not _asks_for(reply, "draft")  # it is the draft
    if recipient:
        assert session.answers["recipient"] == recipient
        assert not _asks_for(reply, "recipient")
    if endorsee:
        assert session.answers["endorsee"] == endorsee
        assert not _asks_for(reply, "endorsee")


def test_every_kind_of_outreach_is_covered() -> None:
    assert {kind for _, kind, _, _ in DRAFTS} == set(Kind) - {Kind.OTHER}


async def test_the_three_reported_cases(rapport: Rapport) -> None:
    reply, session = await paste(rapport, "Could you write me a LinkedIn recommendation?")
    assert session.flow == "ask_endorsement" and session.draft
    assert "What would you like to do?" not in reply.text  # not the menu again
    await rapport.talk(KEY, "restart")
    reply, session = await paste(rapport, "Hey everyone!! Please like my page…")
    assert session.flow == "blast" and session.draft == "Hey everyone!! Please like my page…"
    assert ASK_DRAFT not in reply.text
    assert reply.extras.get("question") == "recipients"  # who gets a personal note
    await rapport.talk(KEY, "restart")
    reply, session = await paste(rapport, "John is great. Highly recommend!")
    assert session.flow == "endorse" and session.answers.get("endorsee") == "John"
    assert say("questions.endorsee") not in reply.text
    assert "How do you know John's work first-hand?" in reply.text


async def test_an_endorsement_draft_ends_with_its_endorsee_in_the_ledger_offer(
    rapport: Rapport,
) -> None:
    await rapport.talk(KEY, "John is great. Highly recommend!")
    await rapport.talk(KEY, "he reported to me at Acme for two years")
    review = await rapport.talk(KEY, "he cut our deploy time from an hour to ten minutes")
    assert review.message is not None and "He reported to me at Acme" in review.message
    offer = await rapport.talk(KEY, "done")
    assert "you recommended John" in offer.text


@pytest.mark.parametrize("number", range(1, len(MENU) + 1))
async def test_menu_numbers_still_pick_flows(rapport: Rapport, number: int) -> None:
    _, session = await paste(rapport, str(number))
    assert session.flow == MENU[number - 1] and session.draft is None


@pytest.mark.parametrize(
    ("words", "flow", "recipient"),
    [
        ("referral", "ask_referral", None),
        ("I want to ask Priya for a LinkedIn recommendation", "ask_endorsement", "Priya"),
        ("Can you help me ask Dana for a recommendation?", "ask_endorsement", "Dana"),
        ("ask Dana for a recommendation", "ask_endorsement", "Dana"),
        ("I want to thank someone", "reciprocate", None),
        ("my manager endorsed me and I want to thank him", "reciprocate", None),
        ("I need to turn down a recommendation request", "decline", None),
        ("turn a blast into personal notes", "blast", None),
    ],
)
async def test_a_flow_named_in_words_is_not_taken_for_a_draft(
    rapport: Rapport, words: str, flow: str, recipient: str | None
) -> None:
    _, session = await paste(rapport, words)
    assert session.flow == flow
    assert session.draft is None
    assert session.answers.get("recipient") == recipient


@pytest.mark.parametrize("reply", ["thanks", "thank you", "Thanks!"])
async def test_thanks_at_the_menu_still_starts_the_thank_you(rapport: Rapport, reply: str) -> None:
    answer, session = await paste(rapport, reply)
    assert session.flow == "reciprocate" and session.draft is None
    assert say("questions.recipient_thanks") in answer.text


@pytest.mark.parametrize("reply", ["yes", "no", "ok"])
async def test_yes_and_no_at_the_menu_keep_their_meaning(rapport: Rapport, reply: str) -> None:
    first = await rapport.talk(KEY, reply)
    assert "What would you like to do?" in first.text  # a fresh session: the menu
    again = await rapport.talk(KEY, reply)
    assert again.text.startswith(say("pick_flow"))  # at the menu: pick one
    session = await rapport.coach.current(KEY)
    assert session is not None and session.state == "menu" and session.flow is None


@pytest.mark.parametrize(
    "text",
    [
        "Hi Sam, are we still on for lunch tomorrow?",
        "Hi team,\nwe're moving the standup to 10:00 tomorrow.\nThanks!",
    ],
)
async def test_a_message_that_isnt_outreach_is_still_said_to_be_so(
    rapport: Rapport, text: str
) -> None:
    reply = await rapport.talk(KEY, text)
    assert reply.text.startswith(say("not_outreach"))
    session = await rapport.coach.current(KEY)
    assert session is not None and session.flow is None


async def test_small_talk_at_the_menu_still_gets_the_menu(rapport: Rapport) -> None:
    for text in ("hi", "hello there", "what's the weather like"):
        reply = await rapport.talk(KEY, text)
        assert say("not_outreach") not in reply.text
        session = await rapport.coach.current(KEY)
        assert session is not None and session.flow is None


@pytest.mark.parametrize(
    "text",
    [
        "I want to ask Priya for a LinkedIn recommendation",
        "Hi! I'd like to ask my former manager Dana for a recommendation",
        "Can you help me ask Dana for a recommendation?",
        "How do I ask for a referral?",
        "Priya endorsed me for SQL and I want to return the favour",
        "endorse my colleague Sam",
        "write a recommendation for Sam",
        "Can you draft a thank-you note for Sam?",
    ],
)
def test_asking_the_coach_for_help(text: str) -> None:
    assert speaks_to_coach(text)


@pytest.mark.parametrize(
    "text",
    [
        "Could you write me a LinkedIn recommendation?",
        "I'd like to introduce myself. I'm a data engineer at Acme.",
        "Hello, I'd like to connect and grow my network.",
        "Please endorse my skills on LinkedIn",
        "Please write a recommendation on my profile this week.",
        "Thank you for endorsing me, it made my week",
        "I wanted to reach out about the data role.",
        "John is great. Highly recommend!",
    ],
)
def test_a_draft_does_not_ask_the_coach(text: str) -> None:
    assert not speaks_to_coach(text)
