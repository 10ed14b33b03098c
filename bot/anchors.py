"""Anchors: the literal words a phrase cannot match without (an RE2-style prefilter).

Each phrase is parsed with Python's own regex parser and reduced to a set of word-initial
literals, one of which every match must contain ("recommend", "endorse", "testimonial"…).
A message is scanned once for all anchors of all lists (one trie-shaped regex); a list whose
anchors are absent is skipped, and one whose anchors are present is scanned only in the
sentences that hold them.  `tests/test_anchors.py` checks this gives exactly the hits a full
scan gives.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

# Python's own regex parser (private, stable since 3.11): typed as Any on purpose.
C: Any = importlib.import_module("re._constants")
parser: Any = importlib.import_module("re._parser")

__all__ = ["phrase_anchors", "trie_pattern"]

#: Literals shorter than this are too common to be worth a prefilter ("i", "u", "my").
MIN_ANCHOR = 3

# Words so common in chat that an anchor on them filters nothing: a phrase anchored on "you"
# would be scanned in nearly every message.  Anchors prefer any rarer requirement.
_COMMON = frozenset(
    """the be to of and a in that have i it for not on with he as you do at this but his by from
    they we say her she or an will my one all would there their what so up out if about who get
    which go me when make can like time no just him know take people into year your good some
    could them see other than then now look only come its over think also back after use two how
    our work first well way even new want because any these give day most us is was are were been
    has had did got going am very really much more lot thanks thank please hi hey hello yes ok
    okay sure need help let great nice love hope sorry here where why should may might must shall
    being does doing done said made sent write read put keep feel still never always every same
    each own off down too again next last long little right big high old great able free open
    happy glad today week tomorrow call send post share drop leave one ones yours mine""".split()
)

_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


def _is_space_class(av: Any) -> bool:
    return any(op is C.CATEGORY and arg is C.CATEGORY_SPACE for op, arg in av)


def _cost(words: set[str]) -> float:
    """Estimated chance that a message holds one of `words` (lower is a better filter)."""
    return sum(1.0 if w.lower() in _COMMON else 0.2 if len(w) < 5 else 0.05 for w in words)


def _best(candidates: list[set[str]]) -> set[str] | None:
    """The required set least likely to occur: the one that filters the most messages out."""
    usable = [c for c in candidates if c and min(map(len, c)) >= MIN_ANCHOR]
    if not usable:
        return None
    return min(usable, key=_cost)


def _seq(items: list[tuple[Any, Any]], at_start: bool) -> tuple[set[str] | None, bool, bool]:
    """(required anchors, ends at a word start, matched nothing for sure) for a sequence."""
    candidates: list[set[str]] = []
    run, run_initial = "", False
    state = at_start
    for op, av in items:
        if op is C.LITERAL:
            ch = chr(av)
            if ch.isalnum() or ch == "_":
                if not run:
                    run_initial = state
                run += ch
                state = False
            else:
                if run and run_initial:
                    candidates.append({run})
                run = ""
                state = True
            continue
        if run and run_initial:
            candidates.append({run})
        run = ""
        if op in _ZERO_WIDTH:
            continue
        required, ends_ws = _element(op, av, state)
        if required:
            candidates.append(required)
        state = ends_ws
    if run and run_initial:
        candidates.append({run})
    return _best(candidates), state, False


def _element(op: Any, av: Any, at_start: bool) -> tuple[set[str] | None, bool]:
    """(required anchors, ends at a word start) for one parsed element."""
    if op is C.SUBPATTERN:
        required, ends, _ = _seq(list(av[-1]), at_start)
        return required, ends
    if op is C.BRANCH:
        results = [_seq(list(alt), at_start) for alt in av[1]]
        ends = all(r[1] for r in results)
        if any(r[0] is None for r in results):
            return None, ends
        return set().union(*(r[0] for r in results if r[0])), ends
    if op in _REPEATS:
        lo, _hi, body = av
        required, ends, _ = _seq(list(body), at_start)
        ends_ws = ends and (lo >= 1 or at_start)
        return (required if lo >= 1 else None), ends_ws
    if op is C.IN:
        return None, _is_space_class(av)
    return None, False


def phrase_anchors(regex: str) -> set[str] | None:
    """Word-initial literals one of which every match of `regex` contains, or None if unknown."""
    try:
        parsed = parser.parse(regex)
    except re.error:
        return None
    required, _, _ = _seq(list(parsed), True)
    return {a.lower() for a in required} if required else None


def trie_pattern(words: set[str]) -> str:
    """A regex alternation of `words` shaped as a trie, so matching costs one test per letter."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return render(trie)
