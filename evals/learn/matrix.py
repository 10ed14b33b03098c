"""Examples to a sparse feature matrix, with the runtime's own feature code.

Columns `[0, space.size)` are the hashed n-gram buckets; the evidence vector follows. Features
of a text are computed once per process and reused by every head and every setting tried.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from evals.learn.data import Example
from rapport.bot.engine.reader.features import HashSpace
from rapport.bot.engine.reader.vectors import evidence_vector, text_features
from rapport.bot.engine.signals import Signals
from rapport.bot.engine.text import prepare
from rapport.bot.models import Context

__all__ = ["build_matrix"]

_CACHE: dict[
    tuple[str, int, tuple[int, ...], tuple[str, ...]], tuple[np.ndarray, np.ndarray, np.ndarray]
] = {}
#: Evidence values run 0–3 while n-gram weights are ~1/sqrt(n): scaled down so one L2 penalty
#: fits both. The exported evidence weights are multiplied by the same factor, so rapport
#: computes the raw evidence at run time.
EVIDENCE_SCALE = 0.15


def _row(
    text: str, space: HashSpace, names: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    key = (text, space.bits, space.char_ns, names)
    row = _CACHE.get(key)
    if row is None:
        tf = text_features(text, space)
        ev = evidence_vector(Signals(prepare(text), Context()), names) if names else None
        cols = [tf.char_ids, tf.word_ids]
        vals = [
            np.full(len(tf.char_ids), tf.char_weight, dtype=np.float32),
            np.full(len(tf.word_ids), tf.word_weight, dtype=np.float32),
        ]
        if ev is not None:
            nz = np.flatnonzero(ev)
            cols.append(space.size + nz)
            vals.append(ev[nz] * np.float32(EVIDENCE_SCALE))
        c = np.concatenate(cols)
        v = np.concatenate(vals)
        # Characters and words share one hash space: a bucket hit by both adds up.
        uniq, inv = np.unique(c, return_inverse=True)
        summed = np.zeros(len(uniq), dtype=np.float32)
        np.add.at(summed, inv, v)
        row = _CACHE[key] = (uniq, summed, np.array([len(uniq)]))
    return row


def build_matrix(
    examples: Sequence[Example], space: HashSpace, names: tuple[str, ...]
) -> sp.csr_matrix:
    """One row per example: hashed n-grams, then evidence."""
    indptr = [0]
    cols, vals = [], []
    for ex in examples:
        c, v, _ = _row(ex.text, space, names)
        cols.append(c)
        vals.append(v)
        indptr.append(indptr[-1] + len(c))
    width = space.size + len(names)
    if not examples:
        return sp.csr_matrix((0, width), dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), np.concatenate(cols), np.array(indptr)),
        shape=(len(examples), width),
        dtype=np.float32,
    )
