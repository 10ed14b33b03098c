"""Which words carry a learned judgment when no phrase of the rule's own matched.

The reader scores the whole draft; to point at words, each of the sender's own sentences is
scored alone for the rule, and the one that scores highest is the finding's span.
"""

from __future__ import annotations

from bot.reader.model import Reader
from bot.signals import Signals

__all__ = ["best_sentence"]

#: Sentences scored per finding at most: a long draft's explanation stays cheap.
_MAX_SENTENCES = 40


def best_sentence(model: Reader, rule: str, signals: Signals) -> tuple[int, int] | None:
    """The sender's sentence (in `Doc.norm` offsets) that most reads as breaking `rule`."""
    doc = signals.doc
    column = model.rule_column(rule)
    best: tuple[float, tuple[int, int]] | None = None
    for start, end in signals.own_sentences[:_MAX_SENTENCES]:
        o_start, o_end = doc.span(start, end)
        words = doc.original[o_start:o_end]
        if not words.strip():
            continue
        score = float(model.scores(words, None)[column])
        if best is None or score > best[0]:
            best = (score, (start, end))
    return None if best is None else best[1]
