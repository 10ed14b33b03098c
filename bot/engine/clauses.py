"""Where clauses begin, and what occurs in them, answered without rescanning the sentence.

A check asks "where does the clause holding this hit begin?" and "does this guard phrase occur
earlier in that clause?" once per hit.  Scanning from the sentence start for every hit made
long unpunctuated drafts quadratic (issue 16: 20,000 characters took seconds), so each
sentence is scanned for clause breaks once, each guard pattern is found once per draft, and
every question is then a bisect.

The answers are exactly those of the per-hit scans they replace (`re` searches cut off at the
hit, so a word ending right at the hit still counts as ending there): judgments must not move.
"""

from __future__ import annotations

import bisect
import re

from rapport.bot.engine.regex_tree import max_width, parse
from rapport.bot.recache import rx

__all__ = ["CLAUSE_BREAK", "ClauseIndex"]

CLAUSE_BREAK = rx(r"[,;:()]|\s[-]\s|\b(?:but|though|although|however|whereas|yet)\b")
# A break word ending right at a position, as the cut-off scan sees it (the cut is an end).
_BREAK_WORD_AT_END = rx(r"\b(?:but|though|although|however|whereas|yet)\Z")
_LONGEST_BREAK_WORD = len("although")
_WHITESPACE_RUN = rx(r"\s+")
_OPEN_SPACE = r"\s+"
_LOOKAROUND = re.compile(r"\(\?(?:<?[=!]|\()")
#: Wider than any bounded phrase over a MAX_CHARS draft: `re` says 2**64 for "no bound".
_UNBOUNDED = 10**9
_EDGES = (r"(?<!\w)(?:", r")(?!\w)")


class ClauseIndex:
    """Clause breaks per sentence and guard-pattern occurrences of one draft, built on first use."""

    def __init__(self, norm: str, sentence_starts: list[int]) -> None:
        self.norm = norm
        self._starts = sentence_starts
        self._breaks: dict[int, list[int]] = {}  # sentence start -> ends of its clause breaks
        # pattern -> (where its matches start, its reach); None: its reach has no bound
        self._found: dict[re.Pattern[str], tuple[list[int], int] | None] = {}
        self._space_run: int | None = None
        #: How many characters the scans looked at: a test's handle on "linear" without a clock.
        self.steps = 0

    def clause_start(self, sentence_start: int, pos: int) -> int:
        """Where the clause holding `pos` begins: after the last break between the start of the
        sentence and `pos` (what `CLAUSE_BREAK.finditer(norm, sentence_start, pos)` ends at)."""
        if pos <= sentence_start:
            return sentence_start
        ends = self._breaks.get(sentence_start)
        if ends is None:
            ends = self._breaks[sentence_start] = self._scan_breaks(sentence_start)
        i = bisect.bisect_right(ends, pos)
        start = ends[i - 1] if i else sentence_start
        # The cut-off scan also ends a break word right at `pos` ("but" in "butter", cut at "t").
        if start < pos and _BREAK_WORD_AT_END.search(
            self.norm, max(start, pos - _LONGEST_BREAK_WORD), pos
        ):
            return pos
        return start

    def _scan_breaks(self, sentence_start: int) -> list[int]:
        """Ends of the clause breaks from `sentence_start` up to the next sentence's start.

        Every position a query can ask about lies before that next start; a break that would
        run past the query's position is dropped by the bisect, as the cut-off scan drops it.
        """
        k = bisect.bisect_right(self._starts, sentence_start)
        stop = self._starts[k] if k < len(self._starts) else len(self.norm)
        self.steps += max(0, stop - sentence_start)
        return [m.end() for m in CLAUSE_BREAK.finditer(self.norm, sentence_start, stop)]

    def occurs(self, pattern: re.Pattern[str], start: int, pos: int) -> bool:
        """True when `pattern.search(norm, start, pos)` finds a match, without rescanning.

        A match attempt at p looks at no character past p + reach, so attempts far enough
        before `pos` are the same with or without the cut: those come from one pass over the
        draft; only the last `reach` characters are searched with the cut.  A pattern whose
        reach cannot be bounded is searched as before.
        """
        if pattern not in self._found:
            self._found[pattern] = self._index(pattern)
        found = self._found[pattern]
        if found is None:
            self.steps += max(0, pos - start)
            return pattern.search(self.norm, start, pos) is not None
        starts, reach = found
        tail = max(start, pos - reach)
        i = bisect.bisect_left(starts, start)
        if i < len(starts) and starts[i] < tail:
            return True
        self.steps += max(0, pos - tail)
        return pattern.search(self.norm, tail, pos) is not None

    def _index(self, pattern: re.Pattern[str]) -> tuple[list[int], int] | None:
        """Every position where an (uncut) match of `pattern` starts, and the pattern's reach."""
        reach = self._reach(pattern)
        if reach is None:
            return None
        starts: list[int] = []
        at = 0
        norm = self.norm
        while True:
            m = pattern.search(norm, at)
            if m is None:
                break
            starts.append(m.start())
            at = m.start() + 1
        self.steps += len(norm)
        return starts, reach

    def _reach(self, pattern: re.Pattern[str]) -> int | None:
        """How far past its start a match attempt can look, for a phrase pattern made by
        `rapport.bot.engine.lexicon.compile_phrases` (word edges around an alternation); None for others.

        The only open-ended part such phrases have is `\\s+`, which can be no longer than the
        longest whitespace run in this draft.
        """
        source = pattern.pattern
        head, tail = _EDGES
        body = source[len(head) : -len(tail)]
        if not (source.startswith(head) and source.endswith(tail)) or _LOOKAROUND.search(body):
            return None  # other assertions could look anywhere
        if "\\\\" in body:
            return None  # an escaped backslash could make `\\s+` mean something else
        if self._space_run is None:
            self._space_run = max(
                (m.end() - m.start() for m in _WHITESPACE_RUN.finditer(self.norm)), default=1
            )
        bounded = body.replace(_OPEN_SPACE, rf"\s{{1,{self._space_run}}}")
        try:
            high = max_width(parse(bounded))
        except ValueError:  # syntax rapport's parser does not read: no bound, search as before
            return None
        if high > _UNBOUNDED:
            return None
        return high + 2  # the last character matched, plus the one the end edge looks at
