"""The sender's answers, turned to speak to the recipient: "I was on her team" → "your team".

The coach asks about the recipient in the third person ("How do you know Maya first-hand?")
and people answer that way ("I was on her data platform team", "how she ran our on-call
rotation"). Pasted into a message to Maya, those words would talk about her instead of to
her. Only he/she/him/her/his (and the recipient's own name) change: "they" is as often a team
as a person, so it is left alone, and so is everything else the sender wrote.
"""

from __future__ import annotations

import re

from rapport.bot.models import Kind

__all__ = ["ABOUT_THEM", "SPOKEN_TO_THEM", "second_person"]

#: Answers that describe the recipient ("how do you know Maya?"), in messages written to them.
ABOUT_THEM = frozenset({"relationship", "specific", "given", "received"})
SPOKEN_TO_THEM = frozenset(
    {Kind.ENDORSEMENT_REQUEST, Kind.REFERRAL_REQUEST, Kind.CONNECTION_REQUEST, Kind.RECIPROCATION}
)

#: Words after "her" that show it is an object ("I managed her for two years"), not a
#: possessive ("her team").
_NOT_A_NOUN = frozenset(
    "a about after an and as at before but by during for from in into is of on or since so "
    "than that the then through to too until was were when while with who very really "
    "well again once twice first directly closely".split()
)
#: Third-person verbs after he/she, and their second-person forms.
_IRREGULAR = {
    "is": "are", "was": "were", "has": "have", "does": "do", "isn't": "aren't",
    "wasn't": "weren't", "hasn't": "haven't", "doesn't": "don't", "'s": "'re",
}  # fmt: skip
_SUBJECT = re.compile(r"\b(she|he)'s\b(\s+\w+)?|\b(she|he)\b(\s+)(\w+(?:'\w+)?)?", re.I)
#: After "she's", a participle means "she has" ("she's been" → "you've been"), else "she is".
_PARTICIPLE = re.compile(
    r"\s+(?:\w+ed|been|got|gotten|had|done|seen|known|taught|led|built|run|written|given|"
    r"shown|grown|made|become|helped|always|never|just|already)$",
    re.I,
)
_WORD = re.compile(r"\b(her|him|his|hers|herself|himself)\b(\s*)(\S*)", re.I)


def _verb(word: str) -> str:
    """The second-person form of a verb that followed he/she ("runs" → "run")."""
    low = word.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if len(low) > 3 and low.endswith("ies"):
        return word[:-3] + "y"
    if low.endswith(("ches", "shes", "sses", "xes", "zes", "oes")):
        return word[:-2]
    if len(low) > 2 and low.endswith("s") and not low.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _case(original: str, new: str) -> str:
    return new[:1].upper() + new[1:] if original[:1].isupper() else new


def _subject(m: re.Match[str]) -> str:
    if m.group(1):  # she's / he's
        after = m.group(2) or ""
        return _case(m.group(1), "you've" if _PARTICIPLE.match(after) else "you're") + after
    pronoun, space, verb = m.group(3), m.group(4), m.group(5)
    return _case(pronoun, "you") + space + (_verb(verb) if verb else "")


def _object_or_possessive(m: re.Match[str]) -> str:
    word, space, after = m.group(1), m.group(2), m.group(3)
    low = word.lower()
    if low in ("herself", "himself"):
        new = "yourself"
    elif low == "hers":
        new = "yours"
    elif low == "him":
        new = "you"
    elif low == "his":
        bare = after.strip(".,;:!?").lower()
        new = "yours" if not bare or bare in _NOT_A_NOUN else "your"
    else:  # her: "her team" is a possessive; "her for two years", "her." an object
        bare = after.lower()
        new = (
            "you"
            if not bare or not bare[:1].isalpha() or bare.strip(".,;:!?") in _NOT_A_NOUN
            else "your"
        )
    return _case(word, new) + space + after


def second_person(text: str, name: str | None = None) -> str:
    """`text` about the recipient, as said to them: pronouns, and `name` ("Maya's team")."""
    out = _SUBJECT.sub(_subject, text)
    out = _WORD.sub(_object_or_possessive, out)
    if name and not name.startswith(("<", "@")):
        first = re.escape(name.split()[0])
        out = re.sub(rf"\b{first}'s\b", lambda m: _case(m.group(0), "your"), out)
    return out
