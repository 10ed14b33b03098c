"""Courtesy (0–10): politeness strategies in the draft, weighed by a small logistic model.

The strategies follow Danescu-Niculescu-Mizil et al. (ACL 2013): gratitude, deference,
greetings, apologies, "please" and where it stands, hedges, indirect requests, direct and "why"
questions, second-person and "so/but" openings, factuality.  Each is a yes/no feature; the
weights in `rules/courtesy.toml` were fitted by `evals/train_courtesy.py` on the Stanford
Politeness Corpus and are plain data.  courtesy = 10 · sigmoid(bias + Σ weight · feature).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from rapport.bot.engine.signals import Signals, cue_pattern
from rapport.bot.recache import load_toml, rx
from rapport.bot.resources import rules_dir

__all__ = ["FEATURES", "CourtesyModel", "courtesy", "courtesy_model", "features", "strategies"]

_LEAD = rx(r"^[\s>*_\"'(\-]*(?:@[\w_.-]+[\s,:]*)?")
_WH = rx(r"(?:what|where|when|who|whom|which|how)\b")
_WHY = rx(r"why\b")
_YES_NO = rx(
    r"(?:is|are|was|were|do|does|did|have|has|had|can|could|would|will|should|may|might|shall|"
    r"isn't|aren't|don't|doesn't|didn't|haven't|hasn't|won't|wouldn't|couldn't|shouldn't)\b"
)
_DIRECT_START = rx(r"(?:so|then|and|but|or|well|anyway|now|ok so|okay so)\b")
_FIRST_START = rx(r"(?:i|my|mine|i'm|i've|i'd|i'll|im)\b")
_SECOND_START = rx(r"(?:you|your|you're|you've|you'd|u|ur)\b")
_BTW = rx(r"\b(?:by the way|btw|incidentally)\b")
_INDICATIVE = rx(r"\b(?:can|will|cn) (?:you|u)\b")
_PLEASE = rx(r"\b(?:please|pls|plz|kindly)\b")
_YOU_MEAN = rx(r"\b(?:you mean|do you mean|what do you mean|meaning what)\b")
_SMILE = rx(r"(?::-?\)|:-?d\b|;-?\)|\(:|\^_\^|[\U0001F600-\U0001F60F\U0001F642\U0001F64F\u263A])")
_EMPHATIC = rx(r"\?\?|\?!|!\?|!!")
_NOT_START = rx(
    r"(?:no|not|nope|nah|never|wrong)\b(?! (?:worries|problem|rush|pressure|stress|need|doubt|biggie))"
)
_NEGATION = rx(r"\b(?:not|no|never|n't|nothing|nobody)\b|n't\b")


def _starts(signals: Signals, pattern: re.Pattern[str]) -> bool:
    """True when any of the sender's sentences opens with `pattern`."""
    norm = signals.doc.norm
    for s, e in signals.own_sentences:
        lead = _LEAD.match(norm, s, e)
        if pattern.match(norm, lead.end() if lead else s, e):
            return True
    return False


def _cue_starts(signals: Signals, cue: str) -> bool:
    pattern = cue_pattern(cue)
    return pattern is not None and _starts(signals, pattern)


def _has(signals: Signals, pattern: re.Pattern[str]) -> bool:
    return pattern.search(signals.own_text) is not None


def _please_inside(signals: Signals) -> bool:
    """'please' after the start of its sentence (polite) rather than opening an order."""
    norm = signals.own_text
    for m in _PLEASE.finditer(norm):
        s, _ = signals.doc.sentence_at(m.start())
        lead = _LEAD.match(norm, s)
        if m.start() > (lead.end() if lead else s):
            return True
    return False


def _questions(signals: Signals) -> int:
    return signals.own_text.count("?")


def _statements(signals: Signals) -> int:
    """Sentences that explain rather than ask."""
    norm = signals.doc.norm
    return sum(1 for s, e in signals.own_sentences if not norm[s:e].rstrip().endswith("?"))


