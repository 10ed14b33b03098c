"""Fitting the reader's heads: kind, one probability per rule, courtesy and the Trust Quotient.

Every head is linear over the same features, so the shipped model is one weight matrix. Rules
get Platt scaling on dev (so a probability means what it says) and per-rule thresholds chosen
on dev for a target precision; each sensitivity is a different precision target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression, Ridge

__all__ = [
    "PRECISION",
    "Head",
    "fit_binary",
    "fit_kind",
    "fit_ridge",
    "platt",
    "threshold_for_precision",
]

#: Precision each sensitivity asks of a rule on dev.
PRECISION = {"quiet": 0.95, "balanced": 0.9, "strict": 0.75}


@dataclass
class Head:
    """A linear head: weights (n_features × n_outputs) and biases (n_outputs)."""

    weights: np.ndarray
    bias: np.ndarray

    def scores(self, X: sp.csr_matrix) -> np.ndarray:
        """Raw linear scores, one column per output."""
        return np.asarray(X @ self.weights) + self.bias


def fit_kind(
    X: sp.csr_matrix, y: Sequence[str], kinds: Sequence[str], C: float, weight: np.ndarray
) -> Head:
    """Multinomial logistic regression over the kinds (columns in `kinds` order)."""
    model = LogisticRegression(C=C, max_iter=4000, tol=1e-5)
    model.fit(X, list(y), sample_weight=weight)
    order = [list(model.classes_).index(k) for k in kinds]
    return Head(model.coef_[order].T.copy(), model.intercept_[order].copy())


def fit_binary(X: sp.csr_matrix, y: np.ndarray, C: float, weight: np.ndarray | None = None) -> Head:
    """Binary logistic regression; `y` may be fractional (a soft label as two weighted rows)."""
    yf = np.asarray(y, dtype=float)
    w = np.ones(len(yf)) if weight is None else np.asarray(weight, dtype=float)
    soft = (yf > 0) & (yf < 1)
    if soft.any():
        X = sp.vstack([X, X[soft]]).tocsr()
        w = np.concatenate([np.where(soft, w * yf, w), w[soft] * (1 - yf[soft])])
        yf = np.concatenate([np.where(soft, 1.0, yf), np.zeros(int(soft.sum()))])
    model = LogisticRegression(C=C, max_iter=4000, tol=1e-5)
    model.fit(X, (yf > 0.5).astype(int), sample_weight=w)
    return Head(model.coef_.T.copy(), model.intercept_.copy())


def fit_ridge(X: sp.csr_matrix, y: np.ndarray, alpha: float) -> Head:
    """Ridge regression for Trust Quotient parts (columns of `y`)."""
    model = Ridge(alpha=alpha, solver="sparse_cg", tol=1e-6, random_state=0)
    model.fit(X, y)
    coef = model.coef_.T if model.coef_.ndim == 2 else model.coef_[:, None]
    return Head(np.asarray(coef).copy(), np.atleast_1d(model.intercept_).copy())


def platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(a, b) with P(rule) = sigmoid(a · score + b), fitted on held-out scores."""
    if y.sum() == 0 or y.sum() == len(y):
        return 1.0, 0.0
    model = LogisticRegression(C=100.0, max_iter=1000)
    model.fit(scores.reshape(-1, 1), y.astype(int))
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function."""
    return 1.0 / (1.0 + np.exp(-z))


def threshold_for_precision(prob: np.ndarray, y: np.ndarray, target: float) -> float:
    """The lowest probability whose flagged set (prob ≥ it) keeps precision ≥ target.

    Scanning from the most confident down, the last point where the running precision still
    meets the target: the highest recall at that precision on this data. When no point meets
    it, a threshold above every score (the rule is then left to strong phrase evidence).
    """
    order = np.argsort(-prob, kind="stable")
    hits = np.cumsum(y[order])
    flagged = np.arange(1, len(order) + 1)
    precision = hits / flagged
    ok = np.flatnonzero((precision >= target) & (hits >= 3))
    if len(ok) == 0:
        return 1.01
    k = ok[-1]
    t = float(prob[order[k]])
    # Rounded down to the manifest's 6 places, so the shipped threshold keeps every flagged draft.
    return max(0.05, min(0.99, math.floor(t * 1e6) / 1e6))
