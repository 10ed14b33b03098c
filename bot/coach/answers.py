"""Reading answers the way people type them: "nope", "skip", "👍", "we worked together at Acme".

The coach asks short questions in a chat; people answer in a word, an emoji, a sentence, or
by pasting a whole draft.  This module sorts an answer into what it is, without guessing at
facts: a sentence stays the user's sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "MAX_ANSWER",
    "MAX_DRAFT",
    "Answer",
    "Meaning",
    "choice_number",
    "denies",
    "non_answer",
    "read_answer",
    "yes_or_no",
]

MAX_ANSWER = 1_000  # a fact is a sentence or two
MAX_DRAFT = 20_000  # the engine's limit for a draft


class Meaning(StrEnum):
    """What an answer is."""

    YES = "yes"
    NO = "no"
    SKIP = "skip"
    TEXT = "text"  # an answer in the user's own words
    CANCEL = "cancel"
    RESTART = "restart"
    BACK = "back"
    HELP = "help"
    DONE = "done"
    EMPTY = "empty"  # nothing, or only symbols/emoji we can't read
    TOO_LONG = "too_long"
    BINARY = "binary"  # control characters: not something a person typed


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer, tidied, with what it means."""

    meaning: Meaning
    text: str  # stripped; "" for commands


_WORDS = {
    Meaning.CANCEL: "cancel|stop|quit|exit|abort|nevermind|never mind|forget it",
    Meaning.RESTART: "restart|start over|start again|reset|new|begin again",
    Meaning.BACK: "back|go back|undo|previous",
    Meaning.HELP: "help|\\?|what can you do|how does this work|options|menu",
    Meaning.DONE: "done|finish|finished|that's it|thats it|looks good|lgtm|perfect|all good|send it",
    Meaning.YES: "yes|y|yep|yeah|yea|yup|sure|ok|okay|of course|definitely|absolutely|please do|"
    "go ahead|sounds good|i have|i did|we have|we did|correct|right|true|yes please|sure thing|"
    "sure,? why not|why not|let's do it|lets do it|do it|please",
    Meaning.NO: "no|n|nope|nah|not really|no thanks|no thank you|not yet|never|none|i haven't|"
    "i have not|we haven't|we have not|haven't|not at all|no way|not now|maybe later|rather not",
    Meaning.SKIP: "skip|pass|dunno|don't know|dont know|idk|no idea|later|n/a|na|-|not sure",
}
_EXACT = {meaning: re.compile(rf"(?:{words})", re.I) for meaning, words in _WORDS.items()}
_YES_EMOJI = frozenset("👍👌✅✔☑🙆💯🙂😊😀🙌")
_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0e\ufe0f\u200d]")  # skin tones, variants
_NO_EMOJI = frozenset("👎❌✖🙅🚫")
#: Words people put before the point ("honestly, I don't know her").
_FILLER = (
    r"(?:(?:honestly|to be honest|tbh|truthfully|well|actually|um+|uh+|hmm+|so|ok|okay)[,.!]*\s+)*"
)
#: Opening words of an answer that denies a relationship or a gift ("we've never met",
#: "honestly I don't know her, I just found her on LinkedIn").
_DENIAL = re.compile(
    rf"(?i)^{_FILLER}(?:no|nope|nah|not really|not|never|"
    r"(?:we|i)(?:'ve| have)? (?:never|not|haven'?t|have not|don'?t|do not|didn'?t|did not)|"
    r"(?:we|i) (?:barely|hardly) (?:know|knew|met|worked)|"
    r"i (?:just |only )?(?:found|came across|stumbled (?:on|upon|across)|follow(?:ed)?) "
    r"(?:her|him|them|their|his)|"
    r"(?:(?:she|he|they)(?:'s| is|'re| are) )?(?:a |just a )?(?:complete |total )?strangers?)\b"
)
#: A whole answer that commits to nothing ("maybe", "I guess"): not something to put in a message.
_NON_ANSWER = re.compile(
    r"(?i)(?:maybe|perhaps|possibly|probably|i guess|i think so|i suppose|kind of|kinda|"
    r"sort of|sorta|not sure|unsure|hmm+|um+|uh+|something|anything|whatever|stuff|things|"
    r"idk maybe|dunno maybe|maybe idk|maybe not|who knows|depends)"
)
#: An opinion of the person where the question asked how you know them ("he is great").
_OPINION = re.compile(
    r"(?i)^(?:\w+|he|she|they)(?:'s| is|'re| are) (?:(?:really|very|so|super|just|pretty|truly) )?"
    r"(?:great|awesome|amazing|good|nice|smart|brilliant|the best|talented|lovely|cool|"
    r"fantastic|excellent|wonderful|a (?:great|good|nice|smart) \w+|an (?:amazing|awesome) \w+)\b"
)
#: Words that say how two people know each other: an answer with one is not just an opinion.
_RELATION = re.compile(
    r"(?i)\b(?:work\w*|team\w*|stud\w+|met|meet\w*|manag\w+|project\w*|colleague\w*|togeth\w+|"
    r"class\w*|school|universit\w+|college|mentor\w*|boss|report\w*|hired|client\w*|friend\w*|"
    r"family|cousin|neighbou?r\w*|volunteer\w*|play\w*|taught|teach\w*|coach\w*|at \w+)"
)
_TRAILING = " .!?,;:…"


