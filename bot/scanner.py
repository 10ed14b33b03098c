"""Fast phrase-list scanning: a list is only scanned where its anchor words occur.

Every phrase list is split into an *anchored* part (phrases that cannot match without one of a
few literal words, see bot/anchors.py) and a *residual* part.  Per message, one regex shaped as
a trie finds every anchor of every list in a single pass; the anchored part of a list then runs
only on the sentences that hold its anchors, and not at all when they are absent.  The residual
part runs on the whole text.  Hits are exactly those of a full scan (tests/test_scanner.py).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from bot.anchors import MIN_ANCHOR, phrase_anchors, trie_pattern
from bot.lexicon import (
    PhraseListError,
    compile_phrases,
    expand_phrases,
    keeps_negation,
    load_list,
    macros,
)
from bot.recache import memo
from bot.resources import rules_dir

__all__ = ["AnchorIndex", "ListScanner", "anchor_index", "list_scanner"]


# A phrase whose own words negate ("we haven't met", "still nothing back from you") keeps its
# negation: only a negation *outside* its own words reverses it.
_NEGATING_WORDS = re.compile(
    r"\b(?:not|no|never|nothing|nobody|none|nor|without)\b|n'\??t\b|n\\?'t"
)


@dataclass(slots=True)
class _Group:
    """Phrases of one list that scan the same way: anchored or not, negating or not."""

    phrases: tuple[str, ...]
    anchored: bool
    keeps_negation: bool
    pattern: re.Pattern[str] | None = None


@dataclass(slots=True)
class ListScanner:
    """One phrase list, ready to scan; patterns are compiled on first use."""

    name: str
    groups: tuple[_Group, ...]
    anchors: frozenset[str]
    _compiled: bool = False

    def _compile(self) -> None:
        try:
            for group in self.groups:
                group.pattern = compile_phrases(group.phrases, expanded=True)
        except PhraseListError as exc:
            raise PhraseListError(f"rules/lists/{self.name}.txt: {exc}") from None
        self._compiled = True

    def spans(
        self, norm: str, index: AnchorIndex, sentence_starts: list[int], full: bool = False
    ) -> list[tuple[int, int, bool]]:
        """(start, end, negation inside counts) of the list's matches in `norm`, in order.

        Matches of all phrase groups are pooled; overlapping matches are all kept (detectors
        merge spans).  `full=True` scans the whole text instead of the anchor windows: the
        tests check both give the same hits.
        """
        if not self._compiled:
            self._compile()
        found: dict[tuple[int, int], bool] = {}
        windows: list[tuple[int, int]] | None = None
        for group in self.groups:
            if group.pattern is None:
                continue
            if group.anchored and not full:
                if windows is None:
                    windows = index.windows(self.anchors, sentence_starts, len(norm))
                ranges = windows
            else:
                ranges = [(0, len(norm))]
            for start, end in ranges:
                for m in group.pattern.finditer(norm, start, end):
                    if m.end() > m.start():
                        key = (m.start(), m.end())
                        found[key] = found.get(key, True) and not group.keeps_negation
        return [(s, e, inside) for (s, e), inside in sorted(found.items())]


@cache
def list_scanner(name: str) -> ListScanner:
    """The scanner of `rules/lists/<name>.txt` (anchors computed once, cached on disk)."""
    phrases = load_list(name)
    expanded = tuple(
        memo(
            "expand",
            "\n".join(phrases) + "\0" + repr(sorted(macros().items())),
            lambda: list(expand_phrases(phrases, where=f"rules/lists/{name}.txt")),
        )
    )
    whole_list_negates = keeps_negation(name)
    buckets: dict[tuple[bool, bool], list[str]] = {}
    anchors: set[str] = set()
    for raw, phrase in zip(phrases, expanded, strict=True):
        found = memo("anchors", phrase, lambda p=phrase: sorted(phrase_anchors(p) or ()))
        anchors.update(found)
        negates = whole_list_negates or bool(_NEGATING_WORDS.search(raw))
        buckets.setdefault((bool(found), negates), []).append(phrase)
    groups = tuple(
        _Group(tuple(ps), anchored, negates) for (anchored, negates), ps in sorted(buckets.items())
    )
    return ListScanner(name, groups, frozenset(anchors))


@cache
def _all_anchors() -> frozenset[str]:
    names = sorted(p.stem for p in (rules_dir() / "lists").glob("*.txt"))
    return frozenset(a for name in names for a in list_scanner(name).anchors)


@cache
def _trie() -> re.Pattern[str]:
    from bot.recache import cached_compile

    anchors = sorted(_all_anchors())
    body = memo("trie", "\n".join(anchors), lambda: trie_pattern(set(anchors)))
    return cached_compile(r"(?<!\w)" + body, re.M)


class AnchorIndex:
    """Where each anchor word occurs in one message (one trie scan)."""

    __slots__ = ("positions",)

    def __init__(self, norm: str) -> None:
        anchors = _all_anchors()
        positions: dict[str, list[int]] = {}
        for m in _trie().finditer(norm):
            word = m.group(0)
            for length in range(MIN_ANCHOR, len(word) + 1):
                prefix = word[:length]
                if prefix in anchors:
                    positions.setdefault(prefix, []).append(m.start())
        self.positions = positions

    def windows(
        self, anchors: frozenset[str], sentence_starts: list[int], length: int
    ) -> list[tuple[int, int]]:
        """Merged [start, end) ranges of the sentences holding any of `anchors`."""
        present = (
            [a for a in self.positions if a in anchors]
            if len(self.positions) < len(anchors)
            else [a for a in anchors if a in self.positions]
        )
        if not present:
            return []
        indexes = sorted(
            {
                max(0, bisect.bisect_right(sentence_starts, pos) - 1)
                for a in present
                for pos in self.positions[a]
            }
        )
        out: list[tuple[int, int]] = []
        for i in indexes:
            start = sentence_starts[i] if sentence_starts else 0
            end = sentence_starts[i + 1] if i + 1 < len(sentence_starts) else length
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
        return out


def anchor_index(norm: str) -> AnchorIndex:
    """Build the anchor index of one message."""
    return AnchorIndex(norm)
