"""The coach's questions (bot/coach/steps.py) and what answers to them do
(bot/coach/answering.py), one function at a time, with the real tools (the engine, the
rewriter, a ledger on a real SQLite file).  Each handler returns where the session goes next;
none moves the session itself, so every test also checks the position it started at is kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from rapport.bot.coach.answering import (
    answer_fact,
    answer_gift_details,
    answer_given,
    answer_known,
    answer_return,
    unreadable,
)
from rapport.bot.coach.answers import MAX_ANSWER, MAX_DRAFT, Meaning, read_answer
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import Position, State
from rapport.bot.coach.steps import (
    Tools,
    ask,
    next_question,
    question_text,
    review_hint,
    revise,
    work_from_draft,
)
from rapport.bot.service.rapport import Rapport
from rapport.bot.storage import open_store
from rapport.bot.storage.base import UserRef
from rapport.bot.wording import say

ANA = UserRef("console", "local", "ana")
REL = "we shipped the Atlas migration together at Acme in 2022"
BLAST = (
    "Hey everyone! We just launched Tidy CSV, a tool for cleaning exports: https://tidy.example.com"
)


@pytest.fixture
async def tools(tmp_path: Path) -> AsyncIterator[Tools]:
    r = Rapport(await open_store(f"sqlite:///{tmp_path / 'rapport.db'}"))
    yield r.coach.tools
    await r.close()


def at(position: Position, **data: Any) -> CoachSession:
    """A session at `position` with these answers and data."""
    return CoachSession(position, **data)


def said(text: str) -> Any:
    return read_answer(text, MAX_DRAFT)


# How questions are worded and put.


def test_a_question_is_worded_for_its_flow() -> None:
    endorse = CoachSession(flow="endorse", answers={"endorsee": "Sam"})
    assert "Sam's profile" in question_text(endorse, Position.asking("recipient"))
    thanks = CoachSession(flow="reciprocate")
    assert question_text(thanks, Position.asking("recipient")) == say("questions.recipient_thanks")
    plain = CoachSession(flow="ask_endorsement", answers={"recipient": "Dana"})
    assert "How do you know Dana first-hand?" in question_text(
        plain, Position.asking("relationship")
    )
    assert question_text(plain, Position.asking("not_a_fact")) == say("questions.details")


def test_the_blast_question_names_its_person_from_the_position() -> None:
    s = CoachSession(flow="blast")
    assert question_text(s, Position(State.KNOWN, name="Ana")).startswith("How do you know Ana?")


def test_ask_returns_the_position_and_remembers_the_words() -> None:
    s = CoachSession(flow="ask_endorsement", answers={"recipient": "Dana"})
    turn = ask(s, Position(State.GIVEN), "Noted.")
    assert turn.position == Position(State.GIVEN)
    assert turn.reply.text.startswith("Noted.\n\nHave you already endorsed or recommended Dana")
    assert [c.value for c in turn.reply.choices] == ["yes", "no"]
    assert turn.reply.extras == {"question": "given"}
    assert s.question == question_text(s, Position(State.GIVEN))
    assert s.position == Position(State.MENU)  # not moved: the machine does that
    free = ask(s, Position(State.ASK, field="ask"))
    assert not free.reply.choices and free.reply.extras == {"question": "ask"}


# What to ask next.


@pytest.mark.parametrize(
    ("flow", "answers", "skipped", "position"),
    [
        ("ask_endorsement", {}, [], Position(State.ASK, field="recipient")),
        ("ask_endorsement", {"recipient": "Dana"}, [], Position(State.ASK, field="relationship")),
        ("ask_endorsement", {"recipient": "Dana", "relationship": REL}, [], Position(State.GIVEN)),
        ("ask_endorsement", {"recipient": "Dana", "relationship": REL}, ["given"],
         Position(State.ASK, field="ask")),
        ("reciprocate", {"recipient": "Sam", "received": "a recommendation"}, ["specific"],
         Position(State.RETURN)),
        ("decline", {"recipient": "Priya"}, [], Position(State.ASK, field="endorsee")),
    ],
)  # fmt: skip
async def test_the_next_question_is_the_first_fact_missing(
    tools: Tools, flow: str, answers: dict[str, str], skipped: list[str], position: Position
) -> None:
    s = CoachSession(flow=flow, answers=dict(answers), skipped=list(skipped))
    turn = await next_question(tools, s, ANA)
    assert turn.position == position
    assert s.position == Position(State.MENU)


async def test_a_blast_asks_about_each_person_then_shows_a_note_each(tools: Tools) -> None:
    s = CoachSession(flow="blast", draft=BLAST, recipients=["Ana", "Bob"])
    assert (await next_question(tools, s, ANA)).position == Position(State.KNOWN, name="Ana")
    s.known = {"Ana": "we met at PyCon 2023"}
    assert (await next_question(tools, s, ANA)).position == Position(State.KNOWN, name="Bob")
    s.known["Bob"] = ""
    review = await next_question(tools, s, ANA)
    assert review.position == Position(State.REVIEW)
    assert [who for who, _ in review.reply.messages] == ["Ana", "Bob"]
    assert "We met at PyCon 2023." in review.reply.messages[0][1]
    assert review.reply.extras == {"flow": "blast", "state": "review"}


async def test_nothing_missing_shows_the_checked_message(tools: Tools) -> None:
    s = CoachSession(flow="ask_endorsement", skipped=["given"], answers={
        "recipient": "Dana", "relationship": REL, "ask": "endorse me for product strategy"})  # fmt: skip
    turn = await next_question(tools, s, ANA, "Here we go.")
    assert turn.position == Position(State.REVIEW)
    assert turn.reply.message is not None and turn.reply.message.startswith("Hi Dana,")
    assert turn.reply.trust is not None and s.message == turn.reply.message
    assert s.verdict is not None and s.verdict["kind"] == "endorsement_request"
    assert turn.reply.text.startswith("Here we go.") and s.question == say("review.next")


async def test_a_pasted_draft_starts_its_flow_knowing_what_it_says(tools: Tools) -> None:
    draft = "Hi Sam, could you refer me to Lena at Stripe? I'm applying for the data role there."
    s = CoachSession()
    turn = await work_from_draft(tools, s, ANA, draft, await tools.read_pasted(ANA, draft))
    assert s.flow == "ask_referral" and s.draft == draft and s.answers["recipient"] == "Sam"
    assert turn.position == Position(State.ASK, field="relationship")


# The message under review.


async def _in_review(tools: Tools) -> CoachSession:
    s = CoachSession(flow="ask_endorsement", skipped=["given", "relationship"],
                     answers={"recipient": "Dana", "ask": "endorse me for Python"})  # fmt: skip
    turn = await next_question(tools, s, ANA)
    assert turn.position == Position(State.REVIEW)
    s.position = turn.position  # what the machine would do
    return s


async def test_a_remark_in_review_keeps_the_message(tools: Tools) -> None:
    s = await _in_review(tools)
    before, s.pending = s.message, []  # no [prompt] waiting for a short answer
    turn = await revise(tools, s, ANA, said("great, thanks!"))
    assert turn.position == Position(State.REVIEW) and turn.reply.text == say("edit_or_done")
    assert s.message == before and not s.history


async def test_a_short_answer_in_review_fills_the_first_prompt(tools: Tools) -> None:
    s = await _in_review(tools)
    assert s.pending and s.pending[0] == "relationship"
    turn = await revise(tools, s, ANA, said("we ran the billing retros together at Acme"))
    assert turn.position == Position(State.REVIEW)
    assert turn.reply.text.startswith(say("review.prompt_filled"))
    assert s.answers["relationship"] == "we ran the billing retros together at Acme"
    assert len(s.history) == 1  # `back` can undo it


async def test_an_edit_in_review_is_checked_again(tools: Tools) -> None:
    s = await _in_review(tools)
    edit = "Hi Dana,\nWe worked on billing at Acme. Would you endorse me for Python?\nThanks, Ana"
    turn = await revise(tools, s, ANA, said(edit))
    assert turn.position == Position(State.REVIEW) and turn.reply.text == say("review.edited")
    assert s.message == edit and turn.reply.trust is not None and s.pending == []


def test_anything_else_in_review_says_how_to_go_on() -> None:
    s = at(Position(State.REVIEW), message="Hi Dana")
    turn = review_hint(s)
    assert turn.position == Position(State.REVIEW) and turn.reply.text == say("review.next")


# Answers to the flow's questions (answering.py).


def _dana(position: Position, **data: Any) -> CoachSession:
    return at(position, flow="ask_endorsement", answers={"recipient": "Dana", **data})


async def test_a_relationship_denied_offers_the_honest_path(tools: Tools) -> None:
    s = _dana(Position(State.ASK, field="relationship"))
    turn = await answer_fact(tools, s, ANA, said("honestly I don't know her, we've never met"))
    assert turn.position == Position(State.HONEST)
    assert "can't honestly vouch for you yet" in turn.reply.text
    assert s.position == Position(State.ASK, field="relationship") and len(s.history) == 1
    connect = at(Position(State.ASK, field="relationship"), flow="connect")
    again = await answer_fact(tools, connect, ANA, said("we've never met"))
    assert again.position == connect.position
    assert again.reply.text.startswith("That's all right: a note to someone new starts with why")


async def test_a_name_is_cleaned_and_a_non_name_asked_again(tools: Tools) -> None:
    s = at(Position(State.ASK, field="recipient"), flow="ask_endorsement")
    turn = await answer_fact(tools, s, ANA, said("<!here> Dana"))
    assert s.answers["recipient"] == "Dana"
    assert turn.position == Position(State.ASK, field="relationship")
    number = at(Position(State.ASK, field="recipient"), flow="ask_endorsement")
    again = await answer_fact(tools, number, ANA, said("2"))
    assert again.position == number.position and "doesn't look like a name" in again.reply.text
    assert again.reply.extras == {"question": "recipient"} and not number.answers


async def test_skip_and_no_leave_out_only_what_may_be_left_out(tools: Tools) -> None:
    ask_for = {"relationship": REL}
    reason = at(Position(State.ASK, field="reason"), flow="ask_referral",
                answers={"recipient": "Marco", "ask": "introduce me to Lena", **ask_for})  # fmt: skip
    turn = await answer_fact(tools, reason, ANA, said("no"))
    assert reason.skipped == ["reason"] and turn.position == Position(State.REVIEW)
    the_ask = _dana(Position(State.ASK, field="ask"), **ask_for)
    again = await answer_fact(tools, the_ask, ANA, said("no"))
    assert again.position == the_ask.position and again.reply.text.startswith("I didn't catch")
    assert not the_ask.skipped and not the_ask.history


async def test_a_hedge_or_an_opinion_is_not_a_fact(tools: Tools) -> None:
    s = _dana(Position(State.ASK, field="relationship"))
    hedge = await answer_fact(tools, s, ANA, said("maybe"))
    assert "doesn't give me anything" in hedge.reply.text
    opinion = await answer_fact(tools, s, ANA, said("he is great"))
    assert "what you think of them" in opinion.reply.text
    assert hedge.position == opinion.position == s.position and "relationship" not in s.answers


async def test_blast_names_are_split_deduplicated_and_must_be_names(tools: Tools) -> None:
    s = at(Position(State.ASK, field="recipients"), flow="blast", draft=BLAST)
    turn = await answer_fact(tools, s, ANA, said("Ann, ann and Bob"))
    assert s.recipients == ["Ann", "Bob"] and turn.position == Position(State.KNOWN, name="Ann")
    none = at(Position(State.ASK, field="recipients"), flow="blast", draft=BLAST)
    again = await answer_fact(tools, none, ANA, said("2, 3"))
    assert again.position == none.position and not none.recipients and not none.history


async def test_how_the_user_knows_one_person_of_a_blast(tools: Tools) -> None:
    def blast() -> CoachSession:
        return at(Position(State.KNOWN, name="Ann"), flow="blast", draft=BLAST,
                  recipients=["Ann", "Bob"])  # fmt: skip

    s = blast()
    turn = await answer_known(tools, s, ANA, said("not really"))
    assert s.known == {"Ann": ""} and turn.position == Position(State.KNOWN, name="Bob")
    s = blast()
    await answer_known(tools, s, ANA, said("we met at PyCon"))
    assert s.known == {"Ann": "we met at PyCon"}
    s = blast()
    opinion = await answer_known(tools, s, ANA, said("she is brilliant"))
    assert opinion.position == s.position and opinion.reply.extras == {"question": "known:Ann"}


async def test_have_you_given_first(tools: Tools) -> None:
    s = _dana(Position(State.GIVEN), relationship=REL)
    no = await answer_given(tools, s, ANA, said("no, not yet"))
    assert no.position == Position(State.OFFER_GIVE) and s.skipped == ["given"]
    assert [c.value for c in no.reply.choices] == ["yes", "no"] and s.question == no.reply.text
    s = _dana(Position(State.GIVEN), relationship=REL)
    yes = await answer_given(tools, s, ANA, said("yes"))
    assert yes.position == Position(State.GIVEN_WHAT)
    s = _dana(Position(State.GIVEN), relationship=REL)
    said_what = await answer_given(tools, s, ANA, said("yes, I recommended her for the PM role"))
    assert s.answers["given"] == "I recommended her for the PM role"
    assert said_what.position == Position(State.ASK, field="ask")


async def test_can_you_return_it_honestly(tools: Tools) -> None:
    answers = {"recipient": "Sam", "received": "the recommendation"}
    s = at(Position(State.RETURN), flow="reciprocate", answers=dict(answers), skipped=["specific"])
    no = await answer_return(tools, s, ANA, said("no"))
    assert "return" in s.skipped and no.reply.text.startswith(say("honest_path.no_return"))
    s = at(Position(State.RETURN), flow="reciprocate", answers=dict(answers), skipped=["specific"])
    assert (await answer_return(tools, s, ANA, said("yes"))).position == Position(State.RETURN_WHAT)


async def test_what_was_given_and_what_would_be_said_back(tools: Tools) -> None:
    s = at(Position(State.RETURN_WHAT), flow="reciprocate", skipped=["specific"],
           answers={"recipient": "Sam", "received": "the recommendation"})  # fmt: skip
    await answer_gift_details(tools, s, ANA, said("the payments launch"))
    assert s.answers["given"] == say("facts.return_offer", what="the payments launch")
    g = _dana(Position(State.GIVEN_WHAT), relationship=REL)
    await answer_gift_details(tools, g, ANA, said("skip"))
    assert g.skipped == ["given"] and "given" not in g.answers


async def test_a_whole_draft_pasted_for_an_answer_is_worked_from(tools: Tools) -> None:
    s = at(Position(State.ASK, field="relationship"), flow="endorse", answers={"endorsee": "Riley"})
    draft = ("Hi Riley, we worked together at Acme for two years. I would really appreciate a "
             "LinkedIn recommendation from you about the billing migration.")  # fmt: skip
    turn = await answer_fact(tools, s, ANA, said(draft))
    assert s.flow == "ask_endorsement" and s.draft == draft and len(s.history) == 1
    assert turn.reply.text.startswith(say("draft_received_mid", kind="endorsement request"))


@pytest.mark.parametrize(("field", "limit"), [("relationship", MAX_ANSWER), ("draft", MAX_DRAFT)])
def test_an_unreadable_answer_names_the_limit_of_its_question(field: str, limit: int) -> None:
    s = at(Position(State.ASK, field=field), flow="blast", answers={"recipient": "Dana"})
    turn = unreadable(s, Meaning.TOO_LONG)
    assert turn.position == s.position and f"up to {limit} characters" in turn.reply.text
    assert turn.reply.extras == {"question": field}
    assert unreadable(s, Meaning.EMPTY).reply.text.startswith("That came through empty.")


async def test_an_answer_too_long_for_a_question_but_not_for_a_draft(tools: Tools) -> None:
    s = _dana(Position(State.ASK, field="relationship"))
    long = "we worked together " * 60  # longer than an answer (1,000), and not a draft
    turn = await answer_fact(tools, s, ANA, said(long))
    assert turn.position == s.position and "longer than I can take" in turn.reply.text
    assert "relationship" not in s.answers
