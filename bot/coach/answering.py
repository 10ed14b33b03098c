"""What each answer to one of the flow's questions does: one handler per question state (ASK,
KNOWN, GIVEN, GIVEN_WHAT, RETURN, RETURN_WHAT), each returning the `Turn` to take.

Every handler first gives a whole draft pasted in place of an answer to the flow that works
from it, and asks again when the answer can't be read (`_read`).
"""

from __future__ import annotations

import re

from rapport.bot.coach.answers import (
    MAX_ANSWER,
    MAX_DRAFT,
    Answer,
    Meaning,
    denies,
    non_answer,
    yes_or_no,
)
from rapport.bot.coach.ledger import clean_name
from rapport.bot.coach.pasted import Pasted
from rapport.bot.coach.replies import Reply
from rapport.bot.coach.session import CoachSession
from rapport.bot.coach.states import Position, State, Turn
from rapport.bot.coach.steps import (
    Tools,
    ask,
    names,
    next_question,
    question_text,
    stay,
    work_from_draft,
    yes_no,
)
from rapport.bot.engine.lexicon import greeting_words
from rapport.bot.models import Kind
from rapport.bot.storage.base import UserRef
from rapport.bot.wording import say

__all__ = [
    "answer_fact",
    "answer_gift_details",
    "answer_given",
    "answer_known",
    "answer_return",
    "unreadable",
]

_SKIPPABLE = frozenset({"reason", "specific", "alternative", "recipient", "received"})
_NAMES = frozenset({"recipient", "endorsee"})
_PROBLEMS = {Meaning.EMPTY: "empty", Meaning.BINARY: "binary", Meaning.TOO_LONG: "too_long"}
_GREETING = re.compile(r"(?i)^" + greeting_words() + r"\b")
_PROFILE = re.compile(
    r"(?i)^(?:profile|their profile|(?:for )?(?:his|her|their) profile|linkedin|public)$"
)
_CLAUSE = re.compile(r"(?i)^(?:he|she|they|you|i|we|it|his|her|their)\b")
_ENDORSED_FOR = re.compile(r"(?i)^(?:the|a|an|your|their|his|her|that|this)\b|^\w+ing\b")


def unreadable(s: CoachSession, meaning: Meaning) -> Turn:
    """An empty, binary or too long answer: say so, and ask the same question again."""
    field = s.position.question
    limit = MAX_DRAFT if field == "draft" else MAX_ANSWER
    lead = say(_PROBLEMS[meaning], hint=question_text(s, s.position), limit=limit)
    return stay(s, Reply(lead, extras={"question": field}))


def _again(s: CoachSession, key: str) -> Turn:
    """The same question again, after a word on why the answer can't be used."""
    hint = question_text(s, s.position)
    return stay(s, Reply(say(key, hint=hint), extras={"question": s.position.question}))


