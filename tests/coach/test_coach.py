"""The coaching session, through the real service and a real SQLite file: every flow, every
escape (cancel at each state, restart, back, help), expiry, a restart of the process between
turns, two channels at once, bad answers, and a failed write that loses nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from rapport.bot.coach.replies import Reply
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import SQLiteStore, StoreError, open_store
from rapport.bot.storage.base import SessionKey, UserRef

ANA = UserRef("console", "local", "ana")
KEY = SessionKey(ANA, "dm")
RELATIONSHIP = "we shipped the Atlas migration together at Acme in 2022"


class Clock:
    """A clock the tests move by hand."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(any_database: str) -> str:
    """Every coaching test runs on SQLite and on PostgreSQL."""
    return any_database


@pytest.fixture
async def rapport(db: str, clock: Clock) -> AsyncIterator[Rapport]:
    r = Rapport(await open_store(db), clock=clock)
    yield r
    await r.close()


async def chat(r: Rapport, *lines: str, key: SessionKey = KEY) -> list[Reply]:
    return [await r.talk(key, line) for line in lines]


ASK_FLOW = ("1", "Dana", RELATIONSHIP, "yes", "I recommended you for the PM role last week",
            "endorse me for product strategy")  # fmt: skip


async def test_first_message_shows_the_menu(rapport: Rapport) -> None:
    (reply,) = await chat(rapport, "hi")
    assert "What would you like to do?" in reply.text
    assert [c.value for c in reply.choices] == ["1", "2", "3", "4", "5", "6"]
    assert all(c.id.startswith("rapport:coach:flow:") for c in reply.choices)


async def test_ask_for_an_endorsement_end_to_end(rapport: Rapport) -> None:
    replies = await chat(rapport, *ASK_FLOW)
    assert "Who is it for?" in replies[0].text
    assert "How do you know Dana first-hand?" in replies[1].text
    assert "(yes / no)" in replies[2].text and replies[2].choices
    review = replies[-1]
    assert review.message is not None
    assert review.message.startswith("Hi Dana,")
    assert "We shipped the Atlas migration together at Acme in 2022." in review.message
    assert "I recommended you for the PM role last week." in review.message
    assert "Would you be willing to endorse me for product strategy?" in review.message
    assert review.trust is not None
    cold = rapport.engine.check_sync("Hi, could you endorse me for product strategy?").trust
    assert review.trust.quotient > 2 * cold.quotient  # built from their facts: far more trust
    assert not [f for f in review.findings if f.severity.value == "error"]
    (offer,) = await chat(rapport, "looks good")
    assert "ledger" in offer.text
    (end,) = await chat(rapport, "👍")
    assert end.ended and "Noted in your ledger" in end.text
    known = await rapport.ledger.relationship(ANA, "dana")
    assert known is not None and known.how == RELATIONSHIP
    assert await rapport.store.load_session(KEY) is None


async def test_words_pick_the_flow_and_the_name(rapport: Rapport) -> None:
    (reply,) = await chat(rapport, "I want to ask Priya for a LinkedIn recommendation")
    assert "How do you know Priya first-hand?" in reply.text


async def test_a_pasted_draft_asks_only_what_it_lacks(rapport: Rapport) -> None:
    draft = "Hi Sam, could you refer me to Lena at Stripe? I'm applying for the data role there."
    (reply,) = await chat(rapport, draft)
    assert "referral" in reply.text.lower()
    assert "How do you know Sam first-hand?" in reply.text  # the one thing the draft lacks
    (review,) = await chat(rapport, "we were on the payments team at Acme for two years")
    assert review.message is not None
    assert "We were on the payments team at Acme for two years." in review.message
    assert "Lena at Stripe" in review.message


async def test_a_draft_pasted_mid_flow(rapport: Rapport) -> None:
    await chat(rapport, "2", "Marco")
    draft = (
        "Hi Marco, we were on the fraud team at Brightline for two years. Could you introduce me "
        "to Lena at Fernwood? I'm applying for the senior data engineer role."
    )
    (reply,) = await chat(rapport, draft)
    assert reply.message is not None and "Lena at Fernwood" in reply.message


async def test_no_relationship_leads_to_the_honest_path(rapport: Rapport) -> None:
    replies = await chat(rapport, "1", "Dana", "not really, we've never met")
    assert "can't honestly vouch for you yet" in replies[-1].text
    (reply,) = await chat(rapport, "yes")
    assert "How do you know Dana" in reply.text or "Dana" in reply.text
    assert (await rapport.coach.current(KEY)).flow == "connect"  # type: ignore[union-attr]


async def test_endorsing_without_first_hand_knowledge_becomes_a_decline(rapport: Rapport) -> None:
    replies = await chat(rapport, "3", "Tom", "Dana", "I don't really know Tom")
    assert "hollow" in replies[-1].text
    replies = await chat(rapport, "yes", "skip")
    review = replies[-1]
    assert review.message is not None
    assert "haven't worked closely enough with Tom" in review.message


async def test_giving_first_drafts_the_recommendation_then_returns_to_the_ask(
    rapport: Rapport,
) -> None:
    replies = await chat(rapport, "1", "Dana", RELATIONSHIP, "no")
    assert "Giving first" in replies[-1].text
    replies = await chat(rapport, "yes")
    assert "One specific thing Dana did" in replies[-1].text
    replies = await chat(rapport, "She ran the Atlas retros and cut our incident count in half")
    gift = replies[-1].message
    assert gift is not None and "I'd like to recommend Dana." in gift
    replies = await chat(rapport, "done")
    assert "Back to your ask" in replies[-1].text
    replies = await chat(rapport, "endorse me for product strategy")
    ask = replies[-1].message
    assert ask is not None and "I've just written you a recommendation." in ask


