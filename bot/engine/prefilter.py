"""Which phrases a draft could match, told by set and string tests before any regex is compiled.

Compiling a phrase list is most of what a one-shot `rapport check` would spend (`re` compiles
in pure Python), and nearly every phrase is one the draft cannot match: "please endorse me"
cannot match a draft without the word "endorse".  So each phrase alternative is read once
(regex_tree.py) for what every match of it must contain, as requirements built of atoms:

- `=word`: a whole word of the draft (a literal run of word characters with a non-word
  character, or the phrase's own edge, on both sides: phrases start where a word starts and end
  at `(?!\\w)`), looked up in the set of the draft's words;
- `+text`: literal text somewhere in the draft (`text in norm`).

An alternation inside a phrase requires what one of its branches requires.  An alternative can
match only when all its requirements hold.  Leaving out an alternative that cannot match
anywhere in the draft leaves every match of the pattern the same (an alternation tries its
alternatives in order, and a skipped one would have failed), so hits are unchanged; what is
not known is simply not required.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from rapport.bot.engine.regex_tree import REPEATS, C, is_word_char, parse

__all__ = ["TEXT", "TOKENS", "WORD", "DraftText", "alternatives", "needs"]

WORD = "="  # atom: a whole word of the draft
TEXT = "+"  # atom: text that occurs somewhere in the draft

_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)
_SOLID, _OPTIONAL, _UNKNOWN = "solid", "optional", "unknown"
_NON_WORD_CATEGORIES = (C.CATEGORY_SPACE, C.CATEGORY_NOT_WORD)
#: A draft's words, as the scanner reads them (it tries phrases where each one starts).
TOKENS = re.compile(r"(?<!\w)\w+")

Item = tuple[Any, Any]


def alternatives(regex: str) -> list[str]:
    """The top-level alternatives of a regex, as text (`a|b(?:c|d)` -> `a`, `b(?:c|d)`)."""
    out: list[str] = []
    depth, start, i, in_set = 0, 0, 0, False
    while i < len(regex):
        ch = regex[i]
        if ch == "\\":
            i += 2
            continue
        if in_set:
            in_set = ch != "]"
        elif ch == "[":
            in_set = True
            i += 2 if regex[i + 1 : i + 2] == "^" else 1
            if regex[i : i + 1] == "]":
                i += 1  # a leading "]" is a member, not the end
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(regex[start:i])
            start = i + 1
        i += 1
    out.append(regex[start:])
    return out


#: A requirement: an atom, or a choice of requirement lists one of which must hold in full.
Req = str | list[list[Any]]


def needs(regex: str) -> list[Req]:
    """What every match of `regex` (a phrase alternative, matched where a word starts and ending
    at a word edge) contains: requirements that must all hold.  Empty when nothing is known,
    and for syntax the parser does not read."""
    try:
        return _ordered(_needs(_flat(parse(regex)), True, True))
    except (ValueError, IndexError):
        return []


def _ordered(reqs: list[Req]) -> list[Req]:
    """Atoms first (a draft is most often ruled out by one missing word, without looking into
    the choices), each atom interned so the cache stores a repeated atom once."""
    atoms: list[Req] = [sys.intern(req) for req in reqs if isinstance(req, str)]
    choices: list[Req] = [
        [_ordered(choice) for choice in req] for req in reqs if not isinstance(req, str)
    ]
    return atoms + choices


def _flat(seq: list[Item]) -> list[Item]:
    """The items that consume text, groups without flags spliced in (zero-width items dropped:
    they never change which characters stand next to each other)."""
    out: list[Item] = []
    for op, av in seq:
        if op in _ZERO_WIDTH:
            continue
        if op is C.SUBPATTERN and not av[1] and not av[2]:
            out += _flat(av[-1])
        else:
            out.append((op, av))
    return out


def _non_word_set(members: list[Item]) -> bool:
    return all(
        (op is C.LITERAL and not is_word_char(chr(av)))
        or (op is C.CATEGORY and av in _NON_WORD_CATEGORIES)
        for op, av in members
    )


def _edge(item: Item, right: bool) -> str:
    """How the item's first (or last) character stands: _SOLID (it always consumes one, a
    non-word character), _OPTIONAL (it may consume nothing; when it does, that character is
    non-word) or _UNKNOWN (it may be a word character)."""
    op, av = item
    if op is C.LITERAL:
        return _UNKNOWN if is_word_char(chr(av)) else _SOLID
    if op is C.IN:
        return _SOLID if _non_word_set(av) else _UNKNOWN
    if op in REPEATS:
        inner = _seq_edge(_flat(av[2]), right)
        if inner == _UNKNOWN:
            return _UNKNOWN
        return _OPTIONAL if av[0] == 0 or inner == _OPTIONAL else _SOLID
    if op is C.BRANCH:
        edges = {_seq_edge(_flat(alt), right) for alt in av[1]}
        if _UNKNOWN in edges:
            return _UNKNOWN
        return _OPTIONAL if _OPTIONAL in edges else _SOLID
    return _UNKNOWN


def _seq_edge(items: list[Item], right: bool) -> str:
    for item in reversed(items) if right else items:
        edge = _edge(item, right)
        if edge != _OPTIONAL:
            return edge
    return _OPTIONAL  # every item may match nothing


def _bounded(items: list[Item], k: int, step: int, outside: bool) -> bool:
    """True when the character next to item k (before it: step -1, after it: +1) is surely a
    non-word character or the text's edge; `outside` tells it for the sequence's own edge."""
    j = k + step
    while 0 <= j < len(items):
        edge = _edge(items[j], right=step < 0)
        if edge != _OPTIONAL:
            return edge == _SOLID
        j += step
    return outside


def _needs(items: list[Item], left: bool, right: bool) -> list[Req]:
    out: list[Req] = []
    k = 0
    while k < len(items):
        op, av = items[k]
        if op is C.LITERAL:
            end = k
            while end < len(items) and items[end][0] is C.LITERAL:
                end += 1
            run = "".join(chr(items[i][1]) for i in range(k, end))
            out += _run_needs(run, _bounded(items, k, -1, left), _bounded(items, end - 1, 1, right))
            k = end
            continue
        if op in REPEATS and av[0] >= 1:
            once = av[1] == 1
            out += _needs(
                _flat(av[2]),
                once and _bounded(items, k, -1, left),
                once and _bounded(items, k, 1, right),
            )
        elif op is C.BRANCH:
            before, after = _bounded(items, k, -1, left), _bounded(items, k, 1, right)
            found = [_needs(_flat(alt), before, after) for alt in av[1]]
            if all(found):
                out.append(found)
        k += 1
    return out


def _run_needs(run: str, left: bool, right: bool) -> list[Req]:
    """Atoms for a run of literal characters: each whole word in it, and the run itself."""
    out: list[Req] = []
    i = 0
    while i < len(run):
        if not is_word_char(run[i]):
            i += 1
            continue
        j = i
        while j < len(run) and is_word_char(run[j]):
            j += 1
        if (i > 0 or left) and (j < len(run) or right):
            out.append(WORD + run[i:j])
        i = j
    if len(run) >= 2 and WORD + run not in out:
        out.append(TEXT + run)
    return out


class DraftText:
    """One draft's text and words, answering atoms (each answer remembered)."""

    __slots__ = ("_alternatives", "_known", "_words", "norm")

    def __init__(self, norm: str) -> None:
        self.norm = norm
        self._words: set[str] | None = None
        self._known: dict[str, bool] = {}
        self._alternatives: dict[str, bool] = {}

    def has(self, atom: str) -> bool:
        known = self._known.get(atom)
        if known is None:
            if atom[0] == WORD:
                if self._words is None:
                    self._words = set(TOKENS.findall(self.norm))
                known = atom[1:] in self._words
            else:
                known = atom[1:] in self.norm
            self._known[atom] = known
        return known

    def allows_alternative(self, alternative: str, reqs: list[Req]) -> bool:
        """`allows(reqs)` for a phrase alternative, remembered (one alternative is filed under
        several start words)."""
        known = self._alternatives.get(alternative)
        if known is None:
            known = self._alternatives[alternative] = self.allows(reqs)
        return known

    def allows(self, reqs: list[Req]) -> bool:
        """True when every requirement holds (the alternative may match)."""
        for req in reqs:
            if isinstance(req, str):
                if not self.has(req):
                    return False
            elif not any(self.allows(choice) for choice in req):
                return False
        return True