async def _read(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Answer | Turn:
    """What every question does first: a whole draft pasted instead of an answer is worked
    from, and an answer too long for the question is asked again; else the answer itself."""
    field = s.position.question
    if field not in ("draft", "recipients"):
        pasted = await _pasted_draft(tools, user, answer)
        if pasted is not None:
            s.remember_turn()
            lead = say("draft_received_mid", kind=pasted.kind.value.replace("_", " "))
            return await work_from_draft(tools, s, user, answer.text, pasted, lead)
    limit = MAX_DRAFT if field == "draft" else MAX_ANSWER
    if answer.meaning is Meaning.TEXT and len(answer.text) > limit:
        return unreadable(s, Meaning.TOO_LONG)
    if answer.meaning in _PROBLEMS:
        return unreadable(s, answer.meaning)
    return answer


async def _pasted_draft(tools: Tools, user: UserRef, answer: Answer) -> Pasted | None:
    """A whole message pasted in place of an answer, or None if it isn't one.  An answer may
    be a sentence or two, so only a message-sized text that greets or spans lines counts."""
    text = answer.text
    if answer.meaning is not Meaning.TEXT or len(text) < 60:
        return None
    if not (_GREETING.match(text) or "\n" in text or len(text) > 160):
        return None
    pasted = await tools.read_pasted(user, text)
    return None if pasted.kind is Kind.OTHER else pasted


def _denied(answer: Answer) -> bool:
    """True when the answer says there is no relationship ("no", "we've never met")."""
    return answer.meaning is Meaning.NO or (answer.meaning is Meaning.TEXT and denies(answer.text))


async def answer_fact(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Turn:
    """ASK: take the fact asked for, then ask the next one (or, when the user admits they don't
    know the person, offer the honest path)."""
    read = await _read(tools, s, user, answer)
    if isinstance(read, Turn):
        return read
    field = s.position.field or ""
    if field == "relationship" and _denied(read):
        if s.flow == "connect":
            return _again(s, "questions.connect_no_denial")
        s.remember_turn()
        flow = "endorse" if s.flow in ("endorse", "decline") else "ask"
        lead = say(f"honest_path.no_relationship_{flow}", **names(s))
        question = say(f"honest_path.options_{flow}", **names(s))
        return Turn(Position(State.HONEST), yes_no(f"{lead}\n\n{question}", s, question))
    if read.meaning is Meaning.SKIP or (read.meaning is Meaning.NO and field in _SKIPPABLE):
        s.remember_turn()
        s.skipped.append(field)
        return await next_question(tools, s, user)
    if read.meaning is not Meaning.TEXT:
        return _again(s, "not_understood")
    text = read.text
    if field not in _NAMES and field not in ("draft", "recipients"):
        why = non_answer(text, field == "relationship")
        if why is not None:
            return _again(s, "opinion_not_relationship" if why == "opinion" else "non_answer")
    if field in _NAMES:
        name = clean_name(text)
        if name is None:
            return _again(s, "not_a_name")
        text = name
    s.remember_turn()
    return await _store_fact(tools, s, user, field, text)


async def _store_fact(tools: Tools, s: CoachSession, user: UserRef, field: str, text: str) -> Turn:
    lead = ""
    if field == "recipients":
        names_given = [clean_name(n) for n in re.split(r",|\band\b|\n|;", text)]
        unique: dict[str, str] = {}
        for n in names_given:
            if n:
                unique.setdefault(n.lower(), n)  # the first spelling wins
        s.recipients = list(unique.values())[:20]
        if not s.recipients:
            s.undo()  # the snapshot just taken: nothing changes, the position included
            return _again(s, "not_a_name")
    elif field == "draft":
        s.draft = text
    elif field == "recipient" and s.flow == "endorse" and _PROFILE.match(text):
        s.skipped.append("recipient")
    elif field == "received":
        key = "facts.thanks_for" if _ENDORSED_FOR.match(text) else "facts.thanks_for_endorsing"
        s.answers["received"] = text
        s.answers["thanks"] = say(key, what=text.rstrip(".!"))
    else:
        s.answers[field] = text
    if field == "recipient" and "relationship" not in s.answers and s.flow != "connect":
        known = await tools.ledger.relationship(user, text)
        if known is not None:
            s.answers["relationship"] = known.how
            s.from_ledger.append("relationship")
            lead = say("ledger_knows", name=text, how=known.how)
    return await next_question(tools, s, user, lead)


async def answer_known(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Turn:
    """KNOWN (a blast): how the user knows this one person; "no" or "skip" leaves it out."""
    read = await _read(tools, s, user, answer)
    if isinstance(read, Turn):
        return read
    who = s.position.name or ""
    if _denied(read) or read.meaning is Meaning.SKIP:
        s.remember_turn()
        s.known[who] = ""
        return await next_question(tools, s, user)
    if read.meaning is not Meaning.TEXT:
        return _again(s, "not_understood")
    why = non_answer(read.text, about_a_person=True)
    if why is not None:
        return _again(s, "opinion_not_relationship" if why == "opinion" else "non_answer")
    s.remember_turn()
    s.known[who] = read.text
    return await next_question(tools, s, user)


async def answer_given(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Turn:
    """GIVEN: have you given them something first?  Yes asks what (unless it says); no
    offers to write them a recommendation first."""
    read = await _yes_no_answer(tools, s, user, answer)
    if isinstance(read, Turn):
        return read
    meaning, details = read
    if meaning is Meaning.YES:
        if details:
            s.answers["given"] = details
            return await next_question(tools, s, user)
        return ask(s, Position(State.GIVEN_WHAT))
    s.skipped.append("given")
    if meaning is Meaning.SKIP:
        return await next_question(tools, s, user)
    question = say("honest_path.offer_give", **names(s))
    return Turn(Position(State.OFFER_GIVE), yes_no(question, s, question))


async def answer_return(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Turn:
    """RETURN: can you honestly return their endorsement?  Yes asks what you'd say (unless it
    says); no goes on without a return."""
    read = await _yes_no_answer(tools, s, user, answer)
    if isinstance(read, Turn):
        return read
    meaning, details = read
    if meaning is Meaning.YES:
        if details:
            s.answers["given"] = _return_offer(details)
            return await next_question(tools, s, user)
        return ask(s, Position(State.RETURN_WHAT))
    s.skipped.append("return")
    lead = say("honest_path.no_return") if meaning is Meaning.NO else ""
    return await next_question(tools, s, user, lead)


async def _yes_no_answer(
    tools: Tools, s: CoachSession, user: UserRef, answer: Answer
) -> tuple[Meaning, str] | Turn:
    """A yes/no question's answer (yes, no or skip, with any details), or the turn that asks
    again when it is none of those; a usable answer is remembered for `back`."""
    read = await _read(tools, s, user, answer)
    if isinstance(read, Turn):
        return read
    meaning, details = _yes_no_details(read)
    if meaning not in (Meaning.YES, Meaning.NO, Meaning.SKIP):
        return stay(s, yes_no(say("not_understood", hint=question_text(s, s.position))))
    s.remember_turn()
    return meaning, details


def _yes_no_details(answer: Answer) -> tuple[Meaning, str]:
    """A yes/no answer and its details; a sentence with neither answers the follow-up."""
    meaning, details = yes_or_no(answer)
    if meaning is Meaning.TEXT:  # a sentence answering the follow-up directly
        return Meaning.YES, answer.text
    return meaning, details


async def answer_gift_details(tools: Tools, s: CoachSession, user: UserRef, answer: Answer) -> Turn:
    """GIVEN_WHAT / RETURN_WHAT: what was given, or what the user would say in return."""
    read = await _read(tools, s, user, answer)
    if isinstance(read, Turn):
        return read
    given = s.state is State.GIVEN_WHAT
    meaning, details = yes_or_no(read)
    if meaning in (Meaning.SKIP, Meaning.NO):
        s.remember_turn()
        s.skipped.append("given" if given else "return")
        return await next_question(tools, s, user)
    if meaning is not Meaning.TEXT and not details:
        return stay(s, Reply(say("not_understood", hint=question_text(s, s.position))))
    s.remember_turn()
    what = details or read.text
    s.answers["given"] = what if given else _return_offer(what)
    return await next_question(tools, s, user)


def _return_offer(what: str) -> str:
    """The offer to return an endorsement, in words that stay grammatical around the answer."""
    what = what.strip().rstrip(".!")
    key = "facts.return_offer_plain" if _CLAUSE.match(what) else "facts.return_offer"
    return say(key, what=what[:1].lower() + what[1:] if not _CLAUSE.match(what) else what)
