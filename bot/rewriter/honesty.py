"""Keeping faith with the draft: what a rewrite must keep, and what it must never invent.

Two checks share one idea of a *fact token*: a link or e-mail address, a number (amounts,
dates, counts), a user mention, or a capitalised word that is not just starting a sentence
(names, companies, products, places, months).  A rewrite keeps every fact token of the draft
(except crowd pings and merge fields, which it exists to remove) and contains none that the
draft, the user's supplied facts or the recipient's name did not give it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapport.bot.engine.markup import mask_markup
from rapport.bot.recache import rx

__all__ = ["PROMPT", "fact_tokens", "inventions", "missing_from"]

#: A visible prompt for a missing fact: "[how you know Dana — e.g. the project you shared]".
PROMPT = rx(r"\[[^\[\]\n]{2,200}\]")
_NUMBER = rx(r"(?<![\w.])\d+(?:[.,:/]\d+)*(?:%|st|nd|rd|th|k|m)?(?![\w])", re.I)
_WORD = rx(r"(?<![\w'@#])[A-Z][\w'&+.-]*[\w+]|(?<![\w'@#])[A-Z](?![\w'])")
_SENTENCE_START = rx(r"(?:^|[\n.!?:;])[^\w\n]*$")
#: Shouting is not naming: capitalised ordinary words that are never facts on their own.
_SHOUTED = frozenset(
    "PLEASE PLS NOW ASAP URGENT TODAY TONIGHT FREE NEW ALL EVERYONE HELP ME YOU YOUR MY OFF "
    "ONLY LAST CHANCE HURRY WIN SALE NOT DO DONT DON'T STOP LIKE SHARE FOLLOW SUBSCRIBE VOTE "
    "JOIN BUY GET OUR THE AND OR FOR TO IS IT THIS THAT WHY WHAT OMG LOL PSA FYI BTW THANKS THX "
    "REALLY VERY SO BIG HUGE BEST GREAT AMAZING".split()
)
#: Words that start a thought even mid-line (after an emoji, a link): never names.
_ORDINARY = frozenset(
    "please thanks thank hi hey hello dear cheers regards sorry congrats congratulations btw "
    "fwiw ps yes no ok okay lol omg also just so and but or".split()
)
_PRONOUN_I = frozenset({"I", "I'm", "I've", "I'd", "I'll", "I’m", "I’ve", "I’d", "I’ll"})
_TRAILING = ".'’"
_FACT_ENTITIES = ("link", "email", "user", "channel")


def _blank(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _tokens(text: str) -> dict[str, bool]:
    """Fact tokens in order → True when the token only ever starts a sentence."""
    text = PROMPT.sub("", text)
    masked, entities = mask_markup(text)
    seen: dict[str, bool] = {}
    for e in entities:
        if e.type in _FACT_ENTITIES:
            seen.setdefault(text[e.start : e.end], False)
    masked = _blank(masked, ((e.start, e.end) for e in entities))
    for m in _NUMBER.finditer(masked):
        seen.setdefault(m.group(0), False)
    for m in _WORD.finditer(masked):
        word = m.group(0).rstrip(_TRAILING)
        if not word or word in _PRONOUN_I or word in _SHOUTED or word.lower() in _ORDINARY:
            continue
        initial = _SENTENCE_START.search(masked, max(0, m.start() - 12), m.start()) is not None
        seen[word] = seen.get(word, True) and initial
    return seen


def fact_tokens(text: str) -> list[str]:
    """The fact tokens of `text`, in order, each once; a capitalised word that only ever starts
    a sentence is ordinary writing, not a name (prompts in [brackets] are never facts)."""
    return list(_fact_tokens(text))


@lru_cache(maxsize=4096)
def _fact_tokens(text: str) -> tuple[str, ...]:
    # the same sentence is asked about several times per rewrite (salvage, weights, checks)
    return tuple(token for token, initial in _tokens(text).items() if not initial)


_PARTS = rx(r"[^\w]+")
_HAY_WORD = rx(r"[^\W_][\w'&+.-]*[\w+]|[^\W_]")


class _Haystack:
    """Whole-word, case-insensitive lookups in a text, answered from a set of its words."""

    def __init__(self, text: str) -> None:
        self.text = text.lower()
        self.words = set(_HAY_WORD.findall(self.text))
        for word in list(self.words):  # "5-star" holds "5"; "node.js." holds "node.js"
            self.words.add(word.rstrip(_TRAILING))
            self.words.update(p for p in _PARTS.split(word) if p)

    def __contains__(self, token: str) -> bool:
        lower = token.lower()
        if lower in self.words:
            return True
        if not token[:1].isalnum() or not lower.replace("'", "").isalnum():
            # links, mentions, "C++", "Node.js": found in the text, not inside a longer word
            text, at = self.text, self.text.find(lower)
            while at >= 0:
                end = at + len(lower)
                if not (at and text[at - 1].isalnum()) and not (
                    end < len(text) and text[end].isalnum()
                ):
                    return True
                at = text.find(lower, at + 1)
        return False


def missing_from(rewrite: str, tokens: Iterable[str]) -> list[str]:
    """The tokens (from the draft) that the rewrite no longer contains, case-insensitively."""
    tokens = list(tokens)
    if not tokens:
        return []
    haystack = _Haystack(rewrite)
    return [t for t in tokens if t not in haystack]


def inventions(
    rewrite: str, sources: Iterable[str], template_words: Iterable[str] = ()
) -> list[str]:
    """Fact tokens in the rewrite that none of the sources contains: invented facts.

    Sentence-initial capitalised words are facts too unless they are ordinary template
    wording (`template_words`, lower-case) or appear in the sources in any case.
    """
    haystack = _Haystack("\n".join(sources))
    ordinary = {w.lower() for w in template_words}
    found = []
    for token, initial in _tokens(rewrite).items():
        if token in haystack or (initial and token.lower() in ordinary):
            continue
        found.append(token)
    return found
