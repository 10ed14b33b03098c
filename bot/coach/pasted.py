"""Telling a pasted draft from a menu answer.

At the menu people either tell the coach what they want ("2", "referral", "I want to ask Priya
for a recommendation", "thank Sam") or paste the message they were going to send ("Could you
write me a LinkedIn recommendation?", "Hey everyone!! Please like my page", "John is great.
Highly recommend!").  Length says little: a draft can be one line.  What tells them apart is
who the words speak to.  A draft is written *to* someone: it greets them or a crowd, names
them, signs off, links, says "you" to its reader, or just says its piece (an ask, some
praise) for the engine to read as outreach.  A menu answer speaks to the coach about a third
person: "I want to…", "help me…", "how do I…", or a command naming the flow ("ask Dana for…").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from rapport.bot.engine.signals import Signals
from rapport.bot.models import Kind, Report
from rapport.bot.rewriter.facts import extract_facts

__all__ = ["Pasted", "Shape", "read_pasted", "shape_of", "speaks_to_coach", "worth_reading"]

#: Fewer words than this, with nothing marking a message ("thanks", "thank you", "recommend
#: me"), are a reply to the menu: they keep the meaning they had.
_FEW_WORDS = 4
#: Asking the coach takes a sentence or two; a letter that opens "I would like to recommend
#: Dr. Hana Agarwal…" and goes on about her is a draft.
_ASKING_WORDS = 24
#: Longer than this, text that isn't outreach gets "doesn't read as outreach" rather than the
#: bare menu ("Hello! How are you?" is small talk, not a draft).
_LONG = 80
#: Names people call the coach by: "Hi rapport, I want to…" greets the coach, not a recipient.
_COACH_NAMES = frozenset({"rapport", "bot", "coach"})

_LEAD = (
    r"^(?:(?:hi|hey|hello|ok|okay|so|well|um+|please|pls|hmm+|rapport|bot|coach)\b[\s,.!:;—–-]*)*"
)
#: Someone other than the writer and the reader: "my colleague Sam" is a third person, "my
#: skills" are the writer's own ("please endorse my skills" is a draft).
_MY_PEOPLE = (
    r"my\s+(?!(?:[\w-]+\s+)?(?:colleague|friend|manager|boss|mentor|mentee|teammate|team\s+mate|"
    r"report|co-?worker|classmate|student|intern|professor|teacher|neighbou?r|cousin|brother|"
    r"sister|partner|client|contact)s?\b)"
)
_THIRD = rf"(?!\s+(?:(?:me|myself|us|you|your|yours|yourself|u|ur)\b|{_MY_PEOPLE}))"
_OBJECT = r"(?!\s*(?:[,.!?;:]|and\b|$))"
_FLOW_VERBS = (
    r"(?:ask|thank|endorse|recommend|vouch\s+for|refer|introduce|decline|turn\s+down|reply\s+to|"
    r"respond\s+to|return|reciprocate|reach\s+out\s+to|connect\s+with|message|email|contact)\b"
)
_WANT = r"\bi\s*(?:'d|'m|would|am)?\s*(?:want|wanna|need|like|have|must|should|trying)"
#: "Can you draft a note to Sam?": a message asked of the coach (a recipient is asked for a
#: recommendation or an intro, never for "a note").
_WRITE_ME_A_NOTE = (
    r"\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:write|draft|compose|prepare|make)\b"
    r".{0,20}\b(?:note|message|email|dm|letter|text|reply|response|post)\b"
)
#: The ways people ask the coach for help, rather than write to someone.
_TO_COACH = re.compile(
    "|".join(
        (
            # "I want to / I'd like to / I need … someone else" first (present tense and about
            # another: "I wanted to reach out", "I'd like to introduce myself" open drafts)…
            # with an object ("I'd like to connect." says it to the reader)
            _LEAD + _WANT + r"(?:\s+to\s+\w+|\s+(?!to\b)\w+)\b" + _THIRD + _OBJECT,
            # …or later, naming a flow ("Priya endorsed me and I want to return the favour")
            _WANT + r"\s+to\s+" + _FLOW_VERBS + _THIRD,
            # help me… / can you help… / how do I… / what should I say…
            r"\bhelp\s+(?:me|us)\b|\b(?:can|could|would|will)\s+you\s+(?:please\s+)?help\b",
            r"\bhow\s+(?:do|can|should|would|to)\b|\bwhat\s+(?:do|should|can)\s+i\s+(?:say|write)\b",
            # a command naming the flow, about someone else: "ask Dana for…", "thank Sam",
            # "write a recommendation for Sam" (not "refer me…", "thank you…", nor "write a
            # recommendation on my profile", "write one for me")
            _LEAD + _FLOW_VERBS + _THIRD,
            _LEAD + r"(?:write|draft|compose)\b" + _THIRD + r"(?!.*\b(?:me|on\s+my)\b)",
            _WRITE_ME_A_NOTE,
        )
    ),
    re.I,
)
#: "you" said to the coach: taken out before asking whether the text speaks to its reader.
_COACH_YOU = re.compile(
    r"(?i)\b(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:help|assist|show|tell|teach|guide)\b|"
    r"\bhow\s+(?:do|can|should|would)\s+you\b|" + _WRITE_ME_A_NOTE
)
_YOU = re.compile(r"(?i)\b(?:you|your|yours|yourself|you're|youre|you've|you'd|you'll|u|ur)\b")


class Shape(StrEnum):
    """What a message typed at the menu is."""

    DRAFT = "draft"  # outreach written to someone: work from it
    NOT_OUTREACH = "not_outreach"  # a message, but not one the coach helps with
    ANSWER = "answer"  # words to the coach: a flow's name, a short reply


@dataclass(frozen=True, slots=True)
class Pasted:
    """What the engine and the facts extractor read in a message: its kind, who it is written
    to and who it recommends, and whether anything marks it as written to someone."""

    kind: Kind
    recipient: str | None  # greeted or named as its reader ("Hi Sam," → "Sam")
    endorsee: str | None  # who it recommends ("John is great…" → "John")
    addressed: bool  # greets someone or a crowd, pings, signs off, or links
    words: int


def read_pasted(report: Report, signals: Signals) -> Pasted:
    """Read a checked message for the coach: its kind, recipient, endorsee and address."""
    facts = extract_facts(report, signals)
    recipient = facts.recipient
    if recipient and (
        recipient.startswith("<")  # a platform's raw mention markup, not a name to greet
        or recipient.lower() in _COACH_NAMES
        or (facts.sender and recipient.lower() == facts.sender.lower())  # "Thanks, Jo": the sender
    ):
        recipient = None
    doc = signals.doc
    pings = any(e.type in ("user", "broadcast", "group") for e in doc.entities)
    addressed = bool(
        recipient or signals.at_line_start("crowd_greeting") or pings or facts.sender or facts.links
    )
    endorsee = facts.endorsee
    if endorsee and (endorsee.startswith("<") or endorsee.lower() in _COACH_NAMES):
        endorsee = None
    return Pasted(
        kind=report.kind,
        recipient=recipient,
        endorsee=endorsee,
        addressed=addressed,
        words=signals.word_count,
    )


def worth_reading(text: str) -> bool:
    """False for a word or two ("thanks", "referral", "recommend me"): a reply to the menu,
    never a draft, so the engine needn't read it."""
    return len(text.split()) > 2 or "\n" in text.strip()


def speaks_to_coach(text: str) -> bool:
    """True when the words ask the coach for help ("I want to thank Sam", "help me decline",
    "ask Dana for a recommendation") rather than say something to the reader."""
    return _TO_COACH.search(_plain(text)) is not None


def _speaks_to_reader(text: str) -> bool:
    """True when the text says "you" to someone other than the coach."""
    return _YOU.search(_COACH_YOU.sub(" ", _plain(text))) is not None


def _plain(text: str) -> str:
    return text.strip().replace("’", "'")


def shape_of(text: str, pasted: Pasted) -> Shape:
    """Whether a message typed at the menu is a draft to work from, a message that isn't
    outreach, or an answer to the menu (a flow named in words, a short reply)."""
    written = pasted.addressed or "\n" in text.strip()
    if not written and pasted.words < _FEW_WORDS:
        return Shape.ANSWER
    asking = pasted.words <= _ASKING_WORDS and speaks_to_coach(text)
    if not written and not _speaks_to_reader(text) and asking:
        return Shape.ANSWER
    if pasted.kind is not Kind.OTHER:
        return Shape.DRAFT
    return Shape.NOT_OUTREACH if written or len(text) > _LONG else Shape.ANSWER