async def test_reciprocate_flow(rapport: Rapport) -> None:
    replies = await chat(
        rapport, "4", "Sam", "the recommendation about my Atlas work", "it helped me land the Globex interview",
        "yes", "the way you ran the payments launch",
    )  # fmt: skip
    message = replies[-1].message
    assert message is not None
    assert "Thank you for the recommendation about my Atlas work." in message
    assert "It helped me land the Globex interview." in message
    assert "about the way you ran the payments launch" in message


async def test_blast_becomes_personal_notes(rapport: Rapport) -> None:
    blast = "Hey everyone! We just launched Tidy CSV, a tool for cleaning exports: https://tidy.example.com Please like and share!"
    replies = await chat(rapport, "5", blast, "Dana, Sam", "we met at PyCon 2023", "skip")
    review = replies[-1]
    assert [who for who, _ in review.messages] == ["Dana", "Sam"]
    dana, sam = (text for _, text in review.messages)
    assert dana.startswith("Hi Dana,") and "We met at PyCon 2023." in dana
    assert sam.startswith("Hi Sam,") and "[why you thought of Sam in particular]" in sam
    assert all("https://tidy.example.com" in t and "like and share" not in t for t in (dana, sam))


async def test_decline_flow(rapport: Rapport) -> None:
    replies = await chat(rapport, "6", "Priya", "Tom", "point you to Maria, who managed Tom")
    message = replies[-1].message
    assert message is not None and message.startswith("Hi Priya,")
    assert "point you to Maria, who managed Tom" in message


@pytest.mark.parametrize("steps", range(1, len(ASK_FLOW) + 2))
async def test_cancel_works_in_every_state(rapport: Rapport, steps: int) -> None:
    await chat(rapport, *((*ASK_FLOW, "done"))[:steps])
    (reply,) = await chat(rapport, "cancel")
    assert reply.ended and "Nothing from this session was kept" in reply.text
    assert await rapport.store.load_session(KEY) is None


async def test_restart_back_and_help(rapport: Rapport) -> None:
    await chat(rapport, "1", "Dana")
    (back,) = await chat(rapport, "back")
    assert "Going back" in back.text and "Who is it for?" in back.text
    (again,) = await chat(rapport, "Priya")
    assert "How do you know Priya" in again.text
    (helped,) = await chat(rapport, "help")
    assert "cancel" in helped.text and "How do you know Priya" in helped.text
    (restarted,) = await chat(rapport, "start over")
    assert "Starting over" in restarted.text and "What would you like to do?" in restarted.text


async def test_bad_answers_get_a_friendly_reprompt_and_change_nothing(rapport: Rapport) -> None:
    await chat(rapport, "1", "Dana")
    before = await rapport.store.load_session(KEY)
    for bad in ("", "   ", "x" * 5000, "\x00\x01binary\x02", "🦄🦄🦄"):
        (reply,) = await chat(rapport, bad)
        assert "How do you know Dana first-hand?" in reply.text or "longer than" in reply.text
        assert "Traceback" not in reply.text
    after = await rapport.store.load_session(KEY)
    assert before is not None and after is not None
    assert before.state == after.state


async def test_an_idle_session_expires_with_a_note(rapport: Rapport, clock: Clock) -> None:
    await chat(rapport, "1", "Dana")
    clock.now += 25 * 3600
    (reply,) = await chat(rapport, "we worked together")
    assert "sat idle for over 24 hours" in reply.text
    assert "What would you like to do?" in reply.text


async def test_a_session_survives_a_restart_of_the_process(db: str, clock: Clock) -> None:
    first = Rapport(await open_store(db), clock=clock)
    await chat(first, "1", "Dana")
    await first.close()  # the process goes away between two messages
    second = Rapport(await open_store(db), clock=clock)
    try:
        resumed = await second.coach.resume(KEY)
        assert "where we left off" in resumed.text and "How do you know Dana" in resumed.text
        (reply,) = await chat(second, RELATIONSHIP)
        assert "Have you already endorsed or recommended Dana" in reply.text
    finally:
        await second.close()


async def test_two_channels_are_two_sessions(rapport: Rapport) -> None:
    other = SessionKey(ANA, "thread-2")
    await asyncio.gather(chat(rapport, "1", "Dana"), chat(rapport, "2", "Marco", key=other))
    (a,) = await chat(rapport, RELATIONSHIP)
    (b,) = await chat(rapport, "we were on the fraud team", key=other)
    assert "endorsed or recommended Dana" in a.text
    assert "What exactly would you like Marco to do?" in b.text


class FlakyStore(SQLiteStore):
    """The real store, made to fail one save (as a full disk would)."""

    fail_next = False

    async def save_session(self, key: SessionKey, state: str, updated_at: float) -> None:
        if self.fail_next:
            self.fail_next = False
            raise StoreError("disk full")
        await super().save_session(key, state, updated_at)


async def test_a_failed_write_keeps_the_previous_state(tmp_path: Path, clock: Clock) -> None:
    store = await FlakyStore.open(tmp_path / "flaky.db")
    r = Rapport(store, clock=clock)
    try:
        await chat(r, "1", "Dana")
        store.fail_next = True
        (failed,) = await chat(r, RELATIONSHIP)
        assert "couldn't save" in failed.text and "as it was" in failed.text
        (retry,) = await chat(r, RELATIONSHIP)
        assert "endorsed or recommended Dana" in retry.text
    finally:
        await r.close()
