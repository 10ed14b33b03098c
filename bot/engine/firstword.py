"""The words a phrase can start with: phrases are only tried where such a word stands.

Each phrase is parsed (bot/engine/regex_tree.py: rapport's own parser, in the shape of `re`'s
private one) and its possible first words are spelled
out, expanding alternations and optional characters together with what follows them:
`(?:i'?m|i am) looking` starts with the whole word "i" ("i'm", "i am") or "im".  A word that
may continue in unknown ways (`recommend\\w*`) is kept as a prefix.  A message is tokenised
once; at each word, only the phrases that can start with it are tried.  Phrases whose start
cannot be read ("[a-z]+, meet …") are scanned over the whole text instead.
"""

from __future__ import annotations

from typing import Any

from rapport.bot.engine.regex_tree import REPEATS, C, is_word_char, parse

__all__ = ["DIGIT", "EXACT", "PREFIX", "first_chars", "first_words"]

EXACT = "="  # a whole word: "i" (as in "i'm" or "i am"), "could"
PREFIX = "~"  # the beginning of a word: "recommend" in `recommend\w*`
DIGIT = "#"  # any word that starts with a digit ("20%", "5-star")
_CONTRACTIONS = ("d", "s", "ll", "ve", "re", "m", "t")

_SKIP = (C.AT, C.ASSERT, C.ASSERT_NOT)
_BUDGET = 400  # expansions per phrase before giving up (the phrase is then scanned whole)


class _Unreadable(Exception):
    """The phrase's first word cannot be spelled out."""


def _only_space(av: Any) -> bool:
    return all(op is C.CATEGORY and arg is C.CATEGORY_SPACE for op, arg in av)


def _only_digits(av: Any) -> bool:
    return all(op is C.CATEGORY and arg is C.CATEGORY_DIGIT for op, arg in av)


def _contraction_follows(rest: list[tuple[Any, Any]]) -> bool:
    """True when the letters after an apostrophe spell a contraction ending ('d, 'll, 've…)."""
    letters = ""
    for op, av in rest:
        if op is not C.LITERAL or not is_word_char(chr(av)):
            break
        letters += chr(av)
    return letters.lower() in _CONTRACTIONS


def _walk(items: list[tuple[Any, Any]], prefix: str, budget: list[int]) -> set[str]:
    """Keys for the first word of `items`, given the letters `prefix` already read."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _Unreadable
    for i, (op, av) in enumerate(items):
        if op in _SKIP:
            continue
        rest = items[i + 1 :]
        if op is C.LITERAL:
            ch = chr(av)
            if is_word_char(ch):
                prefix += ch.lower()
                continue
            if not prefix:
                if ch == "'" and _contraction_follows(rest):
                    return set()  # "'d be": a match can never start inside "i'd"
                raise _Unreadable  # starts with punctuation: "{first_name}", "@…", "£"
            return {EXACT + prefix}
        if op is C.IN:
            if prefix and _only_space(av):
                return {EXACT + prefix}
            if prefix:
                return {PREFIX + prefix}
            if _only_digits(av):
                return {DIGIT}
            raise _Unreadable  # starts with a character class: "[a-z]+"
        if op is C.SUBPATTERN:
            return _walk(list(av[-1]) + rest, prefix, budget)
        if op is C.BRANCH:
            out: set[str] = set()
            for alt in av[1]:
                out |= _walk(list(alt) + rest, prefix, budget)
            return out
        if op in REPEATS:
            low, high, body = av
            body_items = list(body)
            if high == 1:  # x? or x{1}: with it, and (if optional) without it
                found = _walk(body_items + rest, prefix, budget)
                return found | _walk(rest, prefix, budget) if low == 0 else found
            if not prefix and len(body_items) == 1 and body_items[0][0] is C.IN:
                if _only_space(body_items[0][1]) and low == 0:
                    return _walk(rest, prefix, budget)  # "^\s*": leading space is optional
                if _only_digits(body_items[0][1]):
                    return {DIGIT}
            if prefix:  # the word may go on in ways we cannot spell
                ends = low >= 1 and len(body_items) == 1 and body_items[0][0] is C.IN
                return (
                    {EXACT + prefix}
                    if ends and _only_space(body_items[0][1])
                    else {PREFIX + prefix}
                )
            if low == 0:  # an optional repeated lead, e.g. (?:\w+\s+){0,3}
                return _walk(body_items, "", budget) | _walk(rest, "", budget)
            return _walk(body_items, "", budget)
        if prefix:
            return {PREFIX + prefix}
        raise _Unreadable
    if prefix:
        return {EXACT + prefix}  # every phrase is followed by a word edge
    raise _Unreadable  # the phrase may match nothing at all


def first_words(regex: str) -> list[str] | None:
    """Sorted start keys of a phrase regex, or None when a match could start anywhere."""
    try:
        found = _walk(list(parse(regex)), "", [_BUDGET])
        return sorted(found) if found else None
    except _Unreadable:
        return None
    except Exception:  # an unparsable phrase is reported by the compiler, not here
        return None


def first_chars(regex: str) -> list[str] | None:
    """Characters a match must start with ("{", "[", "£"…), or None when it could be any."""
    try:
        found = _first_chars(list(parse(regex)))
    except Exception:
        return None
    return sorted(found) if found else None


def _first_chars(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    items = [item for item in items if item[0] not in _SKIP]
    if not items:
        return None
    op, av = items[0]
    if op is C.LITERAL:
        return frozenset({chr(av).lower()})
    if op is C.BRANCH:
        chars: set[str] = set()
        for alt in av[1]:
            found = _first_chars(list(alt))
            if found is None:
                return None
            chars |= found
        return frozenset(chars)
    if op is C.SUBPATTERN:
        return _first_chars(list(av[-1]))
    if op is C.IN and all(o is C.LITERAL for o, _ in av):  # "(?:£|\$)" is parsed as a set
        return frozenset(chr(a).lower() for _, a in av)
    return None