# Every feature is a yes/no question about the sender's own words.  Names are stable: they key
# the weights in rules/courtesy.toml.
FEATURES: dict[str, Callable[[Signals], bool]] = {
    "gratitude": lambda s: s.has("gratitude"),
    "deference": lambda s: _cue_starts(s, "deference"),
    "greeting": lambda s: bool(s.at_line_start("greeting")),
    "well_wishes": lambda s: s.has("well_wishes"),
    "apology": lambda s: s.has("apology"),
    "please": _please_inside,
    "please_start": lambda s: _starts(s, _PLEASE),
    "by_the_way": lambda s: _has(s, _BTW),
    "indirect_request": lambda s: s.has("indirect_request"),
    "indicative_request": lambda s: _has(s, _INDICATIVE),
    "hedge": lambda s: s.has("hedge"),
    "easy_out": lambda s: s.has("easy_out"),
    "first_person_start": lambda s: _starts(s, _FIRST_START),
    "first_person": lambda s: s.first_person > 0,
    "first_plural": lambda s: s.first_plural > 0,
    "second_person": lambda s: s.second_person > 0,
    "second_person_start": lambda s: _starts(s, _SECOND_START),
    "wh_question_start": lambda s: _starts(s, _WH),
    "why_start": lambda s: _starts(s, _WHY),
    "yes_no_question_start": lambda s: _starts(s, _YES_NO),
    "direct_start": lambda s: _starts(s, _DIRECT_START),
    "factuality": lambda s: s.has("factuality"),
    "negative_words": lambda s: len(s.voice("negative")) >= 1,
    "many_negative_words": lambda s: len(s.voice("negative")) >= 3,
    "positive_words": lambda s: s.has("positive"),
    "negation": lambda s: _has(s, _NEGATION),
    "blame": lambda s: s.has("blame"),
    "demand": lambda s: s.has("demand"),
    "bare_imperative": lambda s: any(not soft for _, _, soft in s.imperatives),
    "emphatic_punctuation": lambda s: _has(s, _EMPHATIC),
    "shouting": lambda s: s.feature("shouting") > 0,
    "smiley": lambda s: _SMILE.search(s.doc.original) is not None,
    "you_mean": lambda s: _has(s, _YOU_MEAN),
    "several_questions": lambda s: _questions(s) >= 2,
    "no_question": lambda s: _questions(s) == 0,
    "pressure": lambda s: s.has("pressure_urgent"),
    "info_request": lambda s: s.has("info_request"),
    "suggestion": lambda s: s.has("suggestion"),
    "challenge": lambda s: s.has("challenge"),
    "condescension": lambda s: s.has("condescension"),
    "acknowledgement_start": lambda s: _cue_starts(s, "acknowledgement"),
    "you_negative": lambda s: s.has("you_negative"),
    "gives_context": lambda s: _statements(s) >= 1 and _questions(s) >= 1,
    "long_message": lambda s: s.word_count >= 30,
    "negation_start": lambda s: _starts(s, _NOT_START),
}


def features(signals: Signals) -> dict[str, bool]:
    """Every strategy feature of a draft (the training script uses this very function)."""
    return {name: bool(fn(signals)) for name, fn in FEATURES.items()}


@dataclass(frozen=True, slots=True)
class CourtesyModel:
    """Bias and per-strategy weights, fitted offline."""

    bias: float
    weights: dict[str, float]
    labels: dict[str, str]


@cache
def courtesy_model() -> CourtesyModel:
    """Load `rules/courtesy.toml` (weights) once; a missing weight means 0."""
    data = load_toml(rules_dir() / "courtesy.toml")
    weights = {str(k): float(v) for k, v in data.get("weights", {}).items()}
    unknown = set(weights) - set(FEATURES)
    if unknown:
        raise ValueError(f"courtesy.toml names unknown features: {sorted(unknown)}")
    labels = {str(k): str(v) for k, v in data.get("labels", {}).items()}
    return CourtesyModel(float(data.get("bias", 0.0)), weights, labels)


def courtesy(signals: Signals) -> tuple[float, tuple[str, ...]]:
    """The 0–10 courtesy score and the strategies that moved it most, for people to read."""
    model = courtesy_model()
    present = [name for name, on in features(signals).items() if on]
    z = model.bias + sum(model.weights.get(name, 0.0) for name in present)
    score = round(10.0 / (1.0 + math.exp(-z)), 1)
    ranked = sorted(present, key=lambda n: -abs(model.weights.get(n, 0.0)))
    evidence = []
    for name in ranked:
        weight = model.weights.get(name, 0.0)
        if abs(weight) < 0.15 or name not in model.labels:
            continue
        evidence.append(("+ " if weight > 0 else "- ") + model.labels[name])
        if len(evidence) == 4:
            break
    return score, tuple(evidence)


def strategies(text: str) -> tuple[str, ...]:
    """The politeness strategies a draft uses, in words (what the terminal report lists)."""
    from rapport.bot.engine.text import prepare

    return courtesy(Signals(prepare(text)))[1]
