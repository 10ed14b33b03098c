"""The few detector kinds that rule files compose (Vale-style: the rule is data, the check is code).

- phrases:    words from phrase lists in the sender's own, affirmed voice.
- entities:   chat markup such as @here/@everyone or role pings.
- missing:    a trigger (an ask, or the message itself) without any of the evidence that
              would make it honest ("asks for a recommendation, never says how they know you").
- score:      a Trust Quotient part or courtesy crossing a threshold.
- imperative: bare commands ("Send me the deck.") in a message that is not polite overall.

Each returns spans in `Doc.norm` coordinates; the engine turns them into findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from rapport.bot.engine.courtesy import courtesy
from rapport.bot.engine.evidence import resolve
from rapport.bot.engine.lexicon import compile_phrases, literal_phrase, load_list
from rapport.bot.engine.reader.explain import SentenceScores
from rapport.bot.engine.reader.model import Reading
from rapport.bot.engine.rules import Detector
from rapport.bot.engine.signals import Hit, Signals
from rapport.bot.models import Kind, Trust

__all__ = ["Assessment", "Span", "holds", "run_detector", "team_phrase_spans"]

Span = tuple[int, int]


@dataclass(slots=True)
class Assessment:
    """What the engine knows about a draft before the rules run.

    Courtesy is scored on first use: a check always reports it, but the rewriter's self-check
    only pays for it when a rule asks.
    """

    signals: Signals
    kind: Kind
    trust: Trust
    reading: Reading | None = None  # the learned reader's view (None for a non-English draft)
    language: str = "en"
    #: The reader's scores per sentence, shared by every rule that needs words to point at.
    sentences: SentenceScores | None = None
    _courtesy: tuple[float, tuple[str, ...]] | None = None

    @property
    def courtesy_with_evidence(self) -> tuple[float, tuple[str, ...]]:
        """The courtesy score (0–10) and the strategies behind it."""
        if self._courtesy is None:
            self._courtesy = courtesy(self.signals)
        return self._courtesy

    @property
    def courtesy(self) -> float:
        """The courtesy score (0–10): the reader's when there is one."""
        if self.reading is not None:
            return self.reading.courtesy
        return self.courtesy_with_evidence[0]


