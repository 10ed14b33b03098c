"""Near-duplicate texts: bottom-k shingle sketches to find candidates, exact Jaccard to decide.

Two drafts are *close* when the Jaccard similarity of their character 5-gram sets (after
lower-casing and collapsing whitespace) is at least `THRESHOLD`. Sketches keep the `K` smallest
shingle hashes of each text; texts that share several sketch values are compared exactly, so
a corpus of thousands is checked in about a second with the standard library alone.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["THRESHOLD", "Close", "close_pairs", "jaccard", "shingles"]

THRESHOLD = 0.6
K = 48
_N = 5
_SPACE = re.compile(r"\s+")


def shingles(text: str) -> frozenset[int]:
    """Hashes of the text's character 5-grams, after lower-casing and collapsing whitespace."""
    norm = _SPACE.sub(" ", text.lower()).strip()
    if len(norm) < _N:
        norm = norm.ljust(_N, "\0")
    grams = {norm[i : i + _N] for i in range(len(norm) - _N + 1)}
    return frozenset(
        int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big") for g in grams
    )


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@dataclass(frozen=True)
class Close:
    """Two texts, by their index in the lists given, and how similar they are."""

    left: int
    right: int
    similarity: float


def close_pairs(
    left: Sequence[str],
    right: Sequence[str] | None = None,
    threshold: float = THRESHOLD,
) -> list[Close]:
    """Pairs at or above `threshold`: within `left`, or between `left` and `right` if given."""
    sets_l = [shingles(t) for t in left]
    sets_r = sets_l if right is None else [shingles(t) for t in right]
    index: defaultdict[int, list[int]] = defaultdict(list)
    for j, s in enumerate(sets_r):
        for h in _sketch(s):
            index[h].append(j)
    found: list[Close] = []
    for i, s in enumerate(sets_l):
        shared: defaultdict[int, int] = defaultdict(int)
        for h in _sketch(s):
            for j in index.get(h, ()):
                shared[j] += 1
        for j, hits in shared.items():
            if right is None and j <= i:
                continue
            # Sets with Jaccard >= 0.6 share most of their smallest hashes; 3 of 48 is a safe
            # floor for candidates (exact Jaccard decides).
            if hits < min(3, len(s), len(sets_r[j])):
                continue
            sim = jaccard(s, sets_r[j])
            if sim >= threshold:
                found.append(Close(i, j, sim))
    return found


def _sketch(s: Iterable[int]) -> list[int]:
    return sorted(s)[:K]
