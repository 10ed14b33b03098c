"""Which words carry a learned judgment when no phrase of the rule's own matched.

The reader scores the whole draft; to point at words, each of the sender's own sentences is
scored alone, and for each rule the sentence that scores highest is the finding's span. The
sentences are scored once per draft, all outputs at a time, however many rules need words.
"""

from __future__ import annotations

from rapport.bot.engine.reader.model import Reader
from rapport.bot.engine.signals import Signals

__all__ = ["SentenceScores"]

#: Sentences scored per draft at most: a long draft's explanation stays cheap.
_MAX_SENTENCES = 40


class SentenceScores:
    """Every output's raw score for each of the sender's own sentences, computed on first use."""

    def __init__(self, model: Reader, signals: Signals) -> None:
        self.model = model
        self.signals = signals
        self._spans: list[tuple[int, int]] | None = None
        self._scores: list[list[float]] | None = None

    def _score(self) -> tuple[list[tuple[int, int]], list[list[float]]]:
        if self._spans is None or self._scores is None:
            doc = self.signals.doc
            spans, texts = [], []
            for start, end in self.signals.own_sentences[:_MAX_SENTENCES]:
                o_start, o_end = doc.span(start, end)
                words = doc.original[o_start:o_end]
                if words.strip():
                    spans.append((start, end))
                    texts.append(words)
            self._spans, self._scores = spans, self.model.scores_many(texts)
        return self._spans, self._scores

    def best(self, rule: str) -> tuple[int, int] | None:
        """The sentence (in `Doc.norm` offsets) that most reads as breaking `rule`."""
        spans, scores = self._score()
        if not spans:
            return None
        column = self.model.rule_column(rule)
        best = max(range(len(spans)), key=lambda i: scores[i][column])  # the first, on a tie
        return spans[best]