@cache
def _pattern(lists: tuple[str, ...], phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a detector's lists plus inline phrases (cached per detector)."""
    return compile_phrases([p for name in lists for p in load_list(name)] + list(phrases))


def _hits(det: Detector, s: Signals) -> list[Hit]:
    """Hits of every list (shared with scoring and kind detection: each scanned once)."""
    hits = [h for name in det.lists for h in s.hits(name)]
    if det.phrases:
        pattern = _pattern((), det.phrases)
        hits += [] if pattern is None else s.scan(pattern)
    return hits


def _clause_has(s: Signals, pos: int, pattern: re.Pattern[str]) -> bool:
    """True when `pattern` occurs earlier in the clause that holds `pos`."""
    return s.doc.clause_has(pattern, pos)


def _phrases(det: Detector, a: Assessment) -> list[Span]:
    s = a.signals
    if any(s.has(cue) for cue in det.unless_message):
        return []
    hits = s.at_line_start_of(_hits(det, s)) if det.position == "line_start" else _hits(det, s)
    guard = _pattern((), det.unless_in_clause) if det.unless_in_clause else None
    spans = []
    for h in hits:
        if h.quoted or s.negated(h):
            continue
        if guard is not None and _clause_has(s, h.start, guard):
            continue
        spans.append((h.start, h.end))
    return spans


def _entities(det: Detector, a: Assessment) -> list[Span]:
    s = a.signals
    wanted = set(det.entities)
    out = []
    for e in s.doc.entities:
        kind = "broadcast" if e.type == "broadcast" else e.type
        if kind in wanted and not s.doc.is_quoted(e.start, e.end) and not s.doc.is_negated(e.start):
            out.append((e.start, e.end))
    return out


def holds(item: str, a: Assessment) -> bool:
    """Whether one piece of evidence named in a rule file (a cue, a feature, a signal, context
    or a courtesy floor) is present in the draft; names resolve through `rapport.bot.engine.evidence`."""
    return _resolved(item)(a)


@cache
def _resolved(item: str) -> Callable[[Assessment], bool]:
    return resolve(item)


def _first_sentence(s: Signals) -> Span | None:
    return s.own_sentences[0] if s.own_sentences else None


def _missing(det: Detector, a: Assessment) -> list[Span]:
    s = a.signals
    if "message" in det.trigger:
        anchor: Span | None = _first_sentence(s)
    else:
        # triggers are listed most precise first: a phrase hit beats a sentence frame
        anchor = None
        for cue in det.trigger:
            hits = s.voice(cue)
            if hits:
                anchor = (hits[0].start, hits[0].end)
                break
    if anchor is None or any(holds(item, a) for item in det.evidence):
        return []
    if not all(holds(item, a) for item in det.needs):
        return []
    if det.span == "sentence":
        return [s.doc.sentence_at(anchor[0])]
    if det.span == "each_sentence":
        return sorted({s.doc.sentence_at(h.start) for cue in det.trigger for h in s.voice(cue)})
    if det.span == "greeting":
        greeting = s.at_line_start("generic_greeting")
        return [(greeting[0].start, greeting[0].end)] if greeting else [anchor]
    return [anchor]


def _most_self_focused(s: Signals) -> Span | None:
    best, best_count = None, 0
    for start, end in s.own_sentences:
        count = len(
            re.findall(r"\b(?:i|me|my|i'm|im|i've|i'd|i'll|myself)\b", s.doc.norm[start:end])
        )
        if count > best_count:
            best, best_count = (start, end), count
    return best


def _score(det: Detector, a: Assessment) -> list[Span]:
    if det.score == "courtesy":
        value = a.courtesy
    elif det.score.startswith("signal:"):
        value = float(getattr(a.signals, det.score.removeprefix("signal:")))
    else:
        value = float(getattr(a.trust, det.score))
    if det.at_least is not None and value < det.at_least:
        return []
    if det.at_most is not None and value > det.at_most:
        return []
    if any(holds(item, a) for item in det.evidence):
        return []
    span = _most_self_focused(a.signals) if det.span == "self_sentence" else None
    span = span or _first_sentence(a.signals)
    return [span] if span else []


def _imperative(det: Detector, a: Assessment) -> list[Span]:
    """Bare orders for the sender; in a terse, courtesy-free message, any bare order."""
    s = a.signals
    if not any(not softened for _, _, softened in s.imperatives):
        return []  # no bare command at all: nothing to weigh courtesy against
    if det.max_courtesy is not None and a.courtesy >= det.max_courtesy:
        return []
    if any(s.has(cue) for cue in det.unless_message):
        return []
    commands = s.imperatives if a.courtesy < _TERSE else s.imperatives_for_sender
    return [(start, end) for start, end, softened in commands if not softened]


#: Below this courtesy even advice reads as an order ("Meet Gary. He sells insurance. Talk to him.")
_TERSE = 3.0


def _history(det: Detector, a: Assessment) -> list[Span]:
    """What the caller's history says: an endorsement owed, or the same message to many.

    Such a finding points at no words: its span is empty, at the start."""
    ctx = a.signals.context
    if det.history == "owed":
        return [(0, 0)] if ctx.owed_name else []
    return [(0, 0)] if ctx.repeated_for >= (det.at_least or 1) else []


_DETECTORS: dict[str, Callable[[Detector, Assessment], list[Span]]] = {
    "phrases": _phrases,
    "entities": _entities,
    "missing": _missing,
    "score": _score,
    "imperative": _imperative,
    "history": _history,
}


def run_detector(det: Detector, a: Assessment) -> list[Span]:
    """Spans where this detector finds its rule's problem."""
    if det.kinds and a.kind.value not in det.kinds:
        return []
    return _DETECTORS[det.type](det, a)


@cache
def _team_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    return compile_phrases(literal_phrase(p) for p in phrases)


def team_phrase_spans(phrases: tuple[str, ...], a: Assessment) -> list[Span]:
    """A team's own phrases for a rule: literal words, in the sender's affirmed voice."""
    pattern = _team_pattern(phrases)
    if pattern is None:
        return []
    s = a.signals
    return [(h.start, h.end) for h in s.scan(pattern) if not h.quoted and not s.negated(h)]
