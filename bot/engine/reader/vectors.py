"""The reader's features with numpy: many texts at once, for the long-running bots and training.

`rapport.bot.engine.reader.features` defines the features (and computes them in plain Python for a one-shot
`rapport check`, which doesn't import numpy); this module computes the same buckets vectorised.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from rapport.bot.engine.reader.features import (
    MIX,
    PRIME,
    SHIFT,
    HashSpace,
    evidence_values,
    normalise,
    word_ids,
)
from rapport.bot.engine.signals import Signals

__all__ = ["BatchFeatures", "TextFeatures", "evidence_vector", "text_features"]

_MIX = np.uint64(MIX)
_PRIME = np.uint64(PRIME)
_SHIFT = np.uint64(SHIFT)


class TextFeatures:
    """Bucket ids of a draft's character and word n-grams, with their weight."""

    __slots__ = ("char_ids", "char_weight", "word_ids", "word_weight")

    def __init__(self, char_ids: np.ndarray, word_ids: np.ndarray) -> None:
        self.char_ids = char_ids
        self.word_ids = word_ids
        self.char_weight = 1.0 / math.sqrt(len(char_ids)) if len(char_ids) else 0.0
        self.word_weight = 1.0 / math.sqrt(len(word_ids)) if len(word_ids) else 0.0


class BatchFeatures:
    """The n-gram buckets of several texts at once, as (text, bucket) pairs sorted by text.

    Scoring each sentence of a long draft alone would cost a dozen small numpy calls per
    sentence; here every text's n-grams are hashed in one pass over the joined texts (an
    n-gram that would straddle two texts is dropped) and made distinct per text in one sort.
    """

    __slots__ = ("char_ids", "char_of", "word_ids", "word_of")

    def __init__(self, texts: list[str], space: HashSpace) -> None:
        norms = [normalise(t) for t in texts]
        self.char_of, self.char_ids = _char_keys(norms, space)
        self.word_of, self.word_ids = _word_keys(norms, space)

    def weights(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-n-gram weights (1/sqrt of its text's n-gram count) for chars and words."""
        out = []
        for of in (self.char_of, self.word_of):
            n = np.bincount(of, minlength=count).astype(np.float32)
            w = np.divide(1.0, np.sqrt(n), out=np.zeros_like(n), where=n > 0)
            out.append(w[of])
        return out[0], out[1]


def _char_keys(norms: list[str], space: HashSpace) -> tuple[np.ndarray, np.ndarray]:
    joined = "".join(norms)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    owner = np.repeat(np.arange(len(norms), dtype=np.uint64), [len(t) for t in norms])
    size = np.uint64(space.size)
    parts = []
    for n in space.char_ns:
        count = len(codes) - n + 1
        if count <= 0:
            continue
        h = np.full(count, n, dtype=np.uint64)
        for k in range(n):
            h = h * _PRIME + codes[k : k + count]
        ids = ((h * _MIX) >> _SHIFT) % size
        inside = owner[:count] == owner[n - 1 : n - 1 + count]
        parts.append(owner[:count][inside] * size + ids[inside])
    return _split(parts, space)


def _word_keys(norms: list[str], space: HashSpace) -> tuple[np.ndarray, np.ndarray]:
    # `word_ids` gives each text's buckets sorted and distinct: no sort is needed here.
    ids = [word_ids(norm, space) for norm in norms]
    counts = [len(i) for i in ids]
    flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64, count=sum(counts))
    return np.repeat(np.arange(len(norms), dtype=np.int64), counts), flat


def _split(parts: list[np.ndarray], space: HashSpace) -> tuple[np.ndarray, np.ndarray]:
    """(text index, bucket id) of each distinct key, sorted by text and then bucket."""
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    keys = _distinct(np.concatenate(parts))
    size = np.uint64(space.size)
    return (keys // size).astype(np.int64), (keys % size).astype(np.int64)


def _distinct(ids: np.ndarray) -> np.ndarray:
    """The sorted distinct values: `np.unique` without its hashing set-up, which costs ten
    times as much on a chat-length draft's thousand ids."""
    ids.sort()
    keep = np.empty(len(ids), dtype=bool)
    keep[:1] = True
    np.not_equal(ids[1:], ids[:-1], out=keep[1:])
    return ids[keep]


def text_features(text: str, space: HashSpace) -> TextFeatures:
    """The draft's n-gram buckets (characters and words hash into one space of `space.size`)."""
    batch = BatchFeatures([text], space)
    return TextFeatures(batch.char_ids, batch.word_ids)


def evidence_vector(s: Signals, names: tuple[str, ...]) -> np.ndarray:
    """The named evidence of one draft, as float32 in the order given."""
    return np.asarray(evidence_values(s, names), dtype=np.float32)
