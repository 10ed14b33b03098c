"""The learned reader at run time: one weight matrix, loaded on first use, read with numpy.

`rules/models/reader.json` (the manifest) says how the features were hashed, which evidence
the model reads, what each output column means, how rule scores are calibrated and where each
sensitivity puts each rule's threshold. Loading checks the weights against the manifest's
sha256 and shape, and that this build of rapport computes every evidence feature it names.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.reader.features import (
    BatchFeatures,
    HashSpace,
    evidence_names,
    evidence_vector,
    text_features,
)
from bot.resources import rules_dir
from bot.signals import Signals

__all__ = ["SENSITIVITIES", "ModelError", "Reader", "Reading", "reader"]

SENSITIVITIES = ("quiet", "balanced", "strict")


class ModelError(RuntimeError):
    """The model files are missing, damaged or don't match this build of rapport."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What the model makes of one draft."""

    kind_probs: dict[str, float]
    rule_probs: dict[str, float]
    courtesy: float  # 0–10
    trust: dict[str, float]  # credibility, reliability, intimacy, self_orientation: 0–10

    @property
    def kind(self) -> str:
        """The most probable kind."""
        return max(self.kind_probs, key=self.kind_probs.__getitem__)


class Reader:
    """A loaded model: call `read` for a draft's reading."""

    def __init__(self, manifest: dict[str, Any], weights: np.ndarray) -> None:
        self.manifest = manifest
        space = manifest["hash_space"]
        self.space = HashSpace(int(space["bits"]), tuple(space["char_ns"]))
        self.evidence = tuple(manifest["evidence"])
        outputs = manifest["outputs"]
        self.kinds: tuple[str, ...] = tuple(outputs["kinds"])
        self.rules: tuple[str, ...] = tuple(outputs["rules"])
        self.trust_parts: tuple[str, ...] = tuple(outputs["trust"])
        self.weights = weights
        # Gathering float32 rows is twice as fast as converting float16 ones on every draft.
        self._text_rows = weights[: self.space.size].astype(np.float32)
        self.bias = np.asarray(manifest["bias"], dtype=np.float32)
        self.calibration = {r: tuple(ab) for r, ab in manifest["calibration"].items()}
        # Rules that belong to some kinds: P(rule | those kinds) · P(those kinds).
        self.factors: dict[str, tuple[int, ...]] = {
            r: tuple(self.kinds.index(k) for k in ks)
            for r, ks in manifest.get("factor_kinds", {}).items()
        }
        self.thresholds: dict[str, dict[str, float]] = manifest["thresholds"]
        self._ev_rows = weights[self.space.size :].astype(np.float32)
        n = len(self.kinds)
        self._kind_cols = slice(0, n)
        self._rule_cols = slice(n, n + len(self.rules))
        self._courtesy_col = n + len(self.rules)
        self._trust_cols = slice(
            self._courtesy_col + 1, self._courtesy_col + 1 + len(self.trust_parts)
        )

    @classmethod
    def load(cls, folder: Path, name: str = "reader") -> Reader:
        """Load and check `<name>.json` and its weights."""
        try:
            manifest = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
            meta = manifest["weights"]
            blob = (folder / meta["file"]).read_bytes()
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"the reader model in {folder} can't be read: {exc}") from None
        if hashlib.sha256(blob).hexdigest() != meta["sha256"]:
            raise ModelError(f"{meta['file']} doesn't match its manifest's sha256")
        weights = np.load(io.BytesIO(blob), allow_pickle=False)
        if list(weights.shape) != meta["shape"] or str(weights.dtype) != meta["dtype"]:
            raise ModelError(f"{meta['file']} has shape {weights.shape}, not {meta['shape']}")
        missing = set(manifest["evidence"]) - set(evidence_names())
        if missing:
            raise ModelError(f"the model reads evidence this build lacks: {sorted(missing)[:5]}")
        return cls(manifest, weights)

    def scores(self, text: str, signals: Signals | None) -> np.ndarray:
        """Raw scores of every output for a text (evidence left out when `signals` is None)."""
        tf = text_features(text, self.space)
        z = self.bias.copy()
        ids = np.concatenate((tf.char_ids, tf.word_ids))
        if len(ids):
            # One gather, one weighted sum: each id counts with its n-gram family's weight.
            coef = np.empty(len(ids), dtype=np.float32)
            coef[: len(tf.char_ids)] = tf.char_weight
            coef[len(tf.char_ids) :] = tf.word_weight
            z += coef @ self._text_rows.take(ids, axis=0)
        if signals is not None and self.evidence:
            z += evidence_vector(signals, self.evidence) @ self._ev_rows
        return z

    def scores_many(self, texts: list[str]) -> np.ndarray:
        """Raw scores of every output for each text, without evidence (one row per text)."""
        out = np.tile(self.bias, (len(texts), 1))
        if not texts:
            return out
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
        return out

    def rule_probability(self, rule: str, score: float, kind_probs: np.ndarray) -> float:
        """A rule's calibrated probability from its raw score (and the kind, if factored)."""
        a, b = self.calibration[rule]
        factor = self.factors.get(rule)
        if factor is not None:
            p = min(1 - 1e-9, max(1e-9, _sigmoid(score) * float(kind_probs[list(factor)].sum())))
            score = math.log(p) - math.log1p(-p)
        return _sigmoid(a * score + b)

    def read(self, text: str, signals: Signals) -> Reading:
        """The kind, rule probabilities, courtesy and Trust Quotient parts of a draft."""
        z = self.scores(text, signals)
        kz = z[self._kind_cols].astype(np.float64)
        kz = np.exp(kz - kz.max())
        kp = kz / kz.sum()
        rz = z[self._rule_cols]
        return Reading(
            kind_probs={k: float(p) for k, p in zip(self.kinds, kp, strict=True)},
            rule_probs={
                r: self.rule_probability(r, float(s), kp)
                for r, s in zip(self.rules, rz, strict=True)
            },
            courtesy=10.0 * _sigmoid(float(z[self._courtesy_col])),
            trust={
                p: float(min(10.0, max(0.0, v)))
                for p, v in zip(self.trust_parts, z[self._trust_cols], strict=True)
            },
        )

    def rule_column(self, rule: str) -> int:
        """The output column of a rule's raw score."""
        return len(self.kinds) + self.rules.index(rule)

    def threshold(self, rule: str, sensitivity: str) -> float:
        """The probability at or above which the rule fires at this sensitivity."""
        return float(self.thresholds[rule][sensitivity])


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@cache
def reader() -> Reader:
    """rapport's shipped reader, loaded once per process on first use."""
    return Reader.load(rules_dir() / "models")