def _is_binary(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in text)


def _only_symbols(text: str) -> bool:
    return not any(c.isalnum() for c in text)


def read_answer(raw: str, limit: int = MAX_ANSWER) -> Answer:
    """Sort a typed answer; `limit` is how long an answer may be (a draft may be longer)."""
    if _is_binary(raw):
        return Answer(Meaning.BINARY, "")
    text = raw.strip()
    if not text:
        return Answer(Meaning.EMPTY, "")
    if len(text) > limit:
        return Answer(Meaning.TOO_LONG, "")
    plain = text.strip(_TRAILING).lower()
    if "/" in plain[:1]:  # "/cancel", "/help" work too
        plain = plain[1:]
    for meaning, pattern in _EXACT.items():
        if pattern.fullmatch(plain):
            return Answer(meaning, "")
    if _only_symbols(text):
        bare = _MODIFIERS.sub("", text)
        symbols = {c for c in bare if not c.isspace() and unicodedata.category(c)[0] == "S"}
        if symbols and symbols <= _YES_EMOJI:
            return Answer(Meaning.YES, "")
        if symbols and symbols <= _NO_EMOJI:
            return Answer(Meaning.NO, "")
        return Answer(Meaning.EMPTY, "")
    return Answer(Meaning.TEXT, text)


def denies(text: str) -> bool:
    """True when a sentence answer says there is none ("we've never actually met")."""
    return _DENIAL.match(text.strip()) is not None


def non_answer(text: str, about_a_person: bool = False) -> str | None:
    """Why a typed answer can't go into the message: "hedge" when it commits to nothing
    ("maybe"), "opinion" when, asked how you know someone, it only rates them ("he is great");
    None for a real answer."""
    plain = text.strip(_TRAILING)
    if _NON_ANSWER.fullmatch(plain):
        return "hedge"
    if about_a_person and _OPINION.match(plain) and not _RELATION.search(plain):
        return "opinion"
    return None


def choice_number(text: str, count: int) -> int | None:
    """A menu pick typed as a number ("2", "2.", "#2", "option 2"), 1-based, or None."""
    m = re.fullmatch(r"(?i)\s*(?:option\s*|#)?(\d{1,2})[.)]?\s*", text)
    if m and 1 <= int(m.group(1)) <= count:
        return int(m.group(1))
    return None


_LEAD_YES = re.compile(
    r"(?i)^(?:yes|yep|yeah|yup|sure|ok|okay|of course|definitely|absolutely|i have|i did)\b[\s,.!:;—–-]*"
)
_LEAD_NO = re.compile(r"(?i)^(?:no|nope|nah|not (?:yet|really)|never)\b[\s,.!:;—–-]*")


def yes_or_no(answer: Answer) -> tuple[Meaning, str]:
    """A yes/no answer, and any details typed after it: ("yes, I recommended her last week")
    → (YES, "I recommended her last week"); ("no, I haven't") → (NO, "").  A sentence with
    neither is returned as TEXT for the caller to judge."""
    if answer.meaning is not Meaning.TEXT:
        return answer.meaning, ""
    text = answer.text
    if denies(text) or _LEAD_NO.match(text):
        return Meaning.NO, ""
    lead = _LEAD_YES.match(text)
    if lead:
        rest = text[lead.end() :].strip()
        return Meaning.YES, rest if len(rest.split()) >= 3 else ""
    return Meaning.TEXT, text
