"""The reader's weights as a numpy matrix: the way to score many drafts in one process."""

from __future__ import annotations

import io

import numpy as np

from rapport.bot.engine.reader.features import HashSpace
from rapport.bot.engine.reader.vectors import BatchFeatures

__all__ = ["DenseTable"]


class DenseTable:
    """Weights held as float32 rows (gathered twice as fast as float16 ones)."""

    def __init__(self, blob: bytes, space: HashSpace) -> None:
        self._set(np.load(io.BytesIO(blob), allow_pickle=False), space)

    @classmethod
    def from_array(cls, weights: np.ndarray, space: HashSpace) -> DenseTable:
        """A table over weights already in memory (cross-validation swaps heads in and out)."""
        table = cls.__new__(cls)
        table._set(weights, space)
        return table

    def _set(self, weights: np.ndarray, space: HashSpace) -> None:
        self.shape: tuple[int, int] = (int(weights.shape[0]), int(weights.shape[1]))
        self.space = space
        self._text_rows = weights[: space.size].astype(np.float32)
        self._evidence_rows = weights[space.size :].astype(np.float32)

    def matrix(self) -> np.ndarray:
        """All the weights, text rows then evidence rows, as float32."""
        return np.vstack((self._text_rows, self._evidence_rows))

    def text_scores(self, texts: list[str]) -> list[list[float]]:
        """Each text's n-gram contribution to every output: one hashing pass, one gather."""
        out = np.zeros((len(texts), self.shape[1]), dtype=np.float32)
        batch = BatchFeatures(texts, self.space)
        char_w, word_w = batch.weights(len(texts))
        for of, ids, w in (
            (batch.char_of, batch.char_ids, char_w),
            (batch.word_of, batch.word_ids, word_w),
        ):
            if len(ids):
                rows = self._text_rows.take(ids, axis=0)
                rows *= w[:, None]
                # `of` is sorted: each present text's rows are one run, summed by reduceat.
                firsts = np.flatnonzero(np.concatenate(([True], of[1:] != of[:-1])))
                out[of[firsts]] += np.add.reduceat(rows, firsts, axis=0)
        return out.tolist()

    def evidence_scores(self, values: list[float]) -> list[float]:
        """The evidence vector's contribution to every output."""
        if not len(self._evidence_rows):
            return [0.0] * self.shape[1]
        return (np.asarray(values, dtype=np.float32) @ self._evidence_rows).tolist()  # type: ignore[no-any-return]
