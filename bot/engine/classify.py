"""Message kind: which of the seven contract kinds a draft is, from weighted evidence in data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from rapport.bot.engine.signals import Signals
from rapport.bot.models import Kind
from rapport.bot.recache import load_toml
from rapport.bot.resources import rules_dir

__all__ = ["KindModel", "classify", "kind_model"]


@dataclass(frozen=True, slots=True)
class KindModel:
    """The weights of `rules/kinds.toml`."""

    min_score: float
    order: tuple[Kind, ...]
    weights: dict[Kind, dict[str, float]]


@cache
def kind_model() -> KindModel:
    """Load and check `rules/kinds.toml` once."""
    data = load_toml(rules_dir() / "kinds.toml")
    weights = {
        Kind(k): {str(c): float(w) for c, w in v.items()} for k, v in data["weights"].items()
    }
    order = tuple(Kind(k) for k in data["order"])
    if set(order) != set(weights):
        raise ValueError("kinds.toml: `order` must list exactly the kinds that have weights")
    return KindModel(float(data["min_score"]), order, weights)


def _evidence(signals: Signals, cue: str) -> int:
    if cue.startswith("feature:"):
        return signals.feature(cue.removeprefix("feature:"))
    return len(signals.voice(cue))


def kind_scores(signals: Signals) -> dict[Kind, float]:
    """Each kind's evidence total for this draft."""
    model = kind_model()
    scores: dict[Kind, float] = {}
    for kind, weights in model.weights.items():
        total = 0.0
        for cue, weight in weights.items():
            n = _evidence(signals, cue)
            if n:
                total += weight * min(1.5, 1.0 + 0.25 * (n - 1))
        scores[kind] = total
    return scores


def classify(signals: Signals) -> Kind:
    """The kind with the most evidence, or `other` when nothing is convincing."""
    model = kind_model()
    scores = kind_scores(signals)
    best, best_score = Kind.OTHER, model.min_score - 1e-9
    for kind in model.order:
        if scores[kind] > best_score:
            best, best_score = kind, scores[kind]
    return best
