"""How far can a linear n-gram reader go on this corpus? Measured on dev, never on test.

Issue 13 asks for test macro-F1 ≥ 0.88 from a reader that runs in numpy within 3 ms. This
measures what more of the same would buy: the rule heads' mean dev average precision (AP) and
mean F1 at the dev threshold for precision 0.9, when trained

- on half, three quarters and all of the train writers (the learning curve: would more drafts
  from more writers close the gap?);
- with a larger C, without the evidence features, or with other character n-gram lengths.

    pip install -e '.[train]'
    python -m evals.ceiling              # about 3 minutes

Each head is a plain logistic regression on the shipped features (no factoring by kind and no
calibration, so the F1 here is below the training script's); the point is the differences.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from collections.abc import Sequence  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

from evals.learn import data  # noqa: E402
from evals.learn.matrix import build_matrix  # noqa: E402
from evals.train import average_precision  # noqa: E402
from rapport.bot.engine.reader.features import HashSpace  # noqa: E402
from rapport.bot.engine.reader.model import reader  # noqa: E402
from rapport.bot.models import TEXT_RULE_IDS  # noqa: E402

__all__ = ["f1_at_precision"]


def f1_at_precision(scores: np.ndarray, y: np.ndarray, target: float = 0.9) -> float:
    """F1 at the lowest threshold whose flagged set keeps precision ≥ target (3 hits at least)."""
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(y[order])
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero((precision >= target) & (hits >= 3))
    if len(ok) == 0 or y.sum() == 0:
        return 0.0
    p, r = precision[ok[-1]], hits[ok[-1]] / y.sum()
    return float(2 * p * r / (p + r))


class Bench:
    """Train and dev matrices built once per feature setting."""

    def __init__(self, space: HashSpace, names: tuple[str, ...]) -> None:
        self.train = data.corpus_examples("train")
        self.dev = data.corpus_examples("dev")
        self.own = {r: data.rule_examples(r) for r in TEXT_RULE_IDS}
        self.Xtr = build_matrix(self.train, space, names)
        self.Xdev = build_matrix(self.dev, space, names)
        self.Xown = {r: build_matrix(ex, space, names) for r, ex in self.own.items()}

    def score(self, rows: np.ndarray | None = None, C: float = 100.0) -> tuple[float, float]:
        """Mean dev AP and mean dev F1 at precision 0.9 over the rules."""
        rows = np.arange(len(self.train)) if rows is None else rows
        aps, f1s = [], []
        for rule in TEXT_RULE_IDS:
            X = sp.vstack([self.Xtr[rows], self.Xown[rule]]).tocsr()
            y = np.array(
                [rule in (self.train[i].rules or ()) for i in rows]
                + [rule in (e.rules or ()) for e in self.own[rule]],
                dtype=float,
            )
            model = LogisticRegression(C=C, max_iter=4000, tol=1e-5).fit(X, y)
            z = model.decision_function(self.Xdev)
            ydev = np.array([rule in (e.rules or ()) for e in self.dev], dtype=float)
            aps.append(average_precision(z, ydev))
            f1s.append(f1_at_precision(z, ydev))
        return float(np.mean(aps)), float(np.mean(f1s))


def main(argv: Sequence[str] | None = None) -> int:
    """Print the learning curve and the variants."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    shipped = reader()
    names = tuple(shipped.manifest["evidence"])
    space = shipped.space
    base = Bench(space, names)
    print(f"dev: {len(base.dev)} drafts; rule heads: mean AP · mean F1 at precision 0.9")
    writers = sorted({e.group for e in base.train})
    rng = np.random.RandomState(args.seed)
    order = list(rng.permutation(writers))
    for share in (0.5, 0.75, 1.0):
        keep = set(order[: max(1, round(len(writers) * share))])
        rows = np.array([i for i, e in enumerate(base.train) if e.group in keep])
        ap_, f1 = base.score(rows)
        print(f"  {len(keep):2d} of {len(writers)} train writers ({len(rows)} drafts): "
              f"AP {ap_:.3f} · F1 {f1:.3f}")  # fmt: skip
    for C in (300.0, 1000.0):
        ap_, f1 = base.score(C=C)
        print(f"  C={C:g}: AP {ap_:.3f} · F1 {f1:.3f}")
    plain = Bench(space, ())
    ap_, f1 = plain.score()
    print(f"  n-grams only, no evidence: AP {ap_:.3f} · F1 {f1:.3f}")
    for ns in ((3, 5), (3, 4, 5)):
        ap_, f1 = Bench(HashSpace(space.bits, ns), names).score()
        print(f"  character n-grams {ns}: AP {ap_:.3f} · F1 {f1:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
