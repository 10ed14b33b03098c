"""Where lines begin and which markup entity covers a position, by bisect over sorted offsets.

Sentence-by-sentence code (the rewriter's facts, salutations at line starts) used to look
through every entity, or back to the last line break, for each sentence or hit: quadratic on
a long draft of many short sentences or of one long line.  This index is built once per draft.
"""

from __future__ import annotations

import bisect
from itertools import pairwise

from rapport.bot.engine.markup import Entity

__all__ = ["Layout"]


class Layout:
    """Line breaks and entities of one normalised draft, sorted for bisect."""

    def __init__(self, norm: str, entities: list[Entity]) -> None:
        self._newlines = [i for i, c in enumerate(norm) if c == "\n"]
        self.entities = entities
        self._starts = [e.start for e in entities]
        # Entities from `mask_markup` never overlap and come sorted: then at most one covers a
        # position and a bisect finds it.  Anything else is answered by the plain scan.
        self.disjoint = all(
            a.end <= b.start and a.start < a.end for a, b in pairwise(entities)
        ) and all(e.start < e.end for e in entities)

    def line_start(self, pos: int) -> int:
        """Where the line holding `pos` begins (`norm.rfind("\\n", 0, pos) + 1`)."""
        i = bisect.bisect_left(self._newlines, pos)
        return self._newlines[i - 1] + 1 if i else 0

    def covering(self, pos: int) -> Entity | None:
        """The first entity with `start < pos < end`, in the entities' order."""
        if not self.disjoint:
            return next((e for e in self.entities if e.start < pos < e.end), None)
        i = bisect.bisect_left(self._starts, pos)
        if i and pos < self.entities[i - 1].end:
            return self.entities[i - 1]
        return None

    def first_from(self, pos: int) -> int:
        """Index of the first entity starting at or after `pos` (0 when not disjoint: scan all)."""
        return bisect.bisect_left(self._starts, pos) if self.disjoint else 0

    def starting_in(self, start: int, end: int) -> list[Entity]:
        """Entities whose start lies in [start, end), in the entities' order."""
        if not self.disjoint:
            return [e for e in self.entities if start <= e.start < end]
        return self.entities[
            bisect.bisect_left(self._starts, start) : bisect.bisect_left(self._starts, end)
        ]
