"""The learned reader at run time: one weight matrix, loaded on first use.

`rules/models/reader.json` (the manifest) says how the features were hashed, which evidence
the model reads, what each output column means, how rule scores are calibrated and where each
sensitivity puts each rule's threshold. Loading checks the weights against the manifest's
sha256 and shape, and that this build of rapport computes every evidence feature it names.

The weights are read with numpy (`rapport.bot.engine.reader.dense`) in the bots, the console and batch
checks, where many drafts share one load. A one-shot `rapport check` reads the few rows one
draft needs in plain Python instead (`rapport.bot.engine.reader.plain`): importing numpy alone would take
longer than the whole check. Both give the same scores (tested).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from rapport.bot.engine.reader.features import HashSpace, evidence_names, evidence_values
from rapport.bot.engine.signals import Signals
from rapport.bot.resources import rules_dir

__all__ = [
    "SENSITIVITIES",
    "ModelError",
    "Reader",
    "Reading",
    "ScoreTable",
    "one_shot",
    "reader",
]

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


class ScoreTable(Protocol):
    """The weights, read one way or another: every output's summed weights, bias excluded."""

    shape: tuple[int, int]

    def text_scores(self, texts: list[str]) -> list[list[float]]:
        """Each text's n-gram contribution to every output."""

    def evidence_scores(self, values: list[float]) -> list[float]:
        """The evidence vector's contribution to every output."""


class Reader:
    """A loaded model: call `read` for a draft's reading."""

    def __init__(self, manifest: dict[str, Any], table: ScoreTable) -> None:
        self.manifest = manifest
        space = manifest["hash_space"]
        self.space = HashSpace(int(space["bits"]), tuple(space["char_ns"]))
        self.evidence = tuple(manifest["evidence"])
        outputs = manifest["outputs"]
        self.kinds: tuple[str, ...] = tuple(outputs["kinds"])
        self.rules: tuple[str, ...] = tuple(outputs["rules"])
        self.trust_parts: tuple[str, ...] = tuple(outputs["trust"])
        self.table = table
        self.bias = [float(b) for b in manifest["bias"]]
        self.calibration = {r: tuple(ab) for r, ab in manifest["calibration"].items()}
        # Rules that belong to some kinds: P(rule | those kinds) · P(those kinds).
        self.factors: dict[str, tuple[int, ...]] = {
            r: tuple(self.kinds.index(k) for k in ks)
            for r, ks in manifest.get("factor_kinds", {}).items()
        }
        self.thresholds: dict[str, dict[str, float]] = manifest["thresholds"]
        n = len(self.kinds)
        self._rule_start = n
        self._courtesy_col = n + len(self.rules)
        self._trust_start = self._courtesy_col + 1

    @classmethod
    def load(cls, folder: Path, name: str = "reader", vectorised: bool = True) -> Reader:
        """Load and check `<name>.json` and its weights (read with numpy when `vectorised`)."""
        try:
            manifest = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
            meta = manifest["weights"]
            path = folder / meta["file"]
            space = manifest["hash_space"]
            hash_space = HashSpace(int(space["bits"]), tuple(space["char_ns"]))
            table: ScoreTable
            if vectorised:
                from rapport.bot.engine.reader.dense import DenseTable

                blob = path.read_bytes()
                import hashlib  # the one-shot CLI reads no blob: it skips this import

                if hashlib.sha256(blob).hexdigest() != meta["sha256"]:
                    raise ModelError(f"{meta['file']} doesn't match its manifest's sha256")
                table = DenseTable(blob, hash_space)
            else:
                # One draft reads a few thousand rows: hashing all six megabytes would cost
                # more than the check. The file's header and exact size are checked instead;
                # every long-running process (and the test suite) checks the sha256.
                from rapport.bot.engine.reader.plain import PlainTable

                table = PlainTable.open(path, hash_space)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"the reader model in {folder} can't be read: {exc}") from None
        if list(table.shape) != meta["shape"]:
            raise ModelError(f"{meta['file']} has shape {table.shape}, not {meta['shape']}")
        missing = set(manifest["evidence"]) - set(evidence_names())
        if missing:
            raise ModelError(f"the model reads evidence this build lacks: {sorted(missing)[:5]}")
        return cls(manifest, table)

    def scores(self, text: str, signals: Signals | None) -> list[float]:
        """Raw scores of every output for a text (evidence left out when `signals` is None)."""
        z = self.scores_many([text])[0]
        if signals is not None and self.evidence:
            ev = self.table.evidence_scores(evidence_values(signals, self.evidence))
            z = [a + e for a, e in zip(z, ev, strict=True)]
        return z

    def scores_many(self, texts: list[str]) -> list[list[float]]:
        """Raw scores of every output for each text, without evidence (one row per text)."""
        return [
            [b + t for b, t in zip(self.bias, row, strict=True)]
            for row in self.table.text_scores(texts)
        ]

    def rule_probability(self, rule: str, score: float, kind_probs: list[float]) -> float:
        """A rule's calibrated probability from its raw score (and the kind, if factored)."""
        a, b = self.calibration[rule]
        factor = self.factors.get(rule)
        if factor is not None:
            share = sum(kind_probs[i] for i in factor)
            p = min(1 - 1e-9, max(1e-9, _sigmoid(score) * share))
            score = math.log(p) - math.log1p(-p)
        return _sigmoid(a * score + b)

    def read(self, text: str, signals: Signals) -> Reading:
        """The kind, rule probabilities, courtesy and Trust Quotient parts of a draft."""
        z = self.scores(text, signals)
        n = len(self.kinds)
        top = max(z[:n])
        exps = [math.exp(v - top) for v in z[:n]]
        total = sum(exps)
        kp = [e / total for e in exps]
        rz = z[self._rule_start : self._courtesy_col]
        trust = z[self._trust_start : self._trust_start + len(self.trust_parts)]
        return Reading(
            kind_probs=dict(zip(self.kinds, kp, strict=True)),
            rule_probs={
                r: self.rule_probability(r, s, kp) for r, s in zip(self.rules, rz, strict=True)
            },
            courtesy=10.0 * _sigmoid(z[self._courtesy_col]),
            trust={p: min(10.0, max(0.0, v)) for p, v in zip(self.trust_parts, trust, strict=True)},
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


_one_shot = False


def one_shot() -> None:
    """Say this process checks one draft and exits: the reader then reads its weights in plain
    Python, never importing numpy (call it before the first check)."""
    global _one_shot
    _one_shot = True


def reader() -> Reader:
    """rapport's shipped reader, loaded once per process on first use."""
    return _load(vectorised=not _one_shot)


@cache
def _load(vectorised: bool) -> Reader:
    return Reader.load(rules_dir() / "models", vectorised=vectorised)
